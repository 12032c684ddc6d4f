"""User-facing, translated names for the codes stored in the database (roles, audit actions,
job kinds and states). Areas and plugins add their own codes with :func:`register`."""

from __future__ import annotations

from flask_babel import LazyString

from app.translate import lazy_gettext as _l

_labels: dict[str, dict[str, LazyString | str]] = {
    "role": {"admin": _l("Administrator"), "editor": _l("Editor"), "viewer": _l("Viewer")},
    "action": {
        "create": _l("created"), "update": _l("changed"), "login": _l("signed in"),
        "change_password": _l("changed their password"),
        "reset_password": _l("gave a one-time password"),
        "sign_out_everywhere": _l("signed out on every device"),
        "deactivate": _l("deactivated"), "reactivate": _l("reactivated"),
        "archive": _l("archived"), "unarchive": _l("brought back from the archive"),
        "merge": _l("merged a duplicate into this record"),
        "merged_into": _l("merged into another record"),
        "erase": _l("erased the personal data"), "export": _l("exported"),
        "add_membership": _l("added to an organisation"),
        "remove_membership": _l("removed from an organisation"),
    },
    "job": {"core.inventory": _l("stock-take of the database")},
    "entity": {"users": _l("Staff account"), "jobs": _l("Background job"),
               "stakeholders": _l("Stakeholder"),
               "stakeholder_memberships": _l("Memberships of organisations"),
               "stakeholder_categories": _l("Categories"), "stakeholder_tags": _l("Tags")},
    "field": {"name": _l("Name"), "email": _l("E-mail address"), "role": _l("Role"),
              "active": _l("Active"), "locale": _l("Language"), "password": _l("Password"),
              "kind": _l("Kind"), "sort_name": _l("Name for sorting"),
              "phone": _l("Phone number"), "address": _l("Address"),
              "postcode": _l("Postcode"), "place": _l("Place"), "website": _l("Website"),
              "notes": _l("Notes"), "categories": _l("Categories"), "tags": _l("Tags"),
              "legal_ground": _l("Legal ground"), "consent_purpose": _l("Purpose of consent"),
              "consent_date": _l("Date of consent"), "consent_source": _l("Source of consent"),
              "retention_until": _l("Keep until"), "archived": _l("Archived"),
              "organisation": _l("Organisation"), "merged_from": _l("Merged from record"),
              "merged_into": _l("Merged into record"), "reason": _l("Reason"),
              "anonymised_at": _l("Erased on")},
    "kind": {"person": _l("Person"), "organisation": _l("Organisation")},
    "legal_ground": {"public_task": _l("Public task (AVG art. 6(1)(e))"),
                     "consent": _l("Consent (AVG art. 6(1)(a))")},
    "erase_reason": {"request": _l("at the person's request"),
                     "consent_withdrawn": _l("consent withdrawn"),
                     "no_longer_needed": _l("no longer needed"),
                     "retention": _l("retention period ended")},
    "job_status": {"queued": _l("Waiting to start"), "running": _l("Running"),
                   "finished": _l("Finished"), "failed": _l("Failed"),
                   "interrupted": _l("Interrupted")},
}


def register(kind: str, code: str, label: LazyString | str) -> None:
    _labels.setdefault(kind, {})[code] = label


def label(kind: str, code: str) -> str:
    return str(_labels.get(kind, {}).get(code, code))


def field_label(code: str) -> str:
    return label("field", code)


def field_value(field: str, value: object) -> str:
    """A recorded value as a person reads it: yes/no, role names, a dash for nothing."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return str(_l("yes") if value else _l("no"))
    if field in _VALUE_KINDS:
        return label(_VALUE_KINDS[field], str(value))
    return str(value)


#: Recorded fields whose values are codes with a label of their own.
_VALUE_KINDS = {"role": "role", "kind": "kind", "legal_ground": "legal_ground",
                "reason": "erase_reason"}


TEMPLATE_HELPERS = {
    "role_label": lambda code: label("role", code),
    "action_label": lambda code: label("action", code),
    "job_label": lambda code: label("job", code),
    "job_status_label": lambda code: label("job_status", code),
    "entity_label": lambda code: label("entity", code),
    "field_label": field_label,
    "kind_label": lambda code: label("kind", code),
    "legal_ground_label": lambda code: label("legal_ground", code),
    "field_value": field_value,
}
