"""What the nota van beantwoording says: every answered reaction of a consultation, grouped by
the plan's themes (each opened by the summary staff wrote for it), with its number and its
answer's number, the staff summary (never the original text), who reacted —
organisations by name, private persons never — whether it came in late, the answer, the
decision and the section of the plan it changed.

The document speaks the municipality's language, whoever starts the job. Collecting it costs
a fixed number of queries, whatever the number of reactions (a test counts them).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import and_, func, select

from app.consultations.inputs.answers import DECISIONS
from app.consultations.inputs.models import Answer, CoSignatory, Input, InputAnswer, InputTheme
from app.consultations.inputs.services import GROUPS
from app.consultations.models import Consultation
from app.consultations.nota.models import ThemeSummary
from app.database import db
from app.i18n import long_date
from app.plans.models import Plan, Section, Theme
from app.stakeholders.models import Kind, Stakeholder
from app.translate import gettext as _

# --- what the nota says ---------------------------------------------------------------------

@dataclass(frozen=True)
class Reaction:
    """One reaction as the nota shows it. ``who`` is an organisation's name or, for a private
    person or an anonymous reaction, the participant group's label."""

    number: int
    who: str
    late: bool
    summary: str | None
    co_signatories: tuple[str, ...] = ()  # organisations, by name
    private_co_signatories: int = 0  # persons, only counted


@dataclass(frozen=True)
class Entry:
    """One answer with the reactions it covers. ``number`` is the answer's number in its
    consultation ("Antwoord 12"); ``key`` names it uniquely in the document (anchors,
    bookmarks), numbered or not."""

    reactions: tuple[Reaction, ...]
    answer: str
    decision: str  # the decision's label
    changed_section: str | None
    themes: tuple[str, ...] = ()
    number: int | None = None
    key: int = 0


@dataclass(frozen=True)
class Group:
    """A theme's part of the nota (or the general part): its staff-written summary
    (Markdown, possibly empty) and its answers."""

    title: str
    entries: tuple[Entry, ...]
    summary: str = ""


@dataclass(frozen=True)
class Branding:
    municipality: str
    primary_colour: str
    accent_colour: str
    logo: Path | str | None = None


@dataclass(frozen=True)
class NotaContent:
    branding: Branding
    plan_title: str
    consultation_title: str
    comment_period: bool
    published_on: date | None
    last_day: date | None
    weeks: int | None
    termijnenwet_applied: bool | None
    extended_past: tuple[date, ...]
    legal_basis: str | None
    held_on: date | None  # a meeting's day
    reactions: int
    late: int
    unanswered: int
    decisions: tuple[tuple[str, int], ...]  # (label, count) in the decisions' order
    groups: tuple[Group, ...]
    generated_on: date
    labels: dict[str, str] = field(default_factory=dict)


def _label(mapping: dict[str, Any], code: str) -> str:
    found = mapping.get(code)
    return str(found) if found is not None else code


def branding() -> Branding:
    municipality = current_app.config["KOERS_MUNICIPALITY"]
    return Branding(municipality.name, municipality.primary_colour, municipality.accent_colour,
                    municipality.logo)


