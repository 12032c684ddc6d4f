"""Letters on paper, one form each but fast: "save and next", defaults that stay per
consultation (a zienswijze in a comment period; the last channel and received date), a new
sender typed into the same form (added to the register, never twice), the sender search showing
address and e-mail, co-signatories searched on their own — and the interactions it saves."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date

import pytest
from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.consultations import services
from app.consultations.inputs import senders
from app.consultations.inputs.models import CoSignatory, Input
from app.consultations.inputs.services import InputData
from app.consultations.services import ConsultationData
from app.errors import DomainError
from app.stakeholders import services as register
from app.stakeholders.models import Stakeholder
from app.stakeholders.services import StakeholderData
from tests.adviser import Adviser, FormValues


@pytest.fixture(autouse=True)
def english(client):
    client.set_cookie("koers_language", "en")


def text(response) -> str:
    return response.get_data(as_text=True)


def new_url(consultation) -> str:
    return f"/consultations/{consultation.id}/inputs/new"


def letter(**values) -> dict:
    form = {"original_text": "Ik maak bezwaar tegen de bezuiniging.", "kind": "zienswijze",
            "channel": "brief", "stakeholder_id": "", "participant_group": "",
            "received_on": "2017-06-20", "postmarked_on": "", "summary": ""}
    form.update(values)
    return form


def selected(page: str, name: str) -> str | None:
    """The value a select shows chosen."""
    select_html = re.search(rf'<select[^>]*name="{name}".*?</select>', page, re.S)
    assert select_html, name
    chosen = re.search(r'<option selected value="([^"]*)"', select_html.group(0))
    return chosen.group(1) if chosen else None


def value_of(page: str, name: str) -> str | None:
    field = re.search(rf'<input[^>]*name="{name}"[^>]*>', page)
    assert field, name
    found = re.search(r'value="([^"]*)"', field.group(0))
    return found.group(1) if found else None


def people(db) -> int:
    return db.session.scalar(select(func.count()).select_from(Stakeholder))


def inputs(db) -> list[Input]:
    return list(db.session.scalars(select(Input).order_by(Input.number)))


# --- save and next, sticky defaults ---------------------------------------------------------

def test_save_and_next_comes_back_to_an_empty_form_naming_the_number(client, login_as, db,
                                                                     period):
    login_as("editor")
    response = client.submit(new_url(period), {
        **letter(original_text="Eerste brief over de dagbesteding."), "then": "next"})
    assert response.status_code == 302
    assert response.location.endswith(new_url(period))
    page = text(client.get(response.location))
    assert "Reaction 1 has been recorded. It is on time." in page
    assert "Eerste brief over de dagbesteding." not in page  # the form is empty again
    assert 'name="then" value="next"' in page
    # the plain button keeps going to the list
    response = client.submit(new_url(period), letter(original_text="Tweede brief."))
    assert response.status_code == 302
    assert response.location.endswith(f"/consultations/{period.id}/inputs")
    assert [item.number for item in inputs(db)] == [1, 2]


def test_a_comment_period_defaults_to_a_zienswijze_and_keeps_channel_and_date(
        client, login_as, db, period, meeting):
    login_as("editor")
    page = text(client.get(new_url(period)))
    assert selected(page, "kind") == "zienswijze"
    assert selected(page, "channel") == "brief"
    assert value_of(page, "received_on") in (None, "")
    assert selected(text(client.get(new_url(meeting))), "kind") != "zienswijze"

    client.submit(new_url(period), {**letter(channel="e-mail", received_on="2017-06-21",
                                             kind="vraag"), "then": "next"})
    page = text(client.get(new_url(period)))
    assert selected(page, "channel") == "e-mail"
    assert value_of(page, "received_on") == "2017-06-21"
    assert selected(page, "kind") == "zienswijze"  # the kind is not carried over
    # another consultation keeps its own defaults
    other = text(client.get(new_url(meeting)))
    assert selected(other, "channel") == "brief"
    assert value_of(other, "received_on") in (None, "")
    # an explicit choice wins over the defaults
    client.submit(new_url(period), letter(channel="webformulier", received_on="2017-06-22"))
    assert [(item.kind, item.channel, item.received_on) for item in inputs(db)] == [
        ("vraag", "e-mail", date(2017, 6, 21)), ("zienswijze", "webformulier", date(2017, 6, 22))]
    page = text(client.get(new_url(period)))
    assert selected(page, "channel") == "webformulier"
    assert value_of(page, "received_on") == "2017-06-22"


# --- a new sender typed in ------------------------------------------------------------------

NEW_SENDER = {"new_name": "Grietje  Bakker", "new_email": "Grietje@Example.nl",
              "new_address": "Dorpsstraat 12", "new_postcode": "9679 ab",
              "new_place": "Scheemda"}


def test_a_new_sender_is_added_to_the_register_with_the_reaction(client, login_as, db,
                                                                 period):
    login_as("editor")
    response = client.submit(new_url(period), {**letter(), **NEW_SENDER, "then": "next"})
    assert response.status_code == 302, text(response)[:3000]
    sender = db.session.scalars(select(Stakeholder)).one()
    assert (sender.name, sender.kind, sender.email, sender.address, sender.postcode,
            sender.place, sender.legal_ground) == (
        "Grietje Bakker", "person", "grietje@example.nl", "Dorpsstraat 12", "9679 ab",
        "Scheemda", "public_task")
    item = inputs(db)[0]
    assert item.stakeholder_id == sender.id
    assert item.participant_group == "onbekend"
    created = [event for event in db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "create", AuditEvent.entity_id == str(sender.id)))
        if "stakeholder" in event.entity_type]
    assert len(created) == 1
    assert "Grietje" not in str(created[0].changes)
    page = text(client.get(response.location))
    assert "Reaction 1 has been recorded" in page
    assert "Grietje Bakker has been added to the register." in page


def test_a_refused_reaction_creates_no_sender_and_keeps_everything_typed(client, login_as, db,
                                                                        period):
    login_as("editor")
    response = client.submit(new_url(period), {**letter(received_on="", summary="Bezwaar"),
                                               **NEW_SENDER})
    assert response.status_code == 400
    page = text(response)
    assert "Enter the date the reaction was received." in page
    assert people(db) == 0 and inputs(db) == []
    for name in ("new_email", "new_address", "new_postcode", "new_place"):
        assert value_of(page, name) == NEW_SENDER[name]
    assert "Ik maak bezwaar tegen de bezuiniging." in page and "Bezwaar" in page
    # an address without a name is refused beside the name
    response = client.submit(new_url(period), {**letter(), **NEW_SENDER, "new_name": " "})
    assert response.status_code == 400
    assert "Enter the name of the new sender." in text(response)
    # an e-mail address the register refuses is refused beside the e-mail field
    response = client.submit(new_url(period), {**letter(), **NEW_SENDER,
                                               "new_email": "grietje@"})
    assert response.status_code == 400
    assert re.search(r'id="new_email-error">[^<]*not a valid e-mail address', text(response))
    assert people(db) == 0 and inputs(db) == []


@pytest.mark.parametrize("typed", [
    {"new_email": "GRIETJE@example.nl", "new_postcode": ""},  # the same e-mail
    {"new_name": "grietje bakker", "new_email": "", "new_postcode": "9679AB"},  # name+postcode
])
def test_a_sender_already_in_the_register_is_offered_never_added_twice(client, login_as, db,
                                                                       period, typed):
    known = register.create(StakeholderData(name="Grietje Bakker", email="grietje@example.nl",
                                            address="Dorpsstraat 12", postcode="9679 AB",
                                            place="Scheemda"))
    namesake = register.create(StakeholderData(name="Grietje Bakker", postcode="1011 AA",
                                               place="Amsterdam"))
    db.session.commit()
    login_as("editor")
    form = {**letter(summary="Bezwaar dagbesteding"), **NEW_SENDER, **typed}
    response = client.submit(new_url(period), form)
    assert response.status_code == 400
    page = text(response)
    error = re.search(r'id="new_name-error">([^<]*)<', page)
    assert error and "already has Grietje Bakker" in error.group(1)
    assert "Dorpsstraat 12, 9679 AB Scheemda" in error.group(1)
    assert "Amsterdam" not in error.group(1)
    assert re.search(rf'name="stakeholder_id" value="{known.id}"', page)  # offered to pick
    assert f'value="{namesake.id}"' not in page
    assert people(db) == 2 and inputs(db) == []
    assert "Bezwaar dagbesteding" in page
    # picking the match records the reaction from it, the typed sender is left aside
    response = client.submit(new_url(period), {**form, "stakeholder_id": str(known.id)})
    assert response.status_code == 302, text(response)[:3000]
    assert people(db) == 2
    assert inputs(db)[0].stakeholder_id == known.id


def test_the_service_adds_sender_and_reaction_together_or_neither(db, period):
    data = InputData(original_text="Bezwaar.", kind="zienswijze", channel="brief")
    with pytest.raises(DomainError) as refused:  # no received date: the sender goes too
        senders.add_input_from_new_sender(period, data, StakeholderData(name="Els Bos"))
    assert refused.value.field == "received_on"
    db.session.rollback()
    assert people(db) == 0
    item = senders.add_input_from_new_sender(
        period, replace(data, received_on=date(2017, 6, 1)),
        StakeholderData(name="Els Bos", email="els@example.nl", legal_ground="consent"))
    db.session.commit()
    sender = db.session.get(Stakeholder, item.stakeholder_id)
    assert (sender.name, sender.legal_ground) == ("Els Bos", "public_task")
    with pytest.raises(DomainError) as refused:
        senders.add_input_from_new_sender(period, replace(data, received_on=date(2017, 6, 1)),
                                          StakeholderData(name="E. Bos", email="ELS@example.nl"))
    assert refused.value.field == "new_name" and "Els Bos" in refused.value.message
    with pytest.raises(DomainError) as refused:
        senders.add_input_from_new_sender(period, data, StakeholderData(name="X", email="x@"))
    assert refused.value.field == "new_email"
    register.erase(sender)
    db.session.commit()
    worded = senders.name_and_contact(sender)
    assert "Els" not in worded and "example.nl" not in worded and "—" not in worded
    assert senders.sender_matches(StakeholderData(name="Els Bos", email="els@example.nl")) == []


# --- the searches ---------------------------------------------------------------------------

def test_the_sender_search_shows_address_and_e_mail_but_nothing_of_erased_persons(
        client, login_as, db, period):
    jan = register.create(StakeholderData(name="Jan de Vries", email="jan@example.nl",
                                          address="Dorpsstraat 1", postcode="9679 AB",
                                          place="Scheemda"))
    other = register.create(StakeholderData(name="Jan de Vries", place="Winschoten"))
    gone = register.create(StakeholderData(name="Jan de Vries", email="weg@example.nl",
                                           address="Verdwenen 9", place="Finsterwolde"))
    register.erase(gone)
    db.session.commit()
    login_as("editor")
    page = text(client.get(new_url(period) + "?q=vries"))
    assert re.search(rf'value="{jan.id}">\s*<label[^>]*>Jan de Vries \(Person\) — '
                     r'Dorpsstraat 1, 9679 AB Scheemda, jan@example.nl<', page)
    assert re.search(rf'value="{other.id}">\s*<label[^>]*>Jan de Vries \(Person\) — '
                     r'Winschoten<', page)
    assert "weg@example.nl" not in page and "Verdwenen" not in page
    assert f'value="{gone.id}"' not in page


def test_searching_inside_the_form_keeps_everything_typed_and_records_nothing(
        client, login_as, db, period):
    jan = register.create(StakeholderData(name="Jan de Vries"))
    db.session.commit()
    login_as("editor")
    response = client.submit(new_url(period), {
        **letter(summary="Zorg over vervoer", postmarked_on="2017-06-19"), "q": "vries",
        "search": "sender"})
    assert response.status_code == 200
    page = text(response)
    assert re.search(rf'name="stakeholder_id" value="{jan.id}"', page)
    assert "Zorg over vervoer" in page and value_of(page, "postmarked_on") == "2017-06-19"
    assert "Please correct" not in page
    assert inputs(db) == []


def test_co_signatories_are_searched_on_their_own_and_stay_ticked(client, login_as, db,
                                                                  period):
    sender = register.create(StakeholderData(name="Jan de Vries"))
    piet = register.create(StakeholderData(name="Piet Jansen"))
    anna = register.create(StakeholderData(name="Anna Smit"))
    db.session.commit()
    login_as("editor")
    form = {**letter(stakeholder_id=str(sender.id)), "q": "vries"}
    response = client.submit(new_url(period), {**form, "q_co": "jansen",
                                               "search": "co_signatories"})
    assert response.status_code == 200
    page = text(response)
    # the sender's search and choice stay; the co-signatories' search finds Piet only
    assert re.search(rf'name="stakeholder_id" value="{sender.id}" checked', page)
    assert re.search(rf'name="co_signatory_ids" value="{piet.id}"', page)
    assert not re.search(rf'name="stakeholder_id" value="{piet.id}"', page)
    assert not re.search(rf'name="co_signatory_ids" value="{sender.id}"', page)
    # Piet ticked, then Anna searched: Piet stays ticked beside the new matches
    response = client.submit(new_url(period), {**form, "q_co": "smit",
                                               "co_signatory_ids": [str(piet.id)],
                                               "search": "co_signatories"})
    page = text(response)
    assert re.search(rf'name="co_signatory_ids" value="{piet.id}" checked', page)
    assert re.search(rf'name="co_signatory_ids" value="{anna.id}">', page)
    response = client.submit(new_url(period), {
        **form, "q_co": "smit", "co_signatory_ids": [str(piet.id), str(anna.id)]})
    assert response.status_code == 302
    assert sorted(db.session.scalars(select(CoSignatory.stakeholder_id))) == sorted(
        [piet.id, anna.id])


# --- the measure ----------------------------------------------------------------------------

LETTERS = [  # (sender found in the register or typed in, postmark, text, summary)
    ("Jan de Vries", "", "Ik mis de mantelzorgers.", "Mantelzorgers ontbreken"),
    ({"name": "Grietje Bakker", "address": "Dorpsstraat 12", "postcode": "9679 AB",
      "place": "Scheemda"}, "", "Meer vrijwilligers nodig.", "Vrijwilligers"),
    ("Piet Jansen", "2017-06-19", "Vervoer naar de dagbesteding.", "Vervoer"),
]
#: What the written-reaction form showed before this change: kind "idee", channel "brief".
TODAY_SHOWN = {"kind": "idee", "channel": "brief", "participant_group": "",
               "stakeholder_id": ""}


def _letter_fields(sender_id: str, postmark: str, body: str, summary: str) -> dict:
    return letter(stakeholder_id=sender_id, postmarked_on=postmark, original_text=body,
                  summary=summary)


def record_today(adviser: Adviser, period) -> None:
    """One form each; an unknown sender is first added on the register's own form."""
    url = new_url(period)
    for sender, postmark, body, summary in LETTERS:
        if isinstance(sender, dict):
            shown = FormValues(text(adviser.client.get("/stakeholders/new"))).values
            assert adviser.post("/stakeholders/new", shown, {
                **{key: shown[key] for key in ("legal_ground",)}, **sender}).status_code == 302
            sender = sender["name"]
        adviser.search(url, "q", sender.split()[-1])
        found = db_id(sender)
        assert adviser.post(url, TODAY_SHOWN, _letter_fields(
            str(found), postmark, body, summary)).status_code == 302


