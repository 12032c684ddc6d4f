"""``koers demo setup``: a demonstration instance — staff accounts, then either the
municipality's own story (:mod:`app.demo.story`) or the fictional Koersdam one
(:mod:`app.demo.stakeholders`, :mod:`app.demo.plans`, :mod:`app.demo.consultations`), then
every enabled plugin's demo data (the ``demo_data`` hook).

``koers demo setup --plugins-only`` runs only that last part (:func:`load_plugin_demo`), for an
instance that already has its own data and has just enabled a plugin.

Loading is idempotent: running it again keeps what exists and adds nothing twice.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app

from app.auth import services as accounts
from app.database import db
from app.demo.consultations import load_demo_consultations
from app.demo.plans import load_demo_plans
from app.demo.stakeholders import load_demo_stakeholders
from app.demo.story import has_story, load_story
from app.municipality import Municipality
from app.permissions import Role


def demo_admin_email(municipality: Municipality) -> str:
    return f"admin@{municipality.slug}.koers.example"


DEMO_STAFF = [
    ("beleidsadviseur", "Sanne de Vries", Role.EDITOR),
    ("beleidsmedewerker", "Ahmed El Amrani", Role.EDITOR),
    ("controller", "Joke Bakker", Role.VIEWER),
]


@dataclass
class DemoResult:
    admin_email: str
    admin_password: str | None  # only when the admin was created just now
    created_accounts: int
    created_stakeholders: int = 0
    created_plans: int = 0


def load_demo(municipality: Municipality) -> DemoResult:
    email = demo_admin_email(municipality)
    admin_password = None
    created = 0
    if accounts.get_by_email(email) is None:
        result = accounts.create_user(email, "Demo-beheerder", Role.ADMIN,
                                      must_change_password=False)
        admin_password = result.password
        created += 1
    for local_part, name, role in DEMO_STAFF:
        staff_email = f"{local_part}@{municipality.slug}.koers.example"
        if accounts.get_by_email(staff_email) is None:
            accounts.create_user(staff_email, name, role)
            created += 1
    adviser = accounts.get_by_email(f"{DEMO_STAFF[0][0]}@{municipality.slug}.koers.example")
    if has_story(municipality):
        # The municipality's own story (municipalities/<slug>/demo/story.toml) replaces the
        # fictional Koersdam one.
        stakeholders, plans = load_story(municipality, adviser)
        db.session.flush()
    else:
        stakeholders = load_demo_stakeholders()
        db.session.flush()
        plans = load_demo_plans(adviser)
        db.session.flush()
        load_demo_consultations(adviser)
    # Plugins add their municipality's demo data in the same transaction, in enabled order.
    _plugins_demo(municipality)
    db.session.commit()
    return DemoResult(email, admin_password, created, stakeholders, plans)


def load_plugin_demo(municipality: Municipality) -> list[str]:
    """Only the enabled plugins' demo data, in enabled order and one transaction; returns the
    plugins that took part. Leaves the core's data and accounts alone."""
    _plugins_demo(municipality)
    db.session.commit()
    return current_app.extensions["koers_plugins"].enabled


def _plugins_demo(municipality: Municipality) -> None:
    current_app.extensions["koers_plugins"].call_each("demo_data", municipality=municipality)
