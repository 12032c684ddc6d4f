"""Pages of the terugkoppeling: a consultation's feedback page (who gets what, the mailings
with their letters per state, the letters that need a person's decision, the post letters to
print), a printable letter, and the outbox of every letter.

Views are thin: one service acts, then commit, flash and redirect. Editing routes answer 409
on a read-only plan, as the other consultation pages do.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from flask import (
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from app.auth.models import User
from app.consultations.blueprint import bp
from app.consultations.feedback import meeting
from app.consultations.feedback import render as printing
from app.consultations.feedback import services as feedback
from app.consultations.feedback.forms import DecisionForm, OutboxFilter
from app.consultations.feedback.models import FeedbackLetter, FeedbackMailing, LetterStatus
from app.consultations.models import Consultation, ConsultationTable
from app.consultations.pages import TAB, consultation_or_404, record_or_404
from app.database import db, utcnow
from app.edits import (
    CONFLICTS,
    conflict_page,
    conflict_rows,
    current_actor,
    form_errors,
    posted_versions,
    versions_value,
)
from app.errors import DomainError
from app.forms import ConfirmForm, DomainForm
from app.labels import label as code_label
from app.pagination import paginate
from app.permissions import Permission, has_permission, require
from app.plans.models import Plan
from app.plans.pages import page_context
from app.plans.rules import read_only_reason
from app.stakeholders import services as register
from app.stakeholders.models import Stakeholder
from app.translate import gettext as _
from app.translate import ngettext

#: How many participants the preview lists (the counts cover all).
PREVIEWED = 200
#: How many mailings, and letters needing a decision or posting, the page lists.
MAILINGS = 50
LETTERS = 500


#: The page of each kind of mailing.
PAGES = {feedback.INPUTS: "consultations.feedback",
         feedback.MEETING: "consultations.meeting_feedback"}


def _feedback_url(consultation_id: int, anchor: str | None = None,
                  kind: str = feedback.INPUTS) -> str:
    return url_for(PAGES.get(kind, PAGES[feedback.INPUTS]), consultation_id=consultation_id,
                   _anchor=anchor)


def _posted_kind() -> str:
    """The kind of mailing a print or mark-all request is about (``?kind=``)."""
    kind = request.args.get("kind", feedback.INPUTS)
    return kind if kind in feedback.MAILING_KINDS else feedback.INPUTS


def _kind_of(mailing_id: int) -> str:
    return db.session.scalar(select(FeedbackMailing.kind).where(
        FeedbackMailing.id == mailing_id)) or feedback.INPUTS


def _name(stakeholder: Stakeholder | None) -> str:
    return register.display_name(stakeholder) if stakeholder is not None else "—"


# --- the feedback page ----------------------------------------------------------------------

@bp.route("/<int:consultation_id>/feedback", endpoint="feedback")
@require(Permission.VIEW)
def feedback_page(consultation_id: int) -> Any:
    return _feedback_page(*consultation_or_404(consultation_id))


def _feedback_page(consultation: Consultation, plan: Plan, *, status: int = 200,
                   kind: str = feedback.INPUTS) -> Any:
    """The page of one kind of mailing: who waits (a preview), the mailings of that kind,
    their letters needing a decision and their letters to post."""
    if kind == feedback.MEETING:
        recipients: list[Any] = meeting.waiting(consultation)
        extra = _meeting_preview(consultation, plan, recipients)
    else:
        recipients, extra = feedback.recipients(consultation), {}
    creator = aliased(User)
    mailings = db.session.execute(
        select(FeedbackMailing, creator)
        .outerjoin(creator, creator.id == FeedbackMailing.created_by_id)
        .where(FeedbackMailing.consultation_id == consultation.id,
               FeedbackMailing.kind == kind)
        .order_by(FeedbackMailing.created_at.desc(), FeedbackMailing.id.desc())
        .limit(MAILINGS)).all()
    states = feedback.mailing_states([mailing for mailing, _user in mailings])
    waiting = feedback.letters_of(states, (
        LetterStatus.HELD, LetterStatus.FAILED, LetterStatus.SENDING, LetterStatus.QUEUED),
        limit=LETTERS)
    deciding = [(letter, person) for letter, person in waiting
                if feedback.needs_decision(letter, states[letter.mailing_id])]
    posting = feedback.letters_to_post(consultation, kind=kind, limit=LETTERS)
    editing = has_permission(current_user, Permission.EDIT) and read_only_reason(plan) is None
    return render_template(
        "consultations/feedback/index.html", consultation=consultation, kind=kind, **extra,
        **page_context(plan, TAB), recipients=recipients[:PREVIEWED],
        recipient_count=len(recipients),
        by_email=sum(1 for r in recipients if r.channel == feedback.EMAIL),
        mailings=mailings, states=states, deciding=deciding, posting=posting,
        posting_versions=versions_value(letter for letter, _person in posting),
        listed=LETTERS, editing=editing, name=_name, choices=feedback.choices,
        decision_form=DecisionForm(formdata=None), confirm_form=ConfirmForm(),
        mail_settings=current_app.config["KOERS_MAIL"],
        statuses=feedback.STATUS_LABELS, channel_labels=feedback.CHANNEL_LABELS), status


def _meeting_preview(consultation: Consultation, plan: Plan,
                     attendees: list[Any]) -> dict[str, Any]:
    """The meeting page's extras: each waiting attendee's table, how many were told, and
    the first waiting attendee's letter as it will be sent."""
    topics = dict(db.session.execute(
        select(ConsultationTable.id, ConsultationTable.topic)
        .where(ConsultationTable.consultation_id == consultation.id)).all())
    example = meeting.letters(consultation, plan, attendees[:1])[0] if attendees else None
    return {"topics": topics, "told": meeting.told_count(consultation), "example": example}


