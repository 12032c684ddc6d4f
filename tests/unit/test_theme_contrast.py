"""Every shipped theme meets WCAG 2.1 AA contrast, computed from the resolved token values."""

import itertools
import re
from pathlib import Path

import pytest

from app.municipality import load_municipality
from app.theming import tokens
from app.theming.colours import WHITE, contrast, parse_hex
from app.theming.themes import brand_tokens

ROOT = Path(__file__).resolve().parents[2]
MUNICIPALITIES = ROOT / "municipalities"
SHIPPED = sorted(path.name for path in MUNICIPALITIES.iterdir()
                 if (path / "municipality.toml").is_file())
STYLESHEETS = [ROOT / "app" / "static" / "vendor" / "nlds" / name
               for name in ("html.css", "components.css")] + [tokens.KOERS_CSS]


def municipality_with(folder: Path, branding: str, files: dict[str, str] | None = None):
    folder.mkdir()
    (folder / "municipality.toml").write_text(
        f'[municipality]\nname = "Gemeente Testdorp"\n[branding]\n{branding}\n', "utf-8")
    for name, text in (files or {}).items():
        (folder / name).write_text(text, "utf-8")
    return load_municipality(folder)


def failures(values: dict[str, str]) -> list[str]:
    return [str(finding) for finding in tokens.check(values) if not finding.passes]


def test_the_shipped_municipalities_are_the_three_instances():
    assert {"demo", "oldambt", "coevorden"} <= set(SHIPPED)


@pytest.mark.parametrize("slug", SHIPPED)
def test_every_shipped_theme_meets_wcag_aa(slug):
    municipality = load_municipality(MUNICIPALITIES / slug)
    values = tokens.layers(municipality)
    assert not failures(values), "\n".join(failures(values))
    # The municipality's own colour is what the page shows: its buttons and header.
    primary = tokens.resolve(values, "var(--utrecht-button-primary-action-background-color)")
    header = tokens.resolve(values | tokens.shipped(tokens.KOERS_CSS, ".site-header"),
                            "var(--utrecht-page-header-background-color)")
    assert primary == header == municipality.primary_colour.lower()
    # A button that deletes is red, whatever the municipality's colour.
    danger = tokens.resolve(values, tokens.button("primary-action", "background-color",
                                                  hint="danger"))
    assert danger == tokens.resolve(values, "var(--basis-color-negative-inverse-bg-default)")
    assert danger != primary


def test_the_pairs_cover_what_the_page_shows():
    covered = {finding.what for finding in tokens.check(
        tokens.layers(load_municipality(MUNICIPALITIES / "demo")))}
    assert {"text", "link", "link, hovered", "primary button", "primary button, hovered",
            "secondary button", "subtle button", "alert, info", "alert, ok", "alert, warning",
            "alert, error", "field error message", "textbox", "textbox, placeholder",
            "table header", "badge", "menu link", "header: text", "header: link",
            "focus outline", "textbox border", "primary button edge"} <= covered
    assert tokens.UI_PAIRS and all(pair.needed == 3.0 for pair in tokens.UI_PAIRS)
    assert all(pair.needed == 4.5 for pair in tokens.TEXT_PAIRS)


def test_every_pair_measures_tokens_a_stylesheet_paints_with():
    """A pair naming a token no rule uses would measure nothing the page shows."""
    used = set()
    for path in STYLESHEETS:
        used |= set(re.findall(r"var\(\s*(--[\w-]+)", path.read_text("utf-8")))
    for pair in tokens.PAIRS:
        for name in re.findall(r"var\((--[\w-]+)", pair.foreground + pair.background):
            assert name in used, f"{pair.what}: {name} is used by no stylesheet"


@pytest.mark.parametrize("primary", [
    "#" + "".join(channel) for channel in itertools.product(("00", "80", "ff"), repeat=3)
] + ["#ffd700", "#6464c8", "#e2007a", "#4bb4e6"])
def test_any_brand_colour_gives_a_readable_theme(tmp_path, primary):
    municipality = municipality_with(tmp_path / "testdorp", f'primary_colour = "{primary}"')
    found = failures(tokens.layers(municipality))
    assert not found, "\n".join(found)


def test_a_too_light_brand_colour_is_darkened_until_text_in_it_is_readable(tmp_path):
    gold = municipality_with(tmp_path / "testdorp", 'primary_colour = "#ffd700"')
    values = brand_tokens(gold)
    darkened = values["--basis-color-accent-1-color-default"]
    assert darkened != "#ffd700"
    assert contrast(parse_hex(darkened), WHITE) >= 4.5
    resolved = tokens.layers(gold)
    assert tokens.resolve(resolved, "var(--utrecht-button-primary-action-background-color)") \
        == darkened
    assert not failures(resolved), "\n".join(failures(resolved))


def test_the_check_reports_white_text_on_yellow_with_tokens_values_and_ratio(tmp_path):
    gold = municipality_with(tmp_path / "testdorp", 'primary_colour = "#ffd700"')
    values = tokens.layers(gold) | {"--utrecht-button-primary-action-background-color": "#ffd700"}
    found = failures(values)
    assert any(line.startswith("primary button: var(--utrecht-button-primary-action-color, ")
               and "= #ffffff on var(--utrecht-button-primary-action-background-color, " in line
               and "= #ffd700: 1.40:1 (needs 4.5:1)" in line for line in found), found
    # The edge of the button against the page is a control's boundary: 3:1.
    assert any(line.startswith("primary button edge: ") and "(needs 3.0:1)" in line
               for line in found), found


