"""The adviser's day, driven through the pages as a person does and counted (run by hand).

One adviser, one working day: 300 participants imported into the register, a werkconferentie
with 6 tables, 60 attendees from the sign-in list, 200 post-its typed and processed into the
plan, the meeting report and feedback to the attendees, a comment period with 300 written
reactions (200 e-mails in a zip, 100 paper letters typed with the fast form, a few late,
some co-signed), the reactions grouped and answered in about 59 answers, the nota and the
letters (e-mail and post). Every step goes through the HTTP interface with the test client,
taking what the person sees from the page they are on; only the plan (themes and sections)
and the outside world (the files, the letters on the desk) are seeded.

Per step it prints the items, form submissions, fields typed or chosen (a posted value that
differs from what the page showed, a file chosen), clicks (a link, a download, a checkbox
whose state changes, a "select all" button) and the estimated adviser time: 20 s per
submission, 5 s per field, 2 s per click, plus the content work — 10 s per post-it typed,
45 s per summary written (typed paper letters), 20 s per item read (each e-mail and each
post-it, once), 60 s per answer or theme summary written, 60 s per post letter printed and
posted. Then the day in hours and the targets of issue 14, met or not. The outcome is
checked too: nothing lost, lateness right, every reaction answered, one letter per person,
the nota built.

    .venv/bin/python -m tests.benchmarks.advisers_day
    .venv/bin/python -m tests.benchmarks.advisers_day --scale 0.1 --markdown
    .venv/bin/python -m tests.benchmarks.advisers_day --database-url \
        postgresql://postgres@127.0.0.1:5432/test

The answering step uses the best path the application offers: suggested groups (each
answered at once, members of another subject unticked, the rest found by the workspace's
search), else the answer workspace's search with "answer all that match", else the plain
answer form ticking each reaction; a standard answer is written once for what falls outside
the plan and "used" wherever it fits. ``--answer-path groups|search|form`` forces one path
to compare them. The reactions are written around 59 subjects, each with a word of its own,
so the script knows which reactions one answer covers, as the adviser knows from reading.
"""

from __future__ import annotations

import argparse
import io
import logging
import random
import re
import time
import unicodedata
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode

import sqlalchemy as sa
from flask import Flask

from app.auth import services as accounts
from app.database import db
from app.plans import services as plans
from app.plans.programme import services as programme
from app.plans.services import PlanData
from app.testing import TEST_PASSWORD, KoersClient
from tests.adviser import Adviser, FormValues, text
from tests.mail import eml, zipped

SECONDS = {"submission": 20, "field": 5, "click": 2, "post_it": 10, "summary": 45, "read": 20,
           "answer": 60, "letter": 60}

# --- the outside world ----------------------------------------------------------------------

THEMES = ("Meedoen en meetellen", "Armoede en schulden", "Eenzaamheid", "Jeugd en gezin",
          "Wonen en zorg", "Vrijwilligers en mantelzorg")
#: Per theme the subjects reactions are about: a word only that subject's reactions use (so a
#: search finds them) and the sentence that makes the point.
TOPICS: dict[str, tuple[tuple[str, str], ...]] = {
    "Meedoen en meetellen": (
        ("buurtbus", "De buurtbus rijdt 's avonds en in het weekend niet, waardoor ik niet "
                     "naar activiteiten in het dorp kan."),
        ("dagbesteding", "Voor de dagbesteding van mijn zoon is te weinig plek en de reistijd "
                         "is lang."),
        ("taalcafé", "Het taalcafé helpt nieuwkomers echt mee te doen; houd het open, ook in "
                     "de zomer."),
        ("sportvereniging", "De contributie van de sportvereniging is voor veel gezinnen te "
                            "hoog zonder bijdrage van de gemeente."),
        ("participatiebaan", "Een participatiebaan zonder uitzicht op betaald werk voelt als "
                             "bezigheidstherapie."),
        ("gebarentolk", "Bij bijeenkomsten van de gemeente ontbreekt een gebarentolk, dus "
                        "dove inwoners doen niet mee."),
        ("invalidenparkeerplaats", "Een invalidenparkeerplaats bij het gemeentehuis en "
                                   "het gezondheidscentrum is bijna altijd bezet."),
        ("wijkraad", "Betrek de wijkraad eerder, niet pas als het plan al klaar is."),
        ("stadspas", "De stadspas zou ook moeten gelden voor mensen net boven het "
                     "sociaal minimum."),
        ("inburgering", "Koppel de inburgering aan vrijwilligerswerk in de eigen wijk."),
    ),
    "Armoede en schulden": (
        ("schuldhulpverlening", "De wachttijd voor schuldhulpverlening is zo lang dat de "
                                "schulden intussen verder oplopen."),
        ("voedselbank", "De voedselbank heeft geen vaste ruimte; vraag de gemeente een "
                        "pand beschikbaar te stellen."),
        ("energietoeslag", "De energietoeslag kwam te laat en de aanvraag was te "
                           "ingewikkeld."),
        ("kindpakket", "Het kindpakket moet ook een laptop voor school bevatten."),
        ("bewindvoering", "De kosten van bewindvoering lopen op; zet eerder in op "
                          "budgetcoaching."),
        ("huurachterstand", "Bij een huurachterstand moet de corporatie eerder contact "
                            "opnemen met het sociaal team."),
        ("formulierenbrigade", "De formulierenbrigade is onmisbaar voor ouderen die de "
                               "regels niet meer begrijpen."),
        ("kwijtschelding", "Maak kwijtschelding van gemeentelijke belastingen automatisch "
                           "voor wie in de bijstand zit."),
        ("gemeentepolis", "De gemeentepolis is duurder geworden en dekt minder dan "
                          "voorheen."),
        ("vroegsignalering", "Vroegsignalering werkt alleen als huisartsen en scholen ook "
                             "meedoen."),
    ),
    "Eenzaamheid": (
        ("buurtkamer", "Een buurtkamer in onze wijk zou ouderen een plek geven om elkaar "
                       "te ontmoeten."),
        ("huisbezoek", "Een huisbezoek bij iedereen van vijfenzeventig jaar en ouder "
                       "brengt eenzaamheid aan het licht."),
        ("maatjesproject", "Het maatjesproject kan niet iedereen koppelen die zich "
                           "aanmeldt."),
        ("telefooncirkel", "Zet de telefooncirkel voort, want voor veel alleenstaanden is "
                           "dat het enige dagelijkse contact."),
        ("seniorenmiddag", "De seniorenmiddag in het dorpshuis is wegbezuinigd en wordt "
                           "gemist."),
        ("koffieochtend", "De koffieochtend in de kerk draait op twee vrijwilligers en "
                          "verdient steun."),
        ("rouwverwerking", "Na het overlijden van een partner is er geen aanbod voor "
                           "rouwverwerking in de gemeente."),
        ("ouderenadviseur", "De ouderenadviseur is nauwelijks bereikbaar sinds de "
                            "bezuiniging."),
        ("beweegtuin", "Een beweegtuin bij het verzorgingshuis brengt mensen naar "
                       "buiten en bij elkaar."),
        ("wandelgroep", "Een wekelijkse wandelgroep vanuit het buurthuis is een "
                        "eenvoudige manier om mensen te verbinden."),
    ),
    "Jeugd en gezin": (
        ("jongerenwerk", "Het jongerenwerk is alleen overdag open, terwijl jongeren juist "
                         "'s avonds op straat zijn."),
        ("consultatiebureau", "Het consultatiebureau is verhuisd naar de stad en voor "
                              "jonge ouders zonder auto onbereikbaar."),
        ("schoolmaatschappelijk", "Het schoolmaatschappelijk werk moet op elke "
                                  "basisschool een vast spreekuur hebben."),
        ("wachtlijst", "Ons kind staat al negen maanden op de wachtlijst voor "
                       "jeugdhulp."),
        ("speeltuin", "De speeltuin aan de Beukenlaan is verwaarloosd en onveilig."),
        ("kinderopvang", "Zonder betaalbare kinderopvang kunnen alleenstaande ouders "
                         "niet gaan werken."),
        ("huiswerkbegeleiding", "Gratis huiswerkbegeleiding voor kinderen uit gezinnen "
                                "met weinig geld voorkomt schooluitval."),
        ("opvoedondersteuning", "Opvoedondersteuning moet laagdrempelig zijn, zonder "
                                "verwijzing en zonder wachttijd."),
        ("echtscheiding", "Kinderen in een echtscheiding hebben een eigen "
                          "vertrouwenspersoon nodig."),
        ("hangplek", "Geef jongeren een overdekte hangplek in plaats van ze weg te "
                     "sturen."),
    ),
    "Wonen en zorg": (
        ("levensloopbestendig", "In de kleine kernen wordt te weinig levensloopbestendig "
                                "gebouwd."),
        ("mantelzorgwoning", "Een mantelzorgwoning in de tuin moet zonder lange procedure "
                             "mogelijk zijn."),
        ("huishoudelijke", "De huishoudelijke hulp is teruggebracht naar twee uur per "
                           "twee weken; dat is te weinig."),
        ("traplift", "De aanvraag voor een traplift duurde een half jaar."),
        ("wijkverpleging", "De wijkverpleging komt steeds met andere gezichten aan de "
                           "deur."),
        ("beschermd", "Voor beschermd wonen is in de regio geen plek, waardoor mensen "
                      "te lang in de kliniek blijven."),
        ("scootmobiel", "De scootmobiel past niet in de berging van mijn "
                        "huurwoning."),
        ("dakloosheid", "Dakloosheid onder jongeren neemt toe en de nachtopvang zit "
                        "vol."),
        ("wijkteam", "Het sociaal wijkteam is voor inwoners onbekend; maak het "
                     "zichtbaarder in de wijk."),
        ("knarrenhof", "Steun bewoners die samen een knarrenhof willen bouwen."),
    ),
    "Vrijwilligers en mantelzorg": (
        ("respijtzorg", "Respijtzorg is nauwelijks te vinden, terwijl mantelzorgers "
                        "overbelast raken."),
        ("mantelzorgcompliment", "Het mantelzorgcompliment is verlaagd en voelt nu als "
                                 "een fooi."),
        ("vrijwilligersvergoeding", "Verhoog de vrijwilligersvergoeding zodat de "
                                    "reiskosten gedekt zijn."),
        ("vrijwilligerscentrale", "De vrijwilligerscentrale moet ook verenigingen "
                                  "helpen met het werven van bestuurders."),
        ("logeerhuis", "Een logeerhuis voor mensen met dementie geeft de partner thuis "
                       "even rust."),
        ("mantelzorgconsulent", "Er is maar een mantelzorgconsulent voor de hele "
                                "gemeente."),
        ("gedragsverklaring", "De gemeente zou de kosten van de gedragsverklaring voor "
                              "vrijwilligers moeten betalen."),
        ("vrijwilligersverzekering", "Veel vrijwilligers weten niet dat de "
                                     "vrijwilligersverzekering bestaat."),
        ("oppasdienst", "Een oppasdienst voor mantelzorgers van mensen met een "
                        "beperking ontbreekt."),
    ),
}
#: Around the point a reaction says who writes and asks for an answer, in words many
#: reactions share; the point itself and its repetition carry what it is about.
OPENINGS = ("Geachte heer, mevrouw,", "Geachte heer, mevrouw,", "Geachte heer, mevrouw,",
            "Geacht college,", "Beste gemeente,")
