"""Markdown in plan texts: the formatting staff need renders, everything that could run script,
load something remote or style the page is neutralised, and the plain text for diffs."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from markupsafe import Markup, escape

from app import markdown
from app.markdown import markdown_to_text, render_markdown


class Elements(HTMLParser):
    """The elements of an HTML fragment with their attributes, to check what is markup."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.found: list[tuple[str, dict[str, str | None]]] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, dict(attrs)))

    @property
    def tags(self) -> set[str]:
        return {tag for tag, _attrs in self.found}

    @property
    def attributes(self) -> set[str]:
        return {name for _tag, attrs in self.found for name in attrs}

    def values(self, name: str) -> list[str]:
        return [attrs[name] or "" for _tag, attrs in self.found if name in attrs]


def assert_harmless(html: str) -> None:
    """No element or attribute that can run script, load anything or style the page.

    Raw HTML typed by staff stays visible as text, so words like "onerror" or "style=" may
    occur in the output, but only where "<" is escaped: in text, never as markup.
    """
    for marker in ("<script", "<img", "<iframe", "<style", "<svg", "<object", "<embed",
                   "<!--"):
        assert marker not in html.lower(), marker
    elements = Elements(html)
    assert elements.tags <= markdown.TAGS
    assert not {name for name in elements.attributes if name.startswith("on")}
    assert elements.attributes <= {"href", "title", "rel", "align", "start"}
    for href in elements.values("href"):
        assert not href.lower().lstrip().startswith(("javascript:", "data:", "vbscript:"))


@pytest.mark.parametrize(("source", "html"), [
    ("# Plan", "<h2>Plan</h2>"),
    ("## Doelen", "<h3>Doelen</h3>"),
    ("### Aanpak", "<h4>Aanpak</h4>"),
    ("#### Fase 1", "<h5>Fase 1</h5>"),
    ("##### Stap", "<h6>Stap</h6>"),
    ("###### Detail", "<h6>Detail</h6>"),  # h6 is as low as HTML goes
    ("Titel\n=====", "<h2>Titel</h2>"),
    ("Kop\n---", "<h3>Kop</h3>"),
])
def test_headings_are_demoted_below_the_page_title(source, html):
    assert render_markdown(source) == Markup(html + "\n")
    assert "<h1" not in render_markdown(source)


def test_lists_and_emphasis():
    html = render_markdown("- *een*\n- **twee**\n- `drie`\n\n3. drie\n4. vier\n")
    assert html == Markup("<ul>\n<li><em>een</em></li>\n<li><strong>twee</strong></li>\n"
                          "<li><code>drie</code></li>\n</ul>\n"
                          '<ol start="3">\n<li>drie</li>\n<li>vier</li>\n</ol>\n')


def test_blocks():
    html = render_markdown("> Citaat  \nregel twee\n\n---\n\n```python\nif a < b:\n    pass\n```")
    assert html == Markup("<blockquote>\n<p>Citaat<br>\nregel twee</p>\n</blockquote>\n<hr>\n"
                          "<pre><code>if a &lt; b:\n    pass\n</code></pre>\n")
    assert "class=" not in html  # no language-python class


def test_tables_align_without_inline_styles():
    html = render_markdown("| Post | Bedrag | Noot |\n|:--|--:|:-:|\n| Huur | € 1.250,50 | x |\n"
                           "| Zaal | 300 | y |")
    assert "style=" not in html
    assert "<table>\n<thead>\n<tr>\n" in html
    assert '<th align="left">Post</th>\n<th align="right">Bedrag</th>\n' in html
    assert '<td align="right">€ 1.250,50</td>\n<td align="center">x</td>' in html
    assert "<tbody>" in html
    assert_harmless(html)


def test_unaligned_tables_have_no_attributes():
    html = render_markdown("| a | b |\n|---|---|\n| 1 | 2 |")
    assert "<th>a</th>" in html and "<td>2</td>" in html


def test_links_are_kept_with_rel():
    html = render_markdown('[Website](https://www.example.nl/plan "Het plan"), '
                           "[intern](/plans/3), [mail](mailto:a@example.nl), "
                           "<https://auto.example.nl>")
    assert ('<a href="https://www.example.nl/plan" title="Het plan" '
            'rel="noopener noreferrer">Website</a>') in html
    assert '<a href="/plans/3" rel="noopener noreferrer">intern</a>' in html
    assert '<a href="mailto:a@example.nl" rel="noopener noreferrer">mail</a>' in html
    assert '<a href="https://auto.example.nl" rel="noopener noreferrer">' in html
    assert html.count('rel="noopener noreferrer"') == 4


def test_bare_urls_are_not_linked():
    assert "<a" not in render_markdown("Zie www.example.nl en https://example.nl")


