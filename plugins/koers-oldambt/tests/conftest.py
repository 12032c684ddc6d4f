"""Koers ships pytest fixtures for plugin authors (app.testing): an app with this plugin enabled
on a database built by the real migrations, a client that sends forms with CSRF tokens, and
login_as(role)."""

import pytest

pytest_plugins = ["app.testing"]


@pytest.fixture
def enabled_plugins():
    return ["oldambt"]
