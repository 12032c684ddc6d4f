"""The NL Design System files Koers serves are the versions package-lock.json pins, whole."""

import json
import re
from html.parser import HTMLParser
from pathlib import Path

from app.theming import vendor

FILES = ("theme.css", "html.css", "components.css")
BASE_TEMPLATE = Path(vendor.ROOT) / "app" / "templates" / "base.html"


def test_the_committed_copies_are_the_pinned_versions():
    assert vendor.out_of_step() == []


def test_the_manifest_names_every_served_package_with_its_eupl_licence():
    manifest = json.loads((vendor.DESTINATION / "VERSIONS.json").read_text("utf-8"))
    expected = set(vendor.sources().values()) | {"@utrecht/component-library-css",
                                                 vendor.THEME_PACKAGE}
    assert set(manifest) == expected
    pinned = vendor.pinned_versions()
    for name, info in manifest.items():
        assert info == {"version": pinned[name], "license": "EUPL-1.2"}, name
    assert "EUROPEAN UNION PUBLIC LICENCE v. 1.2" in (
        vendor.DESTINATION / "LICENSE.md").read_text("utf-8")


def test_a_changed_pin_is_noticed(tmp_path):
    lock = json.loads(vendor.LOCK_FILE.read_text("utf-8"))
    lock["packages"]["node_modules/@utrecht/button-css"]["version"] = "0.0.1"
    changed = tmp_path / "package-lock.json"
    changed.write_text(json.dumps(lock), "utf-8")
    assert vendor.out_of_step(lock_file=changed) == [
        f"@utrecht/button-css: copied {vendor.pinned_versions()['@utrecht/button-css']}, "
        "pinned 0.0.1"]


def test_components_sit_in_their_cascade_layer_and_fetch_nothing_from_elsewhere():
    for name in FILES:
        assert (vendor.DESTINATION / name).is_file(), name
        css = (vendor.DESTINATION / name).read_text("utf-8")
        assert len(css) > 10_000, name
        assert not re.search(r"@import|url\(\s*['\"]?(https?:)?//", css), name
    for name in ("html.css", "components.css"):
        css = (vendor.DESTINATION / name).read_text("utf-8")
        assert css.startswith('@charset "UTF-8";\n@layer nlds {') and css.rstrip().endswith("}")
    components = (vendor.DESTINATION / "components.css").read_text("utf-8")
    for package in vendor.sources().values():
        assert f"/* {package} " in components, package


class Stylesheets(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "link" and values.get("rel") == "stylesheet":
            self.urls.append(values.get("href") or "")


def test_every_page_loads_its_stylesheets_from_koers_itself(client):
    assert not re.search(r"(href|src)=\"(https?:)?//", BASE_TEMPLATE.read_text("utf-8"))
    parser = Stylesheets()
    parser.feed(client.get("/login").get_data(as_text=True))
    paths = [url.split("?")[0] for url in parser.urls]
    assert {"/static/vendor/nlds/theme.css", "/branding/theme.css", "/static/vendor/nlds/html.css",
            "/static/vendor/nlds/components.css", "/static/css/koers.css"} <= set(paths), paths
    for url in parser.urls:
        assert url.startswith("/") and not url.startswith("//"), url
        response = client.get(url)
        assert response.status_code == 200 and response.mimetype == "text/css", url
        response.close()
