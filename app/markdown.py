"""Markdown written by staff (plan texts), rendered to HTML that is safe to show to everyone.

Two layers: markdown-it escapes raw HTML in the source and refuses dangerous link schemes,
then nh3 keeps only an allow-list of tags and attributes, in case either misses something.
Headings are demoted one level, because the page around the text already has its ``h1``.
Images are left out altogether: remote ones would leak readers' IP addresses and break on
an intranet without internet access. No inline styles either: the CSP forbids them.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import nh3
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.renderer import RendererHTML
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from markupsafe import Markup

TAGS = {"p", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "strong", "em", "code", "pre",
        "blockquote", "a", "table", "thead", "tbody", "tr", "th", "td", "hr", "br"}
ATTRIBUTES = {"a": {"href", "title"}, "th": {"align"}, "td": {"align"}, "ol": {"start"}}
URL_SCHEMES = {"http", "https", "mailto"}
ALIGNMENTS = {"left", "center", "right"}


def render_markdown(text: str | None) -> Markup:
    """``text`` as sanitised HTML, safe to put in a Jinja template as is."""
    if not text or not text.strip():
        return Markup("")
    return Markup(_rendered(text))  # noqa: S704 - sanitised by nh3


@lru_cache(maxsize=256)
def _rendered(text: str) -> str:
    """The HTML of a text, kept per process by the text itself (so never out of date): a plan
    page shows the same sections to every reader, and parsing and cleaning them is most of
    its work."""
    return _clean(_parser.render(text))


def markdown_to_text(text: str | None) -> str:
    """The text a reader sees, without markup: one line per line of output, blank lines
    dropped and runs of whitespace made single, so diffs and search ignore layout."""
    rendered = nh3.clean(render_markdown(text), tags=set(), attributes={})
    lines = (" ".join(line.split()) for line in html.unescape(rendered).splitlines())
    return "\n".join(line for line in lines if line)


def _clean(rendered: str) -> str:
    return nh3.clean(rendered, tags=TAGS, attributes=ATTRIBUTES, url_schemes=URL_SCHEMES,
                     link_rel="noopener noreferrer", strip_comments=True)


def _tidy(state: StateCore) -> None:
    """Demote headings one level (h6 stays h6) and turn the table cells' inline
    ``style="text-align:…"`` into ``align``, which needs no inline style."""
    for token in state.tokens:
        if token.type in ("heading_open", "heading_close"):
            token.tag = f"h{min(int(token.tag[1:]) + 1, 6)}"
        elif token.type in ("th_open", "td_open"):
            style = token.attrs.pop("style", None)
            alignment = str(style or "").removeprefix("text-align:")
            if alignment in ALIGNMENTS:
                token.attrs["align"] = alignment


def _image_as_alt_text(self: RendererHTML, tokens: Sequence[Token], idx: int,
                       options: Any, env: Any) -> str:
    """An image becomes its alt text, so its meaning stays without loading anything."""
    return escapeHtml(self.renderInlineAsText(tokens[idx].children or [], options, env))


def _make_parser() -> MarkdownIt:
    parser = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")
    parser.core.ruler.push("koers_tidy", _tidy)
    parser.add_render_rule("image", _image_as_alt_text)
    return parser


_parser = _make_parser()
