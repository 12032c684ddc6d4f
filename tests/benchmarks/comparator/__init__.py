"""The comparator of :mod:`tests.benchmarks.stack`: about the least a Flask-SQLAlchemy page can
do. 10,000 rows with an indexed column; ``/rows/<bucket>`` renders the 50 rows of one bucket,
selected by that column, through a table template that extends a base template (compiled
once: plain Flask, no ``TEMPLATES_AUTO_RELOAD``); ``/hello`` is a bare page. The benchmark
seeds it with :func:`seed` and serves it as it serves Koers::

    COMPARATOR_DATABASE_URL=sqlite:////tmp/comparator.sqlite \\
        gunicorn --chdir tests/benchmarks --preload --workers 2 'comparator:create_app()'

It imports nothing from Koers, so gunicorn loads it on its own.
"""

from __future__ import annotations

import os
from datetime import date, timedelta

from flask import Flask, render_template
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import Date, Integer, String, insert, select
from sqlalchemy.orm import Mapped, mapped_column

db = SQLAlchemy()
PER_BUCKET = 50


class Row(db.Model):
    __tablename__ = "comparator_rows"

    id: Mapped[int] = mapped_column(primary_key=True)
    bucket: Mapped[int] = mapped_column(Integer, index=True)
    title: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16))
    due: Mapped[date] = mapped_column(Date)


def create_app(database_url: str | None = None) -> Flask:
    app = Flask(__name__)
    app.config["SQLALCHEMY_DATABASE_URI"] = (database_url
                                             or os.environ["COMPARATOR_DATABASE_URL"])
    db.init_app(app)

    @app.get("/rows/<int:bucket>")
    def rows(bucket: int) -> str:
        found = db.session.scalars(select(Row).where(Row.bucket == bucket).order_by(Row.id))
        return render_template("rows.html", bucket=bucket, rows=found)

    @app.get("/hello")
    def hello() -> str:
        return "hello"

    return app


def seed(rows: int = 10_000) -> None:
    """A fresh table of ``rows`` rows, :data:`PER_BUCKET` to a bucket (in an app context)."""
    db.drop_all()
    db.create_all()
    db.session.execute(insert(Row), [
        {"bucket": n // PER_BUCKET, "title": f"Actie {n:05d}: buurtkamer in de wijk",
         "status": ("planned", "running", "done")[n % 3],
         "due": date(2026, 1, 1) + timedelta(days=n % 700)} for n in range(rows)])
    db.session.commit()
