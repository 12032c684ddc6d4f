"""Every list is paginated: one page of rows plus one count query."""

from __future__ import annotations

from typing import Any

from flask_sqlalchemy.pagination import Pagination

from app.database import db

PER_PAGE = 25


def paginate(query: Any, per_page: int = PER_PAGE, *, page: int | None = None,
             max_per_page: int = 100) -> Pagination:
    """Page ``query`` by the request's ``page`` argument (or ``page``); out-of-range pages
    are empty."""
    return db.paginate(query, page=page, per_page=per_page, max_per_page=max_per_page,
                       error_out=False)