@pytest.mark.parametrize("source", [
    "<script>alert(1)</script>",
    "Tekst <script>alert(1)</script> tekst",
    "<img src=x onerror=alert(1)>",
    '<img src="x" onerror="alert(1)">',
    "Zie <img src=x onerror=alert(1)> hier",
    '<iframe src="https://evil.example"></iframe>',
    '<p style="position:fixed">groot</p>',
    '<a href="javascript:alert(1)">x</a>',
    "<style>body{display:none}</style>",
    "<!-- comment --><div onclick=alert(1)>x</div>",
    '<svg onload="alert(1)"></svg>',
])
def test_raw_html_is_shown_as_text(source):
    html = render_markdown(source)
    assert_harmless(html)
    assert Elements(html).tags <= {"p"}
    assert markdown_to_text(source) == source  # shown as typed


@pytest.mark.parametrize("source", [
    "[x](javascript:alert(1))",
    "[x](JavaScript:alert(1))",
    "[x]( javascript:alert(1) )",
    "[x](&#106;avascript:alert(1))",
    "[x](java\tscript:alert(1))",
    "<javascript:alert(1)>",
    "[x](vbscript:msgbox(1))",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[x](file:///etc/passwd)",
    "[x][ref]\n\n[ref]: javascript:alert(1)",
    "[x](ftp://example.nl/f)",
])
def test_dangerous_links_lose_their_href(source):
    html = render_markdown(source)
    assert_harmless(html)
    assert "href" not in html


@pytest.mark.parametrize(("source", "html"), [
    ("![Kaart van de wijk](https://evil.example/x.png)", "<p>Kaart van de wijk</p>\n"),
    ("![*Kaart* <b>x</b>](https://evil.example/x.png)", "<p>Kaart &lt;b&gt;x&lt;/b&gt;</p>\n"),
    ("![](https://evil.example/x.png)", ""),
    ("Voor ![a](https://evil.example/x.png) na", "<p>Voor a na</p>\n"),
    ("![a](data:image/png;base64,iVBORw0KGgo=)", "<p>a</p>\n"),
    ("![a][img]\n\n[img]: https://evil.example/x.png", "<p>a</p>\n"),
    ("[![logo](https://evil.example/x.png)](https://example.nl)",
     '<p><a href="https://example.nl" rel="noopener noreferrer">logo</a></p>\n'),
])
def test_images_become_their_alt_text(source, html):
    rendered = render_markdown(source)
    assert "<img" not in rendered and "evil.example" not in rendered
    if html:
        assert rendered == Markup(html)
    else:
        assert Elements(rendered).tags <= {"p"} and markdown_to_text(source) == ""


def test_the_sanitiser_also_stands_alone():
    """The second layer catches what the first might let through."""
    cleaned = markdown._clean('<h1>T</h1><div class="x" style="color:red" onclick="y">'
                              '<a href="javascript:alert(1)" target="_blank">a</a>'
                              '<a href="data:text/html,x">b</a><img src="https://e/x.png">'
                              "<script>alert(1)</script><td align=left>c</td></div>")
    assert_harmless(cleaned)
    assert "href" not in cleaned and "target" not in cleaned and "class" not in cleaned
    assert "alert" not in cleaned  # the content of a script goes with it


@pytest.mark.parametrize("source", [None, "", "   ", "\n\n"])
def test_nothing_renders_as_empty_markup(source):
    assert render_markdown(source) == Markup("")
    assert isinstance(render_markdown(source), Markup)
    assert markdown_to_text(source) == ""


def test_the_result_is_safe_in_jinja():
    html = render_markdown("**vet** & <b>")
    assert isinstance(html, Markup)
    assert html == Markup("<p><strong>vet</strong> &amp; &lt;b&gt;</p>\n")
    assert escape(html) == html  # Jinja's autoescape leaves it as it is
    assert Markup("{}").format(html) == html


def test_markdown_to_text():
    source = ("# Plan  voor  de wijk\n\nEerste *regel*\ntweede   regel\n\n"
              "- een\n- [twee](https://example.nl)\n\n"
              "| a | b |\n|---|--:|\n| 1 &amp; 2 | <x> |\n\n"
              "![Kaart](https://evil.example/x.png)\n\n```\n  code  \n\n  meer\n```")
    assert markdown_to_text(source) == ("Plan voor de wijk\nEerste regel\ntweede regel\n"
                                        "een\ntwee\na\nb\n1 & 2\n<x>\nKaart\ncode\nmeer")


def test_a_text_is_parsed_once_and_an_edited_text_again(monkeypatch):
    calls = []
    parse = markdown._parser.render
    monkeypatch.setattr(markdown._parser, "render",
                        lambda text: calls.append(text) or parse(text))
    markdown._rendered.cache_clear()
    first = render_markdown("## Doelen\n\nMeer *mantelzorgers* ondersteunen.")
    assert render_markdown("## Doelen\n\nMeer *mantelzorgers* ondersteunen.") == first
    assert len(calls) == 1
    edited = render_markdown("## Doelen\n\nMeer *mantelzorgers* en vrijwilligers.")
    assert len(calls) == 2 and "vrijwilligers" in edited and edited != first
