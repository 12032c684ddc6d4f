"""A meeting's sign-in list (presentielijst) imported: every row checked against the register
(by e-mail, by name and postcode, by the name alone), shown with its outcome, and the ticked
ones registered — with attendance, newcomers added to the register — in one submission."""

from __future__ import annotations

import html
import io
import re

import pytest
from flask_babel import force_locale
from openpyxl import Workbook
from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.consultations import services as consultations
from app.consultations import signin
from app.consultations.models import ConsultationTable, Registration
from app.consultations.services import ConsultationData
from app.errors import DomainError
from app.plans import services as plans
from app.stakeholders import services as register
from app.stakeholders.models import Stakeholder
from app.stakeholders.services import StakeholderData
from tests.adviser import Adviser, FormValues, text

ATTENDEES = 60


@pytest.fixture(autouse=True)
def english(client):
    client.set_cookie("koers_language", "en")


def csv_file(rows: list[list[str]], header: str = "naam;e-mail;postcode;organisatie") -> bytes:
    lines = [header, *(";".join(row) for row in rows)]
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


def xlsx_file(rows: list[list[object]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def upload(client, meeting, content: bytes, filename: str = "presentielijst.csv"):
    return client.submit(f"/consultations/{meeting.id}/signin",
                         {"file": (io.BytesIO(content), filename)})


def confirm_values(page: str) -> dict:
    """What the check page posts when submitted as it is shown."""
    form = page[page.index("/signin/confirm"):]
    rows = html.unescape(re.search(r'name="rows" value="([^"]*)"', form).group(1))
    versions = re.search(r'name="versions" value="([^"]*)"', form).group(1)
    shown = FormValues(form).values
    posted: dict = {"rows": rows, "versions": versions}
    for name in ("stakeholder", "new", "attended"):
        if shown.get(name):
            posted[name] = sorted(shown[name])
    return posted


def confirm(client, meeting, posted: dict):
    return client.submit(f"/consultations/{meeting.id}/signin/confirm", posted)


def registered(db, meeting) -> dict[int, bool]:
    return dict(db.session.execute(select(Registration.stakeholder_id, Registration.attended)
                                   .where(Registration.consultation_id == meeting.id)).all())


def person(name: str, **fields) -> Stakeholder:
    return register.create(StakeholderData(name=name, **fields))


def test_sixty_attendees_registered_with_attendance_in_two_submissions(
        client, login_as, db, meeting):
    by_email = [person(f"Inwoner {n:02d} Visser", email=f"inwoner{n}@example.nl")
                for n in range(20)]
    by_postcode = [person(f"Bewoner {n:02d} Smit", postcode="9679 AB") for n in range(20)]
    by_name = [person(f"Deelnemer {n:02d} Mulder") for n in range(10)]
    db.session.commit()
    rows = ([[f"I. {n}", f"INWONER{n}@example.nl", "", ""] for n in range(20)]
            + [[f"Bewoner {n:02d} Smit", "", "9679ab", ""] for n in range(20)]
            + [[f"Deelnemer {n:02d} Mulder", "", "", "Dorpsbelang"] for n in range(10)]
            + [[f"Nieuw {n:02d} de Boer", f"nieuw{n}@example.nl", "", ""] for n in range(10)])
    login_as("editor")
    adviser = Adviser(client)
    shown = FormValues(text(client.get(f"/consultations/{meeting.id}"))).values
    before = db.session.scalar(select(func.count()).select_from(AuditEvent))
    response = adviser.post(f"/consultations/{meeting.id}/signin", shown,
                            {"file": (io.BytesIO(csv_file(rows)), "presentielijst.csv")})
    page = text(response)
    assert response.status_code == 200, page[:2000]
    assert "Found: 50" in page and "Not in the register: 10" in page
    posted = confirm_values(page)  # submitted as shown: the rows travel in a hidden field
    shown = FormValues(page[page.index("/signin/confirm"):]).values | {
        "rows": posted["rows"], "versions": posted["versions"]}
    response = adviser.post(f"/consultations/{meeting.id}/signin/confirm", shown, posted)
    assert response.status_code == 302, text(response)[:3000]
    came = registered(db, meeting)
    print(f"\nsign-in list of {ATTENDEES}: {adviser.submissions} submissions, "
          f"{adviser.fields} fields, {adviser.clicks} clicks = {adviser.total} interactions, "
          f"{adviser.total / ATTENDEES:.2f} per attendee")
    assert (adviser.submissions, adviser.fields, adviser.clicks) == (2, 1, 0)
    assert adviser.total / ATTENDEES <= 0.2
    assert len(came) == ATTENDEES and all(came.values())
    assert {p.id for p in [*by_email, *by_postcode, *by_name]} <= set(came)
    newcomers = list(db.session.scalars(select(Stakeholder).where(
        Stakeholder.name.like("Nieuw %"))))
    assert len(newcomers) == 10 and {p.legal_ground for p in newcomers} == {"public_task"}
    assert {p.id for p in newcomers} <= set(came)
    events = dict(db.session.execute(
        select(AuditEvent.action, func.count()).where(AuditEvent.id > 0)
        .group_by(AuditEvent.action)).all())
    assert events["register"] >= ATTENDEES and events["create"] >= 10 + 50
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) - before \
        == ATTENDEES + 10  # a registration each, a register entry per newcomer
    page = text(client.get(response.location))
    assert "Registered: 60, of whom added to the register: 10. Registered in advance and now " \
        "marked as attended: 0. Already registered, so skipped: 0." in page


def test_namesakes_are_offered_to_choose_with_their_contact_line(client, login_as, db,
                                                                  meeting):
    first = person("Jan de Vries", address="Dorpsstraat 1", postcode="9679 AB",
                   place="Scheemda", email="jan@example.nl")
    second = person("Jan de Vries", address="Kerkpad 3", postcode="9681 CD",
                    place="Midwolda")
    piet = person("Piet Bakker", postcode="9679 AB")
    person("Piet Bakker", postcode="9681 CD")
    kees = person("Kees Dijk", email="kees@example.nl")
    db.session.commit()
    login_as("editor")
    page = text(upload(client, meeting, csv_file([
        ["Jan de Vries", "", "", ""],            # two namesakes: choose
        ["Piet Bakker", "", "9679AB", ""],       # name and postcode: the one in Scheemda
        ["Kees Dijk", "k.dijk@elders.nl", "", ""],  # the name, but another e-mail: choose
    ]), "lijst.csv"))
    assert "Dorpsstraat 1, 9679 AB Scheemda, jan@example.nl" in page
    assert "Kerkpad 3, 9681 CD Midwolda" in page
    posted = confirm_values(page)
    assert posted["stakeholder"] == [str(piet.id)]  # candidates are never ticked
    for candidate in (first, second, kees):
        assert f'value="{candidate.id}"' in page
    assert "Choose between possible matches: 2" in page
    posted["stakeholder"].append(str(second.id))
    response = confirm(client, meeting, posted)
    assert response.status_code == 302
    assert set(registered(db, meeting)) == {piet.id, second.id}


def test_not_found_rows_are_added_but_never_silently_twice(client, login_as, db, meeting):
    login_as("editor")
    page = text(upload(client, meeting, csv_file([["Anna Kuipers", "anna@example.nl", "", ""],
                                                  ["Bram Post", "", "", ""]])))
    posted = confirm_values(page)
    assert posted["new"] == ["2", "3"]
    person("Bram Post")  # someone adds him to the register meanwhile
    db.session.commit()
    response = confirm(client, meeting, posted)
    page = text(response)
    assert response.status_code == 400
    assert "Row 3: the register already has Bram Post." in page
    assert registered(db, meeting) == {}
    assert db.session.scalar(select(func.count()).select_from(Stakeholder).where(
        Stakeholder.name == "Anna Kuipers")) == 0  # one transaction: nothing at all
    posted = confirm_values(page)  # the list checked again: Bram is found now
    assert posted["new"] == ["2"] and len(posted["stakeholder"]) == 1
    assert confirm(client, meeting, posted).status_code == 302
    assert len(registered(db, meeting)) == 2
    assert db.session.scalar(select(func.count()).select_from(Stakeholder)) == 2


def test_erased_and_archived_people_are_never_matched(client, login_as, db, meeting):
    gone = person("Gerda Hoekstra", email="gerda@example.nl", postcode="9679 AB")
    shelved = person("Sietse Wiersma", email="sietse@example.nl")
    register.erase(gone)
    register.set_archived(shelved, True)
    db.session.commit()
    login_as("editor")
    page = text(upload(client, meeting, csv_file([
        ["Gerda Hoekstra", "gerda@example.nl", "9679 AB", ""],
        ["Sietse Wiersma", "sietse@example.nl", "", ""]])))
    assert "Not in the register: 2" in page and "Found: 0" in page
    assert 'name="stakeholder"' not in page
    posted = confirm_values(page) | {"stakeholder": [str(gone.id)]}  # a forged tick
    response = confirm(client, meeting, posted)
    assert response.status_code == 400
    assert "An erased person cannot be registered." in text(response)
    assert registered(db, meeting) == {}


def test_duplicates_and_bad_rows_are_shown_and_never_registered(client, login_as, db,
                                                                 meeting):
    jan = person("Jan Smit", email="jan@example.nl")
    db.session.commit()
    login_as("editor")
    page = text(upload(client, meeting, csv_file([
        ["Jan Smit", "jan@example.nl", "", ""],
        ["J. Smit", "JAN@example.nl", "", ""],      # the same e-mail again
        ["Jan Smit", "", "", ""],                   # the same person, by name
        ["Els Meijer", "els@example", "", ""],       # malformed e-mail
        ["", "zonder@example.nl", "", ""],           # no name
        ["Nieuw Persoon", "", "", ""],
        ["Nieuw  persoon", "", "", ""],             # the same newcomer twice
    ])))
    assert "Twice on the list: 3" in page and "Rows that cannot be used: 2" in page
    assert "Twice on the list: the same person as row 2" in page
    assert "“els@example” is not a valid e-mail address." in page
    assert "Enter a name." in page
    posted = confirm_values(page)
    assert posted["stakeholder"] == [str(jan.id)] and posted["new"] == ["7"]
    assert confirm(client, meeting, posted).status_code == 302
    assert len(registered(db, meeting)) == 2
    assert db.session.scalar(select(func.count()).select_from(Stakeholder).where(
        Stakeholder.sort_name == "nieuw persoon")) == 1


def test_the_same_list_posted_again_registers_nobody_twice(client, login_as, db, meeting):
    known = [person(f"Lid {n} Jansen", email=f"lid{n}@example.nl") for n in range(3)]
    consultations.register_participant(meeting, known[0])
    db.session.commit()
    login_as("editor")
    content = csv_file([[f"Lid {n} Jansen", f"lid{n}@example.nl", "", ""] for n in range(3)]
                       + [["Nieuwe Gast", "gast@example.nl", "", ""]])
    page = text(upload(client, meeting, content))
    assert "Already registered: 1" in page
    posted = confirm_values(page)
    assert confirm(client, meeting, posted).status_code == 302
    assert len(registered(db, meeting)) == 4
    assert all(registered(db, meeting).values())  # the one registered in advance came too
    again = confirm(client, meeting, posted)  # the same form posted once more
    assert again.status_code == 400  # the newcomer is in the register now: checked again
    assert "Already registered: 4" in text(again)
    posted = confirm_values(text(again))
    assert len(posted["stakeholder"]) == 4 and "new" not in posted  # ticked to confirm
    response = confirm(client, meeting, posted)
    assert response.status_code == 302  # all of them attended already: nothing changes
    assert "Registered in advance and now marked as attended: 0. Already registered, so " \
        "skipped: 4." in text(client.get(response.location))
    del posted["stakeholder"]
    assert confirm(client, meeting, posted).status_code == 400  # nobody ticked
    page = text(upload(client, meeting, content))
    assert "Already registered: 4" in page
    assert db.session.scalar(select(func.count()).select_from(Registration)) == 4
    assert db.session.scalar(select(func.count()).select_from(Stakeholder)) == 4


def test_the_meeting_page_offers_the_import(client, login_as, db, meeting, period):
    login_as("editor")
    page = text(client.get(f"/consultations/{meeting.id}"))
    assert "Import a sign-in list" in page and f"/consultations/{meeting.id}/signin" in page
    assert client.get(f"/consultations/{meeting.id}/signin").status_code == 200
    assert client.get(f"/consultations/{period.id}/signin").status_code == 404
    login_as("viewer")
    assert "Import a sign-in list" not in text(client.get(f"/consultations/{meeting.id}"))
    assert upload(client, meeting, csv_file([["Jan", "", "", ""]])).status_code == 403


def test_a_read_only_plan_refuses_the_list(client, login_as, db, plan, meeting):
    jan = person("Jan Smit")
    db.session.commit()
    login_as("editor")
    page = text(upload(client, meeting, csv_file([["Jan Smit", "", "", ""]])))
    posted = confirm_values(page)
    plans.set_archived(plan, True)
    db.session.commit()
    assert client.get(f"/consultations/{meeting.id}/signin").status_code == 409
    assert upload(client, meeting, csv_file([["Jan Smit", "", "", ""]])).status_code == 409
    assert confirm(client, meeting, posted).status_code == 409
    assert jan.id not in registered(db, meeting)


@pytest.mark.parametrize(("content", "filename", "message"), [
    (b"%PDF-1.4 not a list", "lijst.pdf", "Only CSV files (.csv) and Excel workbooks"),
    (b"", "lijst.csv", "The file is empty"),
    (b"naam;e-mail\r\n", "lijst.csv", "The file is empty"),
    (b"voornaam;handtekening\r\nJan;x\r\n", "lijst.csv", "The first row must name the columns"),
    (b"PK\x03\x04broken", "lijst.xlsx", "not a readable Excel workbook"),
])
def test_unusable_files_are_refused_clearly(client, login_as, db, meeting, content, filename,
                                            message):
    login_as("editor")
    response = upload(client, meeting, content, filename)
    assert response.status_code == 400
    assert message in text(response)
    assert registered(db, meeting) == {}


def test_a_list_too_long_and_a_workbook_with_formulas_are_refused(app, client, login_as, db,
                                                                  meeting):
    login_as("editor")
    app.config["KOERS_IMPORT_MAX_ROWS"] = 5
    response = upload(client, meeting, csv_file([[f"Gast {n}", "", "", ""] for n in range(6)]))
    assert response.status_code == 400
    assert "The file has more than 5 rows." in text(response)
    app.config["KOERS_IMPORT_MAX_ROWS"] = 250_000
    values = xlsx_file([["naam", "e-mail"], ["Jan Smit", "jan@example.nl"],
                        ["Piet", '=HYPERLINK("http://evil.example","piet@example.nl")']])
    response = upload(client, meeting, values, "lijst.xlsx")
    assert response.status_code == 400
    assert "The workbook has formulas (cell B3)." in text(response)
    plain = xlsx_file([["Naam", "E-mail"], ["Jan Smit", "jan@example.nl"]])
    page = text(upload(client, meeting, plain, "lijst.xlsx"))
    assert "Not in the register: 1" in page
    assert registered(db, meeting) == {}


def test_the_check_page_costs_the_same_queries_for_a_long_list(client, login_as, db, meeting,
                                                               count_queries):
    for n in range(200):
        person(f"Gast {n:03d} Bos", email=f"gast{n}@example.nl")
    person("Dubbel Naam")
    person("Dubbel Naam")
    db.session.commit()
    login_as("editor")

    def queries(count: int) -> int:
        content = csv_file([[f"Gast {n:03d} Bos", f"gast{n}@example.nl", "", ""]
                            for n in range(count)] + [["Dubbel Naam", "", "", ""],
                                                      ["Onbekend", "", "", ""]])
        with count_queries() as counter:
            response = upload(client, meeting, content)
        assert response.status_code == 200
        return counter.count

    queries(1)  # the first page of a session reads what the session keeps afterwards
    small, large = queries(5), queries(200)
    print(f"\nqueries of the check page: {small} for 7 rows, {large} for 202 rows")
    assert large == small <= 12


def test_the_confirmation_needs_its_token_and_its_rows(client, login_as, db, meeting):
    jan = person("Jan Smit")
    db.session.commit()
    login_as("editor")
    posted = confirm_values(text(upload(client, meeting, csv_file([["Jan Smit", "", "", ""]]))))
    forged = client.post(f"/consultations/{meeting.id}/signin/confirm", data=posted)
    assert forged.status_code == 400  # no CSRF token
    assert confirm(client, meeting, posted | {"rows": "[[1, 2]]"}).status_code == 400
    assert confirm(client, meeting, {"stakeholder": [str(jan.id)]}).status_code == 400
    assert registered(db, meeting) == {}
    assert confirm(client, meeting, posted).status_code == 302
    assert registered(db, meeting) == {jan.id: True}


# --- the table each attendee sat at, and people registered in advance -----------------------

TABLE_HEADER = "naam;e-mail;postcode;organisatie;tafel"


@pytest.fixture
def tables(db, meeting) -> dict[str, ConsultationTable]:
    """Three tables, numbered 1 to 3 in the order the meeting shows them."""
    made = {topic: consultations.add_table(meeting, topic)
            for topic in ("Wonen", "Tafel Zorg en welzijn", "Jeugd")}
    db.session.commit()
    return made


def seats(db, meeting) -> dict[int, int | None]:
    return dict(db.session.execute(select(Registration.stakeholder_id, Registration.table_id)
                                   .where(Registration.consultation_id == meeting.id)).all())


@pytest.mark.parametrize(("text", "topic"), [
    ("Wonen", "Wonen"), ("  wONen ", "Wonen"), ("Tafel Wonen", "Wonen"),  # by topic
    ("Zorg en Welzijn", "Tafel Zorg en welzijn"),         # the topic's "Tafel" left out
    ("table zorg en  welzijn", "Tafel Zorg en welzijn"),  # "Table" for the topic's "Tafel"
    ("3", "Jeugd"), ("Tafel 3", "Jeugd"), ("tafel3", "Jeugd"), ("Table 1", "Wonen"),  # number
    ("", None),
])
def test_a_table_is_named_by_topic_or_number(text, topic):
    tables = [ConsultationTable(topic=topic) for topic in ("Wonen", "Tafel Zorg en welzijn",
                                                           "Jeugd")]
    found = signin.resolve_table(text, tables)
    assert (found.topic if found else None) == topic


@pytest.mark.parametrize(("text", "topics", "message"), [
    ("Tafel 4", ("Wonen", "Jeugd"),
     "Unknown table “Tafel 4”: the tables of this meeting are Wonen, Jeugd."),
    ("Zorg", ("Wonen", "Jeugd"), "Unknown table “Zorg”: the tables of this meeting are"),
    ("Wonen", ("Wonen", "Tafel wonen"), "Table “Wonen” fits more than one table"),
    ("1", (), "Unknown table “1”: this meeting has no tables."),
])
def test_a_table_that_fits_none_or_several_is_refused(app, text, topics, message):
    with app.test_request_context(headers={"Accept-Language": "en"}), \
            force_locale("en"), pytest.raises(DomainError) as refused:
        signin.resolve_table(text, [ConsultationTable(topic=topic) for topic in topics])
    assert message in refused.value.message


def test_each_attendee_is_registered_at_the_table_on_the_list(client, login_as, db, meeting,
                                                               tables):
    anna = person("Anna Kuipers", email="anna@example.nl")
    bram = person("Bram Post", email="bram@example.nl")
    cor = person("Cor Visser", email="cor@example.nl")
    gert = person("Gert Smit", email="gert@example.nl")
    db.session.commit()
    login_as("editor")
    page = text(upload(client, meeting, csv_file([
        ["Anna Kuipers", "anna@example.nl", "", "", "wonen"],          # the topic
        ["Bram Post", "bram@example.nl", "", "", "Zorg en welzijn"],   # without "Tafel"
        ["Cor Visser", "cor@example.nl", "", "", "3"],                 # the number
        ["Dina Nieuw", "dina@example.nl", "", "", "Tafel 2"],          # a newcomer, numbered
        ["Gert Smit", "gert@example.nl", "", "", "Tafel 9"],           # no such table
    ], TABLE_HEADER)))
    assert "Found: 3" in page and "Rows that cannot be used: 1" in page
    assert "Unknown table “Tafel 9”: the tables of this meeting are Wonen, Tafel Zorg en " \
        "welzijn, Jeugd." in page
    posted = confirm_values(page)
    assert str(gert.id) not in posted["stakeholder"]  # an unknown table: not ticked
    response = confirm(client, meeting, posted)
    assert response.status_code == 302, text(response)[:3000]
    dina = db.session.scalar(select(Stakeholder).where(Stakeholder.name == "Dina Nieuw"))
    assert seats(db, meeting) == {
        anna.id: tables["Wonen"].id, bram.id: tables["Tafel Zorg en welzijn"].id,
        cor.id: tables["Jeugd"].id, dina.id: tables["Tafel Zorg en welzijn"].id}
    audited = [event.changes for event in db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "register"))]
    assert {"old": None, "new": tables["Jeugd"].id} in [c.get("table") for c in audited]


