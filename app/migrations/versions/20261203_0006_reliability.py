"""Reliability: job heartbeats and checkpoints, login failures in the database, versions on
meeting tables, registrations, goals and accounts

Revision ID: 0006_reliability
Revises: 0005_consultation_followup
Create Date: 2026-12-03 16:40:00
"""
import sqlalchemy as sa
from alembic import op

revision = "0006_reliability"
down_revision = "0005_consultation_followup"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("attempts", sa.Integer(), nullable=False,
                                      server_default="0"))
        batch_op.add_column(sa.Column("checkpoint", sa.JSON(), nullable=True))
        batch_op.create_index("ix_jobs_status_heartbeat", ["status", "heartbeat_at"])

    op.create_table(
        "login_failures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scope", sa.String(length=16), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("failed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_failures")),
    )
    with op.batch_alter_table("login_failures", schema=None) as batch_op:
        batch_op.create_index("ix_login_failures_lookup", ["scope", "key_hash", "failed_at"])
        batch_op.create_index("ix_login_failures_failed_at", ["failed_at"])

    for table in ("consultation_tables", "consultation_registrations", "plan_goals", "users"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("version", sa.Integer(), nullable=False,
                                          server_default="1"))


def downgrade():
    for table in ("users", "plan_goals", "consultation_registrations", "consultation_tables"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("version")
    op.drop_table("login_failures")
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.drop_index("ix_jobs_status_heartbeat")
        batch_op.drop_column("checkpoint")
        batch_op.drop_column("attempts")
        batch_op.drop_column("heartbeat_at")
