"""Demo consultations for the demo framework: a werkconferentie with a table per theme and
the post-its of each table, and the ontwerp laid open for six weeks with written reactions —
one posted in time but received later, one late — answered, one answer covering two.

Loaded only when there are no consultations yet, so running ``koers demo setup`` again adds
nothing. Names are made up; reactions of residents carry no names in the answers.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import func, select

from app.consultations import services
from app.consultations.inputs import answers
from app.consultations.inputs import services as input_services
from app.consultations.inputs.services import InputData
from app.consultations.models import Consultation
from app.consultations.services import ConsultationData
from app.database import db
from app.plans import services as plans
from app.plans.models import Plan
from app.plans.programme import services as programme
from app.stakeholders.models import Stakeholder

POST_ITS = {
    "Meedoen": ["Werkgevers willen wel, maar weten niet hoe", "Taalcafé ook 's avonds",
                "Vrijwilligerswerk telt mee als stap naar werk"],
    "Veilig thuis en in de buurt": ["Buurtteam sneller bereikbaar", "Huisarts ziet veel"],
    "Armoede": ["Regelingen zijn te ingewikkeld", "Eén loket, één formulier",
                "Schulden eerder zien via de woningcorporatie"],
    "Gezonde leefstijl": ["Sportclubs open voor kinderen zonder geld", "Gezonde kantine"],
    "Mantelzorg": ["Respijtzorg ook in het weekend", "Mantelzorgers weten niet wat er is"],
    "Jeugd": ["Wachtlijsten jeugdhulp", "Hulp op school, niet pas na verwijzing"],
}


def load_demo_consultations(actor: Any = None) -> int:
    if db.session.scalar(select(func.count()).select_from(Consultation)):
        return 0
    framework = db.session.scalar(select(Plan).where(Plan.kind == "beleidskader",
                                                     Plan.parent_id.is_(None)))
    if framework is None:
        return 0
    by_name = {name: sid for sid, name in db.session.execute(
        select(Stakeholder.id, Stakeholder.name).where(Stakeholder.anonymised_at.is_(None)))}
    themes = {theme.name: theme for theme in programme.themes_of(framework)}
    organiser = by_name.get("Kenniscentrum Sociaal Domein Noord")
    conference = services.create_consultation(framework, ConsultationData(
        title="Werkconferentie sociaal domein", format="werkconferentie",
        starts_at=datetime(2025, 9, 18, 12, 0, tzinfo=UTC),
        ends_at=datetime(2025, 9, 18, 16, 30, tzinfo=UTC), location="Dorpshuis De Koerse",
        organiser_id=organiser, channels=["website", "gemeentepagina", "lokale_media"],
        description="Tafels per thema: inzichten, verbindingen en concreet advies."),
        actor=actor)
    facilitator = db.session.get(Stakeholder, by_name["Welzijn Koersdam"]) \
        if "Welzijn Koersdam" in by_name else None
    for name, notes in POST_ITS.items():
        theme = themes.get(name)
        table = services.add_table(conference, name, facilitator=facilitator, theme=theme,
                                   actor=actor)
        inputs = input_services.add_inputs(conference, [
            InputData(original_text=text, kind="idee", table_id=table.id,
                      participant_group="partner" if n % 2 else "inwoner",
                      theme_ids=[theme.id] if theme else []) for n, text in enumerate(notes)],
            actor=actor)
        answers.mark_processed(inputs[:1], used=True, actor=actor)
    for person in ("Gerda Wiersma", "Kofi Mensah", "Ineke Dijkstra"):
        if person in by_name:
            services.register_participant(conference, db.session.get(Stakeholder,
                                                                     by_name[person]),
                                          attended=True, actor=actor)

    period = services.create_consultation(framework, ConsultationData(
        title="Ontwerpbeleidskader ter inzage", format="ter_inzage",
        published_on=date(2025, 11, 12), channels=["website", "gemeentepagina"],
        legal_basis="Inspraakverordening Koersdam, artikel 3"), actor=actor)
    mantelzorg = themes.get("Mantelzorg")
    resident = by_name.get("Ineke Dijkstra")
    first = input_services.add_input(period, InputData(
        original_text="Het kader noemt mantelzorgers, maar niet wat zij concreet krijgen.",
        summary="Maak respijtzorg voor mantelzorgers concreet.", kind="zienswijze",
        channel="e-mail", stakeholder_id=resident, received_on=date(2025, 12, 1),
        theme_ids=[mantelzorg.id] if mantelzorg else []), actor=actor)
    second = input_services.add_input(period, InputData(
        original_text="Namens de buurtvereniging: ook de mantelzorgers van ouderen tellen.",
        summary="Respijtzorg ook voor mantelzorgers van ouderen.", kind="zienswijze",
        channel="brief", received_on=date(2025, 12, 26), postmarked_on=date(2025, 12, 23),
        theme_ids=[mantelzorg.id] if mantelzorg else []), actor=actor)
    input_services.add_input(period, InputData(
        original_text="Ik reageer wat laat: de gemeentepagina had ik gemist.",
        summary="Betere aankondiging van de terinzagelegging.", kind="zienswijze",
        channel="brief", received_on=date(2026, 1, 12), postmarked_on=date(2026, 1, 9)),
        actor=actor)
    sections = plans.sections_of(framework)
    answers.answer([first, second], "Het uitvoeringsprogramma mantelzorg regelt respijtzorg "
                    "op maat via het steunpunt, ook voor mantelzorgers van ouderen.",
                    "overgenomen", changed_section=sections[-1] if sections else None,
                    actor=actor)
    return 2
