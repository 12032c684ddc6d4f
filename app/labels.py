"""User-facing, translated names for the codes stored in the database (roles, audit actions,
job kinds and states). Areas and plugins add their own codes with :func:`register`."""

from __future__ import annotations

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

_labels: dict[str, dict[str, LazyString | str]] = {
    "role": {"admin": _l("Administrator"), "editor": _l("Editor"), "viewer": _l("Viewer")},
    "action": {
        "create": _l("created"), "update": _l("changed"), "login": _l("signed in"),
        "change_password": _l("changed their password"),
        "reset_password": _l("gave a one-time password"),
        "deactivate": _l("deactivated"), "reactivate": _l("reactivated"),
    },
    "job": {"core.inventory": _l("stock-take of the database")},
    "entity": {"users": _l("Staff account"), "jobs": _l("Background job")},
    "field": {"name": _l("Name"), "email": _l("E-mail address"), "role": _l("Role"),
              "active": _l("Active"), "locale": _l("Language"), "password": _l("Password")},
    "job_status": {"queued": _l("Waiting to start"), "running": _l("Running"),
                   "finished": _l("Finished"), "failed": _l("Failed")},
}


def register(kind: str, code: str, label: LazyString | str) -> None:
    _labels.setdefault(kind, {})[code] = label


def label(kind: str, code: str) -> str:
    return str(_labels.get(kind, {}).get(code, code))


def field_value(field: str, value: object) -> str:
    """A recorded value as a person reads it: yes/no, role names, a dash for nothing."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return str(_l("yes") if value else _l("no"))
    if field == "role":
        return label("role", str(value))
    return str(value)


TEMPLATE_HELPERS = {
    "role_label": lambda code: label("role", code),
    "action_label": lambda code: label("action", code),
    "job_label": lambda code: label("job", code),
    "job_status_label": lambda code: label("job_status", code),
    "entity_label": lambda code: label("entity", code),
    "field_label": lambda code: label("field", code),
    "field_value": field_value,
}
