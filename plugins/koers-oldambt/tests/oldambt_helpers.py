"""Building plans the way staff do: through Koers' own pages (the plugin never writes the
core's records itself)."""

from __future__ import annotations

import re

from sqlalchemy import select

from app.plugin_api import Consultation, Goal, Input, Plan, Stakeholder, Theme


def text(response) -> str:
    return response.get_data(as_text=True)


def koers_plan(client, db, *, title: str = "Koers sociaal domein Oldambt") -> Plan:
    """A koersdocument with text and two themes with a goal each; signed in as an editor."""
    response = client.submit("/plans/new", {"title": title, "kind": "koersdocument"})
    assert response.status_code == 302, text(response)
    plan = db.session.scalars(select(Plan).where(Plan.title == title)).one()
    client.submit(f"/plans/{plan.id}/sections/new", {"title": "Onze koers", "body": "Samen."})
    for name in ("Armoede", "Jeugdhulp"):
        assert client.submit(f"/plans/{plan.id}/themes/new", {"name": name}).status_code == 302
    for theme in db.session.scalars(select(Theme).where(Theme.plan_id == plan.id)):
        client.submit(f"/plans/{plan.id}/themes/{theme.id}/goals/new",
                      {"title": f"Doel {theme.name}"})
    return plan


def theme_named(db, plan: Plan, name: str) -> Theme:
    return db.session.scalars(select(Theme).where(Theme.plan_id == plan.id,
                                                  Theme.name == name)).one()


def goal_of(db, theme: Theme) -> Goal:
    return db.session.scalars(select(Goal).where(Goal.theme_id == theme.id)).first()


def organisation(client, db, name: str) -> Stakeholder:
    response = client.submit("/stakeholders/new?kind=organisation", {"name": name})
    assert response.status_code == 302, text(response)
    return db.session.scalars(select(Stakeholder).where(Stakeholder.name == name)).one()


def werkconferentie(client, db, plan: Plan) -> Consultation:
    response = client.submit(f"/consultations/plan/{plan.id}/new", {
        "format": "werkconferentie", "title": "Werkconferentie",
        "starts_at": "2023-03-23T13:00", "ends_at": "2023-03-23T17:00",
        "location": "Winschoten"})
    assert response.status_code == 302, text(response)
    return db.session.scalars(select(Consultation).where(
        Consultation.plan_id == plan.id)).one()


def add_input(client, consultation: Consultation, group: str, body: str) -> None:
    response = client.submit(f"/consultations/{consultation.id}/inputs/bulk", {
        "participant_group": group, "kind": "advies", "lines": body})
    assert response.status_code in (200, 302), text(response)


def inputs_of(db, consultation: Consultation) -> list[Input]:
    return list(db.session.scalars(select(Input).where(
        Input.consultation_id == consultation.id).order_by(Input.number)))


def numbers_in_svg(html: str) -> list[str]:
    return re.findall(r'<a href="[^"]+" class="rainbow__marker">', html)
