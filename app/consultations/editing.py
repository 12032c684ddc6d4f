"""Changing what was recorded: a consultation (its comment period recomputed when the
publication date moves), its tables and registrations, an input (its lateness recomputed), an
answer (re-answered, old and new in the audit trail), and deleting a consultation — archived
instead when input refers to it.

Edits of versioned records take the version the editor saw; a different current version raises
:class:`~app.plans.services.EditConflict` and changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select, update
from sqlalchemy.orm.attributes import flag_modified

from app import references
from app.audit.services import audit, recorded_changes
from app.consultations import periods
from app.consultations.models import (
    Answer,
    Consultation,
    ConsultationTable,
    CoSignatory,
    Input,
    InputAnswer,
    InputTheme,
    Registration,
)
from app.consultations.services import (
    ANNOUNCEMENTS,
    CHANGES_PLAN,
    DECISIONS,
    GROUPS,
    ConsultationData,
    _required,
    _set_period,
    _text,
    check_versions,
    input_kinds,
)
from app.database import db
from app.errors import DomainError
from app.labels import register as register_label
from app.plans.models import Section, Theme
from app.plans.services import EditConflict
from app.stakeholders.models import Stakeholder

for _code, _label in {
    "update_table": _l("changed a table"), "remove_table": _l("removed a table"),
    "attendance": _l("recorded attendance"),
    "unregister": _l("removed a registration"), "reanswer": _l("changed an answer"),
    "update_notice": _l("changed the kennisgeving"),
    "regenerate_notice": _l("generated the kennisgeving again"),
    "delete": _l("deleted"),
}.items():
    register_label("action", _code, _label)
for _code, _label in {
    "title": _l("Title"), "description": _l("Description"), "starts_at": _l("Start"),
    "ends_at": _l("End"), "location": _l("Location"), "organiser_id": _l("Organiser"),
    "channels": _l("Announced through"), "published_on": _l("Laid open on"),
    "legal_basis": _l("Legal basis"), "weeks": _l("Weeks"), "summary": _l("Summary"),
    "participant_group": _l("Participant group"), "channel": _l("Channel"),
    "received_on": _l("Received on"), "postmarked_on": _l("Postmark date"),
    "themes": _l("Themes"), "co_signatories": _l("Co-signatories"), "text": _l("Answer"),
    "section": _l("Section it changed"), "notice": _l("Kennisgeving"),
    "answer": _l("Answer"), "facilitator": _l("Facilitator"), "theme": _l("Theme"),
    "stakeholder": _l("Stakeholder"), "termijnenwet_applied": _l("Termijnenwet applied"),
    "content_type": _l("Kind of file"), "size": _l("Size"),
}.items():
    register_label("field", _code, _label)

#: Columns whose change is bookkeeping, not an edit someone made.
_UNAUDITED = {"version", "created_at", "computation"}


def check_version(record: Any, expected_version: int | None) -> None:
    if expected_version is not None and expected_version != record.version:
        raise EditConflict(record)


# --- a consultation -------------------------------------------------------------------------

def update_consultation(consultation: Consultation, data: ConsultationData, *,
                        expected_version: int | None = None, actor: Any = None) -> None:
    """Change a consultation; its kind stays. A comment period whose publication date moves
    gets its last day computed again, and its reactions their lateness; the kennisgeving is
    left as it is (staff may have edited it) — the page offers to generate it again."""
    check_version(consultation, expected_version)
    title = _required(data.title, "title", 200)
    unknown = sorted(set(data.channels) - set(ANNOUNCEMENTS))
    if unknown:
        raise DomainError(str(_l("Unknown channel: %(codes)s.", codes=", ".join(unknown))),
                          field="channels")
    if data.starts_at and data.ends_at and data.ends_at < data.starts_at:
        raise DomainError(str(_l("The meeting ends before it starts.")), field="ends_at")
    if data.organiser_id is not None and data.organiser_id != consultation.organiser_id:
        organiser = db.session.get(Stakeholder, data.organiser_id)
        if organiser is None or organiser.is_erased or organiser.archived:
            raise DomainError(str(_l("Choose an organiser from the register.")),
                              field="organiser_id")
    if consultation.is_comment_period and data.published_on is None:
        raise DomainError(str(_l("Enter the date the draft is laid open.")),
                          field="published_on")
    with recorded_changes(consultation, (), _UNAUDITED) as changes:
        consultation.title = title
        consultation.description = _text(data.description, 10_000)
        consultation.starts_at = data.starts_at
        consultation.ends_at = data.ends_at
        consultation.location = _text(data.location, 300)
        consultation.organiser_id = data.organiser_id
        consultation.channels = sorted(set(data.channels))
        consultation.legal_basis = _text(data.legal_basis, 300)
        if consultation.is_comment_period and data.published_on != consultation.published_on:
            _set_period(consultation, data.published_on)  # type: ignore[arg-type]
    if not changes:
        return
    db.session.flush()
    if "last_day" in changes:
        changed = recompute_lateness(consultation)
        if changed:
            changes["late"] = {"old": None, "new": changed}
    audit("update", consultation, actor=actor, changes=changes)


def recompute_lateness(consultation: Consultation) -> list[int]:
    """Flag each reaction on time or late against the (new) last day; returns the numbers of
    the reactions whose flag changed. Reads plain tuples, so a large period stays cheap."""
    if not consultation.is_comment_period or consultation.last_day is None:
        return []
    flips: dict[bool, list[int]] = {True: [], False: []}
    numbers = []
    for input_id, number, received, postmarked, late in db.session.execute(
            select(Input.id, Input.number, Input.received_on, Input.postmarked_on, Input.late)
            .where(Input.consultation_id == consultation.id, Input.received_on.is_not(None))):
        now_late = not periods.is_on_time(consultation.last_day, received, postmarked)
        if now_late != late:
            flips[now_late].append(input_id)
            numbers.append(number)
    for value, ids in flips.items():
        if ids:
            # Bypasses the version counter on purpose: nobody edited these reactions.
            db.session.execute(update(Input).where(Input.id.in_(ids)).values(late=value)
                               .execution_options(synchronize_session="fetch"))
    return sorted(numbers)


def delete_or_archive(consultation: Consultation, *, actor: Any = None) -> bool:
    """Delete a consultation nothing else refers to (its own tables and registrations go
    with it); one with input, answers or anything a plugin links to it is archived instead,
    so nothing is lost. True if deleted."""
    own = ("consultation_tables", "consultation_registrations")
    if references.references("consultations", consultation.id, skip=own):
        if not consultation.archived:
            consultation.archived = True
            db.session.flush()
            audit("archive", consultation, actor=actor,
                  changes={"archived": {"old": False, "new": True}})
        return False
    audit("delete", consultation, actor=actor,
          changes={"title": {"old": consultation.title, "new": None}})
    db.session.execute(delete(ConsultationTable).where(
        ConsultationTable.consultation_id == consultation.id))
    db.session.execute(delete(Registration).where(
        Registration.consultation_id == consultation.id))
    db.session.delete(consultation)
    db.session.flush()
    return True


# --- tables and registrations ---------------------------------------------------------------

def update_table(table: ConsultationTable, topic: str, *, facilitator: Stakeholder | None,
                 theme: Theme | None, expected_version: int | None = None,
                 actor: Any = None) -> None:
    check_version(table, expected_version)
    consultation = db.session.get(Consultation, table.consultation_id)
    if theme is not None and theme.plan_id != consultation.plan_id:  # type: ignore[union-attr]
        raise DomainError(str(_l("Choose a theme of this plan.")), field="theme_id")
    before = (table.topic, table.facilitator_id, table.theme_id)
    table.topic = _required(topic, "topic", 200)
    table.facilitator_id = facilitator.id if facilitator else None
    table.theme_id = theme.id if theme else None
    after = (table.topic, table.facilitator_id, table.theme_id)
    if before == after:
        return
    db.session.flush()
    changes = {name: {"old": old, "new": new} for name, old, new
               in zip(("topic", "facilitator", "theme"), before, after, strict=True)
               if old != new}
    audit("update_table", consultation, actor=actor, changes=changes)


def remove_table(table: ConsultationTable, *, actor: Any = None) -> None:
    """Remove a table nothing was recorded at; input from a table keeps it."""
    used = db.session.scalar(select(Input.id).where(Input.table_id == table.id).limit(1))
    if used is not None:
        raise DomainError(str(_l("Input was recorded at this table, so it stays. Change its "
                                 "topic instead.")), field="table")
    audit("remove_table", ("consultations", table.consultation_id), actor=actor,
          changes={"topic": {"old": table.topic, "new": None}})
    db.session.delete(table)
    db.session.flush()


def set_attendance(consultation: Consultation, attended_ids: Iterable[int], *,
                   expected_versions: Mapping[int, int] | None = None,
                   actor: Any = None) -> int:
    """Mark who came: the registrations in ``attended_ids`` attended, the others did not.
    With ``expected_versions`` (registration id -> version, as the form showed them) only
    those registrations are set — one registered since is left alone — and one changed since
    is an :class:`EditConflict`. Returns how many changed."""
    present = set(attended_ids)
    changed = []
    query = select(Registration).where(Registration.consultation_id == consultation.id)
    if expected_versions is not None:
        query = query.where(Registration.id.in_(list(expected_versions)))
    registrations = list(db.session.scalars(query.order_by(Registration.id)))
    if expected_versions is not None:
        check_versions(registrations, expected_versions)
    for registration in registrations:
        now = registration.id in present
        if registration.attended != now:
            registration.attended = now
            changed.append((registration.stakeholder_id, now))
    if changed:
        db.session.flush()
        audit("attendance", consultation, actor=actor, changes={
            "attended": {"old": None,
                         "new": sum(1 for _stakeholder, now in changed if now)},
            "stakeholder": {"old": None, "new": sorted(sid for sid, _now in changed)}})
    return len(changed)


def remove_registration(registration: Registration, *, actor: Any = None) -> None:
    audit("unregister", ("consultations", registration.consultation_id), actor=actor,
          changes={"stakeholder": {"old": registration.stakeholder_id, "new": None}})
    db.session.delete(registration)
    db.session.flush()


# --- input ----------------------------------------------------------------------------------

@dataclass
class InputChanges:
    """What staff may change of recorded input; the sender and the original text stay."""

    kind: str
    participant_group: str
    summary: str | None = None
    received_on: date | None = None
    postmarked_on: date | None = None
    theme_ids: list[int] = field(default_factory=list)
    co_signatory_ids: list[int] = field(default_factory=list)


def themes_of_input(item: Input) -> list[int]:
    return list(db.session.scalars(select(InputTheme.theme_id).where(
        InputTheme.input_id == item.id).order_by(InputTheme.theme_id)))


def co_signatories_of(item: Input) -> list[int]:
    return list(db.session.scalars(select(CoSignatory.stakeholder_id).where(
        CoSignatory.input_id == item.id).order_by(CoSignatory.stakeholder_id)))


def update_input(item: Input, data: InputChanges, *, expected_version: int | None = None,
                 actor: Any = None) -> None:
    """Change an input's kind, group, summary, dates, themes and co-signatories; a reaction
    to a comment period gets its lateness computed again from the dates."""
    check_version(item, expected_version)
    consultation = db.session.get(Consultation, item.consultation_id)
    assert consultation is not None
    if data.kind not in input_kinds():
        raise DomainError(str(_l("Choose a kind of input.")), field="kind")
    if data.participant_group not in GROUPS:
        raise DomainError(str(_l("Choose a participant group.")), field="participant_group")
    themes = set(db.session.scalars(select(Theme.id).where(
        Theme.plan_id == consultation.plan_id)))
    if set(data.theme_ids) - themes:
        raise DomainError(str(_l("Choose a theme of this plan.")), field="theme_ids")
    if data.postmarked_on and data.received_on and data.postmarked_on > data.received_on:
        raise DomainError(str(_l("The postmark date lies after the received date.")),
                          field="postmarked_on")
    if consultation.is_comment_period and data.received_on is None:
        raise DomainError(str(_l("Enter the date the reaction was received.")),
                          field="received_on")
    signatories = sorted(set(data.co_signatory_ids) - {item.stakeholder_id})
    old_signatories = co_signatories_of(item)
    if set(signatories) - set(old_signatories):
        usable = set(db.session.scalars(select(Stakeholder.id).where(
            Stakeholder.id.in_(signatories), Stakeholder.anonymised_at.is_(None))))
        if set(signatories) - set(old_signatories) - usable:
            raise DomainError(str(_l("Choose co-signatories from the register.")),
                              field="co_signatory_ids")
    with recorded_changes(item, Input.personal_fields, _UNAUDITED) as changes:
        item.kind = data.kind
        item.participant_group = data.participant_group
        item.summary = _text(data.summary, 5000)
        item.received_on = data.received_on
        item.postmarked_on = data.postmarked_on
        if consultation.is_comment_period and consultation.last_day is not None:
            item.late = not periods.is_on_time(consultation.last_day, data.received_on,
                                               data.postmarked_on)  # type: ignore[arg-type]
    old_themes = themes_of_input(item)
    new_themes = sorted(set(data.theme_ids))
    if old_themes != new_themes:
        db.session.execute(delete(InputTheme).where(InputTheme.input_id == item.id))
        db.session.add_all(InputTheme(input_id=item.id, theme_id=theme_id)
                           for theme_id in new_themes)
        changes["themes"] = {"old": ", ".join(map(str, old_themes)),
                             "new": ", ".join(map(str, new_themes))}
    if old_signatories != signatories:
        db.session.execute(delete(CoSignatory).where(CoSignatory.input_id == item.id))
        db.session.add_all(CoSignatory(input_id=item.id, stakeholder_id=sid)
                           for sid in signatories)
        changes["co_signatories"] = {}  # who signed is personal: that it changed, no more
    if changes:
        if "themes" in changes or "co_signatories" in changes:
            # A change of links alone still makes a new version of the input.
            flag_modified(item, "kind")
        db.session.flush()
        audit("update", item, actor=actor, changes=changes)


# --- answers --------------------------------------------------------------------------------

def update_answer(answer: Answer, text: str, decision: str, *,
                  changed_section: Section | None = None, expected_version: int | None = None,
                  actor: Any = None) -> None:
    """Re-answer: change the text, decision or changed section of an answer for all the
    inputs it covers. The answer is staff's writing: old and new go into the audit trail."""
    check_version(answer, expected_version)
    body = (text or "").strip()
    if not body:
        raise DomainError(str(_l("Enter the answer.")), field="text")
    if decision not in DECISIONS:
        raise DomainError(str(_l("Choose a decision.")), field="decision")
    consultation = db.session.get(Consultation, answer.consultation_id)
    assert consultation is not None
    if changed_section is not None and changed_section.plan_id != consultation.plan_id:
        raise DomainError(str(_l("Choose a section of this plan.")), field="changed_section_id")
    before = {"text": answer.text, "decision": answer.decision,
              "section": answer.changed_section_id}
    answer.text = body
    answer.decision = decision
    answer.changed_section_id = changed_section.id if changed_section else None
    after = {"text": answer.text, "decision": answer.decision,
             "section": answer.changed_section_id}
    changes: dict[str, Any] = {key: {"old": before[key], "new": after[key]}
                               for key in before if before[key] != after[key]}
    if not changes:
        return
    covered = list(db.session.scalars(select(Input).join(
        InputAnswer, InputAnswer.input_id == Input.id).where(
        InputAnswer.answer_id == answer.id).order_by(Input.number)))
    if "decision" in changes:
        for item in covered:
            item.used = decision in CHANGES_PLAN
    db.session.flush()
    audit("reanswer", consultation, actor=actor, changes={
        "answer": {"old": None, "new": answer.id},
        "inputs": {"old": None, "new": [item.number for item in covered]}, **changes})


def answer_record(input_id: int) -> Answer | None:
    return db.session.scalar(select(Answer).join(
        InputAnswer, InputAnswer.answer_id == Answer.id).where(InputAnswer.input_id == input_id))
