"""A test plugin written for a future plugin API."""

koers_api = ">=2.0,<3"