WHO = ("Als inwoner van Scheemda", "Als moeder van drie kinderen", "Als mantelzorger",
       "Als vrijwilliger", "Als oud-leerkracht", "Namens mijn buren", "Als wijkbewoner",
       "Als gepensioneerde", "Als ondernemer in het dorp", "Als ouder van een tiener",
       "Als lid van de kerk", "Als huurder")
SINCE = ("reageer ik op het ontwerpbeleidsplan.", "wil ik iets zeggen over het plan.",
         "heb ik het plan gelezen.", "geef ik graag mijn mening.",
         "maak ik gebruik van de inspraak.", "stuur ik u deze zienswijze.")
AGAIN = ("Ik vraag u daarom aandacht voor {word}.", "Neem {word} alstublieft op in het plan.",
         "Voor mij staat {word} bovenaan.", "Regel {word} beter dan nu.",
         "Het onderwerp {word} verdient meer dan een regel in het plan.",
         "Kijk nog eens goed naar {word}.")
CLOSINGS = ("Met vriendelijke groet,", "Met vriendelijke groet,",
            "Ik hoor graag wat u met mijn reactie doet.", "Bij voorbaat dank.")
#: Per theme short post-it remarks; a line starts with its kind as the bulk entry reads it.
POST_ITS: dict[str, tuple[str, ...]] = {
    "Meedoen en meetellen": (
        "Idee: vervoer naar activiteiten regelen met vrijwillige chauffeurs",
        "Zorg: mensen met een beperking worden vergeten",
        "Vraag: hoe bereiken we mensen die nooit komen?",
        "Idee: sport- en cultuurbijdrage voor alle kinderen",
        "Advies: organiseer inspraak ook 's avonds"),
    "Armoede en schulden": (
        "Idee: een vast inloopspreekuur voor geldzaken",
        "Zorg: schaamte houdt mensen weg bij de hulp",
        "Vraag: waarom duurt de aanvraag zo lang?",
        "Advies: werk samen met de woningcorporatie bij achterstanden",
        "Idee: budgetcursus op school"),
    "Eenzaamheid": (
        "Idee: een ontmoetingsplek in elke wijk",
        "Zorg: ouderen durven niet om hulp te vragen",
        "Idee: koppel jongeren en ouderen in een project",
        "Vraag: wie signaleert eenzaamheid bij mannen?",
        "Advies: maak gebruik van de huisarts als vindplaats"),
    "Jeugd en gezin": (
        "Idee: een jongerenraad die echt meebeslist",
        "Zorg: lange wachttijden in de jeugdhulp",
        "Idee: opvoedcafé op het schoolplein",
        "Vraag: wat doet de gemeente tegen pesten?",
        "Advies: laat het wijkteam op school spreekuur houden"),
    "Wonen en zorg": (
        "Idee: tussenwoningen voor ouderen in het dorp",
        "Zorg: woningaanpassing duurt te lang",
        "Vraag: kan de zorg dichter bij huis?",
        "Advies: bouw samen met zorgaanbieders",
        "Idee: een klussendienst voor kleine aanpassingen"),
    "Vrijwilligers en mantelzorg": (
        "Idee: een dag van de mantelzorger met echte ontlasting",
        "Zorg: vrijwilligers vergrijzen",
        "Vraag: hoe vinden jonge mantelzorgers hulp?",
        "Advies: minder regels voor vrijwilligersorganisaties",
        "Idee: waardering in de vorm van een cursusbudget"),
}
POST_IT_PLACES = ("in de wijk", "voor ouderen", "in de kleine kernen", "voor gezinnen",
                  "in het centrum", "voor jongeren", "bij het dorpshuis", "samen met de school")

FIRST_NAMES = ("Anna", "Bram", "Carla", "Daan", "Els", "Frank", "Greet", "Henk", "Ilse", "Jan",
               "Karin", "Lars", "Marieke", "Nico", "Olga", "Piet", "Riet", "Sander", "Tineke",
               "Wim", "Yvonne", "Gerrit", "Hanneke", "Joost", "Lotte")
