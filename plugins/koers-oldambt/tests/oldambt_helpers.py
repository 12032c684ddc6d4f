"""Building plans with the factories Koers ships (app.testing): through the core's services,
as its pages do — the plugin never writes the core's records itself."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from app.plugin_api import Consultation, Goal, Input, Plan, Stakeholder, Theme, goals_of, themes_of
from app.plugin_api import inputs_of as core_inputs_of
from app.testing import make_consultation, make_plan, make_stakeholder

WINSCHOTEN = ZoneInfo("Europe/Amsterdam")


def text(response) -> str:
    return response.get_data(as_text=True)


def koers_plan(client, db, *, title: str = "Koers sociaal domein Oldambt") -> Plan:
    """A koersdocument with text and two themes with a goal each."""
    return make_plan(title, kind="koersdocument", sections=[("Onze koers", "Samen.")],
                     themes={"Armoede": ["Doel Armoede"], "Jeugdhulp": ["Doel Jeugdhulp"]})


def theme_named(db, plan: Plan, name: str) -> Theme:
    return next(theme for theme in themes_of(plan) if theme.name == name)


def goal_of(db, theme: Theme) -> Goal:
    return goals_of(theme)[0]


def organisation(client, db, name: str) -> Stakeholder:
    return make_stakeholder(name, kind="organisation")


def werkconferentie(client, db, plan: Plan) -> Consultation:
    return make_consultation(
        plan, "Werkconferentie", format="werkconferentie", location="Winschoten",
        starts_at=datetime(2023, 3, 23, 13, 0, tzinfo=WINSCHOTEN),
        ends_at=datetime(2023, 3, 23, 17, 0, tzinfo=WINSCHOTEN))


def add_input(client, consultation: Consultation, group: str, body: str) -> None:
    response = client.submit(f"/consultations/{consultation.id}/inputs/bulk", {
        "participant_group": group, "kind": "advies", "lines": body})
    assert response.status_code in (200, 302), text(response)


def inputs_of(db, consultation: Consultation) -> list[Input]:
    return core_inputs_of(consultation, limit=None)


def numbers_in_svg(html: str) -> list[str]:
    return re.findall(r'<a href="[^"]+" class="rainbow__marker">', html)
