"""Terugkoppeling: telling every participant what was done with their input.

A **mailing** of a consultation has one **letter** per participant — the stakeholder of an
input, and every co-signatory — listing their inputs that have an outcome (an answer with its
decision and changed section, or "processed: used / not used"). Anonymous input and erased
persons get none. A participant is told about an input once: an input already in a letter to
them (in any state but cancelled) is left out of later mailings, so new answers later give a
new letter with only the new inputs. A participant with an e-mail address gets an e-mail;
otherwise staff print the letter and mark it sent.

Sending is a background job that **never sends a letter twice**. Each e-mail letter goes
``queued`` → ``sending`` (committed before the mail server is called) → ``sent`` (committed
after) or ``failed`` (the server refused it; a person may send it again). A letter found
``sending`` when a mailing's job starts was interrupted mid-send — perhaps delivered, perhaps
not — and becomes ``held`` until a person decides: mark it sent, send it again, or cancel it.
So is a letter whose connection broke during the hand-over. A letter still ``sending`` on a
mailing whose job is no longer running (it failed, or its worker died: nothing happened for
:func:`stale_after`) is shown as needing a decision too.

A mailing has a **kind**: ``inputs`` (above) or ``meeting`` — a meeting's attendees told
what their table contributed (:mod:`app.consultations.feedback.meeting`). The kinds never
count each other's letters: who was told about which input, the mailings a page lists and
the letters to post are read per kind. Sending is the same job for both.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import current_app, render_template
from flask_babel import force_locale
from sqlalchemy import func, select, update

from app import mail
from app.audit.services import audit
from app.consultations.feedback.models import FeedbackLetter, FeedbackMailing, LetterStatus
from app.consultations.inputs.answers import DECISIONS
from app.consultations.inputs.models import Answer, CoSignatory, Input, InputAnswer
from app.consultations.models import Consultation
from app.consultations.rules import refuse_read_only_plan
from app.database import db, utcnow
from app.errors import DomainError, EditConflict
from app.jobs.models import Job, JobStatus
from app.jobs.services import JobContext, hand_over, job
from app.labels import register as register_label
from app.plans.models import Plan, Section
from app.stakeholders import services as register
from app.stakeholders.models import Stakeholder
from app.translate import lazy_gettext as _l

JOB_KIND = "consultations.feedback"
EMAIL, POST = "email", "post"
#: The kinds of mailing (``FeedbackMailing.kind``).
INPUTS, MEETING = "inputs", "meeting"
MAILING_KINDS = (INPUTS, MEETING)
#: A letter in any of these states tells its participant about its inputs.
INFORMING = (LetterStatus.QUEUED, LetterStatus.SENDING, LetterStatus.SENT,
             LetterStatus.FAILED, LetterStatus.HELD)
#: A mailing job shows activity with every letter; at least this long without any, and it is
#: taken to have stopped (its worker died) — whatever its job record still says.
MINIMUM_STALE = timedelta(minutes=2)

STATUS_LABELS: dict[str, Any] = {
    LetterStatus.QUEUED: _l("Waiting to be sent"), LetterStatus.SENDING: _l("Being sent"),
    LetterStatus.SENT: _l("Sent"), LetterStatus.FAILED: _l("Failed"),
    LetterStatus.HELD: _l("Needs a decision"), LetterStatus.CANCELLED: _l("Cancelled"),
}
CHANNEL_LABELS: dict[str, Any] = {EMAIL: _l("E-mail"), POST: _l("Post")}
#: A person's decisions on a letter, and the state each leads to.
MARK_SENT, SEND_AGAIN, CANCEL = "mark_sent", "send_again", "cancel"
DECISION_RESULTS = {MARK_SENT: LetterStatus.SENT, SEND_AGAIN: LetterStatus.QUEUED,
                    CANCEL: LetterStatus.CANCELLED}

for _code, _label in STATUS_LABELS.items():
    register_label("letter_status", _code, _label)
for _code, _label in CHANNEL_LABELS.items():
    register_label("letter_channel", _code, _label)
register_label("job", JOB_KIND, _l("feedback to participants"))
register_label("entity", "consultation_feedback_mailings", _l("Feedback mailing"))
register_label("entity", "consultation_feedback_letters", _l("Feedback letter"))
for _code, _label in {"send_feedback": _l("started sending feedback"),
                      "resume_feedback": _l("resumed sending feedback"),
                      "hold_letters": _l("held letters interrupted while being sent"),
                      "decide_letter": _l("decided on a feedback letter")}.items():
    register_label("action", _code, _label)
for _code, _label in {"letters": _l("Letters"), "status": _l("Status"),
                      "channel": _l("Channel"), "consultation": _l("Consultation"),
                      "job": _l("Background job")}.items():
    register_label("field", _code, _label)


# --- who gets what --------------------------------------------------------------------------

@dataclass(frozen=True)
class Item:
    """One input in a letter, with what became of it."""

    input_id: int
    number: int
    text: str
    answer: str | None = None
    decision: str | None = None
    section: str | None = None
    used: bool | None = None


@dataclass
class Recipient:
    stakeholder: Stakeholder
    items: list[Item] = field(default_factory=list)

    @property
    def channel(self) -> str:
        return EMAIL if self.stakeholder.email else POST


def recipients(consultation: Consultation) -> list[Recipient]:
    """Who would get a letter now, and with which inputs — five queries at any size."""
    answered = (select(Input, Answer, Section.title)
                .outerjoin(InputAnswer, InputAnswer.input_id == Input.id)
                .outerjoin(Answer, Answer.id == InputAnswer.answer_id)
                .outerjoin(Section, Section.id == Answer.changed_section_id)
                .where(Input.consultation_id == consultation.id,
                       InputAnswer.answer_id.is_not(None) | Input.processed.is_(True),
                       # anonymous post-its (most of a big meeting) have nobody to tell
                       Input.stakeholder_id.is_not(None)
                       | Input.id.in_(select(CoSignatory.input_id)))
                .order_by(Input.number))
    items: dict[int, Item] = {}
    people: dict[int, set[int]] = defaultdict(set)  # input -> stakeholders
    for record, found, section in db.session.execute(answered):
        items[record.id] = Item(
            input_id=record.id, number=record.number,
            text=record.summary or record.original_text,
            answer=found.text if found else None, decision=found.decision if found else None,
            section=section, used=record.used)
        if record.stakeholder_id is not None:
            people[record.id].add(record.stakeholder_id)
    if not items:
        return []
    for input_id, stakeholder_id in db.session.execute(
            select(CoSignatory.input_id, CoSignatory.stakeholder_id)
            .join(Input, Input.id == CoSignatory.input_id)
            .where(Input.consultation_id == consultation.id)):
        if input_id in items:
            people[input_id].add(stakeholder_id)
    told: dict[int, set[int]] = defaultdict(set)  # stakeholder -> inputs already in a letter
    for stakeholder_id, input_ids in db.session.execute(
            select(FeedbackLetter.stakeholder_id, FeedbackLetter.input_ids)
            .join(FeedbackMailing, FeedbackMailing.id == FeedbackLetter.mailing_id).where(
                FeedbackMailing.kind == INPUTS,  # an attendee's meeting letter tells another
                FeedbackLetter.consultation_id == consultation.id,
                FeedbackLetter.stakeholder_id.is_not(None),
                FeedbackLetter.status.in_(INFORMING))):
        told[stakeholder_id].update(input_ids or [])
    wanted: dict[int, list[Item]] = defaultdict(list)
    for input_id, item in items.items():
        for stakeholder_id in people.get(input_id, ()):
            if input_id not in told[stakeholder_id]:
                wanted[stakeholder_id].append(item)
    if not wanted:
        return []
    stakeholders = db.session.scalars(
        select(Stakeholder).where(Stakeholder.id.in_(list(wanted)),
                                  Stakeholder.anonymised_at.is_(None))
        .options(*register.BARE).order_by(Stakeholder.sort_name, Stakeholder.id))
    return [Recipient(stakeholder, wanted[stakeholder.id]) for stakeholder in stakeholders]


def render_letter(consultation: Consultation, plan: Plan, stakeholder: Stakeholder,
                  items: Sequence[Item]) -> tuple[str, str]:
    """(subject, body) in the municipality's language, from the letter template."""
    municipality = current_app.config["KOERS_MUNICIPALITY"]
    with force_locale(municipality.locale):
        decisions = {code: str(label) for code, label in DECISIONS.items()}
        subject = str(_l("What was done with your input on %(title)s", title=plan.title))
        body = render_template("consultations/feedback/letter.txt", items=items,
                               name=register.display_name(stakeholder), plan=plan,
                               consultation=consultation, decisions=decisions,
                               municipality=municipality)
    return subject[:300], body.strip() + "\n"


