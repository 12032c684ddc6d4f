"""The two search backends behind one interface: PostgreSQL (``dutch`` text search over a
``tsvector`` column with a GIN index) and SQLite (an FTS5 table of words stemmed in Python).

Both receive the same accent-folded text and the same query terms (:mod:`app.search.text`),
so they find the same records; each ranks with its own machinery (``ts_rank`` / ``bm25``),
titles weighing more than bodies. Both count matches up to :data:`COUNT_LIMIT` only: a search
finding more says "more than 1000" and pages through the first 1000.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    bindparam,
    column,
    delete,
    func,
    insert,
    literal_column,
    select,
    table,
    union,
)
from sqlalchemy.engine import Connection, Row

from app.search.documents import Document
from app.search.models import SearchDocument
from app.search.text import Term, fold, stemmed

DOCS = SearchDocument.__table__
FTS = table("search_fts", column("rowid"), column("title"), column("body"), column("tags"),
            column("search_fts"))
DUTCH = literal_column("'dutch'::regconfig")
#: Matches are counted up to this many; beyond it the count is ``COUNT_LIMIT + 1`` ("more").
COUNT_LIMIT = 1000
#: PostgreSQL ranks at most this many body matches (the newest) plus every title match: ranking
#: all 30,000 matches of a very common word reads each one's tsvector (40-90 ms).
RANKED = 2000
COLUMNS = (DOCS.c.id, DOCS.c.kind, DOCS.c.record_id, DOCS.c.plan_id, DOCS.c.consultation_id,
           DOCS.c.title, DOCS.c.body)


@dataclass(frozen=True)
class Filters:
    """What a search is narrowed to: kinds (empty: all allowed), a plan, a consultation."""

    kinds: Sequence[str] = ()
    plan_id: int | None = None
    consultation_id: int | None = None
    hidden_kinds: Sequence[str] = field(default=())


class Backend:
    """Writes documents and finds them; one subclass per database."""

    def replace(self, connection: Connection, records: dict[str, set[int]],
                documents: Sequence[Document]) -> None:
        """Remove the documents of these records and write ``documents`` (their new ones)."""
        raise NotImplementedError

    def clear(self, connection: Connection) -> None:
        raise NotImplementedError

    def purge(self, connection: Connection) -> None:
        """Remove what deleted documents leave in the index's storage (after an erasure)."""

    def analyze(self, connection: Connection) -> None:
        """Refresh the planner's statistics of the index (after a rebuild)."""

    def matching(self, terms: list[Term], filters: Filters) -> ColumnElement[bool]:
        """A condition on ``search_documents``: the documents matching all terms and the
        filters."""
        raise NotImplementedError

    def search(self, connection: Connection, terms: list[Term], filters: Filters,
               limit: int, offset: int) -> tuple[int, list[Row]]:
        """The number of matching documents (at most ``COUNT_LIMIT + 1``: more than
        ``COUNT_LIMIT``) and one page of them, best first."""
        raise NotImplementedError

    def _delete_records(self, connection: Connection, records: dict[str, set[int]]) -> None:
        for kind, ids in records.items():
            ordered = sorted(ids)
            for start in range(0, len(ordered), 500):
                self._delete(connection, DOCS.c.kind == kind,
                             DOCS.c.record_id.in_(ordered[start:start + 500]))

    def _delete(self, connection: Connection, *where: ColumnElement[bool]) -> None:
        connection.execute(delete(DOCS).where(*where))


def _filters(filters: Filters) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    if filters.kinds:
        where.append(DOCS.c.kind.in_(list(filters.kinds)))
    if filters.hidden_kinds:
        where.append(DOCS.c.kind.not_in(list(filters.hidden_kinds)))
    if filters.plan_id is not None:
        where.append(DOCS.c.plan_id == filters.plan_id)
    if filters.consultation_id is not None:
        where.append(DOCS.c.consultation_id == filters.consultation_id)
    return where


