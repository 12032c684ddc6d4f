"""Demo stakeholders for the demonstration municipality: partner organisations, the adviesraad,
the alderman and council members, and residents. All names, addresses and numbers are made up.

Loaded only into an empty register, so running ``koers demo setup`` again adds nothing —
not even the residents the retention run has erased since.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, select

from app.database import db
from app.stakeholders import services
from app.stakeholders.models import Stakeholder
from app.stakeholders.services import StakeholderData

NEWSLETTER = "Nieuwsbrief Sociaal Domein (digitaal, vier keer per jaar)"

# (name, categories, e-mail, phone, address, postcode, website, tags)
ORGANISATIONS: list[tuple[str, list[str], str, str | None, str, str, str, list[str]]] = [
    ("Welzijn Koersdam", ["maatschappelijke_partner"], "info@welzijnkoersdam.example",
     "06 1234 5601", "Marktplein 3", "9641 AA", "https://welzijnkoersdam.example",
     ["welzijn", "wijkteam"]),
    ("GGD Regio Koersdam", ["maatschappelijke_partner"], "gezondheid@ggd-regiokoersdam.example",
     None, "Stationsweg 40", "9641 CD", "https://ggd-regiokoersdam.example",
     ["gezondheid", "preventie"]),
    ("Zorggroep De Linde", ["zorgaanbieder"], "contact@zorggroepdelinde.example",
     "06 1234 5602", "Lindelaan 12", "9642 BE", "https://zorggroepdelinde.example",
     ["ouderen", "wmo"]),
    ("Stichting Jeugdhulp Kompas", ["zorgaanbieder"], "aanmelden@jeugdhulpkompas.example",
     None, "Schoolstraat 8", "9641 EF", "https://jeugdhulpkompas.example", ["jeugd"]),
    ("GGZ Noorderlicht", ["zorgaanbieder"], "info@ggznoorderlicht.example", None,
     "Parkweg 101", "9643 GH", "https://ggznoorderlicht.example", ["ggz"]),
    ("Woonstichting Koersdam Wonen", ["maatschappelijke_partner"],
     "klantenservice@koersdamwonen.example", "06 1234 5603", "Havenkade 1", "9641 JK",
     "https://koersdamwonen.example", ["wonen"]),
    ("Vrijwilligerscentrale Koersdam", ["maatschappelijke_partner"],
     "vrijwilligers@welzijnkoersdam.example", None, "Marktplein 3", "9641 AA",
     "https://vrijwilligerswerkkoersdam.example", ["vrijwilligers"]),
    ("Huisartsenpraktijk De Brink", ["zorgaanbieder"], "praktijk@hadebrink.example",
     "06 1234 5604", "De Brink 5", "9641 LM", "https://hadebrink.example",
     ["eerstelijn"]),
    ("Sportvereniging KSV Koersdam", ["vereniging"], "secretaris@ksvkoersdam.example", None,
     "Sportpark De Koerse 2", "9642 NP", "https://ksvkoersdam.example", ["sport"]),
    ("Bibliotheek Koersdam", ["maatschappelijke_partner"], "info@bibliotheekkoersdam.example",
     None, "Kerkstraat 22", "9641 QR", "https://bibliotheekkoersdam.example",
     ["taal", "digitale vaardigheden"]),
    ("Kenniscentrum Sociaal Domein Noord", ["maatschappelijke_partner"],
     "advies@ksd-noord.example", None, "Zuiderdiep 60", "9711 HL",
     "https://ksd-noord.example", ["participatie", "onderzoek"]),
    ("Stichting Mantelzorg Koersdam", ["maatschappelijke_partner"],
     "steunpunt@mantelzorgkoersdam.example", "06 1234 5605", "Marktplein 3", "9641 AA",
     "https://mantelzorgkoersdam.example", ["mantelzorg"]),
    ("SchuldHulpMaatje Koersdam", ["maatschappelijke_partner"],
     "koersdam@schuldhulpmaatje.example", None, "Marktplein 3", "9641 AA",
     "https://schuldhulpmaatje.example", ["schulden"]),
    ("Thuiszorg Samen Thuis", ["zorgaanbieder"], "planning@samenthuis.example", None,
     "Molenweg 7", "9642 ST", "https://samenthuis.example", ["wmo", "ouderen"]),
    ("Voedselbank Koersdam", ["maatschappelijke_partner"], "info@voedselbankkoersdam.example",
     None, "Industrieweg 14", "9643 UV", "https://voedselbankkoersdam.example",
     ["armoede"]),
    ("Wijkraad Koersdam-Noord", ["vereniging"], "wijkraad.noord@mail.example", None,
     "Buurthuis De Schakel, Esweg 2", "9644 WX", "", ["wijk noord"]),
    ("Adviesraad Sociaal Domein Koersdam", ["adviesraad"], "adviesraad@koersdam.example", None,
     "Postbus 100", "9640 AA", "", ["adviesraad"]),
    ("Gemeente Koersdam", [], "info@koersdam.example", None, "Raadhuisplein 1", "9641 AB",
     "https://koersdam.example", []),
    ("Gemeenteraad Koersdam", [], "griffie@koersdam.example", None, "Raadhuisplein 1",
     "9641 AB", "", []),
]

# (name, categories, e-mail, organisation, function, contact person)
PEOPLE: list[tuple[str, list[str], str | None, str, str, bool]] = [
    ("Marjolein Hoekstra", ["wethouder"], "m.hoekstra@koersdam.example", "Gemeente Koersdam",
     "wethouder Zorg, Jeugd en Welzijn", False),
    ("Erik Postma", ["raadslid"], "e.postma@raad.koersdam.example", "Gemeenteraad Koersdam",
     "raadslid, woordvoerder sociaal domein", False),
    ("Samira Bouzid", ["raadslid"], "s.bouzid@raad.koersdam.example", "Gemeenteraad Koersdam",
     "raadslid", False),
    ("Hendrik-Jan Kuipers", ["raadslid"], "h.kuipers@raad.koersdam.example",
     "Gemeenteraad Koersdam", "raadslid", False),
    ("Gerda Wiersma", ["adviesraad", "inwoner"], "g.wiersma@mail.example",
     "Adviesraad Sociaal Domein Koersdam", "voorzitter", True),
    ("Kofi Mensah", ["adviesraad", "inwoner"], "kofi.mensah@mail.example",
     "Adviesraad Sociaal Domein Koersdam", "lid, aandachtsgebied jeugd", False),
    ("Ineke Dijkstra", ["adviesraad", "mantelzorger"], "ineke.dijkstra@mail.example",
     "Adviesraad Sociaal Domein Koersdam", "lid, aandachtsgebied mantelzorg", False),
    ("Rob Brouwer", ["adviesraad", "inwoner"], "rob.brouwer@mail.example",
     "Adviesraad Sociaal Domein Koersdam", "secretaris", False),
    ("Linda Meijer", ["maatschappelijke_partner"], "l.meijer@welzijnkoersdam.example",
     "Welzijn Koersdam", "opbouwwerker", True),
    ("Sanne Veldman", ["maatschappelijke_partner"], "s.veldman@ggd-regiokoersdam.example",
     "GGD Regio Koersdam", "beleidsadviseur gezondheid", True),
    ("Bart Scholten", ["zorgaanbieder"], "b.scholten@zorggroepdelinde.example",
     "Zorggroep De Linde", "regiomanager", True),
    ("Nadia El Khatib", ["zorgaanbieder"], "n.elkhatib@jeugdhulpkompas.example",
     "Stichting Jeugdhulp Kompas", "teamleider", True),
    ("Peter van der Wal", ["maatschappelijke_partner"], "p.vanderwal@koersdamwonen.example",
     "Woonstichting Koersdam Wonen", "wijkconsulent", True),
    ("Yvonne Mulder", ["maatschappelijke_partner"], "y.mulder@welzijnkoersdam.example",
     "Vrijwilligerscentrale Koersdam", "coördinator", True),
    ("Jeroen de Haan", ["zorgaanbieder"], "j.dehaan@hadebrink.example",
     "Huisartsenpraktijk De Brink", "huisarts", True),
    ("Tineke Bos", ["maatschappelijke_partner"], "t.bos@mantelzorgkoersdam.example",
     "Stichting Mantelzorg Koersdam", "mantelzorgconsulent", True),
    ("Mark Bosma", ["vereniging", "vrijwilliger"], "voorzitter@ksvkoersdam.example",
     "Sportvereniging KSV Koersdam", "voorzitter", True),
    ("Esther Smit", ["maatschappelijke_partner"], "e.smit@bibliotheekkoersdam.example",
     "Bibliotheek Koersdam", "coördinator Taalhuis", True),
    ("Ruud Veenstra", ["maatschappelijke_partner"], "r.veenstra@ksd-noord.example",
     "Kenniscentrum Sociaal Domein Noord", "adviseur participatie", True),
    ("Fleur Jansen", ["vrijwilliger"], "fleur.jansen@mail.example", "Voedselbank Koersdam",
     "coördinator uitgifte", True),
]

# (name, categories, e-mail, tags, consent for the newsletter, retention in days from today,
#  organisation the resident volunteers or takes part in)
RESIDENTS: list[tuple[str, list[str], str | None, list[str], bool, int | None, str | None]] = [
    ("Fatima el Idrissi", ["inwoner", "mantelzorger"], "fatima.elidrissi@mail.example",
     ["mantelzorg"], True, None, None),
    # The same person, entered again at another meeting: the duplicates page shows the pair.
    ("F. el Idrissi", ["inwoner"], "fatima.elidrissi@mail.example", ["wijk noord"], False,
     365, None),
    ("Johan Kramer", ["inwoner"], "johan.kramer@mail.example", ["ouderen"], False, -10, None),
    ("Anouk de Boer", ["inwoner", "vrijwilliger"], "anouk.deboer@mail.example", ["armoede"],
     False, None, "Voedselbank Koersdam"),
    ("Mehmet Yilmaz", ["inwoner"], "mehmet.yilmaz@mail.example", ["werk en inkomen"], True,
     None, None),
    ("Wilma Hofstra", ["mantelzorger"], None, ["mantelzorg", "ouderen"], False, 540, None),
    ("Daan Visser", ["inwoner"], "daan.visser@mail.example", ["jeugd"], False, 365, None),
    ("Sophie van Dijk", ["inwoner"], "sophie.vandijk@mail.example", ["jeugd", "onderwijs"],
     True, None, None),
    ("Harm Zijlstra", ["vrijwilliger"], "harm.zijlstra@mail.example", ["schulden"], False,
     None, "SchuldHulpMaatje Koersdam"),
    ("Greetje Boersma", ["inwoner"], None, ["ouderen", "wijk noord"], False, 180,
     "Wijkraad Koersdam-Noord"),
    ("Lucas Teunissen", ["inwoner"], "lucas.teunissen@mail.example", ["jeugd", "sport"], False,
     365, "Sportvereniging KSV Koersdam"),
    ("Amira Haddad", ["inwoner", "vrijwilliger"], "amira.haddad@mail.example", ["taal"], True,
     None, "Bibliotheek Koersdam"),
    ("Klaas Dijkhuis", ["mantelzorger"], "klaas.dijkhuis@mail.example", ["mantelzorg"], False,
     365, None),
    ("Naomi Pinas", ["inwoner"], "naomi.pinas@mail.example", ["wonen"], False, 365, None),
    ("Tom Westerhof", ["inwoner"], "tom.westerhof@mail.example", ["sport"], False, 365, None),
    ("Ria Oosterhuis", ["inwoner"], None, ["ouderen"], False, -3, None),
    ("Bas Lubbers", ["vrijwilliger"], "bas.lubbers@mail.example", ["sport"], False, None,
     "Sportvereniging KSV Koersdam"),
    ("Joyce Hovenkamp", ["mantelzorger"], "joyce.hovenkamp@mail.example",
     ["mantelzorg", "jeugd"], True, None, None),
    ("Sevda Arslan", ["inwoner"], "sevda.arslan@mail.example", ["armoede", "taal"], False,
     365, None),
    ("Pieter Nijboer", ["inwoner"], "pieter.nijboer@mail.example", ["wijk noord"], False,
     365, "Wijkraad Koersdam-Noord"),
]


def load_demo_stakeholders(today: date | None = None) -> int:
    """Fill an empty register with the demo set; returns how many stakeholders it added."""
    if db.session.scalar(select(func.count()).select_from(Stakeholder)):
        return 0
    today = today or date.today()
    by_name: dict[str, Stakeholder] = {}
    for name, codes, email, phone, address, postcode, website, tags in ORGANISATIONS:
        by_name[name] = services.create(StakeholderData(
            name=name, kind="organisation", categories=codes, email=email, phone=phone,
            address=address, postcode=postcode, place="Koersdam" if postcode.startswith("964")
            else "Groningen", website=website or None, tags=tags))
    for name, codes, email, organisation, function, contact in PEOPLE:
        person = services.create(StakeholderData(name=name, categories=codes, email=email))
        _link(person, by_name[organisation], function, contact)
    for name, codes, email, tags, consent, retention_days, organisation in RESIDENTS:
        values: dict[str, Any] = {}
        if consent:
            values = {"legal_ground": "consent", "consent_purpose": NEWSLETTER,
                      "consent_date": today - timedelta(days=120),
                      "consent_source": "aanmeldformulier werkconferentie Sociaal Domein"}
        if retention_days is not None:
            values["retention_until"] = today + timedelta(days=retention_days)
        person = services.create(StakeholderData(
            name=name, categories=codes, email=email, tags=tags, place="Koersdam", **values))
        if organisation:
            _link(person, by_name[organisation], "vrijwilliger" if "vrijwilliger" in codes
                  else "deelnemer", False)
    return len(ORGANISATIONS) + len(PEOPLE) + len(RESIDENTS)


def _link(person: Stakeholder, organisation: Stakeholder, function: str, contact: bool) -> None:
    db.session.flush()
    services.add_membership(person, organisation, function=function, is_contact=contact)