def collect(consultation: Consultation, *, today: date | None = None,
            house_style: Branding | None = None) -> NotaContent:
    """What the nota says, in the current locale. Seven queries at any size; only the columns
    shown are read (never ``original_text``)."""
    plan = db.session.get(Plan, consultation.plan_id)
    themes = list(db.session.execute(
        select(Theme.id, Theme.name, ThemeSummary.text)
        .outerjoin(ThemeSummary, and_(ThemeSummary.theme_id == Theme.id,
                                      ThemeSummary.consultation_id == consultation.id))
        .where(Theme.plan_id == consultation.plan_id).order_by(Theme.position, Theme.id)))
    rows = _answered_rows(consultation)
    answered = (select(InputAnswer.input_id).join(Input, Input.id == InputAnswer.input_id)
                .where(Input.consultation_id == consultation.id))
    entries, late = _entries(rows, _signers(answered), _input_themes(answered))
    grouped, counts = _grouped(entries, themes)
    total = db.session.scalar(select(func.count()).select_from(Input).where(
        Input.consultation_id == consultation.id)) or 0
    extensions = tuple(datetime.fromisoformat(item["day"]).date()
                       for item in (consultation.computation or {}).get("extensions", []))
    decisions = tuple((_label(DECISIONS, code), counts[code])
                      for code in [*DECISIONS, *sorted(set(counts) - set(DECISIONS))]
                      if counts[code])
    return NotaContent(
        branding=house_style or branding(), plan_title=plan.title if plan else "",
        consultation_title=consultation.title, comment_period=consultation.is_comment_period,
        published_on=consultation.published_on, last_day=consultation.last_day,
        weeks=consultation.weeks, termijnenwet_applied=consultation.termijnenwet_applied,
        extended_past=extensions, legal_basis=consultation.legal_basis,
        held_on=consultation.starts_at.astimezone(ZoneInfo(
            current_app.config["KOERS_MUNICIPALITY"].timezone)).date()
        if consultation.starts_at else None,
        reactions=len(rows), late=late, unanswered=total - len(rows), decisions=decisions,
        groups=tuple(grouped), generated_on=today or date.today(), labels=labels())


def _answered_rows(consultation: Consultation) -> list[Any]:
    """Every answered reaction with its sender and answer, by number (one query)."""
    return list(db.session.execute(
        select(Input.id, Input.number, Input.participant_group, Input.late, Input.summary,
               Stakeholder.kind, Stakeholder.name, Stakeholder.anonymised_at,
               Answer.id, Answer.text, Answer.decision, Section.title,
               Answer.number)
        .join(InputAnswer, InputAnswer.input_id == Input.id)
        .join(Answer, Answer.id == InputAnswer.answer_id)
        .outerjoin(Stakeholder, Stakeholder.id == Input.stakeholder_id)
        .outerjoin(Section, Section.id == Answer.changed_section_id)
        .where(Input.consultation_id == consultation.id)
        .order_by(Input.number)).all())


def _input_themes(answered: Any) -> dict[int, list[int]]:
    input_themes: dict[int, list[int]] = {}
    for input_id, theme_id in db.session.execute(
            select(InputTheme.input_id, InputTheme.theme_id)
            .where(InputTheme.input_id.in_(answered))):
        input_themes.setdefault(input_id, []).append(theme_id)
    return input_themes


def _signers(answered: Any) -> dict[int, list[tuple[str, str, datetime | None]]]:
    signers: dict[int, list[tuple[str, str, datetime | None]]] = {}
    for input_id, kind, name, erased in db.session.execute(
            select(CoSignatory.input_id, Stakeholder.kind, Stakeholder.name,
                   Stakeholder.anonymised_at)
            .join(Stakeholder, Stakeholder.id == CoSignatory.stakeholder_id)
            .where(CoSignatory.input_id.in_(answered))
            .order_by(CoSignatory.input_id, Stakeholder.sort_name, Stakeholder.id)):
        signers.setdefault(input_id, []).append((kind, name, erased))
    return signers


def _named(kind: str | None, name: str | None, erased: datetime | None) -> bool:
    """Only organisations are named in the nota; private persons never."""
    return kind == Kind.ORGANISATION.value and erased is None and bool(name)


def _entries(rows: list[Any], signers: dict[int, list[tuple[str, str, datetime | None]]],
             input_themes: dict[int, list[int]]) -> tuple[dict[int, dict[str, Any]], int]:
    """One entry per answer with its reactions and their themes; and how many were late."""
    entries: dict[int, dict[str, Any]] = {}
    late = 0
    for (input_id, number, group, is_late, summary, kind, name, erased, answer_id, text,
         decision, section, answer_number) in rows:
        late += bool(is_late)
        co = signers.get(input_id, [])
        reaction = Reaction(
            number=number, who=name if _named(kind, name, erased) else _label(GROUPS, group),
            late=bool(is_late), summary=summary,
            co_signatories=tuple(n for k, n, e in co if _named(k, n, e)),
            private_co_signatories=sum(1 for k, n, e in co if not _named(k, n, e)))
        entry = entries.setdefault(answer_id, {"reactions": [], "answer": text,
                                               "decision": decision, "section": section,
                                               "themes": set(), "number": answer_number})
        entry["reactions"].append(reaction)
        entry["themes"].update(input_themes.get(input_id, ()))
    return entries, late


