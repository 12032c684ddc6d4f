"""Feedback to a meeting's attendees: each attendee is told what their table contributed and
what was done with each of its inputs (private persons unnamed, as in the meeting report);
an attendee without a table gets the whole meeting's summary, table by table.

It is a mailing of kind ``meeting`` through the feedback machinery (letters by e-mail, or on
paper without an address; sent by the same job, never twice). Every attendee is told
**once**: an attendee with a meeting letter of this consultation (in any state but
cancelled) gets no other, so a second "send" finds nobody waiting. Erased persons get none.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from flask import current_app, render_template
from flask_babel import force_locale
from sqlalchemy import Select, func, select

from app.consultations.feedback.models import FeedbackLetter, FeedbackMailing
from app.consultations.feedback.services import (
    EMAIL,
    INFORMING,
    MEETING,
    POST,
    Written,
    claim_consultation,
    write_mailing,
)
from app.consultations.meetings.report import MeetingReport, TableReport, collect
from app.consultations.models import Consultation, Registration
from app.database import db
from app.errors import DomainError
from app.i18n import long_date
from app.plans.models import Plan
from app.stakeholders import services as register
from app.stakeholders.models import Stakeholder
from app.translate import lazy_gettext as _l


@dataclass(frozen=True)
class Attendee:
    stakeholder: Stakeholder
    table_id: int | None

    @property
    def channel(self) -> str:
        return EMAIL if self.stakeholder.email else POST


def _told(consultation: Consultation) -> Select[Any]:
    """The attendees a meeting letter of this consultation already tells (or will)."""
    return (select(FeedbackLetter.stakeholder_id)
            .join(FeedbackMailing, FeedbackMailing.id == FeedbackLetter.mailing_id)
            .where(FeedbackMailing.kind == MEETING,
                   FeedbackLetter.consultation_id == consultation.id,
                   FeedbackLetter.stakeholder_id.is_not(None),
                   FeedbackLetter.status.in_(INFORMING)))


def waiting(consultation: Consultation) -> list[Attendee]:
    """The attendees not yet told, with their tables, by name (one query)."""
    return [Attendee(stakeholder, table_id) for table_id, stakeholder in db.session.execute(
        select(Registration.table_id, Stakeholder)
        .join(Stakeholder, Stakeholder.id == Registration.stakeholder_id)
        .where(Registration.consultation_id == consultation.id,
               Registration.attended.is_(True), Stakeholder.anonymised_at.is_(None),
               Stakeholder.id.not_in(_told(consultation)))
        .options(*register.BARE).order_by(Stakeholder.sort_name, Stakeholder.id))]


def told_count(consultation: Consultation) -> int:
    """How many attendees a meeting letter already tells."""
    return db.session.scalar(select(func.count()).select_from(
        _told(consultation).distinct().subquery())) or 0


def render_letter(consultation: Consultation, report: MeetingReport,
                  stakeholder: Stakeholder, table: TableReport | None) -> tuple[str, str]:
    """(subject, body) from the letter template, in the report's language (render it in the
    municipality's, see :func:`letters`)."""
    municipality = current_app.config["KOERS_MUNICIPALITY"]
    subject = str(_l("What was done with the input of %(title)s", title=consultation.title))
    body = render_template("consultations/feedback/meeting_letter.txt", report=report,
                           table=table, name=register.display_name(stakeholder),
                           consultation=consultation, municipality=municipality,
                           held_on=long_date(report.held_on) if report.held_on else "")
    return subject[:300], body.strip() + "\n"


def letters(consultation: Consultation, plan: Plan,
            attendees: Sequence[Attendee]) -> list[Written]:
    """A letter per attendee in the municipality's language, whoever sends them."""
    with force_locale(current_app.config["KOERS_MUNICIPALITY"].locale):
        report = collect(consultation, plan)
        tables = {table.table_id: table for table in report.tables
                  if table.table_id is not None}
        written = []
        for attendee in attendees:
            table = tables.get(attendee.table_id) if attendee.table_id else None
            subject, body = render_letter(consultation, report, attendee.stakeholder, table)
            written.append(Written(attendee.stakeholder, subject, body,
                                   [item.input_id for item in table.items] if table else []))
    return written


def create_mailing(consultation: Consultation, *, actor: Any = None) -> FeedbackMailing:
    """A letter for every attendee not yet told, and the job that sends them; refused when
    every attendee was told already (never twice) or nobody attended."""
    if consultation.is_comment_period:
        raise DomainError(str(_l("A comment period has no attendees.")))
    claim_consultation(consultation)
    found = waiting(consultation)
    if not found:
        if told_count(consultation):
            raise DomainError(str(_l("Feedback to attendees has already been sent: every "
                                     "attendee has been told what their table contributed.")))
        raise DomainError(str(_l("Nobody attended yet: tick the attendance first.")))
    plan = db.session.get(Plan, consultation.plan_id)
    assert plan is not None
    return write_mailing(consultation, MEETING, letters(consultation, plan, found),
                         actor=actor)
