"""Named revisions of a plan: a snapshot of its whole text and structure, and a readable
difference between any two.

A snapshot is plain JSON (sections, themes with goals, actions), so it stays readable after
the plan changes and whatever code reads it later. Differences are computed on a text
rendering of the snapshot, line by line, so a reader sees which passage changed.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from app.audit.services import audit
from app.database import db
from app.errors import DomainError
from app.plans.models import Action, Goal, Plan, Revision, Section, Theme
from app.translate import lazy_gettext as _l

FORMAT = 1


def snapshot(plan: Plan) -> dict[str, Any]:
    """The plan's text and structure as JSON, in five queries whatever its size."""
    sections = db.session.scalars(select(Section).where(Section.plan_id == plan.id)
                                  .order_by(Section.position, Section.id)).all()
    themes = db.session.scalars(select(Theme).where(Theme.plan_id == plan.id)
                                .order_by(Theme.position, Theme.id)).all()
    goals = db.session.scalars(select(Goal).join(Theme, Goal.theme_id == Theme.id)
                               .where(Theme.plan_id == plan.id)
                               .order_by(Goal.position, Goal.id)).all()
    actions = db.session.scalars(select(Action).where(Action.plan_id == plan.id)
                                 .order_by(Action.position, Action.id)).all()
    return {
        "format": FORMAT,
        "title": plan.title,
        "summary": plan.summary or "",
        "sections": [{"id": s.id, "title": s.title, "body": s.body} for s in sections],
        "themes": [{"id": t.id, "name": t.name, "description": t.description or "",
                    "goals": [{"id": g.id, "title": g.title,
                               "description": g.description or ""}
                              for g in goals if g.theme_id == t.id]} for t in themes],
        "actions": [{"id": a.id, "theme_id": a.theme_id, "title": a.title,
                     "budget": str(a.budget) if a.budget is not None else None,
                     "start_date": a.start_date.isoformat() if a.start_date else None,
                     "end_date": a.end_date.isoformat() if a.end_date else None,
                     "status": a.status, "progress": a.progress} for a in actions],
    }


def take_revision(plan: Plan, name: str, label: str, *, actor: Any = None) -> Revision:
    revision = Revision(plan_id=plan.id, name=name, label=label[:200],
                        taken_by_id=getattr(actor, "id", None), snapshot=snapshot(plan))
    db.session.add(revision)
    db.session.flush()
    audit("take_revision", plan, actor=actor,
          changes={"revision": {"old": None, "new": name}})
    return revision


def revisions_of(plan: Plan) -> list[Revision]:
    return list(db.session.scalars(select(Revision).where(Revision.plan_id == plan.id)
                                   .order_by(Revision.taken_at, Revision.id)))


def as_lines(data: dict[str, Any]) -> list[str]:
    """A snapshot as the lines a reader compares: headings, paragraphs, programme rows."""
    lines = [f"# {data.get('title', '')}"]
    if data.get("summary"):
        lines += ["", *data["summary"].splitlines()]
    for section in data.get("sections", []):
        lines += ["", f"## {section['title']}", *section["body"].splitlines()]
    themes = {theme["id"]: theme["name"] for theme in data.get("themes", [])}
    for theme in data.get("themes", []):
        lines += ["", f"## {theme['name']}", *theme["description"].splitlines()]
        lines += [f"- {goal['title']}" for goal in theme["goals"]]
    for action in data.get("actions", []):
        theme = themes.get(action["theme_id"], "")
        period = " to ".join(part for part in (action["start_date"], action["end_date"]) if part)
        lines.append(" | ".join(part for part in (
            f"* {action['title']}", theme, period,
            f"€ {action['budget']}" if action["budget"] else "",
            action["status"], f"{action['progress']}%") if part))
    return lines


@dataclass(frozen=True)
class DiffLine:
    kind: str  # "same", "removed", "added"
    text: str


def compare(old: Revision | dict[str, Any], new: Revision | dict[str, Any]) -> list[DiffLine]:
    """Line by line: what was removed, what was added, with unchanged context."""
    before = as_lines(old.snapshot if isinstance(old, Revision) else old)
    after = as_lines(new.snapshot if isinstance(new, Revision) else new)
    kinds = {" ": "same", "-": "removed", "+": "added"}
    return [DiffLine(kinds[line[0]], line[2:]) for line in difflib.ndiff(before, after)
            if line[:1] in kinds]


def get_revision(plan: Plan, revision_id: int) -> Revision:
    revision = db.session.get(Revision, revision_id)
    if revision is None or revision.plan_id != plan.id:
        raise DomainError(str(_l("This plan has no such revision.")))
    return revision
