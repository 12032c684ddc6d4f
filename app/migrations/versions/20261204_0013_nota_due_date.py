"""The day the nota van beantwoording is due (the answers' deadline of a comment period)

Revision ID: 0013_nota_due_date
Revises: 0012_nota_summaries
Create Date: 2026-12-04 19:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = "0013_nota_due_date"
down_revision = "0012_nota_summaries"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("consultations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("nota_due_on", sa.Date(), nullable=True))


def downgrade():
    with op.batch_alter_table("consultations", schema=None) as batch_op:
        batch_op.drop_column("nota_due_on")