def _refused(error: DomainError, consultation: Consultation, plan: Plan,
             kind: str = feedback.INPUTS) -> Any:
    """A refusal of the service: nothing saved, the reason on the feedback page (400)."""
    db.session.rollback()
    flash(error.message, "error")
    return _feedback_page(consultation, plan, status=400, kind=kind)


@bp.route("/<int:consultation_id>/feedback", methods=["POST"])
@require(Permission.EDIT)
def start_feedback(consultation_id: int) -> Any:
    consultation, plan = consultation_or_404(consultation_id, editing=True)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        mailing = feedback.create_mailing(consultation, actor=current_actor())
    except DomainError as error:
        return _refused(error, consultation, plan)
    count = db.session.scalar(select(func.count()).select_from(FeedbackLetter).where(
        FeedbackLetter.mailing_id == mailing.id))
    flash(ngettext("Feedback is on its way: %(num)d letter.",
                   "Feedback is on its way: %(num)d letters.", count), "success")
    return redirect(_feedback_url(consultation.id, "mailings"))


@bp.route("/<int:consultation_id>/meeting-feedback", endpoint="meeting_feedback")
@require(Permission.VIEW)
def meeting_feedback_page(consultation_id: int) -> Any:
    """Feedback to a meeting's attendees: what their table contributed (a preview of who
    gets which letter, then one send)."""
    consultation, plan = consultation_or_404(consultation_id)
    if consultation.is_comment_period:
        abort(404)
    return _feedback_page(consultation, plan, kind=feedback.MEETING)


@bp.route("/<int:consultation_id>/meeting-feedback", methods=["POST"],
          endpoint="start_meeting_feedback")
@require(Permission.EDIT)
def start_meeting_feedback(consultation_id: int) -> Any:
    consultation, plan = consultation_or_404(consultation_id, editing=True)
    if consultation.is_comment_period:
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        mailing = meeting.create_mailing(consultation, actor=current_actor())
    except DomainError as error:
        return _refused(error, consultation, plan, feedback.MEETING)
    count = db.session.scalar(select(func.count()).select_from(FeedbackLetter).where(
        FeedbackLetter.mailing_id == mailing.id))
    flash(ngettext("Feedback to attendees is on its way: %(num)d letter.",
                   "Feedback to attendees is on its way: %(num)d letters.", count),
          "success")
    return redirect(_feedback_url(consultation.id, "mailings", feedback.MEETING))


