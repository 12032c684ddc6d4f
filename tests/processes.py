"""Real processes for crash tests: a ``koers worker`` started and killed the hard way, and a
PgBouncer in front of the test PostgreSQL server."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REDIS_URL = os.environ.get("KOERS_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def redis_available() -> bool:
    try:
        from redis import Redis

        return bool(Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping())
    except Exception:
        return False


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(condition, timeout: float, what: str, worker=None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        if worker is not None and worker.poll() is not None:
            raise AssertionError(f"the worker stopped while waiting for {what}")
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def start_worker(environ: dict[str, str], log, *extra: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", "from app.cli import main; main()", "worker", *extra],
        env={**os.environ, **environ}, stdout=log, stderr=subprocess.STDOUT,
        start_new_session=True)


def descendants(pid: int) -> list[int]:
    """The processes a process started, and theirs (Linux /proc)."""
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        children = (task / "children").read_text().split() if (task / "children").exists() \
            else []
        for child in map(int, children):
            found += [child, *descendants(child)]
    return found


@contextlib.contextmanager
def workers_logged_to(log_path: Path) -> Iterator[tuple[list[subprocess.Popen], Any]]:
    """The workers a test starts (append them to the list) and their shared log: the log is
    printed when the test fails, and every worker still running is killed afterwards."""
    workers: list[subprocess.Popen] = []
    try:
        with log_path.open("w") as log:
            yield workers, log
    except BaseException:
        print(log_path.read_text() if log_path.exists() else "(no worker log)")
        raise
    finally:
        for worker in workers:
            if worker.poll() is None:
                kill_hard(worker)


def kill_hard(worker: subprocess.Popen) -> None:
    """SIGKILL for the worker and the work horse it forked for the job (RQ puts the horse in
    a session of its own, so a process group signal would miss it): a machine going down."""
    horses = descendants(worker.pid)
    os.kill(worker.pid, signal.SIGKILL)
    for pid in horses:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    worker.wait(timeout=30)


# --- PgBouncer --------------------------------------------------------------------------------

def pgbouncer_binary() -> str | None:
    """The pgbouncer program (Debian installs it in /usr/sbin), or None."""
    return shutil.which("pgbouncer") or next(
        (path for path in ("/usr/sbin/pgbouncer", "/usr/bin/pgbouncer")
         if os.access(path, os.X_OK)), None)


@dataclass
class PgBouncer:
    url: str  #: the database URL given, pointing at PgBouncer instead
    port: int
    log_path: Path
    process: subprocess.Popen

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


@contextlib.contextmanager
def pgbouncer(database_url: str, *, pool_mode: str = "transaction", pool_size: int = 4,
              query_wait_timeout: int = 20) -> Iterator[PgBouncer]:
    """A PgBouncer on a free port in front of the PostgreSQL server ``database_url`` names
    (any of its databases, as that URL's user, trusted), stopped afterwards. A small pool, so
    transactions of different clients share server connections as they do in production.
    Its log is printed when the block fails."""
    import sqlalchemy as sa

    binary = pgbouncer_binary()
    if binary is None:
        raise RuntimeError("pgbouncer is not installed (Debian: apt-get install pgbouncer)")
    server = sa.make_url(database_url)
    port = free_port()
    # pgbouncer refuses to run as root; as root it runs as nobody, who must read the files.
    folder = Path(tempfile.mkdtemp(prefix="koers-pgbouncer-"))
    folder.chmod(0o755)
    user = server.username or "postgres"
    (folder / "users.txt").write_text(f'"{user}" "{server.password or ""}"\n')
    (folder / "pgbouncer.ini").write_text("\n".join([
        "[databases]",
        f"* = host={server.host or '127.0.0.1'} port={server.port or 5432}",
        "[pgbouncer]",
        "listen_addr = 127.0.0.1", f"listen_port = {port}", "unix_socket_dir =",
        "auth_type = trust", f"auth_file = {folder / 'users.txt'}",
        f"pool_mode = {pool_mode}", f"default_pool_size = {pool_size}",
        "max_client_conn = 200", "ignore_startup_parameters = extra_float_digits",
        # a client waiting for a server connection fails after this, instead of hanging
        f"query_wait_timeout = {query_wait_timeout}", ""]))
    for name in ("users.txt", "pgbouncer.ini"):
        (folder / name).chmod(0o644)
    log_path = folder / "pgbouncer.log"
    command = [binary, *(["-u", "nobody"] if os.geteuid() == 0 else []),
               str(folder / "pgbouncer.ini")]
    with log_path.open("w") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT,
                                   start_new_session=True)
    bouncer = PgBouncer(server.set(host="127.0.0.1", port=port).render_as_string(
        hide_password=False), port, log_path, process)
    try:
        deadline = time.monotonic() + 15
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"pgbouncer stopped at start:\n{bouncer.log()}")
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    break
            if time.monotonic() > deadline:
                raise RuntimeError(f"pgbouncer did not listen on {port}:\n{bouncer.log()}")
            time.sleep(0.05)
        yield bouncer
    except BaseException:
        print(bouncer.log())
        raise
    finally:
        if process.poll() is None:
            process.terminate()  # SIGTERM: immediate shutdown
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
        shutil.rmtree(folder, ignore_errors=True)
