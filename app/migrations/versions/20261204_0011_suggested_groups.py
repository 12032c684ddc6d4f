"""Suggested groups of similar inputs, their assignment to colleagues

Revision ID: 0011_suggested_groups
Revises: 0010_meeting_reports
Create Date: 2026-12-04 09:30:00

A group of a consultation's inputs (suggested by the grouping job, or accepted by an adviser),
the colleague it is assigned to, and its members: an input is in at most one group.
"""
import sqlalchemy as sa
from alembic import op

revision = "0011_suggested_groups"
down_revision = "0010_meeting_reports"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "consultation_suggested_groups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("consultation_id", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("assigned_to_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint("status in ('suggested', 'accepted')",
                           name=op.f("ck_consultation_suggested_groups_status")),
        sa.ForeignKeyConstraint(
            ["consultation_id"], ["consultations.id"],
            name=op.f("fk_consultation_suggested_groups_consultation_id_consultations")),
        sa.ForeignKeyConstraint(
            ["assigned_to_id"], ["users.id"],
            name=op.f("fk_consultation_suggested_groups_assigned_to_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consultation_suggested_groups")),
    )
    op.create_index("ix_consultation_suggested_groups_consultation_id",
                    "consultation_suggested_groups", ["consultation_id"], unique=False)
    op.create_index("ix_consultation_suggested_groups_assigned_to_id",
                    "consultation_suggested_groups", ["assigned_to_id"], unique=False)
    op.create_table(
        "consultation_suggested_group_inputs",
        sa.Column("input_id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["input_id"], ["consultation_inputs.id"], ondelete="CASCADE",
            name=op.f("fk_consultation_suggested_group_inputs_input_id_consultation_inputs")),
        sa.ForeignKeyConstraint(
            ["group_id"], ["consultation_suggested_groups.id"], ondelete="CASCADE",
            name=op.f("fk_consultation_suggested_group_inputs_group_id_"
                      "consultation_suggested_groups")),
        sa.PrimaryKeyConstraint("input_id", name=op.f("pk_consultation_suggested_group_inputs")),
    )
    op.create_index("ix_consultation_suggested_group_inputs_group_id",
                    "consultation_suggested_group_inputs", ["group_id"], unique=False)


def downgrade():
    op.drop_index("ix_consultation_suggested_group_inputs_group_id",
                  table_name="consultation_suggested_group_inputs")
    op.drop_table("consultation_suggested_group_inputs")
    op.drop_index("ix_consultation_suggested_groups_assigned_to_id",
                  table_name="consultation_suggested_groups")
    op.drop_index("ix_consultation_suggested_groups_consultation_id",
                  table_name="consultation_suggested_groups")
    op.drop_table("consultation_suggested_groups")