def record_fast(adviser: Adviser, period) -> None:
    """Save and next, sticky defaults, the new sender typed in the same form (another new
    sender than before: the first one is in the register now)."""
    url = new_url(period)
    for sender, postmark, body, summary in LETTERS:
        if isinstance(sender, dict):
            sender = {**sender, "name": "Hendrik Mulder"}
            shown = FormValues(text(adviser.client.get(url))).values
            posted = {**_letter_fields("", postmark, body, summary),
                      **{f"new_{key}": value for key, value in sender.items()},
                      "then": "next"}
        else:
            shown = FormValues(adviser.search(url, "q", sender.split()[-1])).values
            posted = {**_letter_fields(str(db_id(sender)), postmark, body, summary),
                      "then": "next"}
        assert adviser.post(url, shown, posted).status_code == 302


def db_id(name: str) -> int:
    from app.database import db
    return db.session.scalars(select(Stakeholder.id).where(Stakeholder.name == name)).one()


@pytest.fixture
def other(db, plan):
    """The letters' two known senders, and a second comment period to type them again in."""
    for name in ("Jan de Vries", "Piet Jansen"):
        register.create(StakeholderData(name=name))
    second = services.create_consultation(plan, ConsultationData(
        title="Tweede ter inzage", format="ter_inzage", published_on=date(2017, 5, 31)))
    db.session.commit()
    return second