class PostgresBackend(Backend):
    """``to_tsvector('dutch', folded text)``: title weighted A, body B, in ``terms`` under a GIN
    index; the title's words alone in ``title_terms`` under a second GIN index.

    A search ranks (``ts_rank``) a bounded set of candidates in one statement that also counts
    them: every match when there are at most :data:`RANKED`, else the newest ``RANKED`` matches
    plus every document whose title matches (titles outrank bodies, so these must compete).
    The count of candidates is exact up to ``RANKED`` and so tells "more than COUNT_LIMIT"."""

    def replace(self, connection: Connection, records: dict[str, set[int]],
                documents: Sequence[Document]) -> None:
        self._delete_records(connection, records)
        if not documents:
            return
        title = func.to_tsvector(DUTCH, bindparam("folded_title"))
        terms = func.setweight(title, literal_column("'A'")).op("||")(
            func.setweight(func.to_tsvector(DUTCH, bindparam("folded_body")),
                           literal_column("'B'")))
        statement = insert(DOCS).values(
            kind=bindparam("kind"), record_id=bindparam("record_id"),
            plan_id=bindparam("plan_id"), consultation_id=bindparam("consultation_id"),
            title=bindparam("title"), body=bindparam("body"), terms=terms, title_terms=title)
        rows = [document.values() for document in documents]
        for row in rows:
            row["folded_title"], row["folded_body"] = fold(row["title"]), fold(row["body"])
        connection.execute(statement, rows)

    def clear(self, connection: Connection) -> None:
        connection.execute(delete(DOCS))

    def analyze(self, connection: Connection) -> None:
        # How common each word is decides between reading the newest rows and the GIN index.
        connection.exec_driver_sql("ANALYZE search_documents")

    @staticmethod
    def _query(terms: list[Term]) -> ColumnElement:
        # Words are letters and digits only (app.search.text), so the tsquery is well formed.
        text = " & ".join(f"{t.word}:*" if t.prefix else t.word for t in terms)
        return func.to_tsquery(DUTCH, text)

    def matching(self, terms: list[Term], filters: Filters) -> ColumnElement[bool]:
        return and_(DOCS.c.terms.op("@@")(self._query(terms)), *_filters(filters))

    def search(self, connection: Connection, terms: list[Term], filters: Filters,
               limit: int, offset: int) -> tuple[int, list[Row]]:
        query = self._query(terms)
        rank = func.ts_rank(DOCS.c.terms, query).label("rank")
        # Newest first: for a common word the primary key is read backwards until RANKED
        # matches are found (a few thousand rows), for a rare one the GIN index finds them all.
        # The order makes the candidates, and so the pages, the same on every request.
        newest = (select(DOCS.c.id, rank).where(self.matching(terms, filters))
                  .order_by(DOCS.c.id.desc()).limit(RANKED))
        titled = (select(DOCS.c.id, rank)
                  .where(DOCS.c.title_terms.op("@@")(query), *_filters(filters))
                  .order_by(DOCS.c.id.desc()).limit(RANKED))
        candidates = union(newest, titled).subquery("candidates")
        best = (select(candidates.c.id, candidates.c.rank,
                       func.count().over().label("total"))
                .order_by(candidates.c.rank.desc(), candidates.c.id)
                .limit(limit).offset(offset).subquery("best"))
        # Only the page's rows (title, body for the snippets) are read after ranking.
        rows = connection.execute(
            select(*COLUMNS, best.c.rank, best.c.total).join(best, best.c.id == DOCS.c.id)
            .order_by(best.c.rank.desc(), DOCS.c.id)).all()
        if rows:
            return min(rows[0].total, COUNT_LIMIT + 1), list(rows)
        if not offset:
            return 0, []
        # A page past the end: count on its own.
        return _capped_count(connection, select(DOCS.c.id).where(
            self.matching(terms, filters))), []