def test_a_municipalitys_tokens_file_wins_and_is_checked(tmp_path):
    yellow = municipality_with(
        tmp_path / "testdorp", 'tokens_css = "brand.css"\ntheme_class = "brand-theme"',
        {"brand.css": ".brand-theme {\n"
                      "  --utrecht-button-primary-action-background-color: #ffd700;\n"
                      "  --utrecht-link-color: rgb(0 0 0 / 30%);\n}\n"})
    found = failures(tokens.layers(yellow))
    assert any(line.startswith("primary button: ") and "#ffd700" in line for line in found)
    assert any(line.startswith("link: var(--utrecht-link-color) = rgb(0 0 0 / 30%) on ")
               for line in found), found
    # The header sets its own link colour, so the theme's does not reach it.
    assert not any(line.startswith("header: link: ") for line in found), found


def test_the_header_is_measured_with_koers_css_tokens_on_top():
    values = tokens.layers(load_municipality(MUNICIPALITIES / "demo"))
    findings = {finding.what: finding for finding in tokens.check(values)}
    assert findings["link"].values == ("#154273", "#ffffff")
    assert findings["header: link"].values == ("#ffffff", "#154273")
    # White text in a header made a light tint of the brand colour: the check says so.
    light = (".site-header { --utrecht-page-header-color: #fff;\n"
             "  --utrecht-page-header-background-color: var(--basis-color-accent-1-bg-subtle); }")
    found = [str(finding) for finding in tokens.check(values, koers_css=light)
             if not finding.passes]
    assert any(line.startswith("header: text: var(--utrecht-page-header-color) = #fff on ")
               for line in found), found
    # Without koers.css's header tokens the header is the example theme's, its links the
    # document's.
    plain = {finding.what: finding for finding in tokens.check(values, koers_css="")}
    assert plain["header: link"].values[0] == "#154273"


def test_an_unset_token_is_reported_not_skipped():
    finding, = tokens.check({"--utrecht-document-background-color": "#fff"},
                            [tokens.Pair("text", "var(--utrecht-document-color)")])
    assert not finding.passes and finding.ratio is None
    assert str(finding) == ("text: var(--utrecht-document-color) = None on "
                            "var(--utrecht-document-background-color) = #fff: unresolved "
                            "(needs 4.5:1)")


def test_declarations_are_read_per_selector_and_the_last_wins():
    css = """/* --not: a token; */
    .voorbeeld-theme { --a: #111; color: red; }
    .other, .koers-theme { --a: var(--b, #222); --c: 1px solid rgb(1, 2, 3); }
    .koers-theme { --a: #333; }
    .koers-theme .nested { --a: #444; }"""
    assert tokens.declarations(css, ".voorbeeld-theme") == {"--a": "#111"}
    assert tokens.declarations(css, ".koers-theme") == {"--a": "#333",
                                                        "--c": "1px solid rgb(1, 2, 3)"}


def test_tokens_resolve_through_fallbacks_and_never_loop():
    values = {"--a": "var(--b)", "--b": "var(--missing, #123456)", "--self": "var(--self)",
              "--ping": "var(--pong)", "--pong": "var(--ping, #abcdef)",
              "--pair": "1px solid var(--b)", "--rgb": "var(--missing, rgb(1, 2, 3))"}
    assert tokens.resolve(values, "var(--a)") == "#123456"
    assert tokens.resolve(values, "var(--pair)") == "1px solid #123456"
    assert tokens.resolve(values, "var(--rgb)") == "rgb(1, 2, 3)"
    assert tokens.resolve(values, "var(--self)") is None
    assert tokens.resolve(values, "var(--self, #fff)") == "#fff"
    # A cycle makes its tokens unset, so a fallback on the way out applies.
    assert tokens.resolve(values, "var(--ping)") == "#abcdef"
    assert tokens.resolve(values, "var(--nothing)") is None
    assert tokens.resolve(values, "var(--a) var(--nothing, 0) var(--b)") == "#123456 0 #123456"


def test_colours_in_every_notation_and_translucent_ones_over_the_page():
    assert tokens.colour("#fff") == ((1.0, 1.0, 1.0), 1.0)
    assert tokens.colour("#FFFFFF") == ((1.0, 1.0, 1.0), 1.0)
    assert tokens.colour("White") == ((1.0, 1.0, 1.0), 1.0)
    assert tokens.colour("black") == ((0.0, 0.0, 0.0), 1.0)
    assert tokens.colour("transparent")[1] == 0.0
    assert tokens.colour("rgba(0, 0, 0, 0.5)") == ((0.0, 0.0, 0.0), 0.5)
    assert tokens.colour("rgb(255 0 0 / 25%)") == ((1.0, 0.0, 0.0), 0.25)
    assert tokens.colour("rgb(100%, 0%, 0%)") == ((1.0, 0.0, 0.0), 1.0)
    assert tokens.colour("#00000080")[1] == pytest.approx(0.5, abs=0.01)
    assert tokens.colour("#0008")[1] == pytest.approx(0.53, abs=0.01)
    assert tokens.colour("1px") is None
    assert tokens.colour(None) is None
    # Half-transparent black text on white reads as grey: about 4:1, not 21:1.
    finding = tokens.measure({"--fg": "rgba(0, 0, 0, 0.5)", "--bg": "#ffffff"},
                             tokens.Pair("grey", "var(--fg)", "var(--bg)"))
    assert 3.5 < finding.ratio < 4.5 and not finding.passes
    # A transparent background is the page behind it.
    finding = tokens.measure({"--fg": "#767676", "--bg": "transparent"},
                             tokens.Pair("grey", "var(--fg)", "var(--bg)"), WHITE)
    assert finding.ratio == pytest.approx(4.54, abs=0.01) and finding.passes
