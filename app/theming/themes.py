"""A municipality's theme: its colours mapped onto the NL Design System's design tokens.

The example theme (``voorbeeld-theme``) gives every token a value; ``koers-theme`` overrides
the brand colours with the municipality's ``[branding]`` colours, shades derived so text
keeps WCAG 2.1 AA contrast; a municipality with its own tokens file adds its class last, so
its tokens win. ``tests/unit/test_theme_contrast.py`` checks the resolved values.
"""

from __future__ import annotations

from pathlib import Path

from flask import current_app, url_for

from app.municipality import Municipality
from app.plugins.types import ThemeStylesheet
from app.theming.colours import BLACK, WHITE, mix, parse_hex, readable_on, to_hex

BASE_CLASSES = ("voorbeeld-theme", "koers-theme")
SYSTEM_FONTS = ('system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Liberation Sans", '
                "Arial, sans-serif")

# Koers's choices over the example theme, whatever the municipality's colours: the document
# tokens the components fall back on, which the example theme does not set; fonts the
# machine has (an intranet loads no web fonts from elsewhere, and the example theme's own
# are not part of its package) and the space between form fields, which the example theme
# leaves at zero for the page to decide.
KOERS_TOKENS = {
    "--utrecht-document-font-family": "var(--basis-text-font-family-default)",
    "--utrecht-document-color": "var(--basis-color-default-color-document)",
    "--utrecht-document-background-color": "var(--basis-color-default-bg-document)",
    "--utrecht-document-font-size": "var(--basis-text-font-size-md)",
    "--utrecht-document-line-height": "var(--basis-text-line-height-md)",
    # A focus ring on every focusable element: the example theme names its colours but
    # leaves the components' focus tokens unset.
    "--utrecht-focus-outline-color": "var(--basis-focus-outline-color)",
    "--utrecht-focus-outline-style": "solid",
    "--utrecht-focus-outline-width": "var(--basis-focus-outline-width)",
    "--utrecht-focus-outline-offset": "2px",
    "--utrecht-focus-inverse-outline-color": "var(--basis-focus-inverse-outline-color)",
    # A button that deletes is red, not the brand colour.
    "--utrecht-button-primary-action-danger-background-color":
        "var(--basis-color-negative-inverse-bg-default)",
    "--utrecht-button-primary-action-danger-border-color":
        "var(--basis-color-negative-inverse-bg-default)",
    "--utrecht-button-primary-action-danger-color":
        "var(--basis-color-negative-inverse-color-default)",
    "--utrecht-button-primary-action-danger-hover-background-color":
        "var(--basis-color-negative-inverse-bg-hover)",
    "--utrecht-button-primary-action-danger-hover-color":
        "var(--basis-color-negative-inverse-color-hover)",
    # The current page number is a link, coloured by Utrecht's HTML stylesheet in the brand
    # colour: the example theme's grey behind it is too dark for a lighter brand colour. A
    # light tint keeps it readable, the brand-coloured border marks it among the numbers.
    "--utrecht-pagination-page-link-current-background-color":
        "var(--basis-color-action-1-bg-subtle)",
    "--utrecht-pagination-page-link-current-border-color":
        "var(--basis-color-action-1-border-default)",
    "--basis-text-font-family-default": SYSTEM_FONTS,
    "--basis-heading-font-family": SYSTEM_FONTS,
    "--utrecht-form-field-margin-block-end": "var(--basis-space-block-2xl)",
    "--utrecht-form-label-margin-block-end": "var(--basis-space-block-sm)",
    "--utrecht-form-fieldset-margin-block-end": "var(--basis-space-block-2xl)",
}


def theme_classes(municipality: Municipality) -> str:
    """The classes on ``<html>`` that select the theme's tokens, weakest first."""
    classes = list(BASE_CLASSES)
    if municipality.theme_class:
        classes.append(municipality.theme_class)
    classes += [sheet.theme_class for _plugin, sheet in plugin_stylesheets() if sheet.theme_class]
    return " ".join(classes)