def test_three_paper_letters_take_fewer_interactions_than_before(client, login_as, db, period,
                                                                 other, capsys):
    login_as("editor")
    today = Adviser(client)
    record_today(today, period)
    fast = Adviser(client)
    record_fast(fast, other)
    assert len(inputs(db)) == 6
    with capsys.disabled():
        print(f"\n3 paper letters — before: {today.submissions} submissions + {today.fields} "
              f"fields = {today.total}; now: {fast.submissions} submissions + {fast.fields} "
              f"fields = {fast.total}")
    assert (today.submissions, today.fields) == (7, 23)
    # the search that finds one sender ticks it: confirmed, not picked
    assert (fast.submissions, fast.fields) == (5, 14)


def test_a_search_that_finds_one_sender_ticks_it_and_namesakes_are_left_to_choose(
        client, login_as, db, period):
    jan = register.create(StakeholderData(name="Jan de Vries", postcode="9679 AB"))
    register.create(StakeholderData(name="Piet Jansen"))
    register.create(StakeholderData(name="Piet Jansen", postcode="9671 CD"))
    db.session.commit()
    login_as("editor")
    page = text(client.get(new_url(period) + "?q=Vries"))
    assert re.search(rf'name="stakeholder_id" value="{jan.id}" checked', page)
    page = text(client.get(new_url(period) + "?q=Jansen"))
    assert len(re.findall(r'name="stakeholder_id" value="\d+"', page)) == 2
    assert not re.search(r'name="stakeholder_id" value="\d+" checked', page)
    # the co-signatories are never ticked by a search
    page = text(client.get(new_url(period) + "?q=Vries&q_co=Vries"))
    assert not re.search(r'name="co_signatory_ids" value="\d+" checked', page)


