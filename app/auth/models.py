from __future__ import annotations

import secrets
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, CheckConstraint, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.database import UTCDateTime, db, utcnow
from app.permissions import Role


def new_session_token() -> str:
    return secrets.token_urlsafe(24)


class User(UserMixin, db.Model):
    """A staff member. Never deleted (deactivated instead), so the audit trail keeps names."""

    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint("role in ('admin', 'editor', 'viewer')", name="role_known"),
    )
    #: Fields that hold personal data: the audit trail records that they changed, not values.
    personal_fields = frozenset({"email", "name"})

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16), default=Role.VIEWER.value)
    locale: Mapped[str | None] = mapped_column(String(8))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False)
    # Part of the login cookie; rotating it ends every other session of this user.
    session_token: Mapped[str] = mapped_column(String(64), default=new_session_token)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    password_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Counts administrators' changes to the account (name, e-mail, role, access, password
    #: reset) for the account form's conflict check. Not a version_id_col: a sign-in or a
    #: language choice must never make an administrator's form stale, nor fail on one.
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    @property
    def is_active(self) -> bool:  # type: ignore[override]
        return self.active

    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}"

    def __repr__(self) -> str:
        return f"<User {self.id} {self.role}>"


class LoginFailure(db.Model):
    """One failed sign-in, counted per e-mail address and per client address by the login
    throttle when Redis is not configured or not reachable: the database is shared by every
    web process and container, so the limits hold across them. Only a keyed hash of the
    address is kept, never the address itself."""

    __tablename__ = "login_failures"
    __table_args__ = (
        Index("ix_login_failures_lookup", "scope", "key_hash", "failed_at"),
        Index("ix_login_failures_failed_at", "failed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    scope: Mapped[str] = mapped_column(String(16))
    key_hash: Mapped[str] = mapped_column(String(64))
    failed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
