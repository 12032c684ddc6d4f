"""Design tokens resolved to values, and the contrast of the colours a page really shows.

A theme is layers of custom properties: the example theme (``.voorbeeld-theme``), the
municipality's colours (``.koers-theme``), the municipality's own tokens file and a plugin's,
in the cascade order of ``themes.theme_classes``. A part of the page can set tokens of its own
(Koers's header, in koers.css); its pairs are measured with those on top. ``resolve`` follows
``var(--x, fallback)`` through them; ``check`` measures every :data:`PAIRS` entry against WCAG
2.1 AA. ``koers theme check`` runs it for the instance, tests/unit/test_theme_contrast.py for
every shipped theme.

A pair names its colours the way the stylesheet that paints them does, fallbacks included
(``var(--utrecht-textbox-color, var(--utrecht-form-control-color))``), so a theme that only
sets the general token is measured as the page shows it. Where two rules compete the pair
follows the winner as Chromium computes it: a ``<p>`` is coloured by Utrecht's HTML stylesheet
(``.utrecht-html p`` outranks ``.utrecht-alert``), a link in the pagination by ``.utrecht-html
a``; those text colours are measured on the component's background.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import tinycss2

from app.municipality import Municipality
from app.theming.colours import WHITE, Rgb, contrast, mix, parse_hex

STATIC = Path(__file__).resolve().parents[1] / "static"
EXAMPLE_THEME = STATIC / "vendor" / "nlds" / "theme.css"
KOERS_CSS = STATIC / "css" / "koers.css"

TEXT_RATIO, UI_RATIO = 4.5, 3.0  # WCAG 1.4.3 for text, 1.4.11 for parts of controls
DOCUMENT_BACKGROUND = "var(--utrecht-document-background-color)"
# A part of the page with tokens of its own: the rule in koers.css that sets them and the
# background its pairs sit on.
CONTEXTS = {
    "document": ("", DOCUMENT_BACKGROUND),
    "header": (".site-header", "var(--utrecht-page-header-background-color)"),
}


@dataclass(frozen=True)
class Pair:
    what: str
    foreground: str  # a CSS value, var() and fallbacks as the stylesheet writes them
    background: str = ""  # "": the background of the part of the page it is in
    needed: float = TEXT_RATIO
    context: str = "document"


def chain(*names: str, last: str = "") -> str:
    """``var(--a, var(--b, last))``: the first token a theme sets wins."""
    value = last
    for name in reversed(names):
        value = f"var({name}, {value})" if value else f"var({name})"
    return value


def button(appearance: str, part: str, state: str = "", hint: str = "") -> str:
    """What ``.utrecht-button`` paints ``part`` (color, background-color, border-color) with.

    The component tries the hint (danger) before the appearance (primary-action…), a state's
    token before the plain one, and the appearance before the button's general tokens."""
    names = []
    for prefix in ([f"--utrecht-button-{appearance}-{hint}"] if hint else []) + [
            f"--utrecht-button-{appearance}"]:
        names += [f"{prefix}-{state}-{part}"] if state else []
        names.append(f"{prefix}-{part}")
    names += [f"--utrecht-button-{state}-{part}"] if state else []
    names.append(f"--utrecht-button-{part}")
    return chain(*names, last="transparent" if part != "color" else "")


def control(kind: str, part: str) -> str:
    """A form control's ``part``: its own token, else the form controls' shared one."""
    return chain(f"--utrecht-{kind}-{part}", f"--utrecht-form-control-{part}")


LINK = "var(--utrecht-link-color)"
LINK_HOVER = chain("--utrecht-link-hover-color", "--utrecht-link-color")
PARAGRAPH = chain("--utrecht-paragraph-color", "--utrecht-document-color")
HEADING = chain("--utrecht-heading-1-color", "--utrecht-heading-color", "--utrecht-document-color")
FOCUS_BACKGROUND = "var(--utrecht-link-focus-background-color, transparent)"


def links(context: str) -> list[Pair]:
    return [
        Pair("link", LINK, context=context),
        Pair("link, hovered", LINK_HOVER, context=context),
        Pair("link, visited", chain("--utrecht-link-visited-color", "--utrecht-link-color"),
             context=context),
        Pair("link, focused", chain("--utrecht-link-focus-color", "--utrecht-link-color"),
             FOCUS_BACKGROUND, context=context),
    ]


