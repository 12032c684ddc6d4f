"""Copy the NL Design System's built CSS from ``node_modules`` into ``app/static/vendor/nlds``.

npm only fetches the versions pinned in ``package.json``/``package-lock.json``; this module picks
the files Koers serves and records each package's version and licence in ``VERSIONS.json``.
The copies are committed, so an instance, its Docker image and CI need no npm: ``make assets``
refreshes them after the pins change (tests/unit/test_vendor_assets.py checks they match).

    python -m app.theming.vendor [node_modules] [destination]
    python -m app.theming.vendor --check   # exit 1 when the copies are not the pinned versions
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DESTINATION = ROOT / "app" / "static" / "vendor" / "nlds"
NODE_MODULES = ROOT / "node_modules"
LOCK_FILE = ROOT / "package-lock.json"

# Utrecht's HTML stylesheet styles plain elements (headings, paragraphs, links, lists, tables,
# form controls, buttons) inside ``<html class="utrecht-html">``; component classes add the
# variants (secondary button, alert, page header…). Candidate components where the community
# has one that does not compete with the HTML stylesheet for the same element.
HTML_STYLESHEET = "@utrecht/component-library-css/dist/html.css"
UTRECHT_COMPONENTS = (
    "alert", "breadcrumb-nav", "button", "button-group", "button-link", "data-list",
    "document", "form-field", "form-field-description", "form-field-error-message",
    "form-fieldset", "form-label", "link-button", "nav-bar", "nav-list", "page-body",
    "page-content", "page-footer", "page-header", "page-layout", "pagination", "paragraph",
    "select",
    "status-badge", "table", "textarea", "textbox", "checkbox", "radio-button",
)
CANDIDATE_COMPONENTS = {
    "data-badge": "data-badge.css",
    "mark": "mark.css",
    "skip-link": "skip-link.css",
}
THEME_PACKAGE = "@nl-design-system-unstable/voorbeeld-design-tokens"
LAYER = "nlds"
THEME_FILE = f"{THEME_PACKAGE}/dist/theme.css"


def in_layer(css: str) -> str:
    """``css`` inside the cascade layer ``nlds``.

    Koers's own stylesheet is not in a layer, so its layout rules win over the components'
    without a contest of selectors (Utrecht's HTML stylesheet uses ``.utrecht-html form``,
    which would otherwise beat a plain ``.filters``). Within the layer the components keep
    the order and specificity their authors tested. ``@charset`` may only open a file."""
    css = css.replace('@charset "UTF-8";', "")
    return f'@charset "UTF-8";\n@layer {LAYER} {{\n{css}\n}}\n'


def sources() -> dict[str, str]:
    """The package of each served stylesheet part, by its path under node_modules."""
    parts = {f"@utrecht/{name}-css/dist/index.min.css": f"@utrecht/{name}-css"
             for name in UTRECHT_COMPONENTS}
    parts.update({f"@nl-design-system-candidate/{name}-css/dist/{file}":
                  f"@nl-design-system-candidate/{name}-css"
                  for name, file in CANDIDATE_COMPONENTS.items()})
    return parts


def package_info(node_modules: Path, package: str) -> dict[str, str]:
    manifest = json.loads((node_modules / package / "package.json").read_text("utf-8"))
    return {"version": manifest["version"], "license": manifest.get("license", "")}


def copy(node_modules: Path = NODE_MODULES, destination: Path = DESTINATION) -> dict:
    """Write html.css, components.css, theme.css and VERSIONS.json; return the versions."""
    destination.mkdir(parents=True, exist_ok=True)
    versions: dict[str, dict[str, str]] = {}
    parts = []
    for path, package in sources().items():
        info = versions.setdefault(package, package_info(node_modules, package))
        css = (node_modules / path).read_text("utf-8")
        css = css.split("/*# sourceMappingURL=")[0].rstrip()
        parts.append(f"/* {package} {info['version']} — {info['license']} */\n{css}\n")
    (destination / "components.css").write_text(in_layer("".join(parts)), "utf-8")
    package = "@utrecht/component-library-css"
    versions.setdefault(package, package_info(node_modules, package))
    html = (node_modules / HTML_STYLESHEET).read_text("utf-8")
    (destination / "html.css").write_text(in_layer(html), "utf-8")
    versions.setdefault(THEME_PACKAGE, package_info(node_modules, THEME_PACKAGE))
    (destination / "theme.css").write_text((node_modules / THEME_FILE).read_text("utf-8"), "utf-8")
    # Every package is EUPL-1.2 with the same licence text; it travels with the copies.
    (destination / "LICENSE.md").write_text(
        (node_modules / "@utrecht/component-library-css/LICENSE.md").read_text("utf-8"), "utf-8")
    (destination / "VERSIONS.json").write_text(
        json.dumps(dict(sorted(versions.items())), indent=2) + "\n", "utf-8")
    return versions


def pinned_versions(lock_file: Path = LOCK_FILE) -> dict[str, str]:
    """Each installed package's version as package-lock.json pins it."""
    packages = json.loads(lock_file.read_text("utf-8"))["packages"]
    return {path.removeprefix("node_modules/"): entry["version"]
            for path, entry in packages.items() if path.startswith("node_modules/")}


def out_of_step(destination: Path = DESTINATION, lock_file: Path = LOCK_FILE) -> list[str]:
    """What differs between the committed copies and the pinned versions; empty when none."""
    manifest = destination / "VERSIONS.json"
    if not manifest.is_file():
        return [f"{manifest} is missing"]
    copied = json.loads(manifest.read_text("utf-8"))
    pinned = pinned_versions(lock_file)
    wanted = set(sources().values()) | {"@utrecht/component-library-css", THEME_PACKAGE}
    problems = [f"{name}: copied {copied.get(name, {}).get('version')}, pinned "
                f"{pinned.get(name)}" for name in sorted(wanted)
                if copied.get(name, {}).get("version") != pinned.get(name)]
    problems += [f"{name}: copied but no longer served" for name in sorted(set(copied) - wanted)]
    return problems


if __name__ == "__main__":
    if sys.argv[1:] == ["--check"]:
        problems = out_of_step()
        print("\n".join(problems) or "the NL Design System files are the pinned versions")
        sys.exit(1 if problems else 0)
    arguments = [Path(argument) for argument in sys.argv[1:3]]
    copied = copy(*arguments)
    print(f"copied {len(copied)} NL Design System packages into {DESTINATION}")
