"""Meeting input traced to the plan, meeting reports and attendee feedback

Revision ID: 0010_meeting_reports
Revises: 0009_search
Create Date: 2026-12-04 09:30:00

What processing did with a post-it: taken into a section, an action or a theme's goals, or
not used with a reason (``consultation_inputs``); the kind of a feedback mailing (feedback on
inputs, or an attendee's meeting feedback); the table an attendee sat at.
"""
import sqlalchemy as sa
from alembic import op

revision = "0010_meeting_reports"
down_revision = "0009_search"
branch_labels = None
depends_on = None

TARGETS = (("used_section_id", "plan_sections"), ("used_action_id", "plan_actions"),
           ("used_theme_id", "plan_themes"))


def upgrade():
    with op.batch_alter_table("consultation_inputs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("used_in", sa.String(length=16), nullable=True))
        for column, table in TARGETS:
            batch_op.add_column(sa.Column(column, sa.Integer(), nullable=True))
            batch_op.create_foreign_key(f"fk_consultation_inputs_{column}_{table}", table,
                                        [column], ["id"])
            batch_op.create_index(f"ix_consultation_inputs_{column}", [column], unique=False)
        batch_op.add_column(sa.Column("not_used_reason", sa.Text(), nullable=True))
    with op.batch_alter_table("consultation_feedback_mailings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("kind", sa.String(length=16), nullable=False,
                                      server_default="inputs"))
    with op.batch_alter_table("consultation_registrations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("table_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            "fk_consultation_registrations_table_id_consultation_tables",
            "consultation_tables", ["table_id"], ["id"])
        batch_op.create_index("ix_consultation_registrations_table_id", ["table_id"],
                              unique=False)


def downgrade():
    with op.batch_alter_table("consultation_registrations", schema=None) as batch_op:
        batch_op.drop_index("ix_consultation_registrations_table_id")
        batch_op.drop_constraint("fk_consultation_registrations_table_id_consultation_tables",
                                 type_="foreignkey")
        batch_op.drop_column("table_id")
    with op.batch_alter_table("consultation_feedback_mailings", schema=None) as batch_op:
        batch_op.drop_column("kind")
    with op.batch_alter_table("consultation_inputs", schema=None) as batch_op:
        batch_op.drop_column("not_used_reason")
        for column, table in reversed(TARGETS):
            batch_op.drop_index(f"ix_consultation_inputs_{column}")
            batch_op.drop_constraint(f"fk_consultation_inputs_{column}_{table}",
                                     type_="foreignkey")
            batch_op.drop_column(column)
        batch_op.drop_column("used_in")
