"""A staff member's personal calendar feed: a secret URL a calendar app subscribes to.

Calendar apps cannot sign in, so the URL itself is the credential: a random token of 256 bits
of which only the SHA-256 is stored (a copy of the database gives no working URL). The full URL
is shown once, when it is made; a new one replaces the old at once, and revoking deletes it.
The feed holds the meetings and the last days of comment periods of the plans the staff member
owns — titles, locations and plan names only, never anything a resident wrote.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import delete, or_, select

from app.audit.services import audit
from app.auth.models import User
from app.consultations.models import CalendarFeed, Consultation
from app.database import db, utcnow
from app.plans.models import Plan

#: How far back the feed reaches: calendar apps keep what they already have.
HISTORY = timedelta(days=365)
#: At most this many events: a bound on the feed's size whatever the plans hold.
MAX_EVENTS = 1000
#: last_used_at is refreshed at most this often: calendar apps poll every few minutes.
USE_RESOLUTION = timedelta(hours=1)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def feed_of(user: User) -> CalendarFeed | None:
    return db.session.scalar(select(CalendarFeed).where(CalendarFeed.user_id == user.id))


def create_feed(user: User, *, actor: Any = None) -> str:
    """A new secret token for ``user``'s feed, replacing (and so revoking) any earlier one.
    Returns the token; only its hash is kept."""
    token = secrets.token_urlsafe(32)
    feed = feed_of(user)
    action = "calendar_feed.regenerated" if feed is not None else "calendar_feed.created"
    if feed is None:
        feed = CalendarFeed(user_id=user.id)
        db.session.add(feed)
    feed.token_hash = _hash(token)
    feed.created_at = utcnow()
    feed.last_used_at = None
    db.session.flush()
    audit(action, user, actor=actor or user)
    return token


def revoke_feed(user: User, *, actor: Any = None) -> bool:
    """Delete ``user``'s feed; its URL stops working. False when there was none."""
    removed = db.session.execute(
        delete(CalendarFeed).where(CalendarFeed.user_id == user.id)).rowcount
    if removed:
        audit("calendar_feed.revoked", user, actor=actor or user)
    return bool(removed)


def user_for_token(token: str) -> User | None:
    """The active staff member whose feed ``token`` opens, noting the use; None otherwise."""
    if not token or len(token) > 100:
        return None
    found = db.session.execute(
        select(CalendarFeed, User).join(User, User.id == CalendarFeed.user_id)
        .where(CalendarFeed.token_hash == _hash(token))).first()
    if found is None or not found.User.active:
        return None
    feed, user = found
    now = utcnow()
    if feed.last_used_at is None or now - feed.last_used_at >= USE_RESOLUTION:
        feed.last_used_at = now
    return user


def feed_consultations(user: User, today: date) -> list[tuple[Consultation, str]]:
    """(consultation, plan title) for the feed: meetings with a start and comment periods
    with a last day, of the non-archived plans ``user`` owns, not archived themselves, from
    a year back on. One query, at most :data:`MAX_EVENTS` rows (the newest first)."""
    since = today - HISTORY
    rows = db.session.execute(
        select(Consultation, Plan.title)
        .join(Plan, Plan.id == Consultation.plan_id)
        .where(Plan.owner_id == user.id, Plan.archived.is_(False),
               Consultation.archived.is_(False),
               or_(Consultation.starts_at >= datetime.combine(since, time.min, tzinfo=UTC),
                   Consultation.last_day >= since))
        .order_by(Consultation.id.desc()).limit(MAX_EVENTS)).all()
    return [(consultation, title) for consultation, title in rows]
