"""Rules of answers: one answer covering one or several inputs of a consultation, with a
decision and the section of the plan it changed; re-answering; and processing meeting input
(used or not) instead of answering it.

One validation serves answering and re-answering (:meth:`AnswerData.cleaned`). Multi-record
forms carry the version of every input they showed; an input changed or answered since is an
:class:`~app.errors.EditConflict` and nothing is recorded. Nothing of an archived plan changes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import flag_modified

from app.audit.services import audit
from app.consultations.inputs.models import Answer, Input, InputAnswer, StandardAnswer
from app.consultations.inputs.tracing import ProcessData
from app.consultations.models import Consultation
from app.consultations.rules import check_versions, conflict_on_race, refuse_read_only_plan
from app.database import db
from app.errors import DomainError, EditConflict, check_version
from app.labels import register as register_label
from app.plans.models import Section
from app.translate import lazy_gettext as _l
from app.translate import lazy_pgettext

DECISIONS: dict[str, Any] = {
    "overgenomen": lazy_pgettext("decision", "Adopted"), "deels_overgenomen": _l("Partly adopted"),
    "niet_overgenomen": _l("Not adopted"), "al_voorzien": _l("Already provided for"),
    "buiten_reikwijdte": _l("Outside the scope"),
}
#: A decision that changes the plan names the section it changed.
CHANGES_PLAN = ("overgenomen", "deels_overgenomen")

for _code, _label in {"answer": _l("answered input"), "process": _l("processed input"),
                      "reanswer": _l("changed an answer")}.items():
    register_label("action", _code, _label)
for _code, _label in {"inputs": _l("Inputs"), "decision": _l("Decision"), "used": _l("Used"),
                      "text": _l("Answer"), "section": _l("Section it changed"),
                      "answer": _l("Answer")}.items():
    register_label("field", _code, _label)


@dataclass
class AnswerData:
    text: str
    decision: str
    changed_section: Section | None = None

    def cleaned(self, consultation: Consultation) -> AnswerData:
        """The text tidied; the decision known; the section one of the consultation's plan."""
        body = (self.text or "").strip()
        if not body:
            raise DomainError(_l("Enter the answer."), field="text")
        if self.decision not in DECISIONS:
            raise DomainError(_l("Choose a decision."), field="decision")
        if self.changed_section is not None \
                and self.changed_section.plan_id != consultation.plan_id:
            raise DomainError(_l("Choose a section of this plan."), field="changed_section_id")
        return replace(self, text=body)


def _consultation_of(inputs: Sequence[Input]) -> Consultation:
    """The one consultation the chosen inputs belong to."""
    if not inputs:
        raise DomainError(_l("Choose the inputs this answer is for."), field="inputs")
    consultation_ids = {item.consultation_id for item in inputs}
    if len(consultation_ids) != 1:
        raise DomainError(_l("An answer covers inputs of one consultation."), field="inputs")
    consultation = db.session.get(Consultation, consultation_ids.pop())
    assert consultation is not None
    return consultation


#: How often a new answer's number is drawn again when a colleague's answer took it meanwhile.
NUMBER_ATTEMPTS = 5


def _numbered(record: Answer) -> None:
    """Give a new answer the next number of its consultation and write it. Two editors
    answering at once may draw the same number: the unique constraint refuses the second
    insert (inside a savepoint), which draws again; the last failure is the caller's
    conflict."""
    for attempt in range(NUMBER_ATTEMPTS):
        record.number = (db.session.scalar(select(func.max(Answer.number)).where(
            Answer.consultation_id == record.consultation_id)) or 0) + 1
        try:
            with db.session.begin_nested():
                db.session.add(record)
                db.session.flush()
            return
        except IntegrityError:
            if attempt == NUMBER_ATTEMPTS - 1:
                raise


