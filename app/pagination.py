"""Every list is paginated: one page of rows plus one count query."""

from __future__ import annotations

from typing import Any

from flask_sqlalchemy.pagination import Pagination

from app.database import db

PER_PAGE = 25


def paginate(query: Any, per_page: int = PER_PAGE) -> Pagination:
    """Page ``query`` by the request's ``page`` argument; out-of-range pages are empty."""
    return db.paginate(query, per_page=per_page, max_per_page=100, error_out=False)
