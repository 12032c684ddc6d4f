"""Smoke test of `make run`: the demo instance starts, its administrator can sign in, and a
second `make run` keeps the database (no new password; the first one still works).

Standard library only. Run from anywhere:  .venv/bin/python .ci/smoke_make_run.py
The demo instance lives in a temporary KOERS_INSTANCE_DIR, so the developer's instance/ is
left alone. KOERS_SMOKE_PORT picks the port (default: a free one); KOERS_SMOKE_KEEP=1 keeps the
temporary folder.
"""

from __future__ import annotations

import contextlib
import http.cookiejar
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIRST_START_TIMEOUT = 300  # the first `make run` may create the virtual environment
LATER_START_TIMEOUT = 120
ADMIN_NAME = "Demo-beheerder"
EMAIL_LINE = re.compile(r"^\s*e-mail:\s*(\S+@\S+)\s*$", re.MULTILINE)
PASSWORD_LINE = re.compile(r"^\s*password:\s*(\S+)\s*$", re.MULTILINE)
# Settings that would point `make run` somewhere else than its own demo instance.
CLEARED_VARIABLES = ("DATABASE_URL", "REDIS_URL", "SECRET_KEY", "KOERS_CONFIG",
                     "KOERS_STORAGE_DIR", "KOERS_MUNICIPALITY", "KOERS_MUNICIPALITIES_DIR",
                     "KOERS_SECURE_COOKIES", "KOERS_DEBUG", "PORT", "HOST")


