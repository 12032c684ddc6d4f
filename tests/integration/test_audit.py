"""The audit trail: every account change, append-only, no personal values."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy import select

from app.audit.models import AuditEvent, AuditTrailIsAppendOnly
from app.audit.services import audit, diff
from app.database import db


def events_for(user):
    return db.session.scalars(select(AuditEvent).where(
        AuditEvent.entity_type == "users", AuditEvent.entity_id == str(user.id))
        .order_by(AuditEvent.id)).all()


def test_diff_keeps_values_only_for_ordinary_fields():
    changes = diff({"name": "Anna", "role": "viewer", "same": 1},
                   {"name": "Anne", "role": "editor", "same": 1}, personal_fields={"name"})
    assert changes == {"name": {}, "role": {"old": "viewer", "new": "editor"}}


def test_admin_account_changes_are_audited_without_personal_values(client, login_as):
    admin = login_as("admin")
    response = client.submit("/admin/accounts/new", {
        "name": "Fatima Yilmaz", "email": "fatima@koers.example", "role": "viewer"})
    assert response.status_code == 200
    from app.auth.services import get_by_email

    user = get_by_email("fatima@koers.example")
    client.submit(f"/admin/accounts/{user.id}", {
        "name": "Fatima Yilmaz-de Boer", "email": "fatima@koers.example", "role": "editor",
        "version": str(user.version)})
    client.submit(f"/admin/accounts/{user.id}/reset-password")
    client.submit(f"/admin/accounts/{user.id}/active", {"active": "0"})
    client.submit(f"/admin/accounts/{user.id}/active", {"active": "1"})

    events = events_for(user)
    assert [e.action for e in events] == [
        "create", "update", "reset_password", "deactivate", "reactivate"]
    assert all(e.actor_id == admin.id for e in events)
    update = events[1]
    assert update.changes == {"name": {}, "role": {"old": "viewer", "new": "editor"}}
    serialised = str([e.changes for e in events])
    assert "Fatima" not in serialised and "fatima@" not in serialised
    assert "password_hash" not in serialised


def test_audit_page_lists_the_changes(client, login_as):
    login_as("admin")
    page = client.get("/admin/audit/?entity_type=users").get_data(as_text=True)
    assert ("users" in page and "created" in page) or "aangemaakt" in page


def test_orm_refuses_to_change_or_delete_events(app, make_user):
    user = make_user()
    event = audit("test", user)
    db.session.commit()
    event.action = "tampered"
    with pytest.raises(AuditTrailIsAppendOnly):
        db.session.commit()
    db.session.rollback()
    db.session.delete(db.session.get(AuditEvent, event.id))
    with pytest.raises(AuditTrailIsAppendOnly):
        db.session.commit()
    db.session.rollback()


def test_database_refuses_to_change_or_delete_events(app, make_user):
    make_user()
    for statement in ("UPDATE audit_events SET action = 'x'", "DELETE FROM audit_events"):
        with pytest.raises(sa.exc.DatabaseError, match="append-only"), db.engine.begin() as c:
            c.execute(sa.text(statement))
    assert db.session.scalar(select(sa.func.count(AuditEvent.id))) == 1


def test_audit_commits_or_rolls_back_with_the_change(app, make_user):
    user = make_user()
    before = len(events_for(user))
    user.role = "admin"
    audit("update", user, changes={"role": {"old": "viewer", "new": "admin"}})
    db.session.rollback()
    assert len(events_for(user)) == before