@bp.route("/feedback/mailings/<int:mailing_id>/resume", methods=["POST"])
@require(Permission.EDIT)
def resume_feedback(mailing_id: int) -> Any:
    mailing, consultation, plan = record_or_404(FeedbackMailing, mailing_id, editing=True)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        feedback.resume(mailing, actor=current_actor())
    except DomainError as error:
        return _refused(error, consultation, plan, mailing.kind)
    flash(_("The mailing continues with the letters still waiting."), "success")
    return redirect(_feedback_url(consultation.id, "mailings", mailing.kind))


@bp.route("/feedback/letters/<int:letter_id>/decision", methods=["POST"])
@require(Permission.EDIT)
def decide_letter(letter_id: int) -> Any:
    letter, consultation, plan = record_or_404(FeedbackLetter, letter_id, editing=True)
    kind = _kind_of(letter.mailing_id)
    form = DecisionForm()
    if not form.validate_on_submit():
        flash(" ".join(str(message) for messages in form.errors.values()
                       for message in messages), "error")
        return _feedback_page(consultation, plan, status=400, kind=kind)
    choice = form.choice.data
    try:
        feedback.decide(letter, choice, expected_version=form.version.data, actor=current_actor())
        db.session.commit()
    except CONFLICTS:
        db.session.rollback()
        return _conflict(letter, consultation, plan, choice)
    except DomainError as error:
        return _refused(error, consultation, plan, kind)
    messages = {feedback.MARK_SENT: _("The letter is marked as sent."),
                feedback.SEND_AGAIN: _("The letter waits to be sent again: resume the "
                                       "mailing to send it."),
                feedback.CANCEL: _("The letter is cancelled.")}
    flash(messages[choice], "success")
    return redirect(_feedback_url(consultation.id, "decisions", kind))


def _conflict(letter: FeedbackLetter, consultation: Consultation, plan: Plan,
              choice: str) -> Any:
    """Someone decided (or the job moved on) in between: the letter's state now beside the
    decision this person chose; nothing was changed."""
    db.session.refresh(letter)
    current = code_label("letter_status", letter.status)
    wanted = code_label("letter_status", feedback.DECISION_RESULTS.get(choice, ""))
    rows = conflict_rows([(_("Status"), current, wanted)])
    stakeholder = db.session.get(Stakeholder, letter.stakeholder_id) \
        if letter.stakeholder_id else None
    return render_template("consultations/feedback/conflict.html", consultation=consultation,
                           **page_context(plan, TAB), letter=letter, rows=rows,
                           recipient=_name(stakeholder)), 409


# --- post letters at volume ----------------------------------------------------------------

