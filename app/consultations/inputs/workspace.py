"""What the answer workspace lists: a consultation's inputs filtered by theme, kind, table,
lateness, channel, answered or still open, suggested group, a Dutch full-text query
(:mod:`app.search`) and similarity to one input; how far answering is; and the inputs an
answer form starts from.

The filters are a dataclass and :func:`list_query` one SELECT, as the register's list
(:mod:`app.stakeholders.services`), built on the filters it shares with the input list
(:func:`app.consultations.inputs.services.filtered`); the page only parses its form into
:class:`Filters`.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Select, false, func, select
from sqlalchemy.orm import joinedload

from app.consultations.inputs import services
from app.consultations.inputs.models import (
    Input,
    InputAnswer,
    InputTheme,
    SuggestedGroupInput,
)
from app.consultations.models import Consultation
from app.database import db
from app.plans.models import Theme
from app.search.inputs import input_ids_matching
from app.stakeholders.services import BARE

#: The states the workspace filters by: still open (the default), answered, or every input.
OPEN, ANSWERED, EVERY = "open", "answered", "all"
#: The most inputs one answer is started with from "select all that match".
MAX_SELECTED = 500
#: How many similar inputs "show similar" lists.
SIMILAR_LIMIT = 50


@dataclass
class Filters:
    """The workspace's filters; an empty value filters nothing. ``late`` takes "yes" or
    "no"; ``status`` one of :data:`OPEN`, :data:`ANSWERED`, :data:`EVERY`; ``q`` is searched
    in number, original text and summary; ``similar_to`` is an input of the consultation."""

    theme_id: int | None = None
    kind: str = ""
    table_id: int | None = None
    late: str = ""
    channel: str = ""
    status: str = OPEN
    q: str = ""
    similar_to: int | None = None
    #: a suggested group (app.consultations.inputs.grouping): its members only
    group_id: int | None = None


def is_open() -> Any:
    """An input still waiting: one that needs an answer and has none, or other input that
    has not been answered or processed (as the input list and coverage count "open")."""
    answered = select(InputAnswer.input_id)
    needing = services.needing_answer()
    return Input.id.not_in(answered) & (Input.kind.in_(needing) | Input.processed.is_(False))


def similar_ids(consultation_id: int, input_id: int) -> list[int]:
    """The inputs most like one input (the suggested-groups machinery), itself first."""
    from app.consultations.inputs.similarity import similar_input_ids  # written beside this

    found = similar_input_ids(consultation_id, input_id, limit=SIMILAR_LIMIT)
    return [input_id, *(item for item in found if item != input_id)]


def _matching(consultation: Consultation, filters: Filters) -> Select[tuple[Input]]:
    query = services.filtered(select(Input).where(Input.consultation_id == consultation.id),
                              filters, ("kind", "channel"))
    if filters.status == OPEN:
        query = query.where(is_open())
    elif filters.status == ANSWERED:
        query = query.where(Input.id.in_(select(InputAnswer.input_id)))
    if filters.q.strip():
        query = query.where(Input.id.in_(input_ids_matching(consultation.id, filters.q)))
    if filters.group_id is not None:
        query = query.where(Input.id.in_(select(SuggestedGroupInput.input_id).where(
            SuggestedGroupInput.group_id == filters.group_id)))
    if filters.similar_to is not None:
        ids = similar_ids(consultation.id, filters.similar_to)
        query = query.where(Input.id.in_(ids) if ids else false())
    return query.order_by(Input.number)


def list_query(consultation: Consultation, filters: Filters) -> Select[tuple[Input]]:
    """The consultation's inputs matching ``filters``, by number, with their senders."""
    return _matching(consultation, filters).options(
        joinedload(Input.stakeholder).options(*BARE))


def matching_ids(consultation: Consultation, filters: Filters,
                 limit: int | None = None) -> tuple[list[int], int]:
    """The ids of the first ``limit`` (:data:`MAX_SELECTED`) matching inputs and how many
    match in all (two queries): what "select all that match" starts an answer with."""
    limit = limit or MAX_SELECTED
    query = _matching(consultation, filters).with_only_columns(Input.id)
    total = db.session.scalar(select(func.count()).select_from(
        query.order_by(None).subquery())) or 0
    ids = list(db.session.scalars(query.limit(limit)))
    return ids, total


@dataclass(frozen=True)
class Progress:
    """How far answering is: inputs answered (or processed) of all inputs, in all and per
    theme of the plan (theme id -> (done, total))."""

    done: int
    total: int
    by_theme: dict[int, tuple[int, int]]
    due_on: date | None = None  # the nota's due date, when set
    days_left: int | None = None  # until it (negative: overdue), counted from ``today``


def progress(consultation: Consultation, today: date | None = None) -> Progress:
    """Two grouped queries, whatever the number of inputs; against the nota's due date when
    the consultation has one and ``today`` is given."""
    waiting = is_open()
    still_open, total = db.session.execute(
        select(func.count().filter(waiting), func.count())
        .where(Input.consultation_id == consultation.id)).one()
    by_theme = {theme_id: (theme_total - theme_open, theme_total)
                for theme_id, theme_open, theme_total in db.session.execute(
                    select(InputTheme.theme_id, func.count().filter(waiting), func.count())
                    .join(Input, Input.id == InputTheme.input_id)
                    .where(Input.consultation_id == consultation.id)
                    .group_by(InputTheme.theme_id))}
    due_on = consultation.nota_due_on
    days_left = (due_on - today).days if due_on and today else None
    return Progress(total - still_open, total, by_theme, due_on, days_left)


def chosen_inputs(consultation: Consultation, ids: Collection[int]) -> list[Input]:
    """The inputs of the consultation among ``ids``, by number, with their senders."""
    if not ids:
        return []
    return list(db.session.scalars(select(Input).where(
        Input.consultation_id == consultation.id, Input.id.in_(list(ids)))
        .options(joinedload(Input.stakeholder).options(*BARE)).order_by(Input.number)))


def by_theme(inputs: Sequence[Input], themes: Sequence[Theme],
             names: dict[int, list[str]]) -> list[tuple[str | None, list[Input]]]:
    """Inputs grouped under their first theme in the plan's order (``names``: each input's
    theme names in that order, :func:`services.themes_and_co_signers`); those without a theme last,
    under None."""
    order = {theme.name: index for index, theme in enumerate(themes)}
    groups: dict[str | None, list[Input]] = {}
    for item in inputs:
        first = names.get(item.id, [None])[0]
        groups.setdefault(first, []).append(item)
    return sorted(groups.items(), key=lambda pair: (pair[0] is None,
                                                     order.get(pair[0] or "", 0)))