def buttons(appearance: str, context: str, hint: str = "") -> list[Pair]:
    name = f"{hint or appearance.removesuffix('-action')} button"
    return [Pair(name + label, button(appearance, "color", state, hint),
                 button(appearance, "background-color", state, hint), context=context)
            for state, label in (("", ""), ("hover", ", hovered"), ("focus", ", focused"))]


PAIRS: tuple[Pair, ...] = (
    Pair("text", "var(--utrecht-document-color)"),
    Pair("paragraph", PARAGRAPH),
    Pair("heading", HEADING),
    Pair("form label", chain("--utrecht-form-label-color", "--utrecht-document-color")),
    *links("document"),
    *buttons("primary-action", "document"),
    *buttons("secondary-action", "document"),
    *buttons("subtle", "document"),
    *buttons("primary-action", "document", hint="danger"),
    # An alert's own text colour (a list in it), and a paragraph or heading inside it.
    *(Pair(f"alert, {variant}{label}", colour,
           chain(f"--utrecht-alert-{variant}-background-color", "--utrecht-alert-background-color"))
      for variant in ("info", "ok", "warning", "error")
      for label, colour in (("", chain(f"--utrecht-alert-{variant}-color",
                                       "--utrecht-alert-color")),
                            (", paragraph", PARAGRAPH), (", heading", HEADING))),
    # Koers renders these as <p>, which the paragraph colour paints (the "paragraph" pair);
    # their own colours are measured too, for the day the component's rule wins.
    Pair("field error message", "var(--utrecht-form-field-error-message-color)",
         chain("--utrecht-form-field-error-message-background-color", last="transparent")),
    Pair("field description", "var(--utrecht-form-field-description-color)",
         DOCUMENT_BACKGROUND),
    *(Pair(f"{kind}{label}", control(kind, part), control(kind, "background-color"))
      for kind in ("textbox", "textarea", "select")
      for label, part in (("", "color"), (", placeholder", "placeholder-color"))
      if not (kind == "select" and part == "placeholder-color")),
    Pair("table header", chain("--utrecht-table-header-cell-color", "--utrecht-table-header-color"),
         chain("--utrecht-table-header-background-color", last="transparent")),
    Pair("menu text", "var(--utrecht-nav-bar-color)", "var(--utrecht-nav-bar-background-color)"),
    Pair("menu link", LINK, "var(--utrecht-nav-bar-background-color)"),
    Pair("menu link, hovered", LINK_HOVER, "var(--utrecht-nav-bar-background-color)"),
    Pair("badge", "var(--nl-data-badge-color)", "var(--nl-data-badge-background-color)"),
    Pair("status badge", "var(--utrecht-status-badge-color, #fff)",
         "var(--utrecht-status-badge-background-color, #000)"),
    # The page links are links: ``.utrecht-html a`` outranks the pagination's own colour.
    Pair("page number", LINK, "var(--utrecht-pagination-page-link-background-color, transparent)"),
    Pair("current page number", LINK,
         "var(--utrecht-pagination-page-link-current-background-color, transparent)"),
    Pair("skip link", "var(--nl-skip-link-color)", "var(--nl-skip-link-background-color)"),
    Pair("marked text", "var(--nl-mark-color)", "var(--nl-mark-background-color)"),
    Pair("footer", "var(--utrecht-page-footer-color)",
         "var(--utrecht-page-footer-background-color)"),
    # Koers's own rules in koers.css.
    Pair("muted text", "var(--basis-color-default-color-subtle)", DOCUMENT_BACKGROUND),
    Pair("muted text in a changed row", "var(--basis-color-default-color-subtle)",
         "var(--basis-color-default-bg-subtle)"),
    Pair("removed line", "var(--basis-color-negative-color-document, #7a0012)",
         "var(--basis-color-negative-bg-subtle, #fde7e9)"),
    Pair("added line", "var(--basis-color-positive-color-document, #14501f)",
         "var(--basis-color-positive-bg-subtle, #e3f4e6)"),
    Pair("focus outline", "var(--utrecht-focus-outline-color)", DOCUMENT_BACKGROUND, UI_RATIO),
    *(Pair(f"{kind} border", control(kind, "border-color"), DOCUMENT_BACKGROUND, UI_RATIO)
      for kind in ("textbox", "textarea", "select")),
    Pair("radio button border", "var(--utrecht-radio-button-border-color)", DOCUMENT_BACKGROUND,
         UI_RATIO),
    Pair("primary button edge", button("primary-action", "background-color"),
         DOCUMENT_BACKGROUND, UI_RATIO),
    Pair("secondary button edge", button("secondary-action", "border-color"),
         DOCUMENT_BACKGROUND, UI_RATIO),
    # The header in the municipality's colour, with koers.css's tokens for its links and
    # buttons; the search box and its button must stand out from it.
    Pair("text", "var(--utrecht-page-header-color)", context="header"),
    *links("header"),
    *buttons("secondary-action", "header"),
    *buttons("subtle", "header"),
    Pair("focus ring", "var(--utrecht-focus-inverse-outline-color)", needed=UI_RATIO,
         context="header"),
    Pair("search box edge", control("textbox", "background-color"), needed=UI_RATIO,
         context="header"),
    Pair("secondary button edge", button("secondary-action", "background-color"),
         needed=UI_RATIO, context="header"),
)
TEXT_PAIRS = tuple(pair for pair in PAIRS if pair.needed == TEXT_RATIO)
UI_PAIRS = tuple(pair for pair in PAIRS if pair.needed == UI_RATIO)

