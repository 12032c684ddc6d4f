"""Real processes for crash tests: a ``koers worker`` started and killed the hard way."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
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
