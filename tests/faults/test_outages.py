"""Outages of the services Koers depends on, caused for real: the SQLite file unreachable, a
PostgreSQL server stopped and started, Redis on a dead port. /healthz answers 503 JSON whatever
cookies come along, pages answer a 503 "try again" page, and both recover without a restart."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask

from app.auth import services as accounts
from app.database import db
from tests.conftest import TEST_PASSWORD, KoersClient, make_app, migrate, sign_in

pytestmark = pytest.mark.faults

EMAIL = "beheer@koers.example"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def add_user(app: Flask) -> None:
    with app.app_context():
        accounts.create_user(EMAIL, "Fenna Jansen", "viewer",
                             password=TEST_PASSWORD)
        db.session.commit()


def clients(app: Flask) -> tuple[KoersClient, KoersClient]:
    """An anonymous client and one signed in (with a session cookie)."""
    app.test_client_class = KoersClient
    anonymous, signed_in = app.test_client(), app.test_client()
    assert sign_in(signed_in, EMAIL).status_code == 302
    return anonymous, signed_in  # type: ignore[return-value]


def assert_unavailable(anonymous: KoersClient, signed_in: KoersClient) -> None:
    for client in (anonymous, signed_in):
        health = client.get("/healthz")
        assert health.status_code == 503, health.get_data(as_text=True)[:300]
        assert health.mimetype == "application/json"
        assert health.get_json()["status"] == "unavailable"
        assert health.get_json()["database"] == "unreachable"
    page = signed_in.get("/")
    html = page.get_data(as_text=True)
    assert page.status_code == 503 and page.headers["Retry-After"] == "30"
    assert '<html lang="nl" ' in html and "Tijdelijk niet beschikbaar" in html
    assert "Traceback" not in html and "OperationalError" not in html


def assert_recovered(anonymous: KoersClient, signed_in: KoersClient) -> None:
    for client in (anonymous, signed_in):
        health = client.get("/healthz")
        assert health.status_code == 200 and health.get_json()["status"] == "ok"
    page = signed_in.get("/")
    assert page.status_code == 200 and "Fenna Jansen" in page.get_data(as_text=True)


# --- SQLite: the database file's folder disappears, then comes back --------------------------

@pytest.fixture(scope="module")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file, also when the rest of the suite runs on PostgreSQL."""
    folder = tmp_path_factory.mktemp("sqlite-template")
    path = folder / "koers.sqlite"
    migrate(make_app(folder, f"sqlite:///{path}"))
    return path


def test_sqlite_unreachable_gives_503_and_recovers_without_restart(tmp_path, sqlite_template):
    data = tmp_path / "data"
    data.mkdir()
    shutil.copyfile(sqlite_template, data / "koers.sqlite")
    app = make_app(tmp_path / "instance", f"sqlite:///{data / 'koers.sqlite'}")
    add_user(app)
    anonymous, signed_in = clients(app)
    assert_recovered(anonymous, signed_in)

    moved = data.rename(tmp_path / "moved")
    with app.app_context():
        # A pooled connection keeps the moved file open; a new process or a dropped
        # connection would not, so make every connection a new one.
        db.engine.dispose()
    try:
        assert_unavailable(anonymous, signed_in)
        as_json = signed_in.get("/", headers={"Accept": "application/json"})
        assert as_json.status_code == 503 and as_json.headers["Retry-After"] == "30"
        assert as_json.get_json()["status"] == 503
    finally:
        moved.rename(data)
    assert_recovered(anonymous, signed_in)


# --- PostgreSQL: a throwaway cluster, really stopped and started ------------------------------

def postgres_bin() -> Path | None:
    for folder in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
        if (folder / "initdb").is_file() and (folder / "pg_ctl").is_file():
            return folder
    return None


class Cluster:
    """A PostgreSQL cluster of its own in a temporary folder, on a free port; run as the
    ``postgres`` OS user when the tests run as root (PostgreSQL refuses to run as root)."""

    def __init__(self, bin_dir: Path) -> None:
        self.bin_dir = bin_dir
        self.port = free_port()
        self.root = Path(tempfile.mkdtemp(prefix="koers-pg-"))
        self.prefix: list[str] = []
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres", "postgres")
            self.prefix = ["runuser", "-u", "postgres", "--"]
        self.data = self.root / "data"
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "-E", "UTF8",
                  "--no-sync")

    def _run(self, program: str, *args: str) -> None:
        result = subprocess.run([*self.prefix, str(self.bin_dir / program), *args],
                                capture_output=True, text=True, timeout=120, check=False)
        if result.returncode != 0:
            log = self.root / "server.log"
            raise AssertionError(f"{program} failed: {result.stdout}{result.stderr}"
                                 f"{log.read_text() if log.exists() else ''}")

    def start(self) -> None:
        options = (f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 "
                   "-c fsync=off")
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.root / "server.log"),
                  "-o", options, "-w", "-t", "60", "start")

    def stop(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "-t", "60", "stop")

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def remove(self) -> None:
        subprocess.run([*self.prefix, str(self.bin_dir / "pg_ctl"), "-D", str(self.data),
                        "-m", "immediate", "stop"], capture_output=True, check=False)
        shutil.rmtree(self.root, ignore_errors=True)


@pytest.fixture
def cluster() -> Iterator[Cluster]:
    bin_dir = postgres_bin()
    if bin_dir is None:
        reason = "no PostgreSQL server binaries (initdb, pg_ctl) under /usr/lib/postgresql/*/bin"
        print(reason)
        pytest.skip(reason)
    if os.geteuid() == 0 and shutil.which("runuser") is None:
        reason = "running as root without runuser to start PostgreSQL as the postgres user"
        print(reason)
        pytest.skip(reason)
    made = Cluster(bin_dir)
    try:
        made.start()
        yield made
    finally:
        made.remove()


def test_postgresql_stopped_gives_503_and_recovers_when_started(tmp_path, cluster):
    admin = sa.create_engine(cluster.url("postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql("CREATE DATABASE koers")
    admin.dispose()
    app = make_app(tmp_path / "instance", cluster.url("koers"))
    migrate(app)
    add_user(app)
    anonymous, signed_in = clients(app)
    assert_recovered(anonymous, signed_in)

    cluster.stop()
    assert_unavailable(anonymous, signed_in)
    cluster.start()
    assert_recovered(anonymous, signed_in)


# --- Redis: configured, but nothing listens ---------------------------------------------------

@pytest.fixture
def database_copy(tmp_path, sqlite_template) -> str:
    shutil.copyfile(sqlite_template, tmp_path / "koers.sqlite")
    return f"sqlite:///{tmp_path / 'koers.sqlite'}"


def test_redis_unreachable_makes_healthz_503_degraded(tmp_path, database_copy):
    app = make_app(tmp_path / "instance", database_copy,
                   REDIS_URL=f"redis://127.0.0.1:{free_port()}/0")
    started = time.monotonic()
    response = app.test_client().get("/healthz")
    assert time.monotonic() - started < 5  # no retries with back-off
    body = response.get_json()
    assert response.status_code == 503
    assert body["status"] == "degraded" and body["redis"] == "unreachable"
    assert body["database"] == "ok" and body["schema_revision"]