def answer(inputs: Sequence[Input], text: str, decision: str, *,
           changed_section: Section | None = None,
           expected_versions: Mapping[int, int] | None = None, actor: Any = None,
           standard_answer: StandardAnswer | None = None) -> Answer:
    """One answer for the selected inputs of one consultation, numbered next in it; an input
    answered before gets the new answer instead — unless ``expected_versions`` (input id ->
    version, as the form showed them) is given: then an input changed or answered since is an
    :class:`~app.errors.EditConflict` and nothing is recorded. ``standard_answer`` records
    the standard answer the text started from (one of the consultation's plan)."""
    consultation = _consultation_of(inputs)
    refuse_read_only_plan(consultation)
    data = AnswerData(text, decision, changed_section).cleaned(consultation)
    if standard_answer is not None and standard_answer.plan_id != consultation.plan_id:
        raise DomainError(_l("Choose a standard answer of this plan."), field="text")
    if expected_versions is not None:
        check_versions(inputs, expected_versions)
    ids = [item.id for item in inputs]
    with conflict_on_race(inputs[0]):
        # The inputs' new version is written first: its UPDATE ... WHERE version = the one
        # read holds the rows (PostgreSQL) or the database (SQLite) for this transaction, so
        # the check for an answer below cannot race with someone answering the same input.
        for item in inputs:
            item.processed = True
            item.used = decision in CHANGES_PLAN
            flag_modified(item, "processed")
        db.session.flush()
        if expected_versions is not None:
            answered = db.session.scalar(select(InputAnswer.input_id).where(
                InputAnswer.input_id.in_(ids)).limit(1))
            if answered is not None:
                raise EditConflict(next(item for item in inputs if item.id == answered))
        record = Answer(consultation_id=consultation.id, text=data.text, decision=decision,
                        changed_section_id=changed_section.id if changed_section else None,
                        standard_answer_id=standard_answer.id if standard_answer else None,
                        answered_by_id=getattr(actor, "id", None))
        _numbered(record)
        db.session.execute(InputAnswer.__table__.delete().where(InputAnswer.input_id.in_(ids)))
        db.session.add_all(InputAnswer(input_id=input_id, answer_id=record.id)
                           for input_id in ids)
        db.session.flush()
    audit("answer", consultation, actor=actor, changes={
        "answer": {"old": None, "new": record.number},
        "inputs": {"old": None, "new": sorted(item.number for item in inputs)},
        "decision": {"old": None, "new": decision},
        **({"section": {"old": None, "new": changed_section.id}} if changed_section else {})})
    return record


def update_answer(answer: Answer, text: str, decision: str, *,
                  changed_section: Section | None = None, expected_version: int | None = None,
                  actor: Any = None) -> None:
    """Re-answer: change the text, decision or changed section of an answer for all the
    inputs it covers. The answer is staff's writing: old and new go into the audit trail."""
    consultation = db.session.get(Consultation, answer.consultation_id)
    assert consultation is not None
    refuse_read_only_plan(consultation)
    check_version(answer, expected_version)
    data = AnswerData(text, decision, changed_section).cleaned(consultation)
    before = {"text": answer.text, "decision": answer.decision,
              "section": answer.changed_section_id}
    answer.text = data.text
    answer.decision = decision
    answer.changed_section_id = changed_section.id if changed_section else None
    after = {"text": answer.text, "decision": answer.decision,
             "section": answer.changed_section_id}
    changes: dict[str, Any] = {key: {"old": before[key], "new": after[key]}
                               for key in before if before[key] != after[key]}
    if not changes:
        return
    covered = covered_by(answer)
    if "decision" in changes:
        for item in covered:
            item.used = decision in CHANGES_PLAN
    db.session.flush()
    audit("reanswer", consultation, actor=actor, changes={
        "answer": {"old": None, "new": answer.id},
        "inputs": {"old": None, "new": [item.number for item in covered]}, **changes})


def mark_processed(inputs: Sequence[Input], used: bool, *,
                   expected_versions: Mapping[int, int] | None = None,
                   actor: Any = None, processing: ProcessData | None = None) -> None:
    """Meeting input is processed rather than answered one by one: used or not — with
    ``processing``, also what was done with it (taken into a section, an action or a theme's
    goals, or why it was not used; :mod:`~app.consultations.inputs.tracing`). With
    ``expected_versions`` (as the list showed them) an input changed since is an
    :class:`~app.errors.EditConflict` and nothing is recorded."""
    if inputs:
        consultation = db.session.get(Consultation, inputs[0].consultation_id)
        refuse_read_only_plan(consultation)
        assert consultation is not None
        data = (processing or ProcessData(used)).cleaned(consultation)
    if expected_versions is not None:
        check_versions(inputs, expected_versions)
    for item in inputs:
        data.apply(item)
    with conflict_on_race(inputs[0] if inputs else None):
        db.session.flush()
    if inputs:
        audit("process", ("consultations", inputs[0].consultation_id), actor=actor, changes={
            "inputs": {"old": None, "new": sorted(item.number for item in inputs)},
            "used": {"old": None, "new": data.used}, **data.changes()})


def answer_of(inputs: Sequence[Input]) -> dict[int, Answer]:
    """The answer of each input that has one, with one query."""
    ids = [item.id for item in inputs]
    if not ids:
        return {}
    return {input_id: found for input_id, found in db.session.execute(
        select(InputAnswer.input_id, Answer).join(Answer, Answer.id == InputAnswer.answer_id)
        .where(InputAnswer.input_id.in_(ids)))}


def answer_record(input_id: int) -> Answer | None:
    return db.session.scalar(select(Answer).join(
        InputAnswer, InputAnswer.answer_id == Answer.id).where(InputAnswer.input_id == input_id))


def covered_by(answer: Answer) -> list[Input]:
    """The inputs an answer covers, by number."""
    return list(db.session.scalars(select(Input).join(
        InputAnswer, InputAnswer.input_id == Input.id).where(
        InputAnswer.answer_id == answer.id).order_by(Input.number)))
