"""Demo plans for the demonstration municipality: an integral beleidskader for the social
domain with six themes and their ambitions, adopted by the college and the council on
historical dates, and one living uitvoeringsprogramma per theme with actions, trekkers,
partners, budgets and progress. Names and figures are made up.

Loaded only when there are no plans yet, so running ``koers demo setup`` again adds nothing.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select

from app.auth.models import User
from app.database import db
from app.plans import services, transitions
from app.plans.models import Plan
from app.plans.programme.services import (
    ActionData,
    add_action,
    add_goal,
    add_theme,
    involve,
    report_progress,
)
from app.plans.services import PlanData
from app.stakeholders.models import Stakeholder

FRAMEWORK = "Samen denken, samen doen — beleidskader sociaal domein 2026-2030"

SECTIONS = [
    ("Waarom dit kader", "Het sociaal domein gaat over zorg, welzijn, werk, meedoen, opvoeden "
     "en inburgering. Gemeente, inwoners en professionals werken daarin samen.\n\n"
     "Dit kader zegt **wat** we willen bereiken en **waarom**. De uitvoeringsprogramma's per "
     "thema zeggen **hoe**; zij groeien met nieuwe initiatieven mee."),
    ("Hoe dit kader tot stand kwam", "In bijeenkomsten en werksessies dachten inwoners, "
     "maatschappelijke partners, de adviesraad en medewerkers mee. Geen plan zonder "
     "inwoners en geen plan zonder partners.\n\n- kick-off met de adviesraad\n"
     "- werkconferentie met tafels per thema\n- gesprekstafels in de wijken"),
    ("Werken vanuit de bedoeling", "We doen wat nodig is, ook als de regels iets anders "
     "voorschrijven. Inwoners vertellen hun verhaal één keer."),
]

# theme: (description, goals, trekker category, actions: (title, budget, start, end, progress))
THEMES: list[tuple[str, str, list[str], list[tuple[str, str, date, date, int]]]] = [
    ("Meedoen", "Iedereen doet op zijn eigen manier mee.",
     ["Meer inwoners met een uitkering doen vrijwilligerswerk of werken",
      "Digitale vaardigheden voor iedereen"],
     [("Taalcafé en digitale spreekuren in de bibliotheek", "18500", date(2026, 1, 1),
       date(2026, 12, 31), 40),
      ("Werkfit-traject met lokale werkgevers", "62000", date(2026, 3, 1),
       date(2027, 6, 30), 15)]),
    ("Veilig thuis en in de buurt", "Inwoners voelen zich veilig thuis en in hun wijk.",
     ["Huiselijk geweld eerder zien en bespreken"],
     [("Training signaleren voor wijkteams en huisartsen", "12000", date(2026, 2, 1),
       date(2026, 10, 31), 60)]),
    ("Armoede", "Geen kind groeit op in armoede zonder dat we helpen.",
     ["Minder huishoudens met problematische schulden", "Regelingen bereiken wie ze nodig "
      "heeft"],
     [("Vroegsignalering van betalingsachterstanden", "45000", date(2026, 1, 1),
       date(2027, 12, 31), 35),
      ("Eén loket voor minimaregelingen", "28000", date(2026, 4, 1), date(2026, 12, 31), 10)]),
    ("Gezonde leefstijl", "Gezond opgroeien en gezond ouder worden.",
     ["Meer kinderen bewegen dagelijks een uur"],
     [("Sportaanbod na schooltijd in drie wijken", "33000", date(2026, 1, 1),
       date(2026, 12, 31), 55)]),
    ("Mantelzorg", "Mantelzorgers houden het vol.",
     ["Respijtzorg is bekend en bereikbaar"],
     [("Respijtzorg op maat via het steunpunt", "40000", date(2025, 9, 1),
       date(2026, 6, 30), 80)]),
    ("Jeugd", "Kinderen en jongeren krijgen op tijd passende hulp.",
     ["Kortere wachttijden voor jeugdhulp", "Meer hulp dichtbij, in en rond de school"],
     [("Praktijkondersteuner jeugd bij elke huisartsenpraktijk", "96000", date(2026, 1, 1),
       date(2027, 12, 31), 25)]),
]
PARTNERS = {
    "Meedoen": ["Bibliotheek Koersdam", "Vrijwilligerscentrale Koersdam"],
    "Armoede": ["SchuldHulpMaatje Koersdam", "Woonstichting Koersdam Wonen"],
    "Gezonde leefstijl": ["Sportvereniging KSV Koersdam", "GGD Regio Koersdam"],
    "Mantelzorg": ["Stichting Mantelzorg Koersdam"],
    "Jeugd": ["Stichting Jeugdhulp Kompas", "Huisartsenpraktijk De Brink"],
    "Veilig thuis en in de buurt": ["Welzijn Koersdam", "Huisartsenpraktijk De Brink"],
}


def load_demo_plans(admin: User | None = None) -> int:
    """Create the demo framework and its programmes once; returns how many plans it added."""
    if db.session.scalar(select(func.count()).select_from(Plan)):
        return 0
    by_name = {name: sid for sid, name in db.session.execute(
        select(Stakeholder.id, Stakeholder.name).where(Stakeholder.anonymised_at.is_(None)))}
    sponsor = _first(by_name, "Marjolein Hoekstra")
    framework = services.create_plan(PlanData(
        title=FRAMEWORK, kind="beleidskader",
        summary="Het integrale kader voor Wmo, Jeugdwet en Participatiewet: zes thema's met "
                "hun ambities, samen met inwoners en professionals opgesteld.",
        laws=["wmo2015", "jeugdwet", "participatiewet"], period_start=date(2026, 1, 1),
        period_end=date(2030, 12, 31), owner_id=getattr(admin, "id", None),
        sponsor_id=sponsor), actor=admin)
    for title, body in SECTIONS:
        services.add_section(framework, title, body, actor=admin)
    themes = {}
    for name, description, goals, _actions in THEMES:
        themes[name] = add_theme(framework, name, description, actor=admin)
        for goal in goals:
            add_goal(themes[name], goal, actor=admin)
    adviesraad = _first(by_name, "Adviesraad Sociaal Domein Koersdam")
    if adviesraad:
        involve(framework, db.session.get(Stakeholder, adviesraad), "adviesraad",
                start_date=date(2025, 9, 15), actor=admin)
    db.session.flush()
    _adopt(framework, admin, [("core.adopt_draft", date(2025, 11, 4)),
                              ("core.adopt", date(2026, 1, 29))])
    added = 1
    for name, description, _goals, actions in THEMES:
        programme = services.create_plan(PlanData(
            title=f"Uitvoeringsprogramma {name.lower()}", kind="uitvoeringsprogramma",
            summary=f"Wat we doen voor het thema {name.lower()}: {description.lower()}",
            laws=["wmo2015"] if name != "Jeugd" else ["jeugdwet"],
            period_start=date(2026, 1, 1), period_end=date(2027, 12, 31),
            owner_id=getattr(admin, "id", None), sponsor_id=sponsor, parent_id=framework.id,
            parent_theme_id=themes[name].id), actor=admin)
        services.add_section(programme, "Wat we doen", f"De acties voor {name.lower()}, met "
                             "hun trekkers en partners. Het programma groeit met nieuwe "
                             "initiatieven mee.", actor=admin)
        theme = add_theme(programme, name, description, actor=admin)
        partners = [by_name[p] for p in PARTNERS.get(name, []) if p in by_name]
        for title, budget, start, end, progress in actions:
            action = add_action(programme, ActionData(
                title=title, theme_id=theme.id, trekker_id=partners[0] if partners else None,
                partner_ids=partners, budget=Decimal(budget), start_date=start, end_date=end),
                actor=admin)
            if progress:
                report_progress(action, min(date(2026, 11, 1), end), progress,
                                "Voortgang uit de kwartaalrapportage.", actor=admin)
        db.session.flush()
        # The college sets the programmes, and they run.
        _adopt(programme, admin, [("core.adopt_draft", date(2026, 2, 10)),
                                  ("core.adopt", date(2026, 3, 5))])
        transitions.take(programme, "core.start_implementation", user=admin or _SYSTEM)
        added += 1
    return added


def _first(by_name: dict[str, Any], name: str) -> int | None:
    return by_name.get(name)


def _adopt(plan: Plan, actor: User | None, steps: list[tuple[str, date]]) -> None:
    """Replay the decisions with their historical dates, as staff would enter them later."""
    for name, decided_on in steps:
        transitions.take(plan, name, user=actor or _SYSTEM, values={"decided_on": decided_on})


class _System:
    """The demo loader acts with editor rights when there is no administrator account."""

    id = None
    role = "admin"
    name = "Koers"


_SYSTEM = _System()