def _grouped(entries: dict[int, dict[str, Any]], themes: list[Any]
             ) -> tuple[list[Group], Counter[str]]:
    """Each answer in the group of the first (by the plan's order) theme of any of its
    reactions; an answer whose reactions have no theme goes to the general group. A theme
    without answers is shown only when staff wrote a summary for it."""
    theme_order = {theme_id: position for position, (theme_id, _n, _s) in enumerate(themes)}
    theme_names = {theme_id: name for theme_id, name, _summary in themes}
    groups: dict[int | None, list[Entry]] = {}
    counts: Counter[str] = Counter()
    for key, entry in enumerate(sorted(entries.values(), key=lambda e: e["reactions"][0].number),
                                start=1):
        ordered = sorted(entry["themes"], key=lambda t: theme_order.get(t, len(theme_order)))
        counts[entry["decision"]] += len(entry["reactions"])
        groups.setdefault(ordered[0] if ordered else None, []).append(Entry(
            reactions=tuple(entry["reactions"]), answer=entry["answer"],
            decision=_label(DECISIONS, entry["decision"]), changed_section=entry["section"],
            themes=tuple(theme_names[t] for t in ordered if t in theme_names),
            number=entry["number"], key=key))
    grouped = [Group(name, tuple(groups.get(theme_id, ())), (summary or "").strip())
               for theme_id, name, summary in themes
               if theme_id in groups or (summary or "").strip()]
    if None in groups:
        grouped.append(Group(_("General"), tuple(groups[None])))
    return grouped, counts


def labels() -> dict[str, str]:
    """The words every format uses, translated once."""
    return {
        "title": _("Nota van beantwoording"),
        "reaction": _("Reaction"),
        "summary": _("Summary"),
        "no_summary": _("(no summary yet)"),
        "answer": _("Answer"),
        "decision": _("Decision"),
        "change": _("Change to the plan"),
        "no_change": _("No change"),
        "late": _("received late"),
        "themes": _("Themes"),
        "introduction": _("Introduction"),
        "decisions": _("Decisions"),
        "count": _("Reactions"),
        "total": _("Total"),
        "page": _("Page"),
        "generated": _("Generated on"),
        "contents": _("Contents"),
        "index": _("Index of reactions"),
        "index_intro": _("Per reaction: the answer that answers it and the page it is on."),
        "page_short": _("p."),
    }


def answer_label(number: int) -> str:
    """'Antwoord 12': how the nota names a numbered answer."""
    return _("Answer %(number)d", number=number)


def introduction(content: NotaContent) -> list[str]:
    """The intro's paragraphs: which draft, the period and how its last day was reached."""
    lines = [_("This nota van beantwoording answers the reactions to %(consultation)s, "
               "part of %(plan)s.", consultation=content.consultation_title,
               plan=content.plan_title)]
    if content.comment_period and content.published_on and content.last_day:
        lines.append(_("The draft lay open for inspection from %(first)s up to and including "
                       "%(last)s: %(weeks)d weeks counted from the day it was laid open, the "
                       "first day included (Awb).", first=long_date(content.published_on),
                       last=long_date(content.last_day), weeks=content.weeks or 0))
        if content.extended_past:
            lines.append(_("Because the period may not end on a Saturday, Sunday or holiday, "
                           "the Algemene termijnenwet extended it past %(days)s.",
                           days=", ".join(long_date(day) for day in content.extended_past)))
        if content.legal_basis:
            lines.append(_("Legal basis: %(basis)s.", basis=content.legal_basis))
    elif content.held_on:
        lines.append(_("The consultation was held on %(day)s.", day=long_date(content.held_on)))
    lines.append(_("%(count)d reactions were answered; %(late)d of them came in late. Late "
                   "reactions are answered as well. Reactions are numbered; private persons "
                   "are not named, organisations are.", count=content.reactions,
                   late=content.late))
    if content.unanswered:
        lines.append(_("%(count)d reactions have no answer yet and are not in this nota.",
                       count=content.unanswered))
    return lines


