"""Building a beleidsplan with the factories Koers ships (app.testing), through the core's
services as its pages do; steps are taken through the plan page, as staff take them."""

from __future__ import annotations

from app.plugin_api import Consultation, Plan, Theme, consultations_of, themes_of
from app.testing import make_plan

PILLARS = ("Meedoen & meetellen", "Voorkomen", "Samenwerken", "Dichtbij", "Innovatie")


def text(response) -> str:
    return response.get_data(as_text=True)


def beleidsplan(client, db, *, title: str = "Samen Krachtig") -> Plan:
    """A beleidsplan with text and the five pillars."""
    return make_plan(title, sections=[("Iedereen doet mee", "Op zijn eigen manier.")],
                     themes=PILLARS)


def pillar(db, plan: Plan, name: str) -> Theme:
    return next(theme for theme in themes_of(plan) if theme.name == name)


def step(client, plan: Plan, name: str, decided_on: str):
    return client.submit(f"/plans/{plan.id}/steps/{name}", {"decided_on": decided_on})


def period_of(db, plan: Plan) -> Consultation:
    (period,) = [c for c in consultations_of(plan, include_archived=True)
                 if c.format == "ter_inzage"]
    return period
