"""The look of Koers: NL Design System components and design tokens, themed per municipality.

``vendor`` copies the published stylesheets into the static folder, ``components`` names the
component classes the templates use, ``themes`` maps a municipality's colours onto the tokens
and ``tokens`` resolves token values to check their contrast. See docs/design.md.
"""