def test_people_registered_in_advance_are_marked_attended_at_their_table(
        client, login_as, db, meeting, tables):
    frank = person("Frank de Boer", email="frank@example.nl")
    greet = person("Greet Mol", email="greet@example.nl")
    hans = person("Hans Bos", email="hans@example.nl")
    consultations.register_participant(meeting, frank)  # did not come yet
    consultations.register_participants(meeting, [greet], attended=True,  # already seated
                                        seats={greet.id: tables["Wonen"].id})
    db.session.commit()
    login_as("editor")
    content = csv_file([["Frank de Boer", "frank@example.nl", "", "", "Jeugd"],
                        ["Greet Mol", "greet@example.nl", "", "", "1"],
                        ["Hans Bos", "hans@example.nl", "", "", "Wonen"]], TABLE_HEADER)
    page = text(upload(client, meeting, content))
    assert "Already registered: 2" in page
    assert "Registered in advance: confirm that they attended" in page
    assert "Registered in advance, already marked as attended" in page
    posted = confirm_values(page)
    assert sorted(posted["stakeholder"]) == sorted(str(p.id) for p in (frank, greet, hans))
    before = db.session.scalar(select(func.max(AuditEvent.id)))
    response = confirm(client, meeting, posted)
    assert response.status_code == 302, text(response)[:3000]
    assert registered(db, meeting) == {frank.id: True, greet.id: True, hans.id: True}
    assert seats(db, meeting) == {frank.id: tables["Jeugd"].id, greet.id: tables["Wonen"].id,
                                  hans.id: tables["Wonen"].id}
    events = list(db.session.scalars(select(AuditEvent).where(AuditEvent.id > before)
                                     .order_by(AuditEvent.id)))
    assert [event.action for event in events] == ["register", "attendance"]
    assert events[1].changes["stakeholder"]["new"] == str([frank.id])  # lists as text
    assert events[1].changes["table"]["new"] == str([frank.id])
    assert "Registered: 1, of whom added to the register: 0. Registered in advance and now " \
        "marked as attended: 1. Already registered, so skipped: 1." \
        in text(client.get(response.location))


