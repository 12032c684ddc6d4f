"""The kennisgeving (public notice) of a ter-inzage period, for the gemeenteblad and the
website: who lays which draft open, where and from when to when, the computed last day, and how
to react.

The text is written in the municipality's language (``municipality.toml`` ``locale``), not the
reader's: it is a publication, not a page. Its wording lives in a text template per language,
``templates/consultations/notice/<locale>.txt``; dates are written out in words ("woensdag 31
mei 2017"). The generated text is stored on the consultation when the period is created and
then belongs to staff, who edit it; generating it again is a deliberate step.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from babel.dates import format_date
from flask import current_app
from jinja2 import TemplateNotFound

from app.audit.services import audit
from app.consultations.models import Consultation
from app.consultations.rules import refuse_read_only_plan
from app.database import db
from app.errors import check_version
from app.plans.models import Plan
from app.stakeholders.models import Stakeholder

TEMPLATE = "consultations/notice/{locale}.txt"
FALLBACK_LOCALE = "nl"


def in_words(day: date | None, locale: str) -> str:
    """A date written out, e.g. "woensdag 31 mei 2017"."""
    return format_date(day, format="full", locale=locale) if day else ""


def generate_notice(consultation: Consultation) -> str:
    """The kennisgeving of a comment period as plain text, ready to copy into the gemeenteblad
    or onto the website. Raises ValueError for a consultation that is not a comment period."""
    if not consultation.is_comment_period or consultation.published_on is None:
        raise ValueError("a kennisgeving belongs to a ter-inzage period with a publication date")
    municipality = current_app.config["KOERS_MUNICIPALITY"]
    locale = municipality.locale
    environment = current_app.jinja_env
    try:
        template = environment.get_template(TEMPLATE.format(locale=locale))
    except TemplateNotFound:
        template = environment.get_template(TEMPLATE.format(locale=FALLBACK_LOCALE))
    plan = db.session.get(Plan, consultation.plan_id)
    organiser = db.session.get(Stakeholder, consultation.organiser_id) \
        if consultation.organiser_id else None
    context: dict[str, Any] = {
        "municipality": municipality.name,
        "plan_title": plan.title if plan is not None else consultation.title,
        "title": consultation.title,
        "description": consultation.description or "",
        "location": consultation.location or "",
        "organiser": organiser.name if organiser is not None and not organiser.is_erased
        else "",
        "weeks": consultation.weeks,
        "first_day": in_words(consultation.published_on, locale),
        "last_day": in_words(consultation.last_day, locale),
        "extended": bool((consultation.computation or {}).get("extensions")),
        "legal_basis": consultation.legal_basis or "",
    }
    return template.render(**context).strip() + "\n"


def mentions_last_day(consultation: Consultation) -> bool:
    """Whether the stored kennisgeving still names the current last day (after the period
    was changed, it may not)."""
    locale = current_app.config["KOERS_MUNICIPALITY"].locale
    return bool(consultation.notice) and in_words(consultation.last_day, locale) in (
        consultation.notice or "")


def update_notice(consultation: Consultation, text: str, *,
                  expected_version: int | None = None, actor: Any = None) -> None:
    """Staff's own wording of the kennisgeving."""
    refuse_read_only_plan(consultation)
    check_version(consultation, expected_version)
    body = (text or "").strip()
    new = body + "\n" if body else None
    if new == consultation.notice:
        return
    old, consultation.notice = consultation.notice, new
    db.session.flush()
    audit("update_notice", consultation, actor=actor,
          changes={"notice": {"old": old, "new": new}})


def regenerate_notice(consultation: Consultation, *, expected_version: int | None = None,
                      actor: Any = None) -> None:
    """Generate the kennisgeving again from the period as it is now; staff's edits go."""
    refuse_read_only_plan(consultation)
    check_version(consultation, expected_version)
    old, new = consultation.notice, generate_notice(consultation)
    if new == old:
        return
    consultation.notice = new
    db.session.flush()
    audit("regenerate_notice", consultation, actor=actor,
          changes={"notice": {"old": old, "new": new}})