# --- a mailing ------------------------------------------------------------------------------

def claim_consultation(consultation: Consultation) -> None:
    """Two people pressing "send" at once: both would see the same participants waiting. The
    consultation's version is claimed first, so the second one waits for the first and is
    refused, instead of sending every letter twice."""
    refuse_read_only_plan(consultation)
    claimed = db.session.execute(
        update(Consultation).where(Consultation.id == consultation.id,
                                   Consultation.version == consultation.version)
        .values(version=consultation.version + 1).execution_options(synchronize_session=False))
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        db.session.rollback()
        raise DomainError(str(_l("Someone else has just started a mailing for this "
                                 "consultation: look at the mailings below.")))
    db.session.expire(consultation, ["version"])


@dataclass(frozen=True)
class Written:
    """A letter to write: to whom, what it says, and which inputs it tells about."""

    stakeholder: Stakeholder
    subject: str
    body: str
    input_ids: list[int]


def write_mailing(consultation: Consultation, kind: str, written: Sequence[Written], *,
                  actor: Any = None) -> FeedbackMailing:
    """The mailing of ``kind`` with its letters (e-mail, or post without an address),
    audited, and the job that sends them."""
    mailing = FeedbackMailing(consultation_id=consultation.id, kind=kind,
                              created_by_id=getattr(actor, "id", None))
    db.session.add(mailing)
    db.session.flush()
    for letter in written:
        channel = EMAIL if letter.stakeholder.email else POST
        db.session.add(FeedbackLetter(
            mailing_id=mailing.id, consultation_id=consultation.id,
            stakeholder_id=letter.stakeholder.id, channel=channel,
            recipient_email=letter.stakeholder.email if channel == EMAIL else None,
            subject=letter.subject, body=letter.body, input_ids=letter.input_ids))
    by_channel = {channel: sum(1 for letter in written
                               if (EMAIL if letter.stakeholder.email else POST) == channel)
                  for channel in (EMAIL, POST)}
    audit("send_feedback" if kind == INPUTS else "send_meeting_feedback", mailing,
          actor=actor, changes={
              "consultation": {"old": None, "new": consultation.id},
              "letters": {"old": None, "new": len(written)},
              "channel": {"old": None, "new": by_channel}})
    _start_job(mailing, actor)
    return mailing


