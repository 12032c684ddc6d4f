"""Answer workspace: standard answers per plan and theme, answers numbered per consultation

Revision ID: 0008_answer_workspace
Revises: 0007_reaction_import
Create Date: 2026-12-04 09:30:00

Answers given before get their numbers in the order they were given (answered_at, then id)
within their consultation; the column is then required and unique per consultation.
"""
import sqlalchemy as sa
from alembic import op

revision = "0008_answer_workspace"
down_revision = "0007_reaction_import"
branch_labels = None
depends_on = None

# Portable (SQLite and PostgreSQL): an answer's number is how many answers of its
# consultation were given before it or at the same moment with a lower id, plus itself.
BACKFILL = """
UPDATE consultation_answers SET number = (
    SELECT count(*) FROM consultation_answers AS earlier
    WHERE earlier.consultation_id = consultation_answers.consultation_id
      AND (earlier.answered_at < consultation_answers.answered_at
           OR (earlier.answered_at = consultation_answers.answered_at
               AND earlier.id <= consultation_answers.id)))
"""


def upgrade():
    op.create_table(
        "consultation_standard_answers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("theme_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("decision", sa.String(length=32), nullable=False),
        sa.Column("archived", sa.Boolean(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["plan_id"], ["plans.id"],
                                name=op.f("fk_consultation_standard_answers_plan_id_plans")),
        sa.ForeignKeyConstraint(
            ["theme_id"], ["plan_themes.id"],
            name=op.f("fk_consultation_standard_answers_theme_id_plan_themes")),
        sa.ForeignKeyConstraint(
            ["updated_by_id"], ["users.id"],
            name=op.f("fk_consultation_standard_answers_updated_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consultation_standard_answers")),
    )
    with op.batch_alter_table("consultation_standard_answers") as batch:
        batch.create_index("ix_consultation_standard_answers_plan_id",
                           ["plan_id", "archived"], unique=False)
        batch.create_index("ix_consultation_standard_answers_theme_id", ["theme_id"],
                           unique=False)
    with op.batch_alter_table("consultation_answers") as batch:
        batch.add_column(sa.Column("number", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("standard_answer_id", sa.Integer(), nullable=True))
    op.execute(BACKFILL)
    with op.batch_alter_table("consultation_answers") as batch:
        batch.alter_column("number", existing_type=sa.Integer(), nullable=False)
        batch.create_unique_constraint("uq_consultation_answers_number",
                                       ["consultation_id", "number"])
        batch.create_foreign_key(
            "fk_consultation_answers_standard_answer_id",
            "consultation_standard_answers", ["standard_answer_id"], ["id"])
        batch.create_index("ix_consultation_answers_standard_answer_id",
                           ["standard_answer_id"], unique=False)


def downgrade():
    with op.batch_alter_table("consultation_answers") as batch:
        batch.drop_index("ix_consultation_answers_standard_answer_id")
        batch.drop_constraint(
            "fk_consultation_answers_standard_answer_id",
            type_="foreignkey")
        batch.drop_constraint("uq_consultation_answers_number", type_="unique")
        batch.drop_column("standard_answer_id")
        batch.drop_column("number")
    with op.batch_alter_table("consultation_standard_answers") as batch:
        batch.drop_index("ix_consultation_standard_answers_theme_id")
        batch.drop_index("ix_consultation_standard_answers_plan_id")
    op.drop_table("consultation_standard_answers")
