"""Building a beleidsplan the way staff do: through Koers' own pages."""

from __future__ import annotations

from sqlalchemy import select

from app.plugin_api import Consultation, Plan, Theme

PILLARS = ("Meedoen & meetellen", "Voorkomen", "Samenwerken", "Dichtbij", "Innovatie")


def text(response) -> str:
    return response.get_data(as_text=True)


def beleidsplan(client, db, *, title: str = "Samen Krachtig") -> Plan:
    """A beleidsplan with text and the five pillars; signed in as an editor."""
    response = client.submit("/plans/new", {"title": title, "kind": "beleidsplan"})
    assert response.status_code == 302, text(response)
    plan = db.session.scalars(select(Plan).where(Plan.title == title)).one()
    client.submit(f"/plans/{plan.id}/sections/new", {"title": "Iedereen doet mee",
                                                     "body": "Op zijn eigen manier."})
    for name in PILLARS:
        assert client.submit(f"/plans/{plan.id}/themes/new", {"name": name}).status_code == 302
    return plan


def pillar(db, plan: Plan, name: str) -> Theme:
    return db.session.scalars(select(Theme).where(Theme.plan_id == plan.id,
                                                  Theme.name == name)).one()


def step(client, plan: Plan, name: str, decided_on: str):
    return client.submit(f"/plans/{plan.id}/steps/{name}", {"decided_on": decided_on})


def period_of(db, plan: Plan) -> Consultation:
    return db.session.scalars(select(Consultation).where(
        Consultation.plan_id == plan.id, Consultation.format == "ter_inzage")).one()
