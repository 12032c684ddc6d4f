from __future__ import annotations

from flask import Blueprint, render_template, request
from sqlalchemy.orm import joinedload

from app.audit.models import AuditEvent
from app.audit.services import events_query
from app.pagination import paginate
from app.permissions import Permission, require

bp = Blueprint("audit", __name__, url_prefix="/admin/audit")


@bp.route("/")
@require(Permission.VIEW_AUDIT)
def index() -> str:
    entity_type = request.args.get("entity_type", "").strip() or None
    entity_id = request.args.get("entity_id", "").strip() or None
    query = events_query(entity_type, entity_id).options(joinedload(AuditEvent.actor))
    return render_template("audit/index.html", page=paginate(query, per_page=50),
                           entity_type=entity_type or "", entity_id=entity_id or "")