def _slug(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-")[:60] or "consultatie"


@bp.route("/<int:consultation_id>/feedback/letters.pdf", endpoint="print_letters")
@require(Permission.EDIT)
def print_letters(consultation_id: int) -> Any:
    """Every post letter still to be posted, in one PDF to print: a letter per page, the
    address in the envelope's window; the same letters the feedback page lists."""
    consultation, _plan = consultation_or_404(consultation_id)
    kind = _posted_kind()
    posting = feedback.letters_to_post(consultation, kind=kind, limit=LETTERS)
    if not posting:
        flash(_("No letters are waiting to be posted."), "info")
        return redirect(_feedback_url(consultation.id, "post", kind))
    letters = [printing.PrintedLetter(
        letter.id, printing.address_lines(_name(person), person) if person is not None
        and not person.is_erased else (), letter.subject, letter.body)
        for letter, person in posting if letter.body]
    today = utcnow().date()
    document = printing.letters_pdf(letters, title=consultation.title, day=today)
    response = Response(document, mimetype="application/pdf")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="brieven-{_slug(consultation.title)}-{today:%Y-%m-%d}.pdf"')
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/<int:consultation_id>/feedback/posted", methods=["POST"], endpoint="mark_posted")
@require(Permission.EDIT)
def mark_posted(consultation_id: int) -> Any:
    """The printed letters are posted: all marked sent at once, or — when any changed since
    the page was loaded — none, with the conflict page."""
    consultation, plan = consultation_or_404(consultation_id, editing=True)
    kind = _posted_kind()
    form = DomainForm()  # the CSRF token; a refusal of the service answers 400
    if not form.validate_on_submit():
        abort(400)
    expected = posted_versions()
    with form_errors(form, conflict=lambda: conflict_page(
            "consultations/feedback/posted_conflict.html", lambda: _posted_rows(expected),
            consultation=consultation, **page_context(plan, TAB))) as saved:
        marked = feedback.mark_posted(consultation, expected, actor=current_actor())
    if not saved:
        flash(" ".join(str(message) for message in form.form_errors), "error")
        return _feedback_page(consultation, plan, status=400, kind=kind)
    flash(ngettext("%(num)d letter is marked as sent.", "%(num)d letters are marked as sent.",
                   len(marked)), "success")
    return redirect(_feedback_url(consultation.id, "post", kind))


def _posted_rows(expected: dict[int, int]) -> list[Any]:
    """Per letter the form showed that changed since: its state now, and "sent" as wished."""
    wanted = code_label("letter_status", LetterStatus.SENT)
    return [(_name(person), code_label("letter_status", letter.status), wanted)
            for letter, person in db.session.execute(
                select(FeedbackLetter, Stakeholder)
                .outerjoin(Stakeholder, Stakeholder.id == FeedbackLetter.stakeholder_id)
                .where(FeedbackLetter.id.in_(list(expected))).options(*register.BARE)
                .order_by(FeedbackLetter.id))
            if letter.version != expected[letter.id]
            or letter.status != LetterStatus.QUEUED]


# --- a letter and the outbox ----------------------------------------------------------------

@bp.route("/feedback/letters/<int:letter_id>")
@require(Permission.EDIT)
def feedback_letter(letter_id: int) -> Any:
    """The letter as sent, or to print and post: the address comes from the register (so an
    erased person's letter shows none)."""
    letter, consultation, plan = record_or_404(FeedbackLetter, letter_id)
    stakeholder = db.session.get(Stakeholder, letter.stakeholder_id) \
        if letter.stakeholder_id else None
    return render_template("consultations/feedback/letter.html", consultation=consultation,
                           back_url=_feedback_url(consultation.id,
                                                  kind=_kind_of(letter.mailing_id)),
                           plan=plan, letter=letter, stakeholder=stakeholder,
                           name=_name(stakeholder), code_label=code_label)


@bp.route("/feedback/outbox")
@require(Permission.EDIT)
def outbox() -> Any:
    filters = OutboxFilter(request.args)
    filters.fill_choices()
    query = select(FeedbackLetter).order_by(FeedbackLetter.id.desc())
    chosen = filters.status.data if filters.validate() else None
    if chosen:
        query = query.where(FeedbackLetter.status == chosen)
    page = paginate(query)
    letters = list(page.items)
    # The page's participants and consultations: one query each, whatever the page size.
    people = {person.id: person for person in db.session.scalars(
        select(Stakeholder).options(*register.BARE).where(Stakeholder.id.in_(
            {letter.stakeholder_id for letter in letters if letter.stakeholder_id})))}
    consultations = {item.id: item for item in db.session.scalars(
        select(Consultation).where(Consultation.id.in_(
            {letter.consultation_id for letter in letters})))}
    rows = [(letter, people.get(letter.stakeholder_id or 0),
             consultations[letter.consultation_id]) for letter in letters]
    return render_template("consultations/feedback/outbox.html", filters=filters,
                           chosen=chosen, page=page, rows=rows, name=_name,
                           code_label=code_label, mail_settings=current_app.config["KOERS_MAIL"])
