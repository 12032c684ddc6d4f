"""Rules of standard answers: reusable answers of a plan, for one of its themes or the plan as
a whole, with the decision an answer starts from. An answer started from one records it, so
how often each was used can be counted; one that was used is archived, never deleted.

One validation serves adding and changing (:meth:`StandardAnswerData.cleaned`); a change
made from a stale form is an :class:`~app.errors.EditConflict`. Nothing of an archived plan
changes.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import func, select

from app.audit.services import audit, recorded_changes
from app.consultations.inputs.answers import DECISIONS
from app.consultations.inputs.models import Answer, StandardAnswer
from app.consultations.rules import conflict_on_race, required
from app.database import db
from app.errors import DomainError, check_version
from app.labels import register as register_label
from app.plans.models import Plan, Theme
from app.plans.rules import refuse_read_only
from app.translate import lazy_gettext as _l

#: The longest title and text accepted (characters).
MAX_TITLE = 200
MAX_TEXT = 10_000

for _code, _label in {"add_standard_answer": _l("added a standard answer"),
                      "archive_standard_answer": _l("archived a standard answer"),
                      "restore_standard_answer": _l("restored a standard answer"),
                      "delete_standard_answer": _l("deleted a standard answer")}.items():
    register_label("action", _code, _label)
register_label("entity", "consultation_standard_answers", _l("Standard answer"))
register_label("field", "archived", _l("Archived"))


@dataclass
class StandardAnswerData:
    title: str
    text: str
    decision: str
    theme_id: int | None = None

    def cleaned(self, plan: Plan) -> StandardAnswerData:
        """The title on one line, the text tidied, the decision known, the theme one of the
        plan's."""
        title = required(self.title, "title", MAX_TITLE)
        text = (self.text or "").replace("\r\n", "\n").strip()
        if not text:
            raise DomainError(_l("Enter the answer."), field="text")
        if len(text) > MAX_TEXT:
            raise DomainError(_l("An answer can be at most %(max)d characters long.",
                                 max=MAX_TEXT), field="text")
        if self.decision not in DECISIONS:
            raise DomainError(_l("Choose a decision."), field="decision")
        if self.theme_id is not None and db.session.scalar(select(Theme.id).where(
                Theme.id == self.theme_id, Theme.plan_id == plan.id)) is None:
            raise DomainError(_l("Choose a theme of this plan."), field="theme_id")
        return replace(self, title=title, text=text)


def add_standard_answer(plan: Plan, data: StandardAnswerData, *,
                        actor: Any = None) -> StandardAnswer:
    refuse_read_only(plan)
    data = data.cleaned(plan)
    record = StandardAnswer(plan_id=plan.id, theme_id=data.theme_id, title=data.title,
                            text=data.text, decision=data.decision,
                            updated_by_id=getattr(actor, "id", None))
    db.session.add(record)
    db.session.flush()
    audit("add_standard_answer", record, actor=actor, changes={
        "title": {"old": None, "new": record.title},
        "decision": {"old": None, "new": record.decision}})
    return record


def update_standard_answer(record: StandardAnswer, data: StandardAnswerData, *,
                           expected_version: int | None = None, actor: Any = None) -> None:
    """Change a standard answer; answers given with it before keep their own text."""
    plan = db.session.get(Plan, record.plan_id)
    refuse_read_only(plan)
    check_version(record, expected_version)
    assert plan is not None
    data = data.cleaned(plan)
    with recorded_changes(record, frozenset(), {"version", "updated_at", "updated_by_id"}) \
            as changes:
        record.title, record.text = data.title, data.text
        record.decision, record.theme_id = data.decision, data.theme_id
    if changes:
        record.updated_by_id = getattr(actor, "id", None)
        with conflict_on_race(record):
            db.session.flush()
        audit("update", record, actor=actor, changes=changes)


def times_used(ids: Collection[int]) -> dict[int, int]:
    """How many answers started from each standard answer, with one query."""
    if not ids:
        return {}
    return dict(db.session.execute(
        select(Answer.standard_answer_id, func.count()).where(
            Answer.standard_answer_id.in_(list(ids))).group_by(Answer.standard_answer_id)).all())


def remove_standard_answer(record: StandardAnswer, *, expected_version: int | None = None,
                           actor: Any = None) -> bool:
    """Delete a standard answer no answer used; archive one that was used (the answers keep
    pointing at it). Returns whether it was archived."""
    refuse_read_only(db.session.get(Plan, record.plan_id))
    check_version(record, expected_version)
    if times_used([record.id]):
        record.archived = True
        with conflict_on_race(record):
            db.session.flush()
        audit("archive_standard_answer", record, actor=actor,
              changes={"archived": {"old": False, "new": True}})
        return True
    audit("delete_standard_answer", record, actor=actor,
          changes={"title": {"old": record.title, "new": None}})
    db.session.delete(record)
    with conflict_on_race(record):
        db.session.flush()
    return False


def restore_standard_answer(record: StandardAnswer, *, expected_version: int | None = None,
                            actor: Any = None) -> None:
    refuse_read_only(db.session.get(Plan, record.plan_id))
    check_version(record, expected_version)
    record.archived = False
    with conflict_on_race(record):
        db.session.flush()
    audit("restore_standard_answer", record, actor=actor,
          changes={"archived": {"old": True, "new": False}})


def standard_answers_of(plan: Plan, *, archived: bool = False) -> list[StandardAnswer]:
    """The plan's standard answers (or its archived ones): per theme in the plan's order,
    those for the plan as a whole first, by title."""
    return list(db.session.scalars(
        select(StandardAnswer).outerjoin(Theme, Theme.id == StandardAnswer.theme_id)
        .where(StandardAnswer.plan_id == plan.id, StandardAnswer.archived.is_(archived))
        .order_by(StandardAnswer.theme_id.is_not(None), Theme.position, Theme.id,
                  StandardAnswer.title, StandardAnswer.id)))


def offered_for(plan: Plan, theme_ids: Collection[int]) -> list[StandardAnswer]:
    """The standard answers an answer form offers: those for the chosen inputs' themes
    first, then those for the plan as a whole, then those of the plan's other themes."""
    found = standard_answers_of(plan)
    chosen = set(theme_ids)

    def rank(item: StandardAnswer) -> int:
        if item.theme_id in chosen:
            return 0
        return 1 if item.theme_id is None else 2

    return sorted(found, key=rank)  # stable: the plan's order within each rank
