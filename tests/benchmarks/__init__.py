"""Benchmarks run by hand (``python -m tests.benchmarks.<name>``), not by pytest."""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from flask import Flask

from app.testing import make_app, migrate, postgres_database


@contextlib.contextmanager
def migrated_app(database_url: str = "", overrides: dict[str, Any] | None = None,
                 folder: Path | None = None) -> Iterator[Flask]:
    """A migrated app on a throwaway database: SQLite in a temporary folder, or — given a
    PostgreSQL server database — a database created next to it and dropped afterwards.
    Given ``folder``, the instance and the SQLite database live there and are kept (and
    reused: migrating an up-to-date database changes nothing)."""
    with contextlib.ExitStack() as stack:
        if folder is None:
            folder = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        url = (stack.enter_context(postgres_database(database_url))
               if database_url else f"sqlite:///{folder}/bench.sqlite")
        app = make_app(folder / "instance", url, {"TESTING": False, **(overrides or {})})
        migrate(app)
        yield app