# --- the sender typed and saved in one go ---------------------------------------------------

def test_saving_with_a_search_that_names_one_sender_records_it_from_that_sender(
        client, login_as, db, period):
    jan = register.create(StakeholderData(name="Jan de Vries", address="Dorpsstraat 1",
                                          postcode="9679 AB", place="Scheemda"))
    db.session.commit()
    login_as("editor")
    response = client.submit(new_url(period), {**letter(), "q": "de vries", "then": "next"})
    assert response.status_code == 302, text(response)[:3000]
    assert inputs(db)[0].stakeholder_id == jan.id
    page = text(client.get(response.location))
    assert ("From Jan de Vries (Person) — Dorpsstraat 1, 9679 AB Scheemda: the only match "
            "for “de vries” in the register.") in page


def test_saving_with_a_search_that_names_several_or_none_refuses_and_keeps_everything(
        client, login_as, db, period):
    first = register.create(StakeholderData(name="Piet Jansen", place="Scheemda"))
    second = register.create(StakeholderData(name="Piet Jansen", place="Winschoten"))
    db.session.commit()
    login_as("editor")
    response = client.submit(new_url(period), {**letter(summary="Bezwaar"), "q": "Jansen"})
    assert response.status_code == 400
    page = text(response)
    assert re.search(r'id="stakeholder_id-error">Several stakeholders match “Jansen”: '
                     r'choose one.', page)
    for person in (first, second):  # both offered, neither ticked
        assert re.search(rf'name="stakeholder_id" value="{person.id}">', page)
    assert "Bezwaar" in page and inputs(db) == []
    response = client.submit(new_url(period), {**letter(), "q": "Mulder"})
    assert response.status_code == 400
    assert "No stakeholder matches “Mulder”." in text(response)
    assert inputs(db) == []
    # choosing one of the namesakes, or emptying the search, saves
    response = client.submit(new_url(period), {**letter(), "q": "Jansen",
                                               "stakeholder_id": str(second.id)})
    assert response.status_code == 302
    response = client.submit(new_url(period), {**letter(), "q": ""})
    assert response.status_code == 302
    assert [item.stakeholder_id for item in inputs(db)] == [second.id, None]