class SQLiteBackend(Backend):
    """FTS5 over the folded, stemmed words; ``bm25`` with titles weighing four times.

    The filters are words too, in a third column ``tags`` (``kinput p3 c12``: kind, plan,
    consultation), so that counting and ranking never leave the full-text index; the page's
    rows alone are then read from ``search_documents``."""

    def replace(self, connection: Connection, records: dict[str, set[int]],
                documents: Sequence[Document]) -> None:
        for kind, ids in records.items():
            ordered = sorted(ids)
            for start in range(0, len(ordered), 500):
                old = select(DOCS.c.id).where(DOCS.c.kind == kind,
                                              DOCS.c.record_id.in_(ordered[start:start + 500]))
                connection.execute(delete(FTS).where(FTS.c.rowid.in_(old)))
        self._delete_records(connection, records)
        if not documents:
            return
        created = connection.execute(
            insert(DOCS).returning(DOCS.c.id, sort_by_parameter_order=True),
            [document.values() for document in documents]).scalars().all()
        connection.execute(insert(FTS), [
            {"rowid": doc_id, "title": stemmed(document.title), "body": stemmed(document.body),
             "tags": _tags(document.kind, document.plan_id, document.consultation_id)}
            for doc_id, document in zip(created, documents, strict=True)])

    def clear(self, connection: Connection) -> None:
        connection.execute(delete(FTS))
        connection.execute(delete(DOCS))

    def purge(self, connection: Connection) -> None:
        # FTS5 deletes by adding delete markers; the old words stay in earlier segments until
        # they are merged. 'optimize' merges them all now (secure_delete clears freed pages).
        connection.exec_driver_sql("INSERT INTO search_fts(search_fts) VALUES ('optimize')")

    @staticmethod
    def _query(terms: list[Term], filters: Filters) -> str:
        # Stems are letters and digits only, quoted: no FTS5 operator can slip in.
        words = " ".join(f'"{t.stem}"*' if t.prefix else f'"{t.stem}"' for t in terms)
        query = f"{{title body}} : ({words})"
        if filters.kinds:
            query += " AND tags : (" + " OR ".join(
                f'"{_tags(kind)}"' for kind in filters.kinds) + ")"
        for kind in filters.hidden_kinds:
            query += f' NOT tags : "{_tags(kind)}"'
        if filters.plan_id is not None:
            query += f' AND tags : "p{int(filters.plan_id)}"'
        if filters.consultation_id is not None:
            query += f' AND tags : "c{int(filters.consultation_id)}"'
        return query

    def matching(self, terms: list[Term], filters: Filters) -> ColumnElement[bool]:
        return DOCS.c.id.in_(select(FTS.c.rowid).where(
            FTS.c.search_fts.match(self._query(terms, filters))))

    def search(self, connection: Connection, terms: list[Term], filters: Filters,
               limit: int, offset: int) -> tuple[int, list[Row]]:
        match = FTS.c.search_fts.match(self._query(terms, filters))
        total = _capped_count(connection, select(FTS.c.rowid).where(match))
        if not total or offset >= total:
            return total, []
        # bm25: lower is better; negated so that, as on PostgreSQL, higher ranks first. The
        # ranking sorts ids only; the page's texts are read for its rows alone.
        rank = (-func.bm25(literal_column("search_fts"), 4.0, 1.0, 0.0)).label("rank")
        best = (select(FTS.c.rowid.label("id"), rank).where(match)
                .order_by(rank.desc(), FTS.c.rowid).limit(limit).offset(offset).subquery())
        rows = connection.execute(
            select(*COLUMNS, best.c.rank).join(best, best.c.id == DOCS.c.id)
            .order_by(best.c.rank.desc(), DOCS.c.id)).all()
        return total, list(rows)


def _capped_count(connection: Connection, matches: Select) -> int:
    """How many rows ``matches`` selects, at most ``COUNT_LIMIT + 1`` (reading no more)."""
    limited = matches.limit(COUNT_LIMIT + 1).subquery()
    return connection.scalar(select(func.count()).select_from(limited)) or 0


def _tags(kind: str, plan_id: int | None = None, consultation_id: int | None = None) -> str:
    """The filter words of a document (SQLite): ``kinput p3 c12``."""
    tags = [f"k{kind}"]
    if plan_id is not None:
        tags.append(f"p{plan_id}")
    if consultation_id is not None:
        tags.append(f"c{consultation_id}")
    return " ".join(tags)


_BACKENDS: dict[str, Backend] = {"postgresql": PostgresBackend(), "sqlite": SQLiteBackend()}


def backend_for(dialect_name: str) -> Backend:
    """The backend for a database; other databases are not supported by Koers."""
    return _BACKENDS[dialect_name]