class SmokeFailure(Exception):
    pass


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class MakeRun:
    """One `make run` in its own process group, its output in a log file."""

    def __init__(self, label: str, port: int, instance_dir: Path, log_path: Path) -> None:
        self.label, self.port, self.log_path = label, port, log_path
        env = {k: v for k, v in os.environ.items() if k not in CLEARED_VARIABLES}
        env.update(KOERS_INSTANCE_DIR=str(instance_dir), PYTHONUNBUFFERED="1")
        self.log = log_path.open("wb")
        print(f"[{label}] make run PORT={port}  (log: {log_path})", flush=True)
        self.process = subprocess.Popen(
            ["make", "--no-print-directory", "run", f"PORT={port}", "HOST=127.0.0.1"],
            cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=self.log,
            stderr=subprocess.STDOUT, start_new_session=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def output(self) -> str:
        if not self.log.closed:
            self.log.flush()
        return self.log_path.read_text(errors="replace")

    def wait_until_healthy(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        last = "no answer yet"
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SmokeFailure(f"[{self.label}] make run exited with status "
                                   f"{self.process.returncode} before /healthz answered")
            try:
                with urllib.request.urlopen(self.base_url + "/healthz", timeout=5) as response:
                    body = response.read().decode()
                    print(f"[{self.label}] /healthz {response.status}: {body.strip()}", flush=True)
                    return
            except urllib.error.HTTPError as error:
                last = f"HTTP {error.code}: {error.read().decode(errors='replace')}"
            except OSError as error:
                last = str(error)
            time.sleep(0.5)
        raise SmokeFailure(f"[{self.label}] /healthz did not answer 200 within {timeout:.0f}s "
                           f"(last: {last})")

    def stop(self) -> None:
        """SIGTERM to the whole process group (make and gunicorn), SIGKILL after 20 s."""
        if self.log.closed:
            return
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                print(f"[{self.label}] still running after SIGTERM; sending SIGKILL", flush=True)
        # Whatever is left of the group (also when make itself has already exited).
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signal.SIGKILL)
        if self.process.poll() is None:
            self.process.wait(timeout=10)
        self.log.close()


class _CsrfFinder(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.token: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "input" and values.get("name") == "csrf_token" and self.token is None:
            self.token = values.get("value")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None  # let the 302 surface as an HTTPError so its Location can be checked


def sign_in(base_url: str, email: str, password: str) -> str:
    """Sign in through the login form; returns the dashboard's HTML."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), _NoRedirect)

    with opener.open(base_url + "/login", timeout=15) as response:
        page = response.read().decode()
    finder = _CsrfFinder()
    finder.feed(page)
    if not finder.token:
        raise SmokeFailure("GET /login: no hidden csrf_token field in the form")

    form = urllib.parse.urlencode({"email": email, "password": password,
                                   "csrf_token": finder.token}).encode()
    request = urllib.request.Request(base_url + "/login", data=form, method="POST")
    request.add_header("Referer", base_url + "/login")
    try:
        with opener.open(request, timeout=15) as response:
            body = response.read().decode(errors="replace")
            raise SmokeFailure(f"POST /login answered {response.status} instead of a redirect "
                               f"(wrong password?); page starts: {body[:300]!r}")
    except urllib.error.HTTPError as error:
        if error.code not in (302, 303):
            raise SmokeFailure(f"POST /login answered HTTP {error.code}") from error
        location = error.headers.get("Location", "")
    if urllib.parse.urlsplit(location).path != "/":
        raise SmokeFailure(f"POST /login redirected to {location!r}, expected /")

    with opener.open(base_url + "/", timeout=15) as response:
        return response.read().decode()


def check_dashboard(run: MakeRun, email: str, password: str) -> None:
    dashboard = sign_in(run.base_url, email, password)
    if ADMIN_NAME not in dashboard:
        raise SmokeFailure(f"[{run.label}] signed in, but the dashboard does not show "
                           f"{ADMIN_NAME!r}")
    print(f"[{run.label}] signed in as {email}; the dashboard shows {ADMIN_NAME!r}", flush=True)


def main() -> int:
    if shutil.which("make") is None:
        print("smoke test: `make` is not installed", file=sys.stderr)
        return 1
    port = int(os.environ.get("KOERS_SMOKE_PORT") or free_port())
    work = Path(tempfile.mkdtemp(prefix="koers-smoke-"))
    instance_dir = work / "instance"
    runs: list[MakeRun] = []

    def on_signal(signum: int, _frame: object) -> None:
        raise SmokeFailure(f"interrupted by signal {signum}")

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    ok = False
    try:
        # First run: creates the database and the demo administrator, prints its password once.
        first = MakeRun("first run", port, instance_dir, work / "make-run-1.log")
        runs.append(first)
        first.wait_until_healthy(FIRST_START_TIMEOUT)
        output = first.output()
        emails, passwords = EMAIL_LINE.findall(output), PASSWORD_LINE.findall(output)
        if len(emails) != 1 or len(passwords) != 1:
            raise SmokeFailure("[first run] expected the demo administrator's e-mail address and "
                               "password to be printed exactly once; found "
                               f"{len(emails)} e-mail and {len(passwords)} password lines")
        email, password = emails[0], passwords[0]
        print(f"[first run] demo administrator {email} with a printed password", flush=True)
        database = instance_dir / "demo.sqlite"
        if not database.is_file():
            raise SmokeFailure(f"[first run] no database at {database}: KOERS_INSTANCE_DIR was "
                               "not used")
        check_dashboard(first, email, password)
        first.stop()

        # Second run: same database, so no new administrator and the same password still works.
        second = MakeRun("second run", port, instance_dir, work / "make-run-2.log")
        runs.append(second)
        second.wait_until_healthy(LATER_START_TIMEOUT)
        output = second.output()
        if PASSWORD_LINE.search(output):
            raise SmokeFailure("[second run] printed a new password: the database did not "
                               "survive the restart")
        if "already exists" not in output:
            raise SmokeFailure("[second run] did not say that the demo administrator already "
                               "exists")
        print("[second run] the demo administrator already exists; no new password printed",
              flush=True)
        check_dashboard(second, email, password)
        second.stop()
        ok = True
    except Exception as failure:  # every failure ends in the same report
        message = str(failure) if isinstance(failure, SmokeFailure) else repr(failure)
        print(f"\nSMOKE TEST FAILED: {message}", file=sys.stderr, flush=True)
        if runs:
            run = runs[-1]
            tail = run.output().splitlines()[-60:]
            print(f"--- last {len(tail)} lines of {run.log_path}", file=sys.stderr)
            print("\n".join(tail), file=sys.stderr, flush=True)
    finally:
        for run in runs:
            run.stop()
        if ok and not os.environ.get("KOERS_SMOKE_KEEP"):
            shutil.rmtree(work, ignore_errors=True)
        else:
            print(f"(kept {work})", flush=True)
    if ok:
        print("smoke test of make run: passed", flush=True)
        return 0
    return 1


if __name__ == "__main__":
    sys.exit(main())
