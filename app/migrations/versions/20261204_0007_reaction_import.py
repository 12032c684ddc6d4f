"""Reaction import: where an imported input came from (a message id or a file row), so the same message is never imported twice

Revision ID: 0007_reaction_import
Revises: 0006_reliability
Create Date: 2026-12-04 09:30:00
"""
import sqlalchemy as sa
from alembic import op

revision = "0007_reaction_import"
down_revision = "0006_reliability"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("consultation_inputs") as batch:
        batch.add_column(sa.Column("source_ref", sa.String(length=255), nullable=True))
        batch.create_index("uq_consultation_inputs_source_ref",
                           ["consultation_id", "source_ref"], unique=True)


def downgrade():
    with op.batch_alter_table("consultation_inputs") as batch:
        batch.drop_index("uq_consultation_inputs_source_ref")
        batch.drop_column("source_ref")
