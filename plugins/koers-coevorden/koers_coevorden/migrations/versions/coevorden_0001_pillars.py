"""coevorden: pillar facts (main pillar, pillar budget) and indicators.

The first revision of the plugin's own branch: it carries the plugin's name as branch label
and depends on the core revision that created the plan themes it points to.

Revision ID: coevorden_0001
Revises:
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "coevorden_0001"
down_revision = None
branch_labels = ("coevorden",)
depends_on = "0003_plans"


def upgrade():
    op.create_table(
        "coevorden_pillars",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("theme_id", sa.Integer(), nullable=False),
        sa.Column("is_main", sa.Boolean(), nullable=False),
        sa.Column("budget", sa.Numeric(precision=14, scale=2), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint("budget is null or budget >= 0",
                           name=op.f("ck_coevorden_pillars_budget_not_negative")),
        sa.ForeignKeyConstraint(["theme_id"], ["plan_themes.id"],
                                name=op.f("fk_coevorden_pillars_theme_id_plan_themes")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_coevorden_pillars")),
        sa.UniqueConstraint("theme_id", name=op.f("uq_coevorden_pillars_theme_id")),
    )
    op.create_table(
        "coevorden_indicators",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("theme_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("baseline", sa.String(length=100), nullable=True),
        sa.Column("target", sa.String(length=100), nullable=True),
        sa.Column("current", sa.String(length=100), nullable=True),
        sa.Column("source", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["theme_id"], ["plan_themes.id"],
                                name=op.f("fk_coevorden_indicators_theme_id_plan_themes")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_coevorden_indicators")),
    )
    with op.batch_alter_table("coevorden_indicators") as batch_op:
        batch_op.create_index("ix_coevorden_indicators_theme_id", ["theme_id", "position"])


def downgrade():
    op.drop_table("coevorden_indicators")
    op.drop_table("coevorden_pillars")