NAMED = {"white": "#ffffff", "black": "#000000", "transparent": "#00000000"}
VAR = re.compile(r"var\(\s*(--[\w-]+)\s*(,)?")


def declarations(css: str, selector: str) -> dict[str, str]:
    """The custom properties declared in ``css`` by rules whose selectors include ``selector``."""
    found: dict[str, str] = {}
    for rule in tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True):
        if rule.type != "qualified-rule":
            continue
        selectors = [part.strip() for part in tinycss2.serialize(rule.prelude).split(",")]
        if selector not in selectors:
            continue
        for item in tinycss2.parse_declaration_list(rule.content, skip_comments=True,
                                                    skip_whitespace=True):
            if item.type == "declaration" and item.name.startswith("--"):
                found[item.name] = tinycss2.serialize(item.value).strip()
    return found


@lru_cache(maxsize=8)
def _shipped(path: Path, selector: str, changed: float) -> dict[str, str]:
    """A stylesheet Koers ships, parsed once (until the file changes)."""
    return declarations(path.read_text("utf-8"), selector)


def shipped(path: Path, selector: str) -> dict[str, str]:
    return dict(_shipped(path, selector, path.stat().st_mtime))


def layers(municipality: Municipality, extra: Iterable[tuple[str, str]] = ()) -> dict[str, str]:
    """The instance's tokens, later layers winning: example theme, the municipality's colours,
    its own tokens file, then ``extra`` (css, selector) pairs such as a plugin's."""
    from app.theming.themes import theme_css

    tokens = shipped(EXAMPLE_THEME, ".voorbeeld-theme")
    tokens |= declarations(theme_css(municipality), ".koers-theme")
    if municipality.tokens_css and municipality.theme_class:
        tokens |= declarations(municipality.tokens_css.read_text("utf-8"),
                               f".{municipality.theme_class}")
    for css, selector in extra:
        tokens |= declarations(css, selector)
    return tokens


def _closing(value: str, start: int) -> int:
    """The index of the parenthesis that closes the one opened just before ``start``."""
    level = 1
    for index in range(start, len(value)):
        level += {"(": 1, ")": -1}.get(value[index], 0)
        if level == 0:
            return index
    return len(value)


