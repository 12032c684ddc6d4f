"""The nota's staff-written summary per theme

Revision ID: 0012_nota_summaries
Revises: 0011_suggested_groups
Create Date: 2026-12-04 09:30:00
"""
import sqlalchemy as sa
from alembic import op

revision = "0012_nota_summaries"
down_revision = "0011_suggested_groups"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "consultation_theme_summaries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("consultation_id", sa.Integer(), nullable=False),
        sa.Column("theme_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["consultation_id"], ["consultations.id"],
            name=op.f("fk_consultation_theme_summaries_consultation_id_consultations")),
        sa.ForeignKeyConstraint(
            ["theme_id"], ["plan_themes.id"],
            name=op.f("fk_consultation_theme_summaries_theme_id_plan_themes")),
        sa.ForeignKeyConstraint(
            ["updated_by_id"], ["users.id"],
            name=op.f("fk_consultation_theme_summaries_updated_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consultation_theme_summaries")),
        sa.UniqueConstraint("consultation_id", "theme_id",
                            name="uq_consultation_theme_summaries"),
    )
    with op.batch_alter_table("consultation_theme_summaries", schema=None) as batch_op:
        batch_op.create_index("ix_consultation_theme_summaries_theme_id", ["theme_id"],
                              unique=False)


def downgrade():
    with op.batch_alter_table("consultation_theme_summaries", schema=None) as batch_op:
        batch_op.drop_index("ix_consultation_theme_summaries_theme_id")
    op.drop_table("consultation_theme_summaries")