def create_mailing(consultation: Consultation, *, actor: Any = None) -> FeedbackMailing:
    """A letter for every participant waiting for feedback, and the job that sends them."""
    claim_consultation(consultation)
    found = recipients(consultation)
    if not found:
        raise DomainError(str(_l("Nobody is waiting for feedback: every participant has been "
                                 "told about every answered or processed input.")))
    plan = db.session.get(Plan, consultation.plan_id)
    assert plan is not None
    written = [Written(recipient.stakeholder, *render_letter(
        consultation, plan, recipient.stakeholder, recipient.items),
        [item.input_id for item in recipient.items]) for recipient in found]
    return write_mailing(consultation, INPUTS, written, actor=actor)


def _start_job(mailing: FeedbackMailing, actor: Any, previous: str | None = None) -> Job:
    """Record the job and name it on the mailing in one transaction, then hand it over — so a
    job always knows whether it is its mailing's current one. ``previous``: the job the
    mailing must still name (two people resuming at once: one wins)."""
    record = Job(kind=JOB_KIND, params={"mailing_id": mailing.id},
                 created_by_id=getattr(actor, "id", None))
    db.session.add(record)
    db.session.flush()
    named = (FeedbackMailing.job_id.is_(None) if previous is None
             else FeedbackMailing.job_id == previous)
    claimed = db.session.execute(
        update(FeedbackMailing).where(FeedbackMailing.id == mailing.id, named)
        .values(job_id=record.id).execution_options(synchronize_session=False))
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        db.session.rollback()
        raise DomainError(str(_l("Someone else has just resumed this mailing.")))
    db.session.commit()
    db.session.refresh(mailing)

    def unname() -> None:  # the job could not be queued: the mailing names its previous one
        db.session.execute(update(FeedbackMailing).where(
            FeedbackMailing.id == mailing.id, FeedbackMailing.job_id == record.id)
            .values(job_id=previous).execution_options(synchronize_session=False))

    hand_over(record, undo=unname)
    return record


