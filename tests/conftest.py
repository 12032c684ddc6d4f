"""The core's tests use the fixtures Koers ships for plugin authors (``app.testing``)."""

from app.testing import (  # noqa: F401  (re-exported for the test modules)
    TEST_PASSWORD,
    KoersClient,
    make_app,
    migrate,
    postgres_database,
    sign_in,
    write_municipality,
)
# app.testing itself is loaded as a pytest plugin with -p (pyproject.toml), before this file.
