"""The inventory job: takes stock of the database table by table, reporting progress (the
job page's example of a long job with progress and retry)."""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import func, inspect, select, table

from app.database import db
from app.jobs.services import JobContext, job


@job("core.inventory")
def inventory(context: JobContext, delay: float = 0.5) -> dict[str, Any]:
    # The tables in the database, not in the metadata: a disabled plugin's tables count too.
    tables = sorted(t for t in inspect(db.engine).get_table_names() if t != "alembic_version")
    counts: dict[str, int] = {}
    for index, name in enumerate(tables, start=1):
        counts[name] = db.session.scalar(select(func.count()).select_from(table(name))) or 0
        context.progress(round(index * 100 / len(tables)), name)
        time.sleep(max(0.0, min(delay, 5.0)))
    return {"tables": counts}