def test_without_attended_people_registered_in_advance_are_left_alone(client, login_as, db,
                                                                      meeting, tables):
    frank = person("Frank de Boer", email="frank@example.nl")
    consultations.register_participant(meeting, frank)
    db.session.commit()
    login_as("editor")
    posted = confirm_values(text(upload(client, meeting, csv_file(
        [["Frank de Boer", "frank@example.nl", "", "", "Jeugd"]], TABLE_HEADER))))
    del posted["attended"]
    assert confirm(client, meeting, posted).status_code == 302
    assert registered(db, meeting) == {frank.id: False}
    assert seats(db, meeting) == {frank.id: None}


def test_a_registration_changed_since_the_check_is_a_conflict(client, login_as, db, meeting,
                                                             tables):
    frank = person("Frank de Boer", email="frank@example.nl")
    anna = person("Anna Kuipers", email="anna@example.nl")
    registration = consultations.register_participant(meeting, frank)
    db.session.commit()
    login_as("editor")
    posted = confirm_values(text(upload(client, meeting, csv_file(
        [["Frank de Boer", "frank@example.nl", "", "", "Jeugd"],
         ["Anna Kuipers", "anna@example.nl", "", "", "Wonen"]], TABLE_HEADER))))
    consultations.set_attendance(meeting, [], tables={registration.id: tables["Wonen"].id})
    db.session.commit()  # a colleague seats him meanwhile
    response = confirm(client, meeting, posted)
    assert response.status_code == 400
    assert "Someone else changed this while you were editing it." in text(response)
    assert registered(db, meeting) == {frank.id: False}  # nothing of the list: not even Anna
    assert seats(db, meeting) == {frank.id: tables["Wonen"].id}
    assert anna.id not in registered(db, meeting)


