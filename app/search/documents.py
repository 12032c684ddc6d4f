"""What each indexed record contributes to the index: its kind, the plan (and consultation) it
belongs to, a title and a body — read with one query per kind for many records at once, so the
session event and ``koers search reindex`` share the same code.

A record that must not be found (an erased person) yields no document, which removes it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.engine import Connection

from app.consultations.inputs.models import Answer, Input
from app.consultations.models import Consultation
from app.markdown import markdown_to_text
from app.plans.models import Action, Plan, Section, Theme
from app.stakeholders.models import Kind, Membership, Stakeholder

#: Longest body indexed and shown (a plan text of a hundred pages is still whole).
MAX_BODY = 200_000


@dataclass(frozen=True)
class Document:
    kind: str
    record_id: int
    plan_id: int | None
    consultation_id: int | None
    title: str
    body: str

    def values(self) -> dict[str, Any]:
        return {"kind": self.kind, "record_id": self.record_id, "plan_id": self.plan_id,
                "consultation_id": self.consultation_id, "title": self.title[:1000],
                "body": self.body[:MAX_BODY]}


@dataclass(frozen=True)
class Source:
    """An indexed model: which attributes matter and how its documents are read."""

    kind: str
    model: type
    fields: frozenset[str]
    query: Callable[[list[int]], Select]
    build: Callable[[Any], Document]


def _join(*parts: str | None) -> str:
    return "\n".join(part.strip() for part in parts if part and part.strip())


def _plans(ids: list[int]) -> Select:
    return select(Plan.id, Plan.title, Plan.summary).where(Plan.id.in_(ids))


def _sections(ids: list[int]) -> Select:
    return select(Section.id, Section.plan_id, Section.title, Section.body).where(
        Section.id.in_(ids))


def _themes(ids: list[int]) -> Select:
    return select(Theme.id, Theme.plan_id, Theme.name, Theme.description).where(
        Theme.id.in_(ids))


def _actions(ids: list[int]) -> Select:
    return select(Action.id, Action.plan_id, Action.title, Action.description).where(
        Action.id.in_(ids))


def _consultations(ids: list[int]) -> Select:
    return select(Consultation.id, Consultation.plan_id, Consultation.title,
                  Consultation.description).where(Consultation.id.in_(ids))


def _inputs(ids: list[int]) -> Select:
    return (select(Input.id, Consultation.plan_id, Input.consultation_id, Input.number,
                   Input.summary, Input.original_text)
            .join(Consultation, Consultation.id == Input.consultation_id)
            .where(Input.id.in_(ids)))


def _answers(ids: list[int]) -> Select:
    return (select(Answer.id, Consultation.plan_id, Answer.consultation_id, Answer.text)
            .join(Consultation, Consultation.id == Answer.consultation_id)
            .where(Answer.id.in_(ids)))


def _stakeholders(ids: list[int]) -> Select:
    organisation = Stakeholder.__table__.alias("organisation")
    names = (select(func.min(organisation.c.name)).select_from(Membership)
             .join(organisation, organisation.c.id == Membership.organisation_id)
             .where(Membership.person_id == Stakeholder.id).scalar_subquery())
    # One organisation name per person is enough for one query per batch; most have one.
    return (select(Stakeholder.id, Stakeholder.name, Stakeholder.kind, names.label("org"))
            .where(Stakeholder.id.in_(ids), Stakeholder.anonymised_at.is_(None),
                   Stakeholder.name != ""))


SOURCES: tuple[Source, ...] = (
    Source("plan", Plan, frozenset({"title", "summary"}), _plans,
           lambda r: Document("plan", r.id, r.id, None, r.title, r.summary or "")),
    Source("section", Section, frozenset({"title", "body", "plan_id"}), _sections,
           lambda r: Document("section", r.id, r.plan_id, None, r.title,
                              markdown_to_text(r.body))),
    Source("theme", Theme, frozenset({"name", "description", "plan_id"}), _themes,
           lambda r: Document("theme", r.id, r.plan_id, None, r.name, r.description or "")),
    Source("action", Action, frozenset({"title", "description", "plan_id"}), _actions,
           lambda r: Document("action", r.id, r.plan_id, None, r.title, r.description or "")),
    Source("consultation", Consultation, frozenset({"title", "description", "plan_id"}),
           _consultations,
           lambda r: Document("consultation", r.id, r.plan_id, r.id, r.title,
                              r.description or "")),
    Source("input", Input, frozenset({"number", "summary", "original_text", "consultation_id"}),
           _inputs,
           lambda r: Document("input", r.id, r.plan_id, r.consultation_id, str(r.number),
                              _join(r.summary, r.original_text))),
    Source("answer", Answer, frozenset({"text", "consultation_id"}), _answers,
           lambda r: Document("answer", r.id, r.plan_id, r.consultation_id, "", r.text)),
    Source("stakeholder", Stakeholder, frozenset({"name", "anonymised_at", "kind"}),
           _stakeholders,
           lambda r: Document("stakeholder", r.id, None, None, r.name,
                              r.org if r.kind == Kind.PERSON and r.org else "")),
)
BY_KIND = {source.kind: source for source in SOURCES}
BY_MODEL = {source.model: source for source in SOURCES}
KINDS = tuple(BY_KIND)


def documents(connection: Connection, kind: str, ids: Iterable[int]) -> Iterator[Document]:
    """The documents of these records of one kind (records that must not be found yield
    none)."""
    source = BY_KIND[kind]
    ids = sorted(set(ids))
    for start in range(0, len(ids), 500):
        for row in connection.execute(source.query(ids[start:start + 500])):
            yield source.build(row)


def members_of(connection: Connection, organisation_ids: Iterable[int]) -> list[int]:
    """Persons whose document names one of these organisations."""
    ids = list(organisation_ids)
    if not ids:
        return []
    return list(connection.scalars(select(Membership.person_id).where(
        Membership.organisation_id.in_(ids))))


def all_ids(connection: Connection, kind: str, after: int, limit: int) -> list[int]:
    """A batch of record ids of one kind, in id order (for reindexing)."""
    model: Any = BY_KIND[kind].model
    return list(connection.scalars(select(model.id).where(model.id > after)
                                   .order_by(model.id).limit(limit)))
