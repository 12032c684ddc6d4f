"""``audit(...)``: the one way every feature records a change.

The event is added to the current session, so it commits or rolls back together with the change
it describes. Values are recorded only for ordinary fields; for personal data and resident
input only the field name is kept, so erasing a person later leaves nothing behind here.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from flask import has_request_context
from sqlalchemy import insert, inspect, select
from sqlalchemy.orm import Session

from app.audit.models import AuditEvent
from app.database import db, utcnow
from app.edits import current_actor


def _json_value(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)


def _json_changes(changes: Mapping[str, Any] | None) -> dict[str, Any]:
    """``changes`` with dates, amounts and codes as JSON values, so callers may pass them."""
    return {key: {part: _json_value(value) for part, value in entry.items()}
            if isinstance(entry, Mapping) else _json_value(entry)
            for key, entry in (changes or {}).items()}


def diff(old: Mapping[str, Any], new: Mapping[str, Any],
         personal_fields: Iterable[str] = ()) -> dict[str, dict[str, Any]]:
    """The fields whose value differs, with values only for non-personal fields."""
    personal = set(personal_fields)
    changes: dict[str, dict[str, Any]] = {}
    for key in sorted(set(old) | set(new)):
        before, after = old.get(key), new.get(key)
        if before == after:
            continue
        changes[key] = {} if key in personal else {"old": _json_value(before),
                                                   "new": _json_value(after)}
    return changes


def column_values(instance: Any, secret_fields: Iterable[str] = ()) -> dict[str, Any]:
    """The current values of a model instance's columns, secret fields (hashes) left out."""
    secret = set(secret_fields)
    return {attribute.key: getattr(instance, attribute.key)
            for attribute in inspect(instance).mapper.column_attrs
            if attribute.key not in secret}


@contextmanager
def recorded_changes(instance: Any, personal_fields: Iterable[str] = (),
                     secret_fields: Iterable[str] = ()) -> Iterator[dict[str, Any]]:
    """``with recorded_changes(obj) as changes: …edit obj…`` fills ``changes`` in
    :func:`diff` form. Snapshots, not ORM history, so autoflush in between cannot hide a change."""
    before = column_values(instance, secret_fields)
    changes: dict[str, Any] = {}
    yield changes
    changes.update(diff(before, column_values(instance, secret_fields), personal_fields))


def entity_key(entity: Any) -> tuple[str, str]:
    """(type, id) for a model instance, or a given pair unchanged."""
    if isinstance(entity, tuple):
        return str(entity[0]), str(entity[1])
    state = inspect(entity)
    identity = state.identity
    if identity is None:
        raise ValueError("flush the entity before auditing it, so it has an id")
    return entity.__tablename__, ":".join(str(part) for part in identity)


def audit(action: str, entity: Any, *, changes: Mapping[str, Any] | None = None,
          actor: Any = None, source: str | None = None,
          session: Session | None = None) -> AuditEvent:
    """Record ``action`` on ``entity`` by ``actor``. The core always passes the actor (views
    give ``current_actor()``, jobs the account that started them); the default, the signed-in
    account through the same ``current_actor()``, is kept for plugins written against 1.0."""
    if actor is None:
        actor = current_actor()
    entity_type, entity_id = entity_key(entity)
    event = AuditEvent(
        actor_id=getattr(actor, "id", None),
        source=source or ("web" if has_request_context() else "cli"),
        entity_type=entity_type,
        entity_id=entity_id,
        action=action,
        changes=_json_changes(changes),
    )
    (session or db.session).add(event)
    return event


def audit_many(action: str, entries: Iterable[tuple[Any, Mapping[str, Any]]], *,
               actor: Any = None, source: str | None = None) -> int:
    """:func:`audit` for many (entity, changes) at once, as plain rows in one statement: for
    imports, where thousands of ORM objects would cost more than the import itself."""
    if actor is None:
        actor = current_actor()
    common = {"actor_id": getattr(actor, "id", None), "action": action,
              "source": source or ("web" if has_request_context() else "cli"),
              "occurred_at": utcnow()}
    rows = [{**common, "entity_type": entity_type, "entity_id": entity_id,
             "changes": _json_changes(changes)}
            for entity, changes in entries
            for entity_type, entity_id in [entity_key(entity)]]
    if rows:
        db.session.execute(insert(AuditEvent.__table__), rows)
    return len(rows)


def events_query(entity_type: str | None = None, entity_id: str | None = None):
    """The audit trail, newest first, optionally for one entity."""
    query = select(AuditEvent).order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
    if entity_type:
        query = query.where(AuditEvent.entity_type == entity_type)
    if entity_id:
        query = query.where(AuditEvent.entity_id == entity_id)
    return query
