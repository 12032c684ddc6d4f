"""Settings for an instance served by several processes or machines: several web containers
are refused without Redis and on SQLite (several gunicorn workers in one container are not),
and transaction pooling (PgBouncer) turns psycopg's prepared statements off."""

from __future__ import annotations

from pathlib import Path

import pytest

from app import create_app
from app.errors import ConfigError

POSTGRES = "postgresql://koers@db.invalid:5432/koers"  # never connected to: create_app only


def environ(tmp_path: Path, **extra: str) -> dict[str, str]:
    return {"KOERS_INSTANCE_DIR": str(tmp_path / "instance"), "SECRET_KEY": "x" * 32,
            "KOERS_LOG_LEVEL": "WARNING", **extra}


def test_several_workers_in_one_container_keep_the_in_process_runner(tmp_path):
    """make run (1 worker, 4 threads) and the image's default (WEB_CONCURRENCY=2) on SQLite:
    a job's state is in the database every worker reads, so no Redis is needed."""
    app = create_app(environ=environ(tmp_path, WEB_CONCURRENCY="4"))
    assert app.extensions["koers_jobs"].name == "in-process"


def test_several_web_containers_without_redis_are_refused_at_start(tmp_path):
    with pytest.raises(ConfigError) as error:
        create_app(environ=environ(tmp_path, DATABASE_URL=POSTGRES, KOERS_WEB_CONTAINERS="3"))
    assert error.value.key == "KOERS_WEB_CONTAINERS"
    assert "REDIS_URL is not set" in error.value.problem
    assert "set REDIS_URL" in error.value.fix and "koers worker" in error.value.fix


def test_several_web_containers_on_sqlite_are_refused_even_with_redis(tmp_path):
    with pytest.raises(ConfigError) as error:
        create_app(environ=environ(tmp_path, KOERS_WEB_CONTAINERS="2",
                                   REDIS_URL="redis://127.0.0.1:6379/15"))
    assert "SQLite" in error.value.problem and "DATABASE_URL" in error.value.fix


def test_the_cli_says_what_to_set(tmp_path):
    import os
    import subprocess
    import sys

    settings = {key: value for key, value in os.environ.items()
                if not key.startswith("KOERS_") and key not in ("REDIS_URL", "DATABASE_URL")}
    settings.update(environ(tmp_path, DATABASE_URL=POSTGRES, KOERS_WEB_CONTAINERS="2"))
    done = subprocess.run([sys.executable, "-c", "from app.cli import main; main()", "check-db"],
                          env=settings, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 2, done.stderr
    assert "KOERS_WEB_CONTAINERS" in done.stderr and "set REDIS_URL" in done.stderr


def test_several_web_containers_with_redis_and_postgresql_start(tmp_path):
    app = create_app(environ=environ(tmp_path, DATABASE_URL=POSTGRES, KOERS_WEB_CONTAINERS="3",
                                     REDIS_URL="redis://127.0.0.1:6379/15"))
    assert app.extensions["koers_jobs"].name == "rq"
    assert app.config["KOERS_WEB_CONTAINERS"] == 3


def test_transaction_pooling_turns_prepared_statements_off(tmp_path):
    plain = create_app(environ=environ(tmp_path, DATABASE_URL=POSTGRES))
    assert "connect_args" not in plain.config["SQLALCHEMY_ENGINE_OPTIONS"]
    pooled = create_app(environ=environ(tmp_path, DATABASE_URL=POSTGRES,
                                        KOERS_DATABASE_TRANSACTION_POOLING="1"))
    options = pooled.config["SQLALCHEMY_ENGINE_OPTIONS"]
    assert options["connect_args"] == {"prepare_threshold": None}
    assert options["pool_pre_ping"] and options["hide_parameters"]


def test_transaction_pooling_on_sqlite_is_refused(tmp_path):
    with pytest.raises(ConfigError) as error:
        create_app(environ=environ(tmp_path, KOERS_DATABASE_TRANSACTION_POOLING="1"))
    assert error.value.key == "KOERS_DATABASE_TRANSACTION_POOLING"
