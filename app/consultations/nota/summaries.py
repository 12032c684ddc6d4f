"""The staff-written summary per theme that opens each theme's part of the nota van
beantwoording: sanitised Markdown (shown through :mod:`app.markdown`), one per consultation
and theme of its plan, saved together from one form and versioned against lost updates.

A theme without a summary has version 0 on the form; a summary written meanwhile by someone
else is then a conflict, as a changed one is.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select

from app.audit.services import audit
from app.consultations.models import Consultation
from app.consultations.nota.models import ThemeSummary
from app.consultations.rules import conflict_on_race, refuse_read_only_plan
from app.database import db
from app.errors import DomainError, EditConflict
from app.labels import register as register_label
from app.plans.models import Theme
from app.translate import lazy_gettext as _l

#: The longest summary accepted (characters): a few paragraphs, not a chapter.
MAX_LENGTH = 10_000

register_label("action", "nota_summaries", _l("changed the theme summaries of the nota"))
register_label("field", "theme_summaries", _l("Theme summaries"))


def themes_of(consultation: Consultation) -> list[Theme]:
    """The themes of the consultation's plan, in the plan's order."""
    return list(db.session.scalars(select(Theme).where(Theme.plan_id == consultation.plan_id)
                                   .order_by(Theme.position, Theme.id)))


def summaries_of(consultation: Consultation) -> dict[int, ThemeSummary]:
    """The consultation's summaries by theme id."""
    return {summary.theme_id: summary for summary in db.session.scalars(
        select(ThemeSummary).where(ThemeSummary.consultation_id == consultation.id))}


def field_name(theme_id: int) -> str:
    """The form field (and the refusal's field) of one theme's summary."""
    return f"summary_{theme_id}"


def versions_value(themes: list[Theme], summaries: Mapping[int, ThemeSummary]) -> str:
    """The versions the form shows, ``"theme_id:version …"`` (0: no summary yet)."""
    return " ".join(f"{theme.id}:{summaries[theme.id].version if theme.id in summaries else 0}"
                    for theme in themes)


def _cleaned(texts: Mapping[int, str], themes: list[Theme]) -> dict[int, str]:
    known = {theme.id for theme in themes}
    cleaned: dict[int, str] = {}
    for theme_id, text in texts.items():
        if theme_id not in known:
            raise DomainError(_l("This theme is not one of the plan's themes."))
        text = (text or "").replace("\r\n", "\n").strip()
        if len(text) > MAX_LENGTH:
            raise DomainError(_l("A summary can be at most %(max)d characters long.",
                                 max=MAX_LENGTH), field=field_name(theme_id))
        cleaned[theme_id] = text
    return cleaned


def save_summaries(consultation: Consultation, texts: Mapping[int, str], *,
                   expected_versions: Mapping[int, int] | None = None,
                   actor: Any = None) -> list[int]:
    """Write the summaries in ``texts`` (theme id -> Markdown; empty clears one). With
    ``expected_versions`` (theme id -> version as the form showed it, 0 for none) a summary
    changed or written since is an :class:`~app.errors.EditConflict` and nothing is saved.
    Returns the ids of the themes whose summary changed; flushed and audited, not committed."""
    refuse_read_only_plan(consultation)
    themes = themes_of(consultation)
    cleaned = _cleaned(texts, themes)
    current = summaries_of(consultation)
    if expected_versions is not None:
        for theme_id in cleaned:
            found = current.get(theme_id)
            if expected_versions.get(theme_id) != (found.version if found else 0):
                raise EditConflict(found)
    changed = []
    author = getattr(actor, "id", None)  # read before anything is pending (autoflush)
    for theme_id, text in cleaned.items():
        found = current.get(theme_id)
        if (found.text if found else "") == text:
            continue
        if found is None:
            db.session.add(ThemeSummary(consultation_id=consultation.id, theme_id=theme_id,
                                        text=text, updated_by_id=author))
        else:
            found.text, found.updated_by_id = text, author
        changed.append(theme_id)
    if changed:
        with conflict_on_race(None):
            db.session.flush()
        names = {theme.id: theme.name for theme in themes}
        audit("nota_summaries", consultation, actor=actor, changes={
            "theme_summaries": {"old": None, "new": ", ".join(names[t] for t in changed)}})
        db.session.flush()
    return changed