def test_a_table_renamed_since_the_check_refuses_its_rows(client, login_as, db, meeting,
                                                          tables):
    anna = person("Anna Kuipers", email="anna@example.nl")
    db.session.commit()
    login_as("editor")
    posted = confirm_values(text(upload(client, meeting, csv_file(
        [["Anna Kuipers", "anna@example.nl", "", "", "Jeugd"],
         ["Dina Nieuw", "", "", "", "Jeugd"]], TABLE_HEADER))))
    assert posted["stakeholder"] == [str(anna.id)] and posted["new"] == ["3"]
    consultations.update_table(tables["Jeugd"], "Jongeren", facilitator=None, theme=None)
    db.session.commit()
    response = confirm(client, meeting, posted)
    assert response.status_code == 400
    assert "Row 2: Unknown table “Jeugd”" in text(response)
    assert registered(db, meeting) == {}
    posted = confirm_values(text(response))
    assert "stakeholder" not in posted and "new" not in posted  # both rows unusable now


def test_a_seat_at_another_meetings_table_is_refused(db, meeting, tables, plan):
    other = consultations.create_consultation(plan, ConsultationData(
        title="Tweede avond", format="bijeenkomst"))
    anna = person("Anna Kuipers")
    with pytest.raises(DomainError) as refused:
        consultations.register_participants(other, [anna],
                                            seats={anna.id: tables["Wonen"].id})
    assert refused.value.field == "table"
    new, _skipped = consultations.register_participants(meeting, [anna],
                                                        seats={anna.id: tables["Wonen"].id})
    assert new[0].table_id == tables["Wonen"].id


