"""The one-name rule: what a plugin may be called, shared by the loader and the scaffold.

A plugin's name is its entry point, blueprint, URL prefix (``/p/<name>``), template folder,
translation domain, Alembic branch, table prefix and settings section, so it must be a valid
identifier everywhere and must not collide with anything of the core's.
"""

from __future__ import annotations

import re

NAME_PATTERN = re.compile(r"^[a-z][a-z0-9_]{1,30}$")
#: The name under which the core's own hook implementations run (and its migration branch).
CORE = "core"

#: Names a plugin cannot take: the core's own name and migration branch, its blueprints (and
#: so endpoints), the ``koers`` commands and the core's table names.
RESERVED = frozenset({
    CORE, "main", "auth", "accounts", "audit", "jobs", "static", "stakeholders", "stakeholder",
    "db", "demo", "plugins", "users", "worker", "run", "shell", "routes", "privacy",
    "check_db", "terms",
})


def is_valid_name(name: str) -> bool:
    """Whether ``name`` follows the pattern and is not one of the core's own names."""
    return bool(NAME_PATTERN.match(name)) and name not in RESERVED
