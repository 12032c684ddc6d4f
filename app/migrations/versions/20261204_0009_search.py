"""Search everywhere: the full-text index (FTS5 on SQLite, tsvector with the dutch configuration on PostgreSQL)

Revision ID: 0009_search
Revises: 0008_answer_workspace
Create Date: 2026-12-04 09:30:00

The index is derived data: after upgrading, ``koers search reindex`` fills it.
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0009_search"
down_revision = "0008_answer_workspace"
branch_labels = None
depends_on = None


def upgrade():
    postgres = op.get_bind().dialect.name == "postgresql"
    op.create_table(
        "search_documents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=True),
        sa.Column("consultation_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("terms", postgresql.TSVECTOR() if postgres else sa.Text(), nullable=True),
        sa.Column("title_terms", postgresql.TSVECTOR() if postgres else sa.Text(),
                  nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_search_documents")),
        sa.UniqueConstraint("kind", "record_id", name="uq_search_documents_record"),
    )
    op.create_index("ix_search_documents_plan_id", "search_documents", ["plan_id"])
    op.create_index("ix_search_documents_consultation_id", "search_documents",
                    ["consultation_id"])
    if postgres:
        op.create_index("ix_search_documents_terms", "search_documents", ["terms"],
                        postgresql_using="gin")
        # The title's words alone: a search ranks every document whose title matches.
        op.create_index("ix_search_documents_title_terms", "search_documents", ["title_terms"],
                        postgresql_using="gin")
    else:
        # Folded, stemmed words (app.search.text) and filter words (kind, plan,
        # consultation); rowid = search_documents.id.
        op.execute("CREATE VIRTUAL TABLE search_fts USING fts5(title, body, tags, "
                   "tokenize = 'unicode61 remove_diacritics 2')")


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        op.execute("DROP TABLE search_fts")
    else:
        op.drop_index("ix_search_documents_title_terms", table_name="search_documents")
        op.drop_index("ix_search_documents_terms", table_name="search_documents")
    op.drop_index("ix_search_documents_consultation_id", table_name="search_documents")
    op.drop_index("ix_search_documents_plan_id", table_name="search_documents")
    op.drop_table("search_documents")