LAST_NAMES = ("de Vries", "Jansen", "Bakker", "Visser", "Smit", "Meijer", "de Boer",
              "Mulder", "de Groot", "Bos", "Vos", "Peters", "Hendriks", "van Dijk", "Dekker",
              "Brouwer", "de Wit", "Dijkstra", "Smits", "de Graaf", "van der Meer", "Kok",
              "Jacobs", "de Haan", "Vermeulen")
ORGANISATIONS = ("Stichting Welzijn Oost", "Vrouwenraad Koersdam", "Dorpsbelang Westerbroek",
                 "Ouderenbond Koersdam", "Voedselbank Koersdam", "Sportclub De Zwaluwen",
                 "Vluchtelingenwerk Koersdam", "Humanitas Koersdam", "MEE Noord",
                 "Buurtzorg Koersdam", "Stichting Leergeld", "Cliëntenraad Sociaal Domein",
                 "Jongerenraad Koersdam", "Mantelzorg Koersdam", "Woonstichting De Kern",
                 "GGD Koersdam", "Scouting Koersdam", "Wijkraad Noord", "Wijkraad Zuid",
                 "Bibliotheek Koersdam")
STREETS = ("Dorpsstraat", "Kerkpad", "Beukenlaan", "Molenweg", "Schoolstraat", "Stationsweg",
           "Julianastraat", "Wilhelminalaan", "Esdoornlaan", "Hoofdstraat")
PLACES = (("9679", "Scheemda"), ("9681", "Midwolda"), ("9682", "Oostwold"),
          ("9684", "Finsterwolde"))


@dataclass
class Sender:
    name: str
    email: str = ""
    address: str = ""
    postcode: str = ""
    place: str = ""
    organisation: bool = False


@dataclass
class Reaction:
    """One written reaction as it arrives: its topic (what it is about), text, sender."""

    topic: tuple[str, int]  # (theme, index in TOPICS[theme])
    text: str
    sender: Sender
    received_on: date
    postmarked_on: date | None = None
    late: bool = False
    co_signers: list[Sender] = field(default_factory=list)
    summary: str = ""


def _address(chance: random.Random, n: int) -> tuple[str, str, str]:
    digits, place = PLACES[n % len(PLACES)]
    letters = "".join(chance.choice("ABCDEGHJKLMNPRSTVWXZ") for _ in range(2))
    return f"{chance.choice(STREETS)} {n % 97 + 1}", f"{digits} {letters}", place


