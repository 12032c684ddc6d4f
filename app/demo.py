"""Demo data for a demonstration instance: staff accounts, the stakeholder register and the
plans; later areas add theirs.

Loading is idempotent: running it again keeps what exists and adds nothing twice.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.auth import services as accounts
from app.config import Municipality
from app.database import db
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
    from flask import current_app

    from app.demo_story import has_story, load_story

    adviser = accounts.get_by_email(f"{DEMO_STAFF[0][0]}@{municipality.slug}.koers.example")
    if has_story(municipality):
        # The municipality's own story (municipalities/<slug>/demo/story.toml) replaces the
        # fictional Koersdam one.
        stakeholders, plans = load_story(municipality, adviser)
        db.session.flush()
    else:
        from app.consultations.demo import load_demo_consultations
        from app.plans.demo import load_demo_plans
        from app.stakeholders.demo import load_demo_stakeholders

        stakeholders = load_demo_stakeholders()
        db.session.flush()
        plans = load_demo_plans(adviser)
        db.session.flush()
        load_demo_consultations(adviser)
    # Plugins add their municipality's demo data in the same transaction, in enabled order.
    current_app.extensions["koers_plugins"].call_each("demo_data", municipality=municipality)
    db.session.commit()
    return DemoResult(email, admin_password, created, stakeholders, plans)