def stale_after() -> timedelta:
    """How long a mailing job may show no activity before it is taken to have stopped: a few
    times the mail server's timeout (one letter waits at most that long per exchange)."""
    return max(MINIMUM_STALE, timedelta(seconds=6 * mail.settings().timeout))


@dataclass(frozen=True)
class MailingState:
    mailing: FeedbackMailing
    job: Job | None
    counts: dict[str, int]
    last_activity: datetime | None
    running: bool
    #: e-mails waiting for the job (post letters wait for a person instead)
    unsent: int = 0


def mailing_states(mailings: Sequence[FeedbackMailing], *,
                   now: datetime | None = None) -> dict[int, MailingState]:
    """Per mailing: letters per state, its job, and whether that job is still running — two
    queries for any number of mailings."""
    now = now or utcnow()
    ids = [mailing.id for mailing in mailings]
    if not ids:
        return {}
    counts: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    unsent: dict[int, int] = defaultdict(int)
    activity: dict[int, datetime] = {}
    for mailing_id, status, channel, count, started, sent in db.session.execute(
            select(FeedbackLetter.mailing_id, FeedbackLetter.status, FeedbackLetter.channel,
                   func.count(), func.max(FeedbackLetter.sending_started_at),
                   func.max(FeedbackLetter.sent_at))
            .where(FeedbackLetter.mailing_id.in_(ids))
            .group_by(FeedbackLetter.mailing_id, FeedbackLetter.status,
                      FeedbackLetter.channel)):
        counts[mailing_id][status] += count
        if status == LetterStatus.QUEUED and channel == EMAIL:
            unsent[mailing_id] += count
        for moment in (started, sent):
            moment = _aware(moment)
            if moment is not None and (mailing_id not in activity
                                       or moment > activity[mailing_id]):
                activity[mailing_id] = moment
    job_ids = [mailing.job_id for mailing in mailings if mailing.job_id]
    jobs = {record.id: record for record in db.session.scalars(
        select(Job).where(Job.id.in_(job_ids)))} if job_ids else {}
    limit = stale_after()
    states = {}
    for mailing in mailings:
        record = jobs.get(mailing.job_id) if mailing.job_id else None
        moments = [m for m in (activity.get(mailing.id),
                               _aware(record.created_at) if record else None,
                               _aware(record.started_at) if record else None) if m]
        last = max(moments) if moments else None
        running = (record is not None and record.status in (JobStatus.QUEUED, JobStatus.RUNNING)
                   and last is not None and now - last < limit)
        states[mailing.id] = MailingState(mailing, record, dict(counts[mailing.id]), last,
                                          running, unsent[mailing.id])
    return states


def _aware(moment: datetime | None) -> datetime | None:
    # SQLite's aggregates return the stored text without the column type's conversion.
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    if moment is not None and moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment


def needs_decision(letter: FeedbackLetter, state: MailingState) -> bool:
    """Held or failed, or stuck in ``sending`` on a mailing that no longer runs."""
    if letter.status in (LetterStatus.HELD, LetterStatus.FAILED):
        return True
    return letter.status == LetterStatus.SENDING and not state.running