def plugin_stylesheets() -> list[tuple[str, ThemeStylesheet]]:
    """(plugin, stylesheet) for every plugin's ``theme_stylesheets``, read once per app."""
    cache = current_app.extensions.setdefault("koers_theme_stylesheets", [])
    if not cache:
        manager = current_app.extensions["koers_plugins"]
        found = [(plugin, sheet) for plugin, sheets in manager.call_each("theme_stylesheets")
                 for sheet in sheets or ()]
        cache.append(found)
    return cache[0]


def brand_tokens(municipality: Municipality) -> dict[str, str]:
    """Token values from the municipality's primary and accent colour."""
    # 5:1 on white, not just 4.5: links and buttons in the brand colour also sit on the menu's
    # light grey and on light tints of the colour itself.
    primary = readable_on(parse_hex(municipality.primary_colour), WHITE, 5.0)
    # Hover and active shades stay on the readable side: darker, never lighter.
    hover = mix(primary, BLACK, 0.2)
    active = mix(primary, BLACK, 0.35)
    tint = {share: to_hex(mix(primary, WHITE, share)) for share in (0.5, 0.8, 0.88, 0.95)}
    p, h, a = to_hex(primary), to_hex(hover), to_hex(active)
    tokens = dict(KOERS_TOKENS)
    for palette in ("accent-1", "action-1", "action-2"):
        prefix = f"--basis-color-{palette}"
        tokens.update({
            f"{prefix}-color-default": p, f"{prefix}-color-hover": h,
            f"{prefix}-color-active": a, f"{prefix}-color-document": h,
            f"{prefix}-color-subtle": p,
            f"{prefix}-border-default": p, f"{prefix}-border-hover": h,
            f"{prefix}-border-active": a, f"{prefix}-border-subtle": tint[0.5],
            f"{prefix}-bg-default": tint[0.88], f"{prefix}-bg-hover": tint[0.8],
            f"{prefix}-bg-active": tint[0.8], f"{prefix}-bg-subtle": tint[0.95],
            f"{prefix}-bg-document": "#ffffff",
        })
    for palette in ("accent-1", "action-1"):
        prefix = f"--basis-color-{palette}-inverse"
        tokens.update({
            f"{prefix}-bg-default": p, f"{prefix}-bg-hover": h, f"{prefix}-bg-active": a,
            f"{prefix}-bg-document": h, f"{prefix}-bg-subtle": a,
            f"{prefix}-color-subtle": "#ffffff",
        })
    tokens.update({
        # Koers's own token: the municipality's second colour, for a rule under the header.
        "--koers-accent-color": to_hex(parse_hex(municipality.accent_colour)),
    })
    return tokens


def plugin_css() -> list[tuple[str, str]]:
    """(css, selector) of each plugin stylesheet that declares a theme class: its tokens."""
    found = []
    for plugin, sheet in plugin_stylesheets():
        blueprint = current_app.blueprints.get(plugin)
        if sheet.theme_class and blueprint is not None and blueprint.static_folder:
            path = Path(blueprint.static_folder) / sheet.filename
            if path.is_file():
                found.append((path.read_text("utf-8"), f".{sheet.theme_class}"))
    return found


def theme_css(municipality: Municipality) -> str:
    lines = [f"  {name}: {value};" for name, value in brand_tokens(municipality).items()]
    return ".koers-theme {\n" + "\n".join(lines) + "\n}\n"


def stylesheets(municipality: Municipality) -> list[str]:
    """The stylesheets of every page, in cascade order."""
    urls = [url_for("static", filename="vendor/nlds/theme.css"),
            url_for("main.theme_css")]
    if municipality.tokens_css:
        urls.append(url_for("main.tokens_css"))
    urls += [url_for(f"{plugin}.static", filename=sheet.filename)
             for plugin, sheet in plugin_stylesheets()]
    urls += [url_for("static", filename="vendor/nlds/html.css"),
             url_for("static", filename="vendor/nlds/components.css"),
             url_for("static", filename="css/koers.css"),
             # Last, so paper wins over the screen layout; its rules are all @media print.
             url_for("static", filename="css/print.css")]
    return urls