def resolve(tokens: Mapping[str, str], value: str, seen: frozenset[str] = frozenset()
            ) -> str | None:
    """``value`` with every ``var()`` replaced; ``None`` when a token is missing or cyclic.

    As in CSS, a token that cannot be resolved counts as unset, so its fallback applies."""
    resolved, position = [], 0
    while (match := VAR.search(value, position)) is not None:
        end = _closing(value, match.end())
        name = match.group(1)
        inner = None
        if name in tokens and name not in seen:
            inner = resolve(tokens, tokens[name], seen | {name})
        if inner is None and match.group(2):
            inner = resolve(tokens, value[match.end():end], seen)
        if inner is None:
            return None
        resolved += [value[position:match.start()], inner]
        position = end + 1
    return ("".join(resolved) + value[position:]).strip()


def colour(value: str | None) -> tuple[Rgb, float] | None:
    """(colour, alpha) of a resolved CSS colour value; ``None`` when it is no colour."""
    if value is None:
        return None
    text = value.strip().lower()
    text = NAMED.get(text, text)
    if re.fullmatch(r"#[0-9a-f]{4}|#[0-9a-f]{8}", text):
        digits = text[1:] if len(text) == 9 else "".join(c * 2 for c in text[1:])
        return parse_hex("#" + digits[:6]), int(digits[6:], 16) / 255
    if re.fullmatch(r"#[0-9a-f]{3}|#[0-9a-f]{6}", text):
        return parse_hex(text), 1.0
    number = r"([\d.]+%?)"
    rgb = re.fullmatch(rf"rgba?\(\s*{number}[\s,]+{number}[\s,]+{number}"
                       rf"(?:\s*[,/]\s*{number})?\s*\)", text)
    if rgb:
        def channel(part: str, scale: float) -> float:
            return float(part[:-1]) / 100 if part.endswith("%") else float(part) / scale
        return (tuple(channel(rgb.group(i), 255) for i in (1, 2, 3)),  # type: ignore[return-value]
                channel(rgb.group(4) or "1", 1))
    return None


@dataclass(frozen=True)
class Finding:
    what: str
    foreground: str
    background: str
    ratio: float | None
    needed: float
    values: tuple[str | None, str | None]

    @property
    def passes(self) -> bool:
        return self.ratio is not None and self.ratio >= self.needed

    def __str__(self) -> str:
        ratio = "unresolved" if self.ratio is None else f"{self.ratio:.2f}:1"
        return (f"{self.what}: {self.foreground} = {self.values[0]} on {self.background} = "
                f"{self.values[1]}: {ratio} (needs {self.needed}:1)")


def _over(value: str | None, backdrop: Rgb) -> Rgb | None:
    """The colour seen when ``value`` (perhaps translucent) lies over ``backdrop``."""
    found = colour(value)
    return None if found is None else mix(backdrop, found[0], found[1])


def measure(tokens: Mapping[str, str], pair: Pair, backdrop: Rgb = WHITE) -> Finding:
    """``pair``'s contrast; a translucent background is seen over ``backdrop``."""
    background = pair.background or CONTEXTS[pair.context][1]
    fore_value = resolve(tokens, pair.foreground)
    back_value = resolve(tokens, background)
    back = _over(back_value, backdrop)
    fore = None if back is None else _over(fore_value, back)
    ratio = None if back is None or fore is None else contrast(fore, back)
    what = pair.what if pair.context == "document" else f"{pair.context}: {pair.what}"
    return Finding(what, pair.foreground, background, ratio, pair.needed,
                   (fore_value, back_value))


def contexts(tokens: Mapping[str, str], koers_css: str | None = None
             ) -> dict[str, tuple[dict[str, str], Rgb]]:
    """Each part of the page: its tokens and the colour behind it."""
    page = _over(resolve(tokens, DOCUMENT_BACKGROUND), WHITE) or WHITE
    found = {}
    for name, (selector, background) in CONTEXTS.items():
        own = dict(tokens)
        if selector:
            own |= (shipped(KOERS_CSS, selector) if koers_css is None
                    else declarations(koers_css, selector))
        found[name] = own, _over(resolve(own, background), page) or page
    return found


def check(tokens: Mapping[str, str], pairs: Iterable[Pair] = PAIRS,
          koers_css: str | None = None) -> list[Finding]:
    """Every pair's contrast; ``[f for f in check(t) if not f.passes]`` are the failures."""
    parts = contexts(tokens, koers_css)
    return [measure(parts[pair.context][0], pair, parts[pair.context][1]) for pair in pairs]
