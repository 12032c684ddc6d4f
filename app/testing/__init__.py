"""Pytest fixtures and factories for Koers and its plugins: a migrated database (SQLite, or
PostgreSQL with ``KOERS_TEST_DATABASE_URL``), an app per test with chosen plugins enabled, a
client that sends forms with CSRF tokens, sign-in per role, a query counter, and records made
through the services (``make_plan``, ``take_step``, …).

Use them in a plugin's tests with ``pytest_plugins = ["app.testing"]`` in its ``conftest.py``
and override ``enabled_plugins`` (and, for a plugin that is not installed, ``extra_plugins``)::

    @pytest.fixture
    def enabled_plugins():
        return ["oldambt"]

The package's parts: :mod:`~app.testing.databases` (templates built by the real migrations,
a fresh copy per test), :mod:`~app.testing.fixtures` (app, client, accounts),
:mod:`~app.testing.catalogues` (compiled catalogues, :func:`untranslated`) and
:mod:`~app.testing.factories`. Everything is importable from ``app.testing``; pytest finds
the fixtures and hooks here, where this module is loaded as a plugin.
"""

from __future__ import annotations

from app.testing.catalogues import pytest_sessionstart, untranslated
from app.testing.databases import (
    POSTGRES_URL,
    database_templates,
    database_url,
    migrate,
    postgres_database,
)
from app.testing.factories import (
    make_account,
    make_consultation,
    make_plan,
    make_stakeholder,
    take_step,
)
from app.testing.fixtures import (
    CSRF_PATTERN,
    TEST_PASSWORD,
    KoersClient,
    QueryCounter,
    app,
    app_overrides,
    client,
    count_queries,
    db_fixture,
    enabled_plugins,
    extra_plugins,
    fast_password_hashing,
    login_as,
    make_app,
    make_environ,
    make_user,
    municipality_dir,
    plugin_config,
    sign_in,
    sign_out,
    throwaway_hooks,
    write_municipality,
)
from app.workflow import TransitionRefused  # what take_step raises, for pytest.raises

__all__ = [
    "CSRF_PATTERN",
    "POSTGRES_URL",
    "TEST_PASSWORD",
    "KoersClient",
    "QueryCounter",
    "TransitionRefused",
    "app",
    "app_overrides",
    "client",
    "count_queries",
    "database_templates",
    "database_url",
    "db_fixture",
    "enabled_plugins",
    "extra_plugins",
    "fast_password_hashing",
    "login_as",
    "make_account",
    "make_app",
    "make_consultation",
    "make_environ",
    "make_plan",
    "make_stakeholder",
    "make_user",
    "migrate",
    "municipality_dir",
    "plugin_config",
    "postgres_database",
    "pytest_sessionstart",
    "sign_in",
    "sign_out",
    "take_step",
    "throwaway_hooks",
    "untranslated",
    "write_municipality",
]
