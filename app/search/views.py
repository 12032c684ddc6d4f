"""The search page (``search.results``): the header's search box lands here."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, render_template, request, url_for
from flask_login import current_user

from app.permissions import Permission, declared_permission, has_permission, require
from app.search import services
from app.search.documents import KINDS
from app.search.text import MAX_QUERY_LENGTH
from app.translate import lazy_gettext as _l

bp = Blueprint("search", __name__, url_prefix="/search")

KIND_LABELS: dict[str, Any] = {
    "plan": _l("Plan"), "section": _l("Section"), "theme": _l("Theme"),
    "action": _l("Action"), "consultation": _l("Consultation"), "input": _l("Input"),
    "answer": _l("Answer"), "stakeholder": _l("Stakeholder"),
}
#: Kinds shown only to those who may open the page that lists them.
GUARDED_KINDS = {"stakeholder": "stakeholders.index"}


def visible_kinds(user: Any) -> list[str]:
    """The kinds of record ``user`` may find: stakeholders only for those who may see the
    register (whatever permission its page declares)."""
    visible = []
    for kind in KINDS:
        endpoint = GUARDED_KINDS.get(kind)
        view = current_app.view_functions.get(endpoint) if endpoint else None
        needed = declared_permission(view) if view is not None else None
        if endpoint and (needed not in set(Permission)
                         or not has_permission(user, Permission(needed))):
            continue
        visible.append(kind)
    return visible


def result_url(result: services.Result) -> str:
    """Where a result is shown."""
    match result.kind:
        case "plan":
            return url_for("plans.show", plan_id=result.record_id)
        case "section":
            return url_for("plans.text", plan_id=result.plan_id)
        case "theme":
            return url_for("plans.programme", plan_id=result.plan_id,
                           _anchor=f"theme-{result.record_id}")
        case "action":
            return url_for("plans.show_action", plan_id=result.plan_id,
                           action_id=result.record_id)
        case "consultation":
            return url_for("consultations.show", consultation_id=result.record_id)
        case "input":
            return url_for("consultations.show_input", input_id=result.record_id)
        case "answer" if result.input_id is not None:
            return url_for("consultations.show_input", input_id=result.input_id)
        case "answer":
            return url_for("consultations.show", consultation_id=result.consultation_id)
        case _:
            return url_for("stakeholders.show", stakeholder_id=result.record_id)


def _int(name: str) -> int | None:
    value = request.args.get(name, "")
    return int(value) if value.isdigit() and len(value) < 10 else None


@bp.route("")
@require(Permission.VIEW)
def results() -> str:
    kinds = visible_kinds(current_user)
    kind = request.args.get("kind", "")
    query = services.Query(
        text=request.args.get("q", "")[:MAX_QUERY_LENGTH * 5],
        kind=kind if kind in kinds else "", plan_id=_int("plan"), page=_int("page") or 1,
        visible_kinds=kinds)
    page = services.search(query) if query.text.strip() else None
    return render_template(
        "search/results.html", query=query, page=page, kinds=kinds, kind_labels=KIND_LABELS,
        plans=services.plan_choices(), max_length=MAX_QUERY_LENGTH,
        result_url=result_url)
