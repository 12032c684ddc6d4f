"""testplugin: notes.

Revision ID: tp0001_notes
Revises:
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "tp0001_notes"
down_revision = None
branch_labels = ("testplugin",)
depends_on = "0001_foundation"


def upgrade():
    op.create_table(
        "testplugin_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("text", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_testplugin_notes")),
    )


def downgrade():
    op.drop_table("testplugin_notes")
