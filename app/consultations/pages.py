"""What every consultation page needs: the consultation (or the record of one) with its plan
or a 404, refused at once on a read-only plan when the page changes something; the plan's
layout; the conflict page; and a stakeholder's name for a conflict page."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from flask import abort, current_app, render_template, request
from sqlalchemy import select

from app.consultations.models import Consultation
from app.database import db
from app.edits import Row, conflict_page
from app.plans.models import Plan
from app.plans.pages import page_context, plan_or_404
from app.stakeholders import services as register
from app.stakeholders.models import Stakeholder

TAB = "consultations.for_plan"


def consultation_or_404(consultation_id: int, *, editing: bool = False
                        ) -> tuple[Consultation, Plan]:
    """The consultation and its plan, or a 404. With ``editing`` a read-only plan is
    answered at once with the 409 page (the services refuse the change as well)."""
    # One query for both: the plan is then in the session, and plan_or_404 finds it there.
    found = db.session.execute(select(Consultation, Plan).join(
        Plan, Plan.id == Consultation.plan_id).where(Consultation.id == consultation_id)).first()
    if found is None:
        abort(404)
    consultation = found[0]
    return consultation, plan_or_404(consultation.plan_id, editing=editing, tab=TAB)


def record_or_404(model: Any, record_id: int, *, editing: bool = False
                  ) -> tuple[Any, Consultation, Plan]:
    """A record that belongs to a consultation (a table, a registration, an input, an answer,
    a letter), with its consultation and plan, or a 404."""
    record = db.session.get(model, record_id)
    if record is None:
        abort(404)
    return (record, *consultation_or_404(record.consultation_id, editing=editing))


def page(template: str, plan: Plan, *, status: int = 200, **context: Any) -> tuple[str, int]:
    """A page in the plan's layout, on the consultations tab."""
    return render_template(template, **page_context(plan, TAB),
                           display_name=register.display_name, **context), status


def municipality_today() -> date:
    """Today where the municipality is: a due date is a day there, not in UTC."""
    return current_app.config["KOERS_MUNICIPALITY"].today()


def form_status() -> int:
    """A form shown again after a POST was refused (400), or shown first (200)."""
    return 400 if request.method == "POST" else 200


def conflict(plan: Plan, rows: Callable[[], Sequence[Row]], *, record: Any = None,
             form: Any = None, action: str | None = None) -> tuple[str, int]:
    """The conflict page in the plan's layout: what someone else saved beside what this
    editor submitted. With ``form`` and ``record`` it re-posts the submitted values with the
    record's current version, for whoever decides to overwrite knowingly."""
    return conflict_page("plans/conflict.html", rows, form=form,
                         version=(lambda: record.version) if record is not None else None,
                         action=action, **page_context(plan, TAB))


def name_of(stakeholder_id: int | None) -> str | None:
    person = db.session.get(Stakeholder, stakeholder_id, options=list(register.BARE)) \
        if stakeholder_id else None
    return register.display_name(person) if person is not None else None
