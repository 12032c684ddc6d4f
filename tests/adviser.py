"""What a person does in the browser, counted: form submissions, fields filled and clicks.

The paper-letter tests and ``tests.benchmarks.advisers_day`` measure an adviser's work with it:
a field counts when the posted value differs from what the form showed."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any


def text(response: Any) -> str:
    return response.get_data(as_text=True)


class FormValues(HTMLParser):
    """What a page's form shows filled in: name → value (a set for checkboxes)."""

    def __init__(self, page: str) -> None:
        super().__init__()
        self.values: dict[str, object] = {}
        self._select: str | None = None
        self._textarea: str | None = None
        self.feed(page)

    def handle_starttag(self, tag: str, attrs: list) -> None:
        a = dict(attrs)
        name = a.get("name")
        if tag == "input" and name and a.get("type") not in ("hidden", "submit", "file"):
            if a.get("type") == "checkbox":
                chosen = self.values.setdefault(name, set())
                if "checked" in a:
                    chosen.add(a.get("value"))  # type: ignore[attr-defined]
            elif a.get("type") == "radio":
                if "checked" in a:
                    self.values[name] = a.get("value") or ""
            else:
                self.values[name] = a.get("value") or ""
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select:
            if self._select not in self.values or "selected" in a:
                self.values[self._select] = a.get("value") or ""
        elif tag == "textarea" and name:
            self._textarea = name
            self.values[name] = ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self.values[self._textarea] = str(self.values[self._textarea]) + data.strip()


class Adviser:
    """Counts what a person does: form submissions, fields filled (a posted value that
    differs from what the form showed, a file chosen) and clicks (a link followed, a
    download)."""

    def __init__(self, client) -> None:
        self.client, self.submissions, self.fields, self.clicks = client, 0, 0, 0

    def open(self, url: str) -> str:
        """Follow a link: one click; the page's text."""
        self.clicks += 1
        response = self.client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        return text(response)

    def fill(self, shown: dict, posted: dict) -> None:
        for name, value in posted.items():
            if name in ("then", "search", "csrf_token"):
                continue
            before = shown.get(name, "")
            if isinstance(value, list) or isinstance(before, set):
                changed = set(value if isinstance(value, list) else [value]) != set(before or ())
            else:
                changed = str(value) != str(before or "")
            self.fields += changed

    def post(self, url: str, shown: dict, posted: dict):
        self.fill(shown, posted)
        self.submissions += 1
        return self.client.submit(url, posted)

    def search(self, url: str, name: str, words: str) -> str:
        self.fields += 1
        self.submissions += 1
        return text(self.client.get(f"{url}?{name}={words}"))

    @property
    def total(self) -> int:
        return self.submissions + self.fields + self.clicks


