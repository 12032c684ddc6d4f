"""The search index: one document per indexed record (derived data, rebuilt by ``koers search
reindex``).

``title`` and ``body`` are the record's text as shown in results; what is searched is derived
from them by the backend (:mod:`app.search.backends`): on PostgreSQL the ``terms`` column, a
``tsvector`` of the accent-folded text with the ``dutch`` configuration (title weighted A, body
B) under a GIN index, and ``title_terms``, the title's words alone under a second GIN index (a
search ranks every title match, see the backend); on SQLite the FTS5 table ``search_fts``
holding the folded, stemmed words (rowid = the document's id), and ``terms`` and
``title_terms`` stay empty. Neither the GIN indexes nor the FTS5 table is in the metadata (they
exist on one database only): the table's ``info["unmodelled"]`` names them so schema
comparisons leave them alone.
"""

from __future__ import annotations

from sqlalchemy import Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.dialects.postgresql import TSVECTOR
from sqlalchemy.orm import Mapped, mapped_column

from app.database import db

#: The FTS5 table on SQLite and its shadow tables; the GIN indexes on PostgreSQL.
UNMODELLED = ("search_fts", "search_fts_data", "search_fts_idx", "search_fts_content",
              "search_fts_docsize", "search_fts_config", "ix_search_documents_terms",
              "ix_search_documents_title_terms")


class SearchDocument(db.Model):
    """One record's text in the index: a plan, section, theme, action, consultation, input,
    answer or stakeholder (``kind`` + ``record_id``), with the plan (and consultation) it
    belongs to for filtering."""

    __tablename__ = "search_documents"
    __table_args__ = (
        UniqueConstraint("kind", "record_id", name="uq_search_documents_record"),
        Index("ix_search_documents_plan_id", "plan_id"),
        Index("ix_search_documents_consultation_id", "consultation_id"),
        {"info": {"unmodelled": UNMODELLED}},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    record_id: Mapped[int] = mapped_column(Integer)
    plan_id: Mapped[int | None] = mapped_column(Integer)
    consultation_id: Mapped[int | None] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(Text, default="")
    body: Mapped[str] = mapped_column(Text, default="")
    terms: Mapped[str | None] = mapped_column(TSVECTOR().with_variant(Text(), "sqlite"))
    title_terms: Mapped[str | None] = mapped_column(TSVECTOR().with_variant(Text(), "sqlite"))
