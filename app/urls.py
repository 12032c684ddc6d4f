"""URLs for the rows of a long list, built once per pattern instead of once per row.

A table of a thousand actions links each row to three pages; ``url_for`` per link is 3,000
route builds. ``row_url`` builds the route once with a placeholder id and fills in each row's
id, giving the same URL ``url_for`` would (the permission checks stay on the routes)."""

from __future__ import annotations

from typing import Any

from flask import url_for

# An id no row has, and digits no other part of a URL carries; an int, so that the route's
# ``<int:…>`` converter accepts it.
_PLACEHOLDER = 9_182_736_455


class RowUrl:
    """``url_for(endpoint, **fixed, key=value)`` for many values of ``key``."""

    def __init__(self, endpoint: str, key: str, **fixed: Any) -> None:
        built = url_for(endpoint, **fixed, **{key: _PLACEHOLDER})
        self._head, placeholder, self._tail = built.partition(str(_PLACEHOLDER))
        if not placeholder:  # a converter that rewrites the number: build per row instead
            raise ValueError(f"{endpoint}: {key} does not appear in the URL as given")

    def __call__(self, value: int) -> str:
        return f"{self._head}{int(value)}{self._tail}"


def row_url(endpoint: str, key: str, **fixed: Any) -> RowUrl:
    """The template global: ``{% set action_url = row_url('plans.show_action', 'action_id',
    plan_id=plan.id) %}`` … ``{{ action_url(action.id) }}``."""
    return RowUrl(endpoint, key, **fixed)