def resume(mailing: FeedbackMailing, *, actor: Any = None) -> Job:
    """Continue a mailing with its queued letters, with a new job; refused while its job is
    still running. The new job holds letters the old one left in ``sending``."""
    refuse_read_only_plan(consultation_id=mailing.consultation_id)
    state = mailing_states([mailing])[mailing.id]
    if state.running:
        raise DomainError(str(_l("This mailing is still being sent.")))
    queued = state.unsent
    if not queued and not state.counts.get(LetterStatus.SENDING):
        raise DomainError(str(_l("No e-mails of this mailing are waiting to be sent.")))
    old = state.job
    if old is not None and not old.done:
        # Its worker stopped without saying so: the job page should not say "running".
        old.status, old.finished_at = JobStatus.FAILED.value, utcnow()
        old.error = "stopped without finishing; the mailing was resumed by a new job"
    audit("resume_feedback", mailing, actor=actor,
          changes={"letters": {"old": None, "new": queued}})
    return _start_job(mailing, actor, previous=mailing.job_id)


class LetterConflict(EditConflict):
    """The letter changed since the person looked at it."""

    def __init__(self, letter: FeedbackLetter) -> None:
        super().__init__(letter, _l("Someone else has just changed this letter."))
        self.letter = letter


def choices(letter: FeedbackLetter) -> tuple[str, ...]:
    """What a person may decide on a letter in its state. A queued e-mail is the job's to
    send (it can only be cancelled); a post letter is sent by the person who posts it."""
    if letter.channel == POST:
        if letter.status in (LetterStatus.QUEUED, LetterStatus.FAILED, LetterStatus.HELD):
            return (MARK_SENT, CANCEL)
        return ()
    if letter.status == LetterStatus.QUEUED:
        return (CANCEL,)
    if letter.status in (LetterStatus.HELD, LetterStatus.FAILED, LetterStatus.SENDING):
        return (MARK_SENT, SEND_AGAIN, CANCEL) if letter.recipient_email else (MARK_SENT,
                                                                                CANCEL)
    return ()


def decide(letter: FeedbackLetter, choice: str, *, expected_version: int | None = None,
           actor: Any = None) -> None:
    """A person's decision on a letter: mark it sent (it went out, or was printed and
    posted), send it again (back in the queue; resume the mailing to send it), or cancel it."""
    refuse_read_only_plan(consultation_id=letter.consultation_id)
    if expected_version is not None and letter.version != expected_version:
        raise LetterConflict(letter)
    if choice not in DECISION_RESULTS:
        raise DomainError(str(_l("Choose what to do with the letter.")), field="choice")
    mailing = db.session.get(FeedbackMailing, letter.mailing_id)
    assert mailing is not None
    status = letter.status
    if status == LetterStatus.SENDING and mailing_states([mailing])[mailing.id].running:
        raise DomainError(str(_l("This letter is being sent right now; wait for the mailing "
                                 "to finish.")))
    if choice not in choices(letter):
        raise DomainError(str(_l("This letter needs no such decision.")), field="choice")
    letter.status = DECISION_RESULTS[choice]
    letter.decided_by_id, letter.decided_at = getattr(actor, "id", None), utcnow()
    if choice == MARK_SENT:
        letter.sent_at = letter.sent_at or utcnow()
    elif choice == SEND_AGAIN:
        letter.sending_started_at = letter.message_id = letter.error = None
    db.session.flush()
    audit("decide_letter", letter, actor=actor, changes={
        "status": {"old": status, "new": letter.status},
        "decision": {"old": None, "new": choice}})


# --- post letters at volume ----------------------------------------------------------------

def letters_to_post(consultation: Consultation, *, kind: str = INPUTS, limit: int = 500,
                    ) -> list[tuple[FeedbackLetter, Stakeholder | None]]:
    """The consultation's post letters still to be printed and posted (queued, of any of its
    mailings of ``kind``), with their participants, by mailing and letter — one query."""
    return list(db.session.execute(
        select(FeedbackLetter, Stakeholder)
        .join(FeedbackMailing, FeedbackMailing.id == FeedbackLetter.mailing_id)
        .outerjoin(Stakeholder, Stakeholder.id == FeedbackLetter.stakeholder_id)
        .where(FeedbackMailing.kind == kind, FeedbackLetter.consultation_id == consultation.id,
               FeedbackLetter.channel == POST, FeedbackLetter.status == LetterStatus.QUEUED)
        .options(*register.BARE).order_by(FeedbackLetter.mailing_id, FeedbackLetter.id)
        .limit(limit)).all())


