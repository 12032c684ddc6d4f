"""Plugin migration branches: which core revision creates which table, the scaffold's
``depends_on``, and ``koers db upgrade NAME@head`` upgrading one plugin's branch alone — on
SQLite and on PostgreSQL."""

from __future__ import annotations

import ast
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.plugins.migrations import core_revisions, revision_creating
from app.plugins.scaffold import ScaffoldError, scaffold
from app.testing import make_app, postgres_database, write_municipality

POSTGRES_BASE = os.environ.get("KOERS_TEST_DATABASE_URL", "")


def postgres_reason() -> str | None:
    """Why the PostgreSQL run cannot happen here, or None."""
    if not POSTGRES_BASE:
        return "KOERS_TEST_DATABASE_URL is not set"
    try:
        engine = sa.create_engine(sa.make_url(POSTGRES_BASE).set(drivername="postgresql+psycopg"),
                                  connect_args={"connect_timeout": 3})
        with engine.connect():
            pass
        engine.dispose()
    except sa.exc.OperationalError as error:
        return f"no PostgreSQL server answers at {POSTGRES_BASE} ({error.__class__.__name__})"
    return None


@contextmanager
def empty_database(backend: str, tmp_path: Path) -> Iterator[str]:
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'branch.sqlite'}"
        return
    reason = postgres_reason()
    if reason:
        print(f"PostgreSQL run skipped: {reason}")
        pytest.skip(reason)
    with postgres_database(POSTGRES_BASE) as url:
        yield url


def migration_values(path: Path) -> dict[str, object]:
    return {node.targets[0].id: ast.literal_eval(node.value)
            for node in ast.parse(path.read_text(encoding="utf-8")).body
            if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name)}


def database_state(url: str) -> tuple[set[str], set[str]]:
    """(tables, the rows of alembic_version) of an empty-or-migrated database."""
    engine = sa.create_engine(sa.make_url(url).set(drivername="postgresql+psycopg")
                              if url.startswith("postgresql") else url)
    try:
        with engine.connect() as connection:
            tables = set(sa.inspect(connection).get_table_names())
            versions = {row[0] for row in connection.execute(
                sa.text("SELECT version_num FROM alembic_version"))}
    finally:
        engine.dispose()
    return tables, versions


def test_core_revisions_say_which_tables_they_create():
    created = {table: revision for revision, tables in core_revisions() for table in tables}
    assert [revision for revision, _tables in core_revisions()][:4] == [
        "0001_foundation", "0002_stakeholders", "0003_plans", "0004_consultations"]
    assert created["users"] == "0001_foundation"
    assert created["stakeholders"] == "0002_stakeholders"
    assert created["plans"] == created["plan_themes"] == created["plan_actions"] == "0003_plans"
    assert created["consultations"] == created["consultation_inputs"] == "0004_consultations"
    assert created["consultation_attachments"] == "0005_consultation_followup"


def test_the_revision_a_first_migration_depends_on():
    assert revision_creating([]) == "0001_foundation"
    assert revision_creating(["plans"]) == "0003_plans"
    assert revision_creating(["plan_themes", "stakeholders"]) == "0003_plans"
    assert revision_creating(["consultation_inputs", "plans"]) == "0004_consultations"


@pytest.mark.parametrize(("references", "expected"), [
    ((), "0001_foundation"), (("plans",), "0003_plans"),
    (("plans", "consultations"), "0004_consultations"), (("stakeholders",), "0002_stakeholders")])
def test_the_scaffold_writes_the_depends_on_its_references_need(tmp_path, references, expected):
    target = scaffold("sample", tmp_path, references=references)
    path = target / "koers_sample" / "migrations" / "versions" / "sample_0001_items.py"
    values = migration_values(path)
    assert values["depends_on"] == expected
    assert values["branch_labels"] == ("sample",) and values["down_revision"] is None
    assert "koers db upgrade sample@head" in path.read_text(encoding="utf-8")


def test_the_scaffold_refuses_a_table_the_core_does_not_have(tmp_path):
    with pytest.raises(ScaffoldError) as error:
        scaffold("sample", tmp_path, references=["plan"])
    assert "plan: not a core table" in str(error.value) and "plans" in str(error.value)
    assert not (tmp_path / "koers-sample").exists()


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_db_upgrade_name_at_head_upgrades_one_plugin_branch_alone(tmp_path, backend):
    """The test plugin's branch depends on 0002_stakeholders: upgrading it alone brings the
    core exactly that far, and a later full upgrade brings the rest."""
    folder = write_municipality(tmp_path / "municipalities" / "branchdorp", ["testplugin"],
                                {"testplugin": {"greeting": "Hallo", "max_notes": 2}})
    with empty_database(backend, tmp_path) as url:
        app = make_app(tmp_path / "instance", url, KOERS_MUNICIPALITIES_DIR=str(folder.parent),
                       KOERS_MUNICIPALITY=folder.name,
                       KOERS_EXTRA_PLUGINS="testplugin=tests.plugins.testplugin")
        result = app.test_cli_runner().invoke(args=["db", "upgrade", "testplugin@head"])
        assert result.exit_code == 0, result.output
        with app.app_context():
            from app.database import db

            db.engine.dispose()
        tables, versions = database_state(url)
        assert {"testplugin_notes", "testplugin_mentions", "users", "stakeholders"} <= tables
        assert "plans" not in tables and "consultations" not in tables
        assert versions == {"tp0002_mentions"}  # the core revisions it depends on are implied

        result = app.test_cli_runner().invoke(args=["db", "upgrade"])
        assert result.exit_code == 0, result.output
        with app.app_context():
            db.engine.dispose()
        tables, versions = database_state(url)
        assert {"plans", "consultations", "login_failures"} <= tables
        assert versions == {"tp0002_mentions", core_revisions()[-1][0]}


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_a_scaffolded_plugin_branch_upgrades_alone(tmp_path, backend, monkeypatch):
    """A new plugin that will reference plans gets the core's plans revision with its own."""
    name = f"branchy_{backend[:2]}"  # one name per run: its models stay imported
    target = scaffold(name, tmp_path / "dist", references=["plan_themes"])
    monkeypatch.syspath_prepend(str(target))
    folder = write_municipality(tmp_path / "municipalities" / "scaffolddorp", [name])
    with empty_database(backend, tmp_path) as url:
        app = make_app(tmp_path / "instance", url, KOERS_MUNICIPALITIES_DIR=str(folder.parent),
                       KOERS_MUNICIPALITY=folder.name, KOERS_EXTRA_PLUGINS=f"{name}=koers_{name}")
        result = app.test_cli_runner().invoke(args=["db", "upgrade", f"{name}@head"])
        assert result.exit_code == 0, result.output
        with app.app_context():
            from app.database import db

            db.engine.dispose()
        tables, versions = database_state(url)
        assert {f"{name}_items", "plans", "plan_themes"} <= tables
        assert "consultations" not in tables
        revision = migration_values(next(
            (target / f"koers_{name}" / "migrations" / "versions").glob("*.py")))["revision"]
        assert versions == {revision}
