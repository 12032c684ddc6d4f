"""What processing did with meeting input: taken into a section of the plan, an action or a
theme's goals — or not used, with a reason — so a post-it is traced to the plan as an
answered reaction is (through its answer's changed section).

One validation (:meth:`ProcessData.cleaned`) serves the input list's processing form, the
demo story and plugins; :func:`~app.consultations.inputs.answers.mark_processed` records it.
The plan's targets are offered as one choice list (``"section:12"``, ``"action:3"``,
``"goals:5"``); what each target received is counted with one grouped query.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import func, literal, select, union_all

from app.consultations.inputs.models import Input
from app.consultations.models import Consultation
from app.database import db
from app.errors import DomainError
from app.labels import register as register_label
from app.plans.models import Action, Plan, Section, Theme
from app.translate import lazy_gettext as _l

SECTION, ACTION, GOALS = "section", "action", "goals"
USED_IN: dict[str, Any] = {SECTION: _l("Taken into a section"), ACTION: _l("Taken into an action"),
                           GOALS: _l("Taken into a theme's goals")}
#: The target's model and the input's column naming it, per kind.
TARGETS: dict[str, tuple[Any, str]] = {SECTION: (Section, "used_section_id"),
                                       ACTION: (Action, "used_action_id"),
                                       GOALS: (Theme, "used_theme_id")}
#: The longest reason for not using an input.
REASON_LIMIT = 2000

for _code, _label in USED_IN.items():
    register_label("used_in", _code, _label)
for _code, _label in {"used_in": _l("Taken into"), "target": _l("Part of the plan"),
                      "reason": _l("Reason not used")}.items():
    register_label("field", _code, _label)


def target_title(record: Any) -> str:
    """A section's or action's title, a theme's name."""
    return str(getattr(record, "title", None) or getattr(record, "name", ""))


@dataclass
class ProcessData:
    """How input is processed: used or not; when used, optionally the part of the plan it was
    taken into (``used_in`` and ``target_id``); when not used, optionally why."""

    used: bool
    used_in: str | None = None
    target_id: int | None = None
    reason: str | None = None
    #: Loaded by :meth:`cleaned`, never given.
    target: Any = None

    @classmethod
    def from_choice(cls, used: bool, choice: str | None, reason: str | None) -> ProcessData:
        """From the form's target choice ``"kind:id"`` (empty: no target)."""
        kind, _sep, number = (choice or "").partition(":")
        if not kind:
            return cls(used, reason=reason)
        if kind not in TARGETS or not number.isdigit():
            raise DomainError(_l("Choose a part of this plan."), field="target")
        return cls(used, kind, int(number), reason)

    def cleaned(self, consultation: Consultation) -> ProcessData:
        """A target only for used input, and one of the consultation's plan; a reason only
        for input not used, tidied and not too long."""
        reason = (self.reason or "").strip() or None
        if self.used and reason:
            raise DomainError(_l("A reason is given for input that was not used."),
                              field="reason")
        if reason and len(reason) > REASON_LIMIT:
            raise DomainError(_l("The reason is too long (at most %(limit)d characters).",
                                 limit=REASON_LIMIT), field="reason")
        if self.used_in is None:
            return replace(self, reason=reason, target_id=None, target=None)
        if not self.used:
            raise DomainError(_l("Input that was not used is not taken into the plan."),
                              field="target")
        if self.used_in not in TARGETS:
            raise DomainError(_l("Choose a part of this plan."), field="target")
        model, _column = TARGETS[self.used_in]
        target = db.session.get(model, self.target_id) if self.target_id else None
        if target is None or target.plan_id != consultation.plan_id:
            raise DomainError(_l("Choose a part of this plan."), field="target")
        return replace(self, reason=None, target=target)

    def apply(self, item: Input) -> None:
        """Write the cleaned processing on an input."""
        item.processed, item.used = True, self.used
        item.used_in = self.used_in if self.target is not None else None
        for kind, (_model, column) in TARGETS.items():
            setattr(item, column, self.target.id if self.target is not None
                    and kind == self.used_in else None)
        item.not_used_reason = None if self.used else self.reason

    def changes(self) -> dict[str, Any]:
        """What the audit trail records beside the inputs and "used"."""
        found: dict[str, Any] = {}
        if self.target is not None:
            found["used_in"] = {"old": None, "new": self.used_in}
            found["target"] = {"old": None, "new": self.target.id}
        if self.reason:
            found["reason"] = {"old": None, "new": self.reason}
        return found


# --- the plan's targets ----------------------------------------------------------------------

def target_choices(plan: Plan) -> list[tuple[str, list[tuple[str, str]]]]:
    """The plan's sections, actions and themes as grouped choices ``(group, [(value,
    label)])`` — one query."""
    kinds = ((SECTION, Section, Section.title), (ACTION, Action, Action.title),
             (GOALS, Theme, Theme.name))
    parts = union_all(*(
        select(literal(kind).label("kind"), literal(order).label("kind_order"),
               model.position.label("position"), model.id.label("id"), title.label("title"))
        .where(model.plan_id == plan.id)
        for order, (kind, model, title) in enumerate(kinds))).subquery()
    rows: dict[str, list[tuple[int, str]]] = {kind: [] for kind, _model, _title in kinds}
    for kind, row_id, title in db.session.execute(
            select(parts.c.kind, parts.c.id, parts.c.title)
            .order_by(parts.c.kind_order, parts.c.position, parts.c.id)):
        rows[kind].append((row_id, title))
    groups = [(str(_l("Sections")), SECTION), (str(_l("Actions")), ACTION),
              (str(_l("Themes' goals")), GOALS)]
    return [(label, [(f"{kind}:{row_id}", title) for row_id, title in rows[kind]])
            for label, kind in groups if rows[kind]]


def targets_of(inputs: Iterable[Input]) -> dict[int, tuple[str, str]]:
    """Per input taken into a part of the plan: (kind, title) — a query per kind used."""
    wanted: dict[str, dict[int, list[int]]] = {kind: {} for kind in TARGETS}
    for item in inputs:
        if item.used_in in TARGETS:
            target_id = getattr(item, TARGETS[item.used_in][1])
            if target_id is not None:
                wanted[item.used_in].setdefault(target_id, []).append(item.id)
    found: dict[int, tuple[str, str]] = {}
    for kind, by_target in wanted.items():
        if not by_target:
            continue
        model = TARGETS[kind][0]
        for record in db.session.scalars(select(model).where(model.id.in_(list(by_target)))):
            for input_id in by_target[record.id]:
                found[input_id] = (kind, target_title(record))
    return found


def traced_counts(plan: Plan) -> dict[str, int]:
    """How many inputs of the plan's consultations each part of the plan received, by the
    target's choice value (``{"section:12": 4}``) — one grouped query."""
    in_plan = select(Consultation.id).where(Consultation.plan_id == plan.id)
    counts: dict[str, int] = {}
    for kind, section_id, action_id, theme_id, count in db.session.execute(
            select(Input.used_in, Input.used_section_id, Input.used_action_id,
                   Input.used_theme_id, func.count())
            .where(Input.consultation_id.in_(in_plan), Input.used_in.is_not(None))
            .group_by(Input.used_in, Input.used_section_id, Input.used_action_id,
                      Input.used_theme_id)):
        target_id = {SECTION: section_id, ACTION: action_id, GOALS: theme_id}.get(kind)
        if target_id is not None:
            counts[f"{kind}:{target_id}"] = counts.get(f"{kind}:{target_id}", 0) + count
    return counts
