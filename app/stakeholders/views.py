"""Pages of the stakeholder register."""

from __future__ import annotations

from flask import render_template, request

from app.pagination import paginate
from app.permissions import Permission, require
from app.stakeholders import services
from app.stakeholders.blueprint import bp


@bp.route("/")
@require(Permission.VIEW)
def index() -> str:
    filters = services.Filters(q=request.args.get("q", "").strip(),
                               kind=request.args.get("kind", ""),
                               category=request.args.get("category", ""),
                               tag=request.args.get("tag", ""))
    page = paginate(services.list_query(filters))
    return render_template("stakeholders/index.html", page=page, filters=filters,
                           categories=services.categories())