class LettersConflict(EditConflict):
    """Letters changed since the person looked at them (someone marked, cancelled or
    erased in between): ``letters`` are the ones that moved on."""

    def __init__(self, letters: Sequence[FeedbackLetter]) -> None:
        super().__init__(letters[0] if letters else None,
                         _l("Someone else has just changed some of these letters."))
        self.letters = list(letters)


def mark_posted(consultation: Consultation, expected_versions: dict[int, int], *,
                actor: Any = None) -> list[FeedbackLetter]:
    """Mark the post letters a person printed and posted as sent, all or none: each must
    still be this consultation's queued post letter in the version the person saw, else
    :class:`LettersConflict` and nothing changes. Each letter is audited as a decision; the
    version written with it keeps a letter from being marked twice, even by a save at the
    same moment (the flush then finds the version moved: a conflict too)."""
    refuse_read_only_plan(consultation)
    if not expected_versions:
        raise DomainError(str(_l("There are no letters to mark as sent.")))
    found = {letter.id: letter for letter in db.session.scalars(
        select(FeedbackLetter).where(FeedbackLetter.id.in_(list(expected_versions)))
        .order_by(FeedbackLetter.id))}
    if found.keys() != expected_versions.keys() or any(
            letter.consultation_id != consultation.id or letter.channel != POST
            for letter in found.values()):
        raise DomainError(str(_l("Only this consultation's post letters can be marked as "
                                 "sent here.")))
    moved = [letter for letter in found.values()
             if letter.version != expected_versions[letter.id]
             or letter.status != LetterStatus.QUEUED]
    if moved:
        raise LettersConflict(moved)
    now, actor_id = utcnow(), getattr(actor, "id", None)
    for letter in found.values():
        letter.status, letter.sent_at = LetterStatus.SENT, now
        letter.decided_by_id, letter.decided_at = actor_id, now
    db.session.flush()
    for letter in found.values():
        audit("decide_letter", letter, actor=actor, changes={
            "status": {"old": LetterStatus.QUEUED, "new": LetterStatus.SENT},
            "decision": {"old": None, "new": MARK_SENT}})
    return list(found.values())


# --- sending --------------------------------------------------------------------------------

def hold_interrupted(mailing_id: int) -> list[int]:
    """Letters left ``sending`` by an earlier run were interrupted mid-send: perhaps sent,
    perhaps not. They wait for a person; they are never sent again by themselves."""
    ids = list(db.session.scalars(select(FeedbackLetter.id).where(
        FeedbackLetter.mailing_id == mailing_id,
        FeedbackLetter.status == LetterStatus.SENDING)))
    if ids:
        db.session.execute(
            update(FeedbackLetter).where(FeedbackLetter.id.in_(ids),
                                         FeedbackLetter.status == LetterStatus.SENDING)
            # no error text: the page explains an interruption in the reader's language
            .values(status=LetterStatus.HELD, version=FeedbackLetter.version + 1, error=None)
            .execution_options(synchronize_session=False))
        audit("hold_letters", ("consultation_feedback_mailings", mailing_id),
              changes={"letters": {"old": None, "new": ids}})
    db.session.commit()
    return ids


def _claim(letter_id: int) -> FeedbackLetter | None:
    """queued → sending, committed before the mail server is called; None when the letter is
    no longer queued (cancelled, or taken by another run)."""
    letter = db.session.get(FeedbackLetter, letter_id, populate_existing=True)
    if letter is None or letter.status != LetterStatus.QUEUED or not letter.recipient_email:
        return None
    message_id = mail.new_message_id()
    claimed = db.session.execute(
        update(FeedbackLetter).where(FeedbackLetter.id == letter_id,
                                     FeedbackLetter.status == LetterStatus.QUEUED)
        .values(status=LetterStatus.SENDING, sending_started_at=utcnow(),
                message_id=message_id, error=None, version=FeedbackLetter.version + 1)
        .execution_options(synchronize_session=False))
    db.session.commit()
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        return None
    return db.session.get(FeedbackLetter, letter_id, populate_existing=True)


