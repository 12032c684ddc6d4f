"""testplugin: mentions of stakeholders.

Revision ID: tp0002_mentions
Revises: tp0001_notes
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "tp0002_mentions"
down_revision = "tp0001_notes"
branch_labels = None
depends_on = "0002_stakeholders"


def upgrade():
    op.create_table(
        "testplugin_mentions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("stakeholder_id", sa.Integer(), nullable=False),
        sa.Column("remark", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(["stakeholder_id"], ["stakeholders.id"],
                                name=op.f("fk_testplugin_mentions_stakeholder_id_stakeholders")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_testplugin_mentions")),
    )
    op.create_index(op.f("ix_testplugin_mentions_stakeholder_id"), "testplugin_mentions",
                    ["stakeholder_id"])


def downgrade():
    op.drop_index(op.f("ix_testplugin_mentions_stakeholder_id"), table_name="testplugin_mentions")
    op.drop_table("testplugin_mentions")
