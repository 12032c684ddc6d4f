"""A test plugin with a misspelt hook implementation."""

from app.plugin_api import hookimpl

koers_api = ">=1.0,<2"


@hookimpl
def navigation_itmes(user):
    return []
