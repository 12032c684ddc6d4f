"""The schema comes only from migrations; they keep data, match the models and run both ways."""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from app.audit.services import audit
from app.auth import services as accounts
from app.database import db
from app.jobs.models import Job
from tests.conftest import make_app, postgres_database

POSTGRES_BASE = os.environ.get("KOERS_TEST_DATABASE_URL") or \
    "postgresql://postgres@127.0.0.1:5432/test"


def postgres_available() -> bool:
    try:
        engine = sa.create_engine(sa.make_url(POSTGRES_BASE).set(drivername="postgresql+psycopg"),
                                  connect_args={"connect_timeout": 3})
        with engine.connect():
            pass
        engine.dispose()
        return True
    except sa.exc.OperationalError:
        return False


def test_models_match_the_migrations(app):
    """Autogenerate finds nothing to do: no model change is missing a migration."""
    from app.plugins.migrations import include_object

    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={
            "include_object": include_object(), "compare_type": True})
        differences = compare_metadata(context, db.metadata)
    assert differences == []


def test_one_head(app):
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(app.extensions["migrate"].migrate.get_config())
    assert len(script.get_heads()) == 1


REBUILD_USERS = '''
"""Test-only: rebuild the users table the way SQLite batch mode does (copy, drop, rename).

Revision ID: 9999_rebuild_users
Revises: {head}
"""
import sqlalchemy as sa
from alembic import op

revision = "9999_rebuild_users"
down_revision = "{head}"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users", recreate="always") as batch:
        batch.add_column(sa.Column("nickname", sa.String(50), nullable=True))


def downgrade():
    with op.batch_alter_table("users", recreate="always") as batch:
        batch.drop_column("nickname")
'''


def populate(app) -> None:
    with app.app_context():
        admin = accounts.create_user("admin@koers.example", "Admin", "admin").user
        for number in range(5):
            user = accounts.create_user(f"user{number}@koers.example", f"U {number}", "editor",
                                        actor=admin).user
            db.session.add(Job(kind="core.inventory", created_by_id=user.id))
            audit("update", user, actor=user, changes={"role": {"old": "viewer", "new": "editor"}})
        db.session.commit()


def row_counts(app) -> dict[str, int]:
    with app.app_context(), db.engine.connect() as connection:
        names = sa.inspect(connection).get_table_names()
        return {name: connection.execute(sa.text(f'SELECT count(*) FROM "{name}"')).scalar_one()
                for name in names if name != "alembic_version"}


def test_sqlite_table_rebuild_keeps_child_rows(tmp_path):
    """A migration that rebuilds a parent table must not cascade into its children."""
    versions = tmp_path / "versions"
    versions.mkdir()
    app = make_app(tmp_path / "instance", f"sqlite:///{tmp_path / 'rebuild.sqlite'}",
                   {"KOERS_MIGRATION_LOCATIONS": [str(versions)]})
    with app.app_context():
        upgrade()
        from alembic.script import ScriptDirectory

        head = ScriptDirectory.from_config(
            app.extensions["migrate"].migrate.get_config()).get_current_head()
    populate(app)
    before = row_counts(app)
    assert before["audit_events"] > 5 and before["jobs"] == 5

    (versions / "9999_rebuild_users.py").write_text(textwrap.dedent(REBUILD_USERS).format(
        head=head))
    with app.app_context():
        upgrade(revision="9999_rebuild_users")
        columns = {c["name"] for c in sa.inspect(db.engine).get_columns("users")}
        db.engine.dispose()
    assert "nickname" in columns
    assert row_counts(app) == before
    with app.app_context():
        downgrade(revision=head)
        db.engine.dispose()
    assert row_counts(app) == before


def test_broken_references_stop_a_sqlite_migration(tmp_path, caplog):
    """foreign_key_check runs after the migration: dangling references roll it back."""
    versions = tmp_path / "versions"
    versions.mkdir()
    app = make_app(tmp_path / "instance", f"sqlite:///{tmp_path / 'fk.sqlite'}",
                   {"KOERS_MIGRATION_LOCATIONS": [str(versions)]})
    with app.app_context():
        upgrade()
        from alembic.script import ScriptDirectory

        head = ScriptDirectory.from_config(
            app.extensions["migrate"].migrate.get_config()).get_current_head()
    (versions / "9998_dangling.py").write_text(textwrap.dedent('''
        """Test-only: leave a job pointing at a user that does not exist."""
        from alembic import op

        revision = "9998_dangling"
        down_revision = "{head}"
        branch_labels = None
        depends_on = None

        def upgrade():
            op.execute("INSERT INTO jobs (id, kind, params, status, progress, message, "
                       "created_by_id, created_at) VALUES ('x', 'k', '{}', 'queued', 0, '', "
                       "4242, '2026-01-01 00:00:00')")

        def downgrade():
            pass
    ''').replace("{head}", head))
    with app.app_context():
        with pytest.raises(SystemExit):
            upgrade(revision="9998_dangling")
        assert "broken references" in caplog.text
        with db.engine.connect() as connection:
            assert connection.execute(sa.text("SELECT count(*) FROM jobs")).scalar_one() == 0
            revision = connection.execute(sa.text("SELECT version_num FROM alembic_version"))
            assert revision.scalar_one() == head
        db.engine.dispose()


@pytest.mark.skipif(not postgres_available(),
                    reason=f"no PostgreSQL server answers at {POSTGRES_BASE}")
def test_postgres_upgrade_downgrade_upgrade(tmp_path):
    with postgres_database(POSTGRES_BASE) as url:
        app = make_app(tmp_path / "instance", url)
        with app.app_context():
            upgrade()
            db.engine.dispose()
        populate(app)
        with app.app_context():
            downgrade(revision="base")
            assert sa.inspect(db.engine).get_table_names() == ["alembic_version"]
            upgrade()
            assert {"users", "audit_events", "jobs"} <= set(
                sa.inspect(db.engine).get_table_names())
            db.engine.dispose()


def test_migrations_ship_inside_the_package():
    import app

    versions = Path(app.__file__).parent / "migrations" / "versions"
    assert any(versions.glob("*.py"))
