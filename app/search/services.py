"""Searching the index: one page of ranked results with highlighted snippets, narrowed by kind
and plan, leaving out the kinds the user may not see. Knows nothing of HTTP."""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from flask_sqlalchemy.pagination import Pagination
from markupsafe import Markup, escape
from sqlalchemy import func, select

from app.consultations.inputs.models import InputAnswer
from app.database import db
from app.plans.models import Plan
from app.search.backends import COUNT_LIMIT, Filters, backend_for
from app.search.documents import KINDS
from app.search.text import MAX_QUERY_LENGTH, WORD, Term, fold, matches, query_terms

PER_PAGE = 20
#: Words shown around the best passage of a result.
SNIPPET_WORDS = 30
#: Snippets read this much of a text at most (a whole plan text stays fast).
SNIPPET_SCAN = 50_000
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Query:
    """What the user asked: the text, a kind, a plan, a page, and the kinds they may see."""

    text: str = ""
    kind: str = ""
    plan_id: int | None = None
    page: int = 1
    visible_kinds: Sequence[str] = KINDS

    @property
    def problem(self) -> str | None:
        """Why nothing is searched: ``empty`` (no words), ``too_long``; None when searching."""
        if len(self.text) > MAX_QUERY_LENGTH:
            return "too_long"
        return None if query_terms(self.text) else "empty"


@dataclass
class Result:
    kind: str
    record_id: int
    plan_id: int | None
    consultation_id: int | None
    title: Markup
    snippet: Markup
    #: For an answer: an input it covers (the answer is shown on that input's page).
    input_id: int | None = None


class ResultPage(Pagination):
    """One page of results, usable with the ``pager`` macro. Matches are counted up to
    :data:`COUNT_LIMIT`: beyond it :attr:`more` is true, ``total`` is ``COUNT_LIMIT`` and the
    pages end there (a search that broad wants more words, not page 51)."""

    def _query_items(self) -> list[Any]:
        fetch = self._query_args["fetch"]
        self._total, items = fetch(self.per_page, self._query_offset)
        return items

    def _query_count(self) -> int:
        return min(self._total, COUNT_LIMIT)

    @property
    def more(self) -> bool:
        """Whether more than :data:`COUNT_LIMIT` documents match (``total`` says the limit)."""
        return self._total > COUNT_LIMIT


def search(query: Query) -> ResultPage | None:
    """One page of results for ``query``; None when it has no words to search (see
    :attr:`Query.problem`)."""
    if query.problem:
        return None
    terms = query_terms(query.text)
    kinds = [query.kind] if query.kind in query.visible_kinds else []
    hidden = [] if kinds else [kind for kind in KINDS if kind not in query.visible_kinds]
    filters = Filters(kinds=kinds, hidden_kinds=hidden, plan_id=query.plan_id)
    backend = backend_for(db.session.get_bind().dialect.name)

    def fetch(limit: int, offset: int) -> tuple[int, list[Result]]:
        total, rows = backend.search(db.session.connection(), terms, filters, limit, offset)
        return total, _results(rows, terms)

    return ResultPage(page=max(query.page, 1), per_page=PER_PAGE, error_out=False, fetch=fetch)


def _results(rows: Sequence[Any], terms: list[Term]) -> list[Result]:
    results = [Result(row.kind, row.record_id, row.plan_id, row.consultation_id,
                      highlight(row.title, terms), snippet(row.body, terms)) for row in rows]
    answers = [result for result in results if result.kind == "answer"]
    if answers:
        first: dict[int, int] = dict(db.session.execute(  # type: ignore[arg-type]
            select(InputAnswer.answer_id, func.min(InputAnswer.input_id))
            .where(InputAnswer.answer_id.in_([a.record_id for a in answers]))
            .group_by(InputAnswer.answer_id)).all())
        for result in answers:
            result.input_id = first.get(result.record_id)
    return results


def plan_choices() -> list[tuple[int, str]]:
    """Plans to narrow a search to (id, title), by title."""
    return [(row.id, row.title) for row in db.session.execute(
        select(Plan.id, Plan.title).order_by(Plan.sort_title, Plan.id))]


def _marked(text: str, terms: list[Term]) -> list[tuple[int, int, bool]]:
    """(start, end, matched) of each word of ``text``."""
    return [(m.start(), m.end(), matches(fold(m.group()), terms))
            for m in WORD.finditer(text)]


def _render(text: str, spans: Sequence[tuple[int, int, bool]], start: int, end: int) -> Markup:
    """``text[start:end]`` escaped, matched words wrapped in ``<mark>``: the text is escaped
    piece by piece, so nothing in it can become markup."""
    out: list[str] = []
    position = start
    for word_start, word_end, matched in spans:
        if not matched or word_start < start or word_end > end:
            continue
        out.append(str(escape(text[position:word_start])))
        out.append(f"<mark>{escape(text[word_start:word_end])}</mark>")
        position = word_end
    out.append(str(escape(text[position:end])))
    return Markup("".join(out))  # noqa: S704 - every piece of text escaped above


def highlight(text: str, terms: list[Term]) -> Markup:
    """A short text (a title) with the words the query matched marked."""
    return _render(text, _marked(text, terms), 0, len(text))


def snippet(text: str, terms: list[Term], words: int = SNIPPET_WORDS) -> Markup:
    """The passage of ``text`` with the most matched words, about ``words`` long, escaped,
    matched words marked; "…" where the text goes on."""
    text = _SPACE.sub(" ", text[:SNIPPET_SCAN]).strip()
    spans = _marked(text, terms)
    if not spans:
        return Markup("")
    hits = [index for index, span in enumerate(spans) if span[2]]
    best, best_count = 0, -1
    for index in hits[:200] or [0]:
        first = max(0, index - words // 3)
        count = bisect_left(hits, first + words) - bisect_left(hits, first)
        if count > best_count:
            best, best_count = first, count
    last = min(len(spans), best + words) - 1
    start = 0 if best == 0 else spans[best][0]
    end = len(text) if last == len(spans) - 1 else spans[last][1]
    rendered = _render(text, spans, start, end)
    return Markup("{}{}{}").format(Markup("… ") if start else "", rendered,
                                   Markup(" …") if end < len(text) else "")