def _finish(letter_id: int, status: str, error: str | None = None) -> None:
    values: dict[str, Any] = {"status": status, "error": error,
                              "version": FeedbackLetter.version + 1}
    if status == LetterStatus.SENT:
        values["sent_at"] = utcnow()
    db.session.execute(
        update(FeedbackLetter).where(FeedbackLetter.id == letter_id,
                                     FeedbackLetter.status.in_([LetterStatus.SENDING,
                                                                LetterStatus.HELD]))
        .values(**values).execution_options(synchronize_session=False))
    db.session.commit()


def _current(mailing_id: int, job_id: str) -> bool:
    return db.session.scalar(select(FeedbackMailing.job_id).where(
        FeedbackMailing.id == mailing_id)) == job_id


@job(JOB_KIND)
def send_mailing(context: JobContext, mailing_id: int) -> dict[str, Any]:
    """Send a mailing's queued e-mails, one at a time; safe to run again and never sends a
    letter twice."""
    if not _current(mailing_id, context.job_id):
        return {"superseded": True}
    held = hold_interrupted(mailing_id)
    queued = list(db.session.scalars(select(FeedbackLetter.id).where(
        FeedbackLetter.mailing_id == mailing_id, FeedbackLetter.channel == EMAIL,
        FeedbackLetter.status == LetterStatus.QUEUED).order_by(FeedbackLetter.id)))
    done = {"sent": 0, "failed": 0, "held": len(held)}
    box = mail.postbox()
    try:
        for index, letter_id in enumerate(queued, start=1):
            if not _current(mailing_id, context.job_id):
                break  # a person resumed the mailing with a new job: leave the rest to it
            if isinstance(box, mail.SmtpPostbox):
                box.open()  # an unreachable server fails the job before a letter is claimed
            letter = _claim(letter_id)
            if letter is not None:
                message = mail.new_message(letter.recipient_email or "", letter.subject,
                                           letter.body, message_id=letter.message_id)
                try:
                    box.send(message)
                except mail.MailError as error:
                    outcome = LetterStatus.FAILED if error.refused else LetterStatus.HELD
                    _finish(letter_id, outcome, str(error)[:2000])
                    done["failed" if error.refused else "held"] += 1
                else:
                    _finish(letter_id, LetterStatus.SENT)
                    done["sent"] += 1
            context.progress(index * 100 // len(queued),
                             f"{index} / {len(queued)}")
    finally:
        box.close()
    return done


# --- erasure --------------------------------------------------------------------------------

@register.on_erase
def forget_letters(stakeholder: Stakeholder) -> None:
    """An erased person's letters keep that they existed and their state — not the address,
    the subject, the text or the mail server's error (which quotes the address); the ones not
    yet sent are cancelled."""
    db.session.execute(
        update(FeedbackLetter).where(FeedbackLetter.stakeholder_id == stakeholder.id)
        .values(recipient_email=None, subject="", body="", error=None,
                version=FeedbackLetter.version + 1)
        .execution_options(synchronize_session=False))
    db.session.execute(
        update(FeedbackLetter).where(FeedbackLetter.stakeholder_id == stakeholder.id,
                                     FeedbackLetter.status.in_([LetterStatus.QUEUED,
                                                                LetterStatus.FAILED,
                                                                LetterStatus.HELD]))
        .values(status=LetterStatus.CANCELLED)
        .execution_options(synchronize_session=False))
    for loaded in list(db.session.identity_map.values()):
        if isinstance(loaded, FeedbackLetter) and loaded.stakeholder_id == stakeholder.id:
            db.session.expire(loaded)


def letters_of(mailing_ids: Iterable[int], statuses: Iterable[str], *,
               limit: int = 500) -> list[tuple[FeedbackLetter, Stakeholder | None]]:
    """Letters of the mailings in the given states, with their stakeholders (one query)."""
    ids = list(mailing_ids)
    if not ids:
        return []
    return list(db.session.execute(
        select(FeedbackLetter, Stakeholder)
        .outerjoin(Stakeholder, Stakeholder.id == FeedbackLetter.stakeholder_id)
        .where(FeedbackLetter.mailing_id.in_(ids), FeedbackLetter.status.in_(list(statuses)))
        .options(*register.BARE).order_by(FeedbackLetter.mailing_id, FeedbackLetter.id)
        .limit(limit)).all())
