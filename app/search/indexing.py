"""Keeping the index current: a session event writes the documents of every indexed record a
flush created, changed or deleted, in the same transaction — so forms, imports, jobs, the demo
and plugins all keep it current without knowing it. ORM bulk UPDATE/DELETE statements on an
indexed model are followed too. ``reindex`` rebuilds everything (``koers search reindex``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from sqlalchemy import event, inspect, select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import ORMExecuteState, Session

from app.search.backends import backend_for
from app.search.documents import BY_KIND, BY_MODEL, KINDS, Source, all_ids, documents, members_of
from app.stakeholders.models import Membership, Stakeholder

Changes = dict[str, set[int]]


def _source(obj: Any) -> Source | None:
    for cls in type(obj).__mro__:
        if cls in BY_MODEL:
            return BY_MODEL[cls]
    return None


def _touched(obj: Any, fields: frozenset[str]) -> bool:
    state = inspect(obj)
    return any(state.attrs[name].history.has_changes() for name in fields
               if name in state.attrs)


def _collect(session: Session) -> tuple[Changes, Changes, set[int]]:
    """Records to (re)index, records removed, organisations renamed (their members' documents
    name them)."""
    changed: Changes = defaultdict(set)
    removed: Changes = defaultdict(set)
    organisations: set[int] = set()
    for obj in session.new:
        if (source := _source(obj)) is not None:
            changed[source.kind].add(obj.id)
        elif isinstance(obj, Membership):
            changed["stakeholder"].add(obj.person_id)
    for obj in session.dirty:
        source = _source(obj)
        if source is not None and _touched(obj, source.fields):
            changed[source.kind].add(obj.id)
            if isinstance(obj, Stakeholder) and not obj.is_person:
                organisations.add(obj.id)
        elif isinstance(obj, Membership):
            changed["stakeholder"].add(obj.person_id)
    for obj in session.deleted:
        if (source := _source(obj)) is not None:
            removed[source.kind].add(obj.id)
        elif isinstance(obj, Membership):
            changed["stakeholder"].add(obj.person_id)
    return changed, removed, organisations


def refresh(connection: Connection, changed: Changes, removed: Changes | None = None) -> None:
    """Rewrite the documents of the changed records and drop those of removed ones."""
    records: Changes = defaultdict(set)
    for kind, ids in [*changed.items(), *(removed or {}).items()]:
        records[kind] |= ids
    records = {kind: ids for kind, ids in records.items() if ids}
    if not records:
        return
    found = [document for kind, ids in changed.items() if ids
             for document in documents(connection, kind, ids)]
    backend_for(connection.dialect.name).replace(connection, records, found)


def _erasing(session: Session) -> bool:
    """Whether this flush erases a person (their name must leave the index's storage too)."""
    return any(isinstance(obj, Stakeholder) and obj.anonymised_at is not None
               and inspect(obj).attrs["anonymised_at"].history.has_changes()
               for obj in session.dirty)


def _after_flush(session: Session, _context: Any) -> None:
    changed, removed, organisations = _collect(session)
    if not changed and not removed:
        return
    connection = session.connection()
    if organisations:
        changed["stakeholder"].update(members_of(connection, organisations))
    for kind, ids in removed.items():
        changed[kind] -= ids
    refresh(connection, changed, removed)
    if _erasing(session):
        backend_for(connection.dialect.name).purge(connection)


def _bulk_statement(state: ORMExecuteState) -> Any:
    """An ORM ``update(Model)``/``delete(Model)`` on an indexed model: the records it touches
    are re-read (or dropped) after it runs."""
    if not (state.is_update or state.is_delete) or state.bind_mapper is None:
        return None
    source = BY_MODEL.get(state.bind_mapper.class_)
    if source is None:
        return None
    statement: Any = state.statement
    if state.is_update:
        names = {getattr(key, "key", key) for key in (getattr(statement, "_values", None) or {})}
        if names and not names & source.fields:
            return None
    model: Any = source.model
    ids = set(state.session.execute(select(model.id).where(
        *([statement.whereclause] if statement.whereclause is not None else []))).scalars())
    result = state.invoke_statement()
    connection = state.session.connection()
    if state.is_delete:
        refresh(connection, {}, {source.kind: ids})
    else:
        refresh(connection, {source.kind: ids})
    return result


_installed: set[int] = set()


def install(session_factory: Any) -> None:
    """Listen to flushes and bulk statements of the application's sessions (once)."""
    if id(session_factory) in _installed:
        return
    _installed.add(id(session_factory))
    event.listen(session_factory, "after_flush", _after_flush)
    event.listen(session_factory, "do_orm_execute", _bulk_statement)


def reindex(connection: Connection, kinds: Iterable[str] = KINDS, batch: int = 2000,
            progress: Any = None) -> dict[str, int]:
    """Rebuild the index of these kinds from the records; returns documents written per kind.
    Clears everything first when all kinds are rebuilt; refreshes the planner's statistics."""
    backend = backend_for(connection.dialect.name)
    kinds = list(kinds)
    if set(kinds) == set(KINDS):
        backend.clear(connection)
    counts: dict[str, int] = {}
    for kind in kinds:
        if kind not in BY_KIND:
            raise ValueError(f"unknown kind of search document: {kind}")
        counts[kind], after = 0, 0
        while ids := all_ids(connection, kind, after, batch):
            found = list(documents(connection, kind, ids))
            backend.replace(connection, {kind: set(ids)}, found)
            counts[kind] += len(found)
            after = ids[-1]
            if progress is not None:
                progress(kind, counts[kind])
    backend.analyze(connection)
    return counts