def test_a_new_sender_typed_in_wins_over_the_search_text(client, login_as, db, period):
    register.create(StakeholderData(name="Jan de Vries"))
    db.session.commit()
    login_as("editor")
    response = client.submit(new_url(period), {**letter(), **NEW_SENDER, "q": "Mulder"})
    assert response.status_code == 302, text(response)[:3000]
    added = db.session.get(Stakeholder, inputs(db)[0].stakeholder_id)
    assert added.name == "Grietje Bakker"


def record_in_one(adviser: Adviser, period) -> None:
    """As :func:`record_fast`, but the sender's name is typed and saved in one go."""
    url = new_url(period)
    shown = FormValues(text(adviser.client.get(url))).values
    for sender, postmark, body, summary in LETTERS:
        posted = {**_letter_fields("", postmark, body, summary), "then": "next"}
        if isinstance(sender, dict):
            posted.update({f"new_{key}": value for key, value in
                           {**sender, "name": "Klaas Mulder"}.items()})
        else:
            posted["q"] = sender.split()[-1]
        assert adviser.post(url, shown, posted).status_code == 302
        shown = FormValues(text(adviser.client.get(url))).values


def test_typing_the_sender_into_the_save_takes_fewer_submissions_than_searching_first(
        client, login_as, db, period, other):
    login_as("editor")
    fast, in_one = Adviser(client), Adviser(client)
    record_fast(fast, period)
    record_in_one(in_one, other)
    assert [item.stakeholder_id is not None for item in inputs(db)] == [True] * 6
    assert (in_one.submissions, in_one.fields) == (3, fast.fields)
    assert in_one.submissions < fast.submissions
