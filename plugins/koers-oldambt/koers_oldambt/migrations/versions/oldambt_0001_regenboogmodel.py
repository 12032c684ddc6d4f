"""oldambt: the regenboogmodel (layers, provisions and their themes and goals) and the
werkconferentie's kernadviezen.

The first revision of the plugin's own branch: it carries the plugin's name as branch label
and depends on the core revision that created the plan, stakeholder and input tables it
points to. `koers db upgrade` applies it.

Revision ID: oldambt_0001
Revises:
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "oldambt_0001"
down_revision = None
branch_labels = ("oldambt",)
depends_on = "0004_consultations"


def upgrade():
    layers = op.create_table(
        "oldambt_layers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("colour", sa.String(length=7), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_oldambt_layers")),
    )
    # The regenboogmodel's documented layers, household outwards (a municipality renames,
    # recolours and reorders them on the layers page).
    op.bulk_insert(layers, [
        {"position": 1, "version": 1, "name": "Eigen kracht en netwerk",
         "colour": "#fdf1b8",
         "description": "Wat het huishouden zelf kan, met familie, buren en vrienden."},
        {"position": 2, "version": 1, "name": "Vrij toegankelijke voorzieningen",
         "colour": "#cfe8b4",
         "description": "Preventieve, algemene voorzieningen zonder indicatie: de sociale "
                        "basis."},
        {"position": 3, "version": 1, "name": "Geïndiceerde groepsvoorzieningen",
         "colour": "#f8c98a",
         "description": "Voorzieningen in groepsverband, na een indicatie."},
        {"position": 4, "version": 1,
         "name": "Geïndiceerde individuele maatwerkvoorzieningen", "colour": "#e58a80",
         "description": "Individueel maatwerk na een indicatie: het zwaarst en het duurst."},
    ])
    op.create_table(
        "oldambt_provisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("layer_id", sa.Integer(), nullable=False),
        sa.Column("provider_id", sa.Integer(), nullable=True),
        sa.Column("target_group", sa.String(length=200), nullable=True),
        sa.Column("reach", sa.Integer(), nullable=True),
        sa.Column("yearly_budget", sa.Numeric(precision=14, scale=2), nullable=True),
        sa.Column("choice", sa.String(length=16), nullable=False),
        sa.Column("rationale", sa.Text(), nullable=True),
        sa.Column("archived", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("yearly_budget is null or yearly_budget >= 0",
                           name=op.f("ck_oldambt_provisions_budget_not_negative")),
        sa.CheckConstraint("reach is null or reach >= 0",
                           name=op.f("ck_oldambt_provisions_reach_not_negative")),
        sa.ForeignKeyConstraint(["layer_id"], ["oldambt_layers.id"],
                                name=op.f("fk_oldambt_provisions_layer_id_oldambt_layers")),
        sa.ForeignKeyConstraint(["provider_id"], ["stakeholders.id"],
                                name=op.f("fk_oldambt_provisions_provider_id_stakeholders")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_oldambt_provisions")),
    )
    with op.batch_alter_table("oldambt_provisions") as batch_op:
        batch_op.create_index("ix_oldambt_provisions_layer_id", ["layer_id", "name"])
        batch_op.create_index("ix_oldambt_provisions_provider_id", ["provider_id"])
        batch_op.create_index("ix_oldambt_provisions_choice", ["choice"])
    op.create_table(
        "oldambt_provision_themes",
        sa.Column("provision_id", sa.Integer(), nullable=False),
        sa.Column("theme_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["provision_id"], ["oldambt_provisions.id"], ondelete="CASCADE",
            name=op.f("fk_oldambt_provision_themes_provision_id_oldambt_provisions")),
        sa.ForeignKeyConstraint(["theme_id"], ["plan_themes.id"],
                                name=op.f("fk_oldambt_provision_themes_theme_id_plan_themes")),
        sa.PrimaryKeyConstraint("provision_id", "theme_id",
                                name=op.f("pk_oldambt_provision_themes")),
    )
    with op.batch_alter_table("oldambt_provision_themes") as batch_op:
        batch_op.create_index("ix_oldambt_provision_themes_theme_id", ["theme_id"])
    op.create_table(
        "oldambt_provision_goals",
        sa.Column("provision_id", sa.Integer(), nullable=False),
        sa.Column("goal_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["provision_id"], ["oldambt_provisions.id"], ondelete="CASCADE",
            name=op.f("fk_oldambt_provision_goals_provision_id_oldambt_provisions")),
        sa.ForeignKeyConstraint(["goal_id"], ["plan_goals.id"],
                                name=op.f("fk_oldambt_provision_goals_goal_id_plan_goals")),
        sa.PrimaryKeyConstraint("provision_id", "goal_id",
                                name=op.f("pk_oldambt_provision_goals")),
    )
    with op.batch_alter_table("oldambt_provision_goals") as batch_op:
        batch_op.create_index("ix_oldambt_provision_goals_goal_id", ["goal_id"])
    op.create_table(
        "oldambt_key_advice",
        sa.Column("input_id", sa.Integer(), nullable=False),
        sa.Column("marked_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["input_id"], ["consultation_inputs.id"], ondelete="CASCADE",
            name=op.f("fk_oldambt_key_advice_input_id_consultation_inputs")),
        sa.PrimaryKeyConstraint("input_id", name=op.f("pk_oldambt_key_advice")),
    )


def downgrade():
    op.drop_table("oldambt_key_advice")
    op.drop_table("oldambt_provision_goals")
    op.drop_table("oldambt_provision_themes")
    op.drop_table("oldambt_provisions")
    op.drop_table("oldambt_layers")
