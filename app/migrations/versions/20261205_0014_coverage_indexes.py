"""Indexes the coverage view reads alone, without the rows of the inputs

Revision ID: 0014_coverage_indexes
Revises: 0013_nota_due_date
Create Date: 2026-12-05 17:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = "0014_coverage_indexes"
down_revision = "0013_nota_due_date"
branch_labels = None
depends_on = None

TRACED = sa.text("used_in IS NOT NULL")


def upgrade():
    op.create_index("ix_consultation_inputs_coverage", "consultation_inputs",
                    ["consultation_id", "participant_group", "kind", "processed", "id"])
    op.create_index("ix_consultation_inputs_traced", "consultation_inputs",
                    ["consultation_id", "used_in", "used_section_id", "used_action_id",
                     "used_theme_id"], sqlite_where=TRACED, postgresql_where=TRACED)


def downgrade():
    op.drop_index("ix_consultation_inputs_traced", table_name="consultation_inputs")
    op.drop_index("ix_consultation_inputs_coverage", table_name="consultation_inputs")