def test_the_upload_page_explains_the_table_column(client, login_as, db, meeting, tables):
    login_as("editor")
    page = text(client.get(f"/consultations/{meeting.id}/signin"))
    assert "<code>tafel</code>" in page and "table, tafelnummer" in page
    assert "<ol aria-labelledby=\"signin-tables-title\"><li>Wonen</li><li>Tafel Zorg en " \
        "welzijn</li><li>Jeugd</li></ol>" in page


def test_the_check_page_with_tables_costs_the_same_queries_for_a_long_list(
        client, login_as, db, meeting, tables, count_queries):
    guests = [person(f"Gast {n:03d} Bos", email=f"gast{n}@example.nl") for n in range(200)]
    for guest in guests[:50]:
        consultations.register_participant(meeting, guest)
    db.session.commit()
    login_as("editor")
    topics = ["Wonen", "2", "Tafel Jeugd", "Tafel 9"]

    def queries(count: int) -> int:
        content = csv_file([[f"Gast {n:03d} Bos", f"gast{n}@example.nl", "", "",
                             topics[n % len(topics)]] for n in range(count)], TABLE_HEADER)
        with count_queries() as counter:
            response = upload(client, meeting, content)
        assert response.status_code == 200
        assert f"Rows that cannot be used: {count // 4}" in text(response)
        return counter.count

    queries(4)  # the first page of a session reads what the session keeps afterwards
    small, large = queries(8), queries(200)
    print(f"\nqueries of the check page with tables: {small} for 8 rows, {large} for 200 rows")
    assert large == small <= 11
