"""The core's dashboard widgets (registered through the ``dashboard_widgets`` hook)."""

from __future__ import annotations

from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.audit.models import AuditEvent
from app.database import db
from app.forms import ConfirmForm
from app.plugins.ui import render_partial


def jobs_widget() -> str:
    return render_partial("main/widgets/jobs.html", confirm=ConfirmForm())


def terminology_widget() -> str:
    return render_partial("main/widgets/terminology.html")


def recent_changes_widget() -> str:
    recent = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(8)
                                .options(joinedload(AuditEvent.actor))).all()
    return render_partial("main/widgets/recent_changes.html", recent=recent, user=current_user)
