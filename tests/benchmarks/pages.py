"""What the page benchmarks share: a signed-in client and timing pages with their queries."""

from __future__ import annotations

import statistics
import time
from collections.abc import Mapping

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event

from app.auth import services as accounts
from app.database import db
from app.testing import TEST_PASSWORD


def signed_in_viewer(app: Flask) -> FlaskClient:
    accounts.create_user("bench@koers.example", "Benchmark", "viewer", password=TEST_PASSWORD)
    db.session.commit()
    return signed_in(app, "bench@koers.example")


def signed_in(app: Flask, email: str) -> FlaskClient:
    """A test client signed in as the existing account ``email`` (password TEST_PASSWORD)."""
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = page.split('name="csrf_token"', 1)[1].split('value="', 1)[1].split('"', 1)[0]
    client.post("/login", data={"email": email, "password": TEST_PASSWORD,
                                "csrf_token": token})
    return client


def time_pages(client: FlaskClient, urls: Mapping[str, str],
               repeat: int) -> list[tuple[str, int, float]]:
    """(name, queries, median seconds) per page, each warmed up once first."""
    queries = [0]

    def count(*_args: object) -> None:
        queries[0] += 1

    results = []
    for name, url in urls.items():
        client.get(url)  # warm up
        times = []
        for _ in range(repeat):
            queries[0] = 0
            event.listen(db.engine, "before_cursor_execute", count)
            started = time.perf_counter()
            response = client.get(url)
            times.append(time.perf_counter() - started)
            event.remove(db.engine, "before_cursor_execute", count)
            assert response.status_code == 200, (url, response.status_code)
        results.append((name, queries[0], statistics.median(times)))
    return results