def people(chance: random.Random, count: int, offset: int = 0,
           with_email: float = 0.85) -> list[Sender]:
    """``count`` distinct persons; the name list is walked from ``offset`` so that several
    calls give different people."""
    found = []
    for n in range(offset, offset + count):
        first = FIRST_NAMES[n % len(FIRST_NAMES)]
        last = LAST_NAMES[(n // len(FIRST_NAMES)) % len(LAST_NAMES)]
        suffix = "" if n < len(FIRST_NAMES) * len(LAST_NAMES) else f" {n}"
        name = f"{first} {last}{suffix}"
        slug = name.lower().replace(" ", ".")
        address, postcode, place = _address(chance, n)
        email = f"{slug}@example.nl" if chance.random() < with_email else ""
        found.append(Sender(name, email, address, postcode, place))
    return found


def participants_csv(persons: list[Sender], organisations: list[Sender]) -> bytes:
    """The register's import spreadsheet, as the municipality's address list exports it."""
    lines = ["naam;soort;organisatie;functie;e-mail;telefoon;adres;postcode;plaats;"
             "categorieën"]
    for organisation in organisations:
        lines.append(f"{organisation.name};organisatie;;;{organisation.email};;"
                     f"{organisation.address};{organisation.postcode};{organisation.place};"
                     "zorgaanbieder")
    for n, person in enumerate(persons):
        category = "mantelzorger" if n % 7 == 0 else "inwoner"
        lines.append(f"{person.name};persoon;;;{person.email};;{person.address};"
                     f"{person.postcode};{person.place};{category}")
    return ("\r\n".join(lines) + "\r\n").encode("utf-8-sig")


def signin_csv(attendees: list[Sender], tables: list[str]) -> bytes:
    """The sign-in list of the werkconferentie as typed from the paper list: name, e-mail
    when someone wrote it, postcode, and the table (its theme) each sat at."""
    lines = ["naam;e-mail;postcode;organisatie;tafel"]
    lines += [f"{p.name};{p.email};{p.postcode};;{table}"
              for p, table in zip(attendees, tables, strict=True)]
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


def post_it_lines(chance: random.Random, theme: str, count: int) -> list[str]:
    return [f"{chance.choice(POST_ITS[theme])} {chance.choice(POST_IT_PLACES)}"
            for _ in range(count)]


def topics() -> list[tuple[str, int]]:
    return [(theme, index) for theme in THEMES for index in range(len(TOPICS[theme]))]


def reaction_text(chance: random.Random, topic: tuple[str, int]) -> str:
    theme, index = topic
    point = TOPICS[theme][index][1]
    again = chance.choice(AGAIN).format(word=TOPICS[theme][index][0])
    return " ".join([chance.choice(OPENINGS), f"{chance.choice(WHO)} {chance.choice(SINCE)}",
                     point, again, chance.choice(CLOSINGS)])


def keyword(topic: tuple[str, int]) -> str:
    return TOPICS[topic[0]][topic[1]][0]


def assign_topics(chance: random.Random, reactions: int, answers: int
                  ) -> list[tuple[str, int]]:
    """Which subject each reaction is about: ``answers`` subjects, each at least once, a few
    popular ones many times (as with a bus line or a closing day centre)."""
    chosen = topics()
    chance.shuffle(chosen)
    chosen = chosen[:answers]
    weights = [8 if n < 6 else 3 if n < 20 else 1 for n in range(len(chosen))]
    assigned = list(chosen[:reactions])
    assigned += chance.choices(chosen, weights, k=max(0, reactions - len(assigned)))
    chance.shuffle(assigned)
    return assigned


def mail_zip(reactions: list[Reaction]) -> bytes:
    """The e-mails as the shared mailbox exports them: a zip of ``.eml`` files."""
    members = {}
    for n, reaction in enumerate(reactions, start=1):
        sent = reaction.received_on
        members[f"inspraak/{n:03d}.eml"] = eml(
            f"{reaction.sender.name} <{reaction.sender.email}>",
            date_header=f"{sent:%a, %d %b %Y} 10:{n % 60:02d}:00 +0200",
            body=reaction.text, message_id=f"zienswijze-{n}@mail.example.nl",
            subject="Zienswijze ontwerpbeleidsplan")
    return zipped(members)


def received_dates(chance: random.Random, first: date, last_day: date, count: int,
                   late: int) -> list[tuple[date, bool]]:
    """Dates in the period, the last ``late`` ones after its last day."""
    span = (last_day - first).days
    dates = [(first + timedelta(days=chance.randrange(span + 1)), False)
             for _ in range(count - late)]
    dates += [(last_day + timedelta(days=2 + n % 4), True) for n in range(late)]
    return dates


def summary_of(reaction: Reaction) -> str:
    """What the adviser writes as the summary of a letter: the point, in short."""
    theme, index = reaction.topic
    point = TOPICS[theme][index][1]
    return point.split(",")[0].split(";")[0].rstrip(".") + "."


def plain(words: str) -> str:
    """Lower case without accents, to see which subject words a text holds."""
    return "".join(c for c in unicodedata.normalize("NFKD", words.lower())
                   if not unicodedata.combining(c))


# --- counting what the person does ----------------------------------------------------------

class PageForm(FormValues):
    """What one form shows, hidden fields included (they travel unchanged, typed by nobody)."""

    def handle_starttag(self, tag: str, attrs: list) -> None:
        found = dict(attrs)
        if tag == "input" and found.get("type") == "hidden" and found.get("name"):
            self.values[found["name"]] = found.get("value") or ""
        super().handle_starttag(tag, attrs)


def forms_on(page: str, action: str | None) -> list[dict[str, Any]]:
    """The values of each form on ``page`` whose action contains ``action`` (``None``: a
    form posting to the page itself, without an action)."""
    forms = []
    for match in re.finditer(r"<form\b[^>]*>", page):
        found = re.search(r'action="([^"]*)"', match.group(0))
        if ((found and action is not None and action in found.group(1).replace("&amp;", "&"))
                or (found is None and action is None and 'method="post"' in match.group(0))):
            end = page.find("</form>", match.end())
            forms.append(PageForm(page[match.start():end if end > 0 else len(page)]).values)
    return forms


def form_on(page: str, action: str | None) -> dict[str, Any]:
    """The values of the first form on ``page`` whose action contains ``action``."""
    forms = forms_on(page, action)
    assert forms, f"no form posting to {action} on the page"
    return forms[0]


def action_of(page: str, action: str) -> str:
    """The full action (with its query) of the form whose action contains ``action``."""
    for found in re.finditer(r'<form\b[^>]*action="([^"]*)"', page):
        if action in found.group(1).replace("&amp;", "&"):
            return found.group(1).replace("&amp;", "&")
    raise AssertionError(f"no form posting to {action} on the page")


def link_on(page: str, part: str) -> str:
    for found in re.finditer(r'href="([^"]*)"', page):
        if part in found.group(1).replace("&amp;", "&"):
            return found.group(1).replace("&amp;", "&")
    raise AssertionError(f"no link to {part} on the page")


class Person(Adviser):
    """The adviser, counted as :class:`tests.adviser.Adviser` counts, and further: a
    checkbox is a click per box whose state changes; a page reached by a redirect or already
    on screen costs nothing (:meth:`see`)."""

    def __init__(self, client: KoersClient) -> None:
        super().__init__(client)
        self.content = 0.0  # seconds of reading, typing and writing content

    def fill(self, shown: dict, posted: dict) -> None:
        for name, value in posted.items():
            before = shown.get(name)
            files = isinstance(value, tuple | list) and any(
                isinstance(item, tuple) and hasattr(item[0], "read")
                for item in (value if isinstance(value, list) else [value]))
            if files:
                self.fields += 1  # files chosen in one dialog
            elif name == "use":
                continue  # a button: the submission itself
            elif name not in ("then", "search", "csrf_token") and (
                    isinstance(before, set) or isinstance(value, list | set | tuple)):
                now = {str(item) for item in (value if isinstance(value, list | set | tuple)
                                              else [value])}
                self.clicks += len(now ^ {str(item) for item in (before or ())})
            else:
                super().fill(shown, {name: value})

    def see(self, url: str) -> str:
        """A page the person is taken to (a redirect): no interaction."""
        response = self.client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        return text(response)

    def download(self, url: str) -> bytes:
        self.clicks += 1
        response = self.client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        return response.data

    def send(self, url: str, shown: dict, changes: dict,
             expect: int | tuple[int, ...] = 302):
        """Submit a form as shown with ``changes``: only the changes are counted."""
        data: dict[str, Any] = {name: sorted(value) if isinstance(value, set) else value
                                for name, value in shown.items()}
        data.update(changes)
        self.fill(shown, changes)
        self.submissions += 1
        response = self.client.submit(url, data)
        assert response.status_code in (expect if isinstance(expect, tuple) else (expect,)), (
            url, response.status_code, text(response)[:3000])
        return response

    def query(self, url: str, shown: dict, changes: dict) -> str:
        """Submit a GET form (a filter, a search): a submission and its changed fields."""
        data = {name: value for name, value in {**shown, **changes}.items()
                if not isinstance(value, set) and value not in (None, "")}
        self.fill(shown, changes)
        self.submissions += 1
        return self.see(f"{url}?{urlencode(data)}")


@dataclass
class Step:
    name: str
    items: int
    unit: str
    person: Person
    content: float = 0.0
    path: str = ""
    notes: list[str] = field(default_factory=list)

    @property
    def interactions(self) -> int:
        return self.person.total

    @property
    def interaction_seconds(self) -> float:
        p = self.person
        return (p.submissions * SECONDS["submission"] + p.fields * SECONDS["field"]
                + p.clicks * SECONDS["click"])

    @property
    def seconds(self) -> float:
        return self.interaction_seconds + self.content


# --- the day --------------------------------------------------------------------------------

@dataclass
class World:
    """What the day works with: the plan's ids and what arrives from outside."""

    scale: float
    chance: random.Random
    plan_id: int = 0
    themes: dict[str, int] = field(default_factory=dict)
    sections: dict[str, int] = field(default_factory=dict)
    participants: list[Sender] = field(default_factory=list)
    organisations: list[Sender] = field(default_factory=list)
    attendees: list[Sender] = field(default_factory=list)
    meeting_id: int = 0
    tables: dict[str, int] = field(default_factory=dict)
    post_its: int = 0
    not_used: int = 0
    period_id: int = 0
    emails: list[Reaction] = field(default_factory=list)
    letters: list[Reaction] = field(default_factory=list)
    answers: int = 0
    answer_path: str = ""  # "" the best available, or "groups", "search", "form"
    written: set[tuple[str, int]] = field(default_factory=set)  # subjects answered in words
    standard_id: int | None = None
    standards: int = 0

    def count(self, full: int, least: int = 1) -> int:
        return max(least, round(full * self.scale))


def seed_plan(world: World) -> None:
    """The plan exists already: six themes, a section for each."""
    plan = plans.create_plan(PlanData(title="Beleidsplan Sociaal Domein 2027-2030",
                                      kind="beleidsplan"))
    for n, name in enumerate(THEMES, start=1):
        world.themes[name] = programme.add_theme(plan, name).id
        world.sections[name] = plans.add_section(plan, f"Hoofdstuk {n}: {name}").id
    db.session.commit()
    world.plan_id = plan.id


def sign_in(app: Flask) -> KoersClient:
    accounts.create_user("adviseur@koersdam.example", "Adviseur Sociaal Domein", "editor",
                         password=TEST_PASSWORD)
    db.session.commit()
    app.test_client_class = KoersClient
    client: KoersClient = app.test_client()  # type: ignore[assignment]
    client.set_cookie("koers_language", "en")
    response = client.submit("/login", {"email": "adviseur@koersdam.example",
                                        "password": TEST_PASSWORD})
    assert response.status_code == 302, text(response)[:2000]
    return client


def import_participants(client: KoersClient, world: World) -> Step:
    organisations = [Sender(name, f"info@{plain(name).replace(' ', '')}.example", *(
        _address(world.chance, n)), organisation=True)
        for n, name in enumerate(ORGANISATIONS[:world.count(20)])]
    persons = people(world.chance, world.count(300) - len(organisations))
    world.participants, world.organisations = persons, organisations
    person = Person(client)
    page = person.open("/stakeholders/import")
    response = person.send("/stakeholders/import", form_on(page, None), {
        "file": (io.BytesIO(participants_csv(persons, organisations)), "deelnemers.csv")})
    check = person.see(response.location)
    assert "ready to import" in check, check[:3000]
    confirm = f"{response.location}/confirm"
    response = person.send(confirm, form_on(check, "/confirm"), {})
    done = person.see(response.location)
    assert "have been imported" in done, done[:3000]
    return Step("1. import participants", len(persons) + len(organisations), "participant",
                person, path="stakeholder import (check, confirm)")


def new_consultation(person: Person, world: World, fields: dict[str, str]) -> tuple[int, str]:
    """The plan's consultations tab, its "new" link, the form posted with ``fields``: the new
    consultation's id and its page."""
    tab = person.open(f"/consultations/plan/{world.plan_id}")
    url = f"/consultations/plan/{world.plan_id}/new"
    page = person.open(link_on(tab, url))
    response = person.send(url, form_on(page, url), fields)
    return int(response.location.rstrip("/").rsplit("/", 1)[1]), person.see(response.location)


def create_meeting(client: KoersClient, world: World) -> Step:
    person = Person(client)
    world.meeting_id, page = new_consultation(person, world, {
        "title": "Werkconferentie Samen Sterk", "format": "werkconferentie",
        "starts_at": "2026-09-10T13:30", "ends_at": "2026-09-10T17:00",
        "location": "Dorpshuis De Kern"})
    base = f"/consultations/{world.meeting_id}"
    for name in THEMES:
        response = person.send(f"{base}/tables", form_on(page, f"{base}/tables"), {
            "topic": f"Tafel {name}", "theme_id": str(world.themes[name])})
        page = person.see(response.location)
    from app.consultations.models import ConsultationTable

    world.tables = {row.topic.removeprefix("Tafel "): row.id for row in db.session.scalars(
        sa.select(ConsultationTable).where(
            ConsultationTable.consultation_id == world.meeting_id))}
    assert set(world.tables) == set(THEMES)
    return Step("2. werkconferentie, 6 tables", len(THEMES), "table", person,
                path="consultation form; table form per table with its theme")


def register_attendees(client: KoersClient, world: World) -> Step:
    """The sign-in list, typed from paper into a spreadsheet by the front desk."""
    total = world.count(60)
    newcomers = max(1, total // 6)
    known = [p for p in world.participants if p.email][:total - newcomers]
    rows = [Sender(p.name, p.email if n % 5 else "", p.address, p.postcode, p.place)
            for n, p in enumerate(known)]
    new = people(world.chance, newcomers, offset=len(FIRST_NAMES) * len(LAST_NAMES) + 1000)
    world.attendees = rows + new
    person = Person(client)
    base = f"/consultations/{world.meeting_id}"
    page = person.open(base)
    seats = [world.chance.choice(THEMES) for _ in world.attendees]
    response = person.send(f"{base}/signin", form_on(page, f"{base}/signin"), {
        "file": (io.BytesIO(signin_csv(world.attendees, seats)), "presentielijst.csv")},
        expect=200)
    check = text(response)
    shown = form_on(check, "/signin/confirm")
    response = person.send(f"{base}/signin/confirm", shown, {})
    person.see(response.location)
    from app.consultations.models import Registration

    seated = db.session.scalar(sa.select(sa.func.count()).select_from(Registration).where(
        Registration.consultation_id == world.meeting_id, Registration.attended.is_(True),
        Registration.table_id.is_not(None)))
    assert seated == len(world.attendees), (seated, len(world.attendees))
    return Step("3. attendees (sign-in list)", len(world.attendees), "attendee", person,
                path="sign-in list import with attendance and each one's table")


def type_post_its(client: KoersClient, world: World) -> Step:
    total = world.count(200, least=len(THEMES))
    per_table = [total // len(THEMES) + (n < total % len(THEMES)) for n in range(len(THEMES))]
    person = Person(client)
    url = f"/consultations/{world.meeting_id}/inputs/bulk"
    page = person.open(url)
    for theme, count in zip(THEMES, per_table, strict=True):
        lines = post_it_lines(world.chance, theme, count)
        shown = form_on(page, url)
        response = person.send(url, shown, {"lines": "\n".join(lines),
                                            "table_id": str(world.tables[theme])})
        page = person.see(response.location)
    world.post_its = total
    return Step("4. post-its typed (bulk, kind per line)", total, "post-it", person,
                content=total * SECONDS["post_it"],
                path="bulk entry per table, the table's theme by default")


def process_post_its(client: KoersClient, world: World) -> Step:
    """Per table: the list filtered to its unprocessed post-its on one page; the few not
    used ticked with a reason, then all others taken into the theme's section at once."""
    person = Person(client)
    base = f"/consultations/{world.meeting_id}/inputs"
    page = person.open(base)
    not_used = 0
    for theme in THEMES:
        filters = form_on(page, base)
        page = person.query(base, filters, {"table_id": str(world.tables[theme]),
                                            "processed": "no", "per_page": "200"})
        listed = re.findall(r'name="input_ids" value="(\d+)"', page)
        skipped = listed[:max(1, len(listed) // 10)] if len(listed) >= 5 else []
        if skipped:
            action = action_of(page, "/inputs/process")
            response = person.send(action, form_on(page, "/inputs/process"), {
                "input_ids": skipped, "used": "no",
                "reason": "Valt buiten het sociaal domein; doorgestuurd naar de afdeling "
                          "Ruimte."})
            page = person.see(response.location)
            not_used += len(skipped)
        action = action_of(page, "/inputs/process")
        response = person.send(action, form_on(page, "/inputs/process"), {
            "whole_page": "y", "used": "yes",
            "target": f"section:{world.sections[theme]}"})
        page = person.see(response.location)
    world.not_used = not_used
    return Step("5. post-its processed (traced)", world.post_its, "post-it", person,
                content=world.post_its * SECONDS["read"],
                path="input list: filter by table, 200 per page, not used ticked with a "
                     "reason, the rest 'mark all on this page' into the theme's section")



def route_exists(app: Flask, endpoint: str) -> bool:
    return endpoint in app.view_functions


def print_and_post(person: Person, page: str, base: str) -> int:
    """Print every post letter as one PDF and mark them all sent; the letters printed."""
    if "/feedback/letters.pdf" not in page:
        return 0
    kind = "?kind=meeting" if 'name="kind" value="meeting"' in page else ""
    data = person.download(f"{base}/feedback/letters.pdf{kind}")
    assert data.startswith(b"%PDF")
    from pypdf import PdfReader

    printed = len(PdfReader(io.BytesIO(data)).pages)
    action = action_of(page, "/feedback/posted")
    response = person.send(action, form_on(page, "/feedback/posted"), {})
    person.see(response.location)
    return printed


def report_and_feedback(client: KoersClient, world: World) -> Step:
    """The meeting report read and downloaded, and the feedback to the attendees (each
    seated at their table by the sign-in list): e-mail, the rest printed and posted."""
    person = Person(client)
    app = client.application
    if not (route_exists(app, "consultations.meeting_report")
            and route_exists(app, "consultations.meeting_feedback")):
        return Step("6. meeting report + attendee feedback", 0, "attendee", person,
                    path="not available")
    base = f"/consultations/{world.meeting_id}"
    report = person.open(f"{base}/report")
    assert "Tafel" in report
    assert person.download(f"{base}/report.pdf").startswith(b"%PDF")
    page = person.open(f"{base}/meeting-feedback")
    response = person.send(f"{base}/meeting-feedback",
                           form_on(page, f"{base}/meeting-feedback"), {})
    page = person.see(response.location.split("#")[0])
    printed = print_and_post(person, page, base)
    step = Step("6. meeting report + attendee feedback", len(world.attendees), "attendee",
                person, content=printed * SECONDS["letter"],
                path="report page + PDF; meeting feedback mailing; post letters printed as "
                     "one PDF, marked sent at once")
    step.notes.append(f"{printed} post letters")
    return step


def open_comment_period(client: KoersClient, world: World) -> Step:
    person = Person(client)
    world.period_id, _page = new_consultation(person, world, {
        "title": "Ontwerpbeleidsplan Sociaal Domein ter inzage", "format": "ter_inzage",
        "published_on": "2026-09-02", "nota_due_on": "2026-11-03",
        "legal_basis": "Inspraakverordening Koersdam, art. 3"})
    return Step("7. comment period (ter inzage)", 1, "period", person,
                path="consultation form with the nota's due date")


def last_day(world: World) -> date:
    from app.consultations.models import Consultation

    found = db.session.get(Consultation, world.period_id).last_day
    assert found is not None
    return found


def write_reactions(world: World) -> None:
    """The 300 reactions that arrive: e-mails from participants and from new people, letters
    from participants with an e-mail address and from people without one."""
    chance, day = world.chance, last_day(world)
    emails, letters = world.count(200), world.count(100)
    without_email = max(1, round(letters * 27 / 100))
    topics_of = assign_topics(chance, emails + letters, min(world.count(59), emails + letters))
    world.answers = len(set(topics_of))
    first = date(2026, 9, 3)
    with_email = [p for p in world.participants if p.email]
    strangers = people(chance, emails // 3, offset=len(FIRST_NAMES) * len(LAST_NAMES) + 2000,
                       with_email=1.0)
    mail_dates = received_dates(chance, first, day, emails, max(1, emails // 40))
    for n, (received, late) in enumerate(mail_dates):
        sender = strangers[n % len(strangers)] if n % 3 == 0 else chance.choice(with_email)
        world.emails.append(Reaction(topics_of[n], reaction_text(chance, topics_of[n]),
                                     sender, received, late=late))
    unknown = people(chance, without_email, offset=len(FIRST_NAMES) * len(LAST_NAMES) + 3000,
                     with_email=0.0)
    letter_dates = received_dates(chance, first, day, letters, max(1, letters // 25))
    for n, (received, late) in enumerate(letter_dates):
        topic = topics_of[emails + n]
        sender = unknown[n] if n < without_email else chance.choice(with_email)
        postmark = received - timedelta(days=1)
        if n == letters - 1 and not late:  # posted in time, arrived after the last day
            received, postmark = day + timedelta(days=2), day
        reaction = Reaction(topic, reaction_text(chance, topic), sender, received,
                            # the postmark is noted only where it decides lateness
                            postmarked_on=postmark if received > day else None,
                            late=late)
        if n % 12 == 5:
            reaction.co_signers = chance.sample(
                [p for p in world.participants if p is not sender], 2)
        reaction.summary = summary_of(reaction)
        world.letters.append(reaction)
    # The post pile is typed day by day, as the letters came in.
    world.letters.sort(key=lambda item: item.received_on)
    for reaction in [*world.emails, *world.letters]:
        held = [word for theme in THEMES for word, _point in TOPICS[theme]
                if plain(word) in plain(reaction.text)]
        assert held == [keyword(reaction.topic)], (held, reaction.text)


def import_emails(client: KoersClient, world: World) -> Step:
    write_reactions(world)
    person = Person(client)
    base = f"/consultations/{world.period_id}"
    page = person.open(base)
    url = f"{base}/inputs/import"
    page = person.open(link_on(page, url))
    response = person.send(url, form_on(page, None), {
        "files": [(io.BytesIO(mail_zip(world.emails)), "inspraak-postvak.zip")]})
    check = person.see(response.location)
    assert "ready to import" in check, check[:3000]
    response = person.send(f"{response.location}/confirm",
                           form_on(check, "/confirm"), {})
    done = person.see(response.location)
    assert "have been imported" in done, done[:3000]
    return Step("8. e-mails imported (zip of .eml)", len(world.emails), "e-mail", person,
                path="reaction import: upload zip, check, confirm")


def type_letters(client: KoersClient, world: World) -> Step:
    """The fast form: save and next, the last channel and date kept, the sender searched
    (or typed in when new), co-signatories searched on their own."""
    person = Person(client)
    base = f"/consultations/{world.period_id}"
    url = f"{base}/inputs/new"
    page = person.open(f"{base}/inputs")
    page = person.open(link_on(page, url))
    for reaction in world.letters:
        sender = reaction.sender
        changes: dict[str, Any] = {
            "original_text": reaction.text, "summary": reaction.summary,
            "received_on": reaction.received_on.isoformat(),
            "postmarked_on": reaction.postmarked_on.isoformat()
            if reaction.postmarked_on else "", "then": "next"}
        if sender.email:  # in the register: named in the search box, taken on saving
            changes["q"] = sender.name
            if reaction.co_signers:  # the co-signatory searched first, the sender with it
                shown = form_on(page, url)
                page = person.query(url, shown, {"q": sender.name, "q_co": " ".join(
                    p.name.split()[-1] for p in reaction.co_signers[:1])})
                names = re.findall(r'name="co_signatory_ids" value="(\d+)"[^>]*>\s*<label[^>]*>'
                                   r'([^<(]+)', page)
                wanted = {p.name for p in reaction.co_signers[:1]}
                changes["co_signatory_ids"] = [value for value, name in names
                                               if name.strip() in wanted]
        else:  # new: typed into the same form
            changes.update({"new_name": sender.name, "new_address": sender.address,
                            "new_postcode": sender.postcode, "new_place": sender.place})
        shown = form_on(page, url)
        response = person.send(url, shown, changes, expect=(302, 400))
        if response.status_code == 400:  # namesakes in the register: the right one chosen
            page = text(response)
            chosen = re.findall(r'name="stakeholder_id" value="(\d+)">\s*<label[^>]*>'
                                r'[^<]*' + re.escape(sender.postcode), page)
            assert len(chosen) == 1, (sender.name, page[:3000])
            response = person.send(url, form_on(page, url), {"stakeholder_id": chosen[0],
                                                             "then": "next"})
        page = person.see(response.location)
    return Step("9. paper letters typed (fast form)", len(world.letters), "letter", person,
                content=len(world.letters) * SECONDS["summary"],
                path="fast form: save and next, sticky channel/date, sender named and saved "
                     "in one go or new sender typed in, co-signatory search")



DECISIONS = ("overgenomen", "deels_overgenomen", "niet_overgenomen", "al_voorzien",
             "buiten_reikwijdte")


def answer_text(topic: tuple[str, int]) -> str:
    word = keyword(topic)
    return (f"Dank voor uw reactie over {word}. Het college herkent het punt en neemt het mee "
            f"in het hoofdstuk {topic[0]}; in de uitvoering maken we hierover afspraken met "
            "de partners in de wijk.")


def decision_of(topic: tuple[str, int]) -> str:
    return DECISIONS[topics().index(topic) % len(DECISIONS)]


def write_standard_answer(person: Person, world: World) -> None:
    """One standard answer for what falls outside the plan, written once, used by every
    subject with that decision."""
    base = f"/consultations/{world.period_id}"
    page = person.open(f"{base}/standard-answers")
    url = f"{base}/standard-answers/new"
    page = person.open(link_on(page, url))
    person.send(url, form_on(page, url), {
        "title": "Buiten het beleidsplan",
        "text": "Dank voor uw reactie. Uw punt valt buiten dit beleidsplan voor het sociaal "
                "domein; we hebben het doorgestuurd naar de afdeling die erover gaat.",
        "decision": "buiten_reikwijdte"})
    from app.consultations.inputs.models import StandardAnswer

    world.standard_id = db.session.scalar(sa.select(sa.func.max(StandardAnswer.id)))
    world.standards += 1


def record_answer(person: Person, world: World, page: str, topic: tuple[str, int],
                  extra: dict[str, Any]) -> None:
    """The answer form on ``page`` filled in for ``topic`` and recorded: the standard answer
    "used" when it fits, else the answer typed (or pasted again when written before)."""
    base = f"/consultations/{world.period_id}"
    shown = form_on(page, f"{base}/answer")
    decision = decision_of(topic)
    standard = world.standard_id if decision == "buiten_reikwijdte" else None
    if standard and f'name="use" value="{standard}"' in page:
        response = person.send(f"{base}/answer", shown, {**extra, "use": str(standard)},
                               expect=200)
        response = person.send(f"{base}/answer", form_on(text(response), f"{base}/answer"),
                               {})
    else:
        changes = {"text": answer_text(topic), "decision": decision}
        if decision in ("overgenomen", "deels_overgenomen"):
            changes["changed_section_id"] = str(world.sections[topic[0]])
        response = person.send(f"{base}/answer", shown, {**extra, **changes})
        world.written.add(topic)
    person.see(response.location)


def topic_of_inputs(world: World) -> dict[int, tuple[str, int]]:
    """What the adviser knows from reading each reaction: its subject (by input id)."""
    from app.consultations.inputs.models import Input

    subjects = sorted({r.topic for r in [*world.emails, *world.letters]})
    found = {}
    for input_id, words in db.session.execute(sa.select(Input.id, Input.original_text).where(
            Input.consultation_id == world.period_id)).all():
        found[input_id] = next(t for t in subjects if plain(keyword(t)) in plain(words))
    return found


def answer_by_search(person: Person, world: World,
                     answered: set[tuple[str, int]] | None = None) -> str:
    """The answer workspace: per subject with open reactions a search, "answer all that
    match", the answer (pasted again for a subject a group answered already)."""
    base = f"/consultations/{world.period_id}"
    page = person.open(f"{base}/workspace")
    answered = answered if answered is not None else set()
    from app.consultations.inputs.models import Input, InputAnswer

    open_ids = set(db.session.scalars(sa.select(Input.id).where(
        Input.consultation_id == world.period_id, ~Input.id.in_(
            sa.select(InputAnswer.input_id)))))
    topics = topic_of_inputs(world)
    subjects = sorted({topics[i] for i in open_ids})
    for topic in subjects:
        page = person.query(f"{base}/workspace", form_on(page, f"{base}/workspace"),
                            {"q": keyword(topic)})
        offered = [form for form in forms_on(page, f"{base}/answer") if "all" in form]
        assert offered, (keyword(topic), page[page.find('id="results"'):][:1500])
        person.clicks += 1  # "Answer all N inputs that match"
        page = person.see(f"{base}/answer?{urlencode(offered[0])}")
        assert form_on(page, f"{base}/answer").get("input_ids"), (topic, page[:2000])
        record_answer(person, world, page, topic, {})
        page = person.see(f"{base}/workspace")
        answered.add(topic)
    return "answer workspace: search per subject, 'answer all that match', one answer each"


def answer_by_groups(person: Person, world: World) -> str:
    """Suggested groups: proposed by the job, each answered at once ("Answer this group"),
    members of another subject unticked; what no group answered goes through the
    workspace's search."""
    base = f"/consultations/{world.period_id}"
    page = person.open(f"{base}/groups")
    response = person.send(f"{base}/groups/propose", form_on(page, "/groups/propose"), {})
    person.see(response.location)
    topics = topic_of_inputs(world)
    answered: set[tuple[str, int]] = set()
    groups: list[list[int]] = []
    for number in range(1, 100):
        page = person.see(f"{base}/groups?page={number}") if number > 1 else \
            person.see(f"{base}/groups")
        found = [[int(i) for i in re.findall(r'name="input_ids" value="(\d+)"', part)]
                 for part in page.split('class="panel group"')[1:]]
        if not found or found[0] in groups:
            break
        groups += found
        if number > 1:
            person.clicks += 1  # the next page of groups
    answers = 0
    for members in groups:
        if not members:
            continue
        topic = Counter(topics[i] for i in members).most_common(1)[0][0]
        if topic in answered:
            continue
        link = f"{base}/answer?" + urlencode([("input", i) for i in members])
        person.clicks += 1  # "Answer this group"
        page = person.see(link)
        keep = [str(i) for i in members if topics[i] == topic]
        record_answer(person, world, page, topic, {"input_ids": keep})
        answered.add(topic)
        answers += 1
    answer_by_search(person, world, answered)
    return (f"suggested groups ({len(groups)} proposed, {answers} answered as groups), "
            "the rest by the workspace's search and 'answer all that match'")


def answer_by_ticking(person: Person, world: World) -> str:
    """The plain answer form: every reaction of a subject ticked by hand."""
    base = f"/consultations/{world.period_id}"
    from app.consultations.inputs.models import Input

    texts = dict(db.session.execute(sa.select(Input.id, Input.original_text).where(
        Input.consultation_id == world.period_id)).all())
    subjects = sorted({r.topic for r in [*world.emails, *world.letters]})
    page = person.open(f"{base}/answer")
    for topic in subjects:
        ids = [str(i) for i, words in texts.items() if plain(keyword(topic)) in plain(words)]
        record_answer(person, world, page, topic, {"input_ids": ids})
        page = person.see(f"{base}/answer")
    return "plain answer form, each reaction ticked"


def answer_reactions(client: KoersClient, world: World) -> Step:
    person = Person(client)
    app = client.application
    if route_exists(app, "consultations.standard_answers") and world.answer_path != "form":
        write_standard_answer(person, world)
    if world.answer_path in ("", "groups") and route_exists(app, "consultations.groups"):
        path = answer_by_groups(person, world)
    elif world.answer_path in ("", "search") and route_exists(app, "consultations.workspace"):
        path = answer_by_search(person, world)
    else:
        path = answer_by_ticking(person, world)
    reactions = len(world.emails) + len(world.letters)
    from app.consultations.inputs.models import Answer

    made = db.session.scalar(sa.select(sa.func.count()).select_from(Answer).where(
        Answer.consultation_id == world.period_id))
    step = Step("10. reactions grouped and answered", reactions, "reaction", person,
                content=len(world.emails) * SECONDS["read"]
                + (len(world.written) + world.standards) * SECONDS["answer"], path=path)
    step.notes.append(f"{made} answers for {world.answers} subjects, "
                      f"{world.standards} standard answer(s)")
    return step


def build_nota(client: KoersClient, world: World) -> Step:
    """A summary per theme written, the nota generated and downloaded."""
    person = Person(client)
    base = f"/consultations/{world.period_id}"
    page = person.open(f"{base}/nota")
    written = 0
    if f"{base}/nota/summaries" in page:
        page = person.open(f"{base}/nota/summaries")
        shown = form_on(page, f"{base}/nota/summaries")
        texts = {name: f"De reacties op dit thema vragen vooral om nabijheid en "
                       f"bereikbaarheid; het plan is op {n + 2} punten aangepast."
                 for n, name in enumerate(name for name in shown if name.startswith("summary_"))}
        written = len(texts)
        response = person.send(f"{base}/nota/summaries", shown, texts)
        page = person.see(response.location)
    response = person.send(f"{base}/nota", form_on(page, f"{base}/nota"), {})
    page = person.see(response.location)
    pdf = re.search(rf'href="({base}/nota/\d+\.pdf)"', page)
    assert pdf, page[:3000]
    assert person.download(pdf.group(1)).startswith(b"%PDF")
    return Step("11. nota van beantwoording", 1, "nota", person,
                content=written * SECONDS["answer"],
                path="theme summaries form; generate; download PDF")


def send_letters(client: KoersClient, world: World) -> Step:
    person = Person(client)
    base = f"/consultations/{world.period_id}"
    page = person.open(f"{base}/feedback")
    response = person.send(f"{base}/feedback", form_on(page, f"{base}/feedback"), {})
    page = person.see(response.location.split("#")[0])
    printed = print_and_post(person, page, base)
    from app.consultations.feedback.models import FeedbackLetter, FeedbackMailing

    letters = db.session.scalar(sa.select(sa.func.count()).select_from(FeedbackLetter).join(
        FeedbackMailing, FeedbackLetter.mailing_id == FeedbackMailing.id).where(
        FeedbackMailing.consultation_id == world.period_id))
    step = Step("12. letters: e-mail + post", letters, "letter", person,
                content=printed * SECONDS["letter"],
                path="feedback mailing; post letters printed as one PDF, marked sent at once")
    step.notes.append(f"{printed} post letters")
    return step


STEPS: list[Callable[[KoersClient, World], Step]] = [
    import_participants, create_meeting, register_attendees, type_post_its, process_post_its,
    report_and_feedback, open_comment_period, import_emails, type_letters, answer_reactions,
    build_nota, send_letters,
]



def verify(world: World) -> None:
    """The outcome: nothing lost, lateness right, every reaction answered, one letter per
    person, the nota built."""
    from app.consultations.feedback.models import FeedbackLetter, FeedbackMailing
    from app.consultations.inputs.models import Input, InputAnswer
    from app.consultations.models import Registration
    from app.consultations.nota.models import Nota
    from app.stakeholders.models import Stakeholder

    db.session.expire_all()
    count = sa.func.count()
    people_in_register = db.session.scalar(sa.select(count).select_from(Stakeholder))
    assert people_in_register >= len(world.participants) + len(world.organisations)
    came = db.session.scalars(sa.select(Registration).where(
        Registration.consultation_id == world.meeting_id)).all()
    assert len(came) == len(world.attendees) and all(item.attended for item in came)
    post_its = db.session.scalars(sa.select(Input).where(
        Input.consultation_id == world.meeting_id)).all()
    assert len(post_its) == world.post_its and all(item.processed for item in post_its)
    assert sum(not item.used for item in post_its) == world.not_used
    assert all(item.used_section_id for item in post_its if item.used)
    assert all(item.not_used_reason for item in post_its if not item.used)
    reactions = db.session.scalars(sa.select(Input).where(
        Input.consultation_id == world.period_id)).all()
    assert len(reactions) == len(world.emails) + len(world.letters)
    by_text = {item.original_text: item for item in reactions}
    for arrived in [*world.emails, *world.letters]:
        stored = by_text[arrived.text]
        late = arrived.late and not (arrived.postmarked_on
                                     and arrived.postmarked_on <= last_day(world))
        assert stored.late == late, (arrived.received_on, arrived.postmarked_on, stored.late)
    assert any(item.late for item in reactions)
    answered = set(db.session.scalars(sa.select(InputAnswer.input_id).join(
        Input, Input.id == InputAnswer.input_id).where(Input.consultation_id == world.period_id)))
    assert answered == {item.id for item in reactions}, "not every reaction is answered"
    letters = db.session.execute(sa.select(FeedbackLetter.stakeholder_id, FeedbackMailing.kind)
                                 .join(FeedbackMailing,
                                       FeedbackLetter.mailing_id == FeedbackMailing.id)
                                 .where(FeedbackMailing.consultation_id.in_(
                                     [world.meeting_id, world.period_id]))).all()
    per_person = Counter(letters)
    assert per_person and max(per_person.values()) == 1, "someone got two letters"
    senders = {item.stakeholder_id for item in reactions if item.stakeholder_id}
    assert senders <= {person for person, kind in letters if kind != "meeting"}
    assert db.session.scalar(sa.select(count).select_from(Nota).where(
        Nota.consultation_id == world.period_id)) == 1


def run_day(app: Flask, scale: float = 1.0, seed: int = 14, answer_path: str = ""
            ) -> tuple[list[Step], World]:
    """The whole day on ``app`` (inside its app context): the steps, then the checks."""
    world = World(scale=scale, chance=random.Random(seed), answer_path=answer_path)
    seed_plan(world)
    client = sign_in(app)
    steps = []
    for step in STEPS:
        steps.append(step(client, world))
    verify(world)
    return steps, world


@dataclass
class Target:
    label: str
    step: str  # the step's number
    per_item: float


TARGETS = (Target("≤ 1 interaction per e-mailed reaction", "8", 1),
           Target("≤ 6 interactions per paper letter", "9", 6),
           Target("≤ 0.5 interactions per post-it processed", "5", 0.5),
           Target("≤ 1 interaction per answered reaction", "10", 1),
           Target("≤ 0.2 interactions per attendee", "3", 0.2))
HEADER = ("step", "items", "subm.", "fields", "clicks", "per item", "interaction",
          "content", "total")


def minutes(seconds: float) -> str:
    return f"{seconds / 60:.1f} min"


def rows(steps: list[Step]) -> list[tuple[str, ...]]:
    found = []
    for step in steps:
        p = step.person
        per_item = f"{step.interactions / step.items:.2f}" if step.items else "—"
        unit = step.unit if step.items == 1 else f"{step.unit}s"
        found.append((step.name, f"{step.items} {unit}" if step.items else "—",
                      str(p.submissions), str(p.fields), str(p.clicks), per_item,
                      minutes(step.interaction_seconds), minutes(step.content),
                      minutes(step.seconds)))
    return found


def verdicts(steps: list[Step]) -> list[tuple[str, str, bool]]:
    numbered = {step.name.split(".")[0]: step for step in steps}
    found = []
    for target in TARGETS:
        step = numbered.get(target.step)
        if step is None or not step.items:
            found.append((target.label, "not available", False))
            continue
        value = step.interactions / step.items
        found.append((target.label, f"{value:.2f}", value <= target.per_item))
    hours = sum(step.seconds for step in steps) / 3600
    found.append(("whole day ≤ 8 h", f"{hours:.1f} h", hours <= 8))
    return found


def report(steps: list[Step], markdown: bool = False) -> str:
    table = [HEADER, *rows(steps)]
    widths = [max(len(row[n]) for row in table) for n in range(len(HEADER))]
    lines = ["  ".join(cell.ljust(widths[n]) if n == 0 else cell.rjust(widths[n])
                       for n, cell in enumerate(row)) for row in table]
    total = sum(step.seconds for step in steps)
    lines.append(f"day total: {total / 3600:.2f} h "
                 f"(interaction {sum(s.interaction_seconds for s in steps) / 3600:.2f} h, "
                 f"content {sum(s.content for s in steps) / 3600:.2f} h)")
    lines += [f"  {label}: {value} — {'met' if met else 'NOT met'}"
              for label, value, met in verdicts(steps)]
    lines.append("paths:")
    lines += [f"  {step.name}: {step.path}" + (f" ({'; '.join(step.notes)})"
                                               if step.notes else "") for step in steps]
    if markdown:
        lines += ["", "| " + " | ".join(HEADER) + " |",
                  "|" + "|".join("---" if n == 0 else "---:" for n in range(len(HEADER))) + "|"]
        lines += ["| " + " | ".join(row) + " |" for row in rows(steps)]
        lines.append(f"| **day** | | | | | | | | **{total / 3600:.1f} h** |")
        lines += ["", "| target | measured | |", "|---|---:|---|"]
        lines += [f"| {label} | {value} | {'met' if met else '**NOT met**'} |"
                  for label, value, met in verdicts(steps)]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0,
                        help="multiplies the counts (0.1 for a quick check)")
    parser.add_argument("--database-url", default="", help="a PostgreSQL server database")
    parser.add_argument("--markdown", action="store_true", help="also print a markdown table")
    parser.add_argument("--answer-path", choices=("groups", "search", "form"), default="",
                        help="answer this way instead of the best the application offers")
    args = parser.parse_args()
    from tests.benchmarks import migrated_app

    logging.getLogger("alembic").setLevel(logging.WARNING)
    started = time.perf_counter()
    with migrated_app(args.database_url) as app, app.app_context():
        steps, _world = run_day(app, args.scale, answer_path=args.answer_path)
        print(f"database: {db.engine.dialect.name}, scale {args.scale}, "
              f"{time.perf_counter() - started:.0f} s to run; all checks passed")
        print(report(steps, args.markdown))
        db.session.remove()
        db.engine.dispose()

if __name__ == "__main__":
    main()
