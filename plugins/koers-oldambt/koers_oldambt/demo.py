"""Demo data: a catalogue of provisions in the four default layers with Oldambt's choices,
linked to the themes of that name in the demo plans; and, when the municipality's demo story
has ``demo/oldambt.toml``, the werkconferentie's kernadviezen it names. Names and amounts are
made up. Idempotent: running it again adds nothing twice."""

from __future__ import annotations

import tomllib
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from app.plugin_api import Consultation, ConsultationTable, Input, Stakeholder, Theme, db

from . import services
from .models import KeyAdvice, Provision

THEMES = {
    "Mantelzorgondersteuning": "Ouderen", "Buurtbemiddeling": None,
    "Sociaal wijkteam: vrije inloop": "Toegang tot dienstverlening en de Doorbraakmethode",
    "Schuldhulpmaatjes": "Armoede", "Sportstimulering jeugd": "Gezond en fit leven",
    "Algemene ouderensoos": "Ouderen", "Huiskamer van de wijk": "Ouderen",
    "Dagbesteding in groepsverband": None, "Groepstraining sociale vaardigheden": "Jeugdhulp",
    "Individuele begeleiding Wmo": None, "Jeugdhulp met verblijf": "Jeugdhulp",
}

# (layer position, name, provider name, target group, reach, yearly budget, choice, why)
PROVISIONS = [
    (1, "Mantelzorgondersteuning", "CMO STAMM", "mantelzorgers", 600, "85000", "versterken",
     "Wie voor een naaste zorgt, houdt het langer vol met steun dichtbij."),
    (1, "Buurtbemiddeling", None, "buren met een conflict", 120, "30000", "behouden",
     "Lost conflicten op voordat er hulp nodig is."),
    (2, "Sociaal wijkteam: vrije inloop", None, "alle inwoners", 2500, "410000", "versterken",
     "Eén plek waar inwoners hun verhaal één keer vertellen."),
    (2, "Schuldhulpmaatjes", None, "huishoudens met geldzorgen", 150, "40000", "versterken",
     "Armoede en schulden vragen vroege hulp: kiezen voor de meest kwetsbaren."),
    (2, "Sportstimulering jeugd", None, "kinderen 4-12 jaar", 900, "120000", "behouden",
     "Gezond en fit leven begint jong."),
    (2, "Algemene ouderensoos", None, "ouderen", 200, "25000", "afbouwen",
     "Wordt opgenomen in het bredere aanbod van de huiskamers in de wijk."),
    (2, "Huiskamer van de wijk", "CMO STAMM", "ouderen en eenzame inwoners", 350, "60000",
     "nieuw", "Ontmoeting dichtbij, ook voor wie niet naar een soos gaat."),
    (3, "Dagbesteding in groepsverband", None, "inwoners met een Wmo-indicatie", 300,
     "950000", "behouden", "Nodig voor wie het zonder niet redt."),
    (3, "Groepstraining sociale vaardigheden", None, "jongeren", 80, "70000", "stoppen",
     "Weinig bereik; de Doorbraakmethode biedt maatwerk dichterbij."),
    (4, "Individuele begeleiding Wmo", None, "inwoners met een indicatie", 700, "2400000",
     "behouden", "Maatwerk voor de meest kwetsbaren blijft."),
    (4, "Jeugdhulp met verblijf", None, "jeugdigen", 45, "3100000", "afbouwen",
     "Eerder en lichter helpen voorkomt verblijf."),
]


def load_demo(municipality: Any) -> None:
    _load_provisions()
    _load_key_advice(municipality)


def _load_provisions() -> None:
    if db.session.scalar(select(Provision.id).limit(1)) is not None:
        return
    themes = {theme.name: theme.id for theme in db.session.scalars(
        select(Theme).where(Theme.name.in_({t for t in THEMES.values() if t})))}
    by_position = {layer.position: layer for layer in services.layers()}
    names = {p[2] for p in PROVISIONS if p[2]}
    providers = {s.name: s.id for s in db.session.scalars(
        select(Stakeholder).where(Stakeholder.name.in_(names),
                                  Stakeholder.kind == "organisation"))}
    for position, name, provider, target, reach, budget, choice, why in PROVISIONS:
        layer = by_position.get(position)
        if layer is None:
            continue
        services.create_provision(services.ProvisionData(
            name=name, layer_id=layer.id, choice=choice, provider_id=providers.get(provider),
            target_group=target, reach=reach, yearly_budget=Decimal(budget), rationale=why,
            theme_ids=[themes[THEMES[name]]] if THEMES.get(name) in themes else []))


def _load_key_advice(municipality: Any) -> None:
    path = municipality.folder / "demo" / "oldambt.toml"
    if not path.is_file() or db.session.scalar(select(KeyAdvice.input_id).limit(1)):
        return
    with path.open("rb") as handle:
        wanted = tomllib.load(handle).get("kernadviezen", [])
    for topic, text in wanted:
        found = db.session.scalar(
            select(Input.id).join(ConsultationTable, ConsultationTable.id == Input.table_id)
            .join(Consultation, Consultation.id == Input.consultation_id)
            .where(ConsultationTable.topic == topic, Input.original_text == text)
            .order_by(Input.id))
        if found is not None:
            db.session.add(KeyAdvice(input_id=found))
