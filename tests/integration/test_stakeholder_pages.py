"""The stakeholder register's pages: list, stakeholder page, form, conflicts, memberships,
duplicates and merging, export and erasure, the retention command, and who may do what."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.stakeholders import services
from app.stakeholders.models import (
    Membership,
    SearchTerm,
    Stakeholder,
    StakeholderCategory,
)
from app.stakeholders.services import StakeholderData


@pytest.fixture(autouse=True)
def english(client):
    client.set_cookie("koers_language", "en")


def person(name: str, **values) -> Stakeholder:
    return services.create(StakeholderData(name=name, **values))


def organisation(name: str, **values) -> Stakeholder:
    return services.create(StakeholderData(name=name, kind="organisation", **values))


def member(db, person_: Stakeholder, organisation_: Stakeholder, **values) -> Membership:
    db.session.flush()
    return services.add_membership(person_, organisation_, **values)


def stakeholder_count(db) -> int:
    return db.session.scalar(select(func.count()).select_from(Stakeholder))


def text(response) -> str:
    return response.get_data(as_text=True)


def table_rows(page: str) -> list[str]:
    body = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return re.findall(r"<tr.*?</tr>", body, flags=re.S)


def version_of(page: str) -> str:
    return re.search(r'name="version"[^>]*value="(\d+)"', page).group(1)


FORM = {"name": "Fatima el Idrissi", "email": "f.elidrissi@example.nl",
        "phone": "06 1234 5678", "address": "Kerkstraat 4", "postcode": "9641 AB",
        "place": "Koersdam", "website": "", "categories": ["inwoner", "mantelzorger"],
        "tags": "Ouderen, wijk Noord", "notes": "Wil meedenken over respijtzorg.",
        "legal_ground": "consent", "consent_purpose": "Nieuwsbrief mantelzorg",
        "consent_date": "2026-03-12", "consent_source": "Aanmeldformulier bijeenkomst",
        "retention_until": "2028-03-12"}


# --- list -------------------------------------------------------------------------------

def test_list_shows_organisations_categories_and_filters(client, login_as, db):
    welzijn = organisation("Welzijn Koersdam", categories=["maatschappelijke_partner"])
    anna = person("Anna de Vries", email="anna@example.nl", categories=["inwoner"],
                  tags=["ouderen"])
    person("Piet Jansen", categories=["vrijwilliger"])
    member(db, anna, welzijn, function="buurtcoach")
    db.session.commit()
    login_as("viewer")

    page = text(client.get("/stakeholders/"))
    rows = table_rows(page)
    assert [re.search(r">([^<]+)</a>", row).group(1) for row in rows] == [
        "Anna de Vries", "Piet Jansen", "Welzijn Koersdam"]
    assert "Welzijn Koersdam" in rows[0] and "Resident" in rows[0] and "anna@example.nl" in rows[0]
    assert "Organisation" in rows[2] and "Community partner" in rows[2]
    assert "Possible duplicates" in page
    assert "New person" not in page  # viewers do not add stakeholders

    def names(query: str) -> list[str]:
        return [re.search(r">([^<]+)</a>", row).group(1)
                for row in table_rows(text(client.get(f"/stakeholders/?{query}")))
                if "<a " in row]

    assert names("q=welzijn") == ["Anna de Vries", "Welzijn Koersdam"]  # by organisation
    assert names("q=anna%40ex") == ["Anna de Vries"]
    assert names("kind=organisation") == ["Welzijn Koersdam"]
    assert names("category=vrijwilliger") == ["Piet Jansen"]
    assert names("tag=Ouderen") == ["Anna de Vries"]
    assert names("q=niemand") == []


def test_editors_see_the_add_links(client, login_as):
    login_as("editor")
    page = text(client.get("/stakeholders/"))
    assert "/stakeholders/new?kind=person" in page
    assert "/stakeholders/new?kind=organisation" in page


def test_archived_stakeholders_only_with_the_filter(client, login_as, db):
    old = organisation("Oude Stichting")
    db.session.commit()
    login_as("editor")
    response = client.submit(f"/stakeholders/{old.id}/archive", {"archived": "1"})
    assert response.status_code == 302
    listed = " ".join(table_rows(text(client.get("/stakeholders/"))))
    assert "Oude Stichting" not in listed
    archived = " ".join(table_rows(text(client.get("/stakeholders/?archived=1"))))
    assert "Oude Stichting" in archived and "(archived)" in archived
    client.submit(f"/stakeholders/{old.id}/archive", {"archived": "0"})
    assert "Oude Stichting" in " ".join(table_rows(text(client.get("/stakeholders/"))))
    actions = db.session.scalars(select(AuditEvent.action).where(
        AuditEvent.entity_type == "stakeholders", AuditEvent.entity_id == str(old.id))
        .order_by(AuditEvent.id)).all()
    assert actions == ["create", "archive", "unarchive"]


BULK = 50_000
FIRST_NAMES = ["Anna", "Bram", "Chantal", "Daan", "Esra", "Fenna", "Gerrit", "Hatice", "Ivo",
               "Jolien", "Kees", "Lotte", "Mohamed", "Noor", "Orlando", "Petra", "Roos", "Sem",
               "Tamara", "Umut", "Vera", "Willem", "Yara", "Zeynep"]
SURNAMES = ["de Vries", "Jansen", "Bakker", "Visser", "Smit", "Meijer", "de Boer", "Mulder",
            "de Groot", "Bos", "Vos", "Peters", "Hendriks", "van Dijk", "Yilmaz", "El Amrani",
            "Kuipers", "Dijkstra", "Hoekstra", "Postma"]


def bulk_insert(db, count: int) -> None:
    """``count`` stakeholders straight through Core, shaped like a real register: one in fifty
    an organisation, every person a member of one, each with a category and search terms."""
    before = db.session.scalar(select(func.max(Stakeholder.id))) or 0
    rows = []
    for n in range(count):
        if n % 50 == 0:
            name = f"Stichting {SURNAMES[n % len(SURNAMES)]} {n:05d}"
            rows.append({"kind": "organisation", "name": name,
                         "sort_name": services.normalise(name), "legal_ground": "public_task"})
        else:
            name = (f"{FIRST_NAMES[n % len(FIRST_NAMES)]} "
                    f"{SURNAMES[(n // len(FIRST_NAMES)) % len(SURNAMES)]} {n:05d}")
            rows.append({"kind": "person", "name": name, "sort_name": services.normalise(name),
                         "email": f"persoon{n}@example.nl", "legal_ground": "public_task"})
    db.session.execute(sa.insert(Stakeholder.__table__), rows)
    created = db.session.execute(select(Stakeholder.id, Stakeholder.kind, Stakeholder.sort_name)
                                 .where(Stakeholder.id > before)).all()
    organisations = [row.id for row in created if row.kind == "organisation"]
    db.session.execute(sa.insert(StakeholderCategory.__table__), [
        {"stakeholder_id": row.id,
         "code": "maatschappelijke_partner" if row.kind == "organisation" else "inwoner"}
        for row in created])
    db.session.execute(sa.insert(Membership.__table__), [
        {"person_id": row.id, "organisation_id": organisations[index % len(organisations)],
         "is_contact": False}
        for index, row in enumerate(created) if row.kind == "person"])
    db.session.execute(sa.insert(SearchTerm.__table__), [
        {"stakeholder_id": row.id, "term": term} for row in created
        for term in {row.sort_name, *row.sort_name.split()}])
    db.session.commit()


def test_list_runs_the_same_number_of_queries_at_10_and_50000_rows(client, login_as, db,
                                                                     count_queries):
    welzijn = organisation("Welzijn Koersdam", categories=["maatschappelijke_partner"])
    for n in range(9):
        resident = person(f"{FIRST_NAMES[n]} Jansen", email=f"inwoner{n}@example.nl",
                          categories=["inwoner"], tags=["ouderen"])
        member(db, resident, welzijn)
    db.session.commit()
    assert stakeholder_count(db) == 10
    login_as("viewer")
    urls = ["/stakeholders/", "/stakeholders/?kind=person",
            "/stakeholders/?kind=organisation", "/stakeholders/?q=jansen",
            "/stakeholders/?q=anna+jan", "/stakeholders/?category=inwoner",
            "/stakeholders/?tag=ouderen", "/stakeholders/?q=niemand", "/stakeholders/duplicates"]

    def counts() -> list[int]:
        found = []
        for url in urls:
            client.get(url)  # warm up: templates compiled
            with count_queries() as counter:
                response = client.get(url)
            assert response.status_code == 200
            found.append(counter.count)
        return found

    small = counts()
    bulk_insert(db, BULK)
    assert stakeholder_count(db) == 10 + BULK
    large = counts()
    assert large == small, f"queries at 10 rows: {small}, at {10 + BULK}: {large}"
    assert max(small) <= 6
    # The last page is no different, and its rows show their organisations.
    with count_queries() as counter:
        last = text(client.get(f"/stakeholders/?page={(10 + BULK) // 25}"))
    assert counter.count == small[0] and "Stichting" in " ".join(table_rows(last))


# --- the stakeholder page ---------------------------------------------------------------

def test_person_page_and_organisation_page(client, login_as, db):
    welzijn = organisation("Welzijn Koersdam", website="https://welzijn.example")
    anna = person("Anna de Vries", email="anna@example.nl", phone="06 1234 5678",
                  notes="Belt liever 's avonds.", legal_ground="consent",
                  consent_purpose="Nieuwsbrief", consent_date=date(2026, 3, 12),
                  consent_source="Formulier", retention_until=date(2028, 3, 12))
    member(db, anna, welzijn, function="buurtcoach", is_contact=True)
    db.session.commit()
    login_as("viewer")

    page = text(client.get(f"/stakeholders/{anna.id}"))
    for expected in ("Anna de Vries", "anna@example.nl", "06 1234 5678", "Belt liever",
                     "Consent (AVG art. 6(1)(a))", "Nieuwsbrief", "2028",
                     "Welzijn Koersdam", "buurtcoach"):
        assert expected in page, expected
    assert "Edit" not in page and "Erase personal data" not in page  # viewer: no actions
    assert "History of this record" not in page  # the audit trail is for administrators

    org_page = text(client.get(f"/stakeholders/{welzijn.id}"))
    assert "Anna de Vries" in org_page and "buurtcoach" in org_page
    assert 'href="https://welzijn.example"' in org_page
    assert "Legal ground" not in org_page
    assert client.get("/stakeholders/999999").status_code == 404


def test_actions_for_editors_and_history_for_administrators(client, login_as, db):
    anna = person("Anna de Vries")
    welzijn = organisation("Welzijn Koersdam")
    db.session.commit()
    login_as("admin")
    page = text(client.get(f"/stakeholders/{anna.id}"))
    for action in ("/edit", "/merge", "/export.json", "/erase", "/archive",
                   f"entity_type=stakeholders&amp;entity_id={anna.id}"):
        assert action in page, action
    org_page = text(client.get(f"/stakeholders/{welzijn.id}"))
    assert "/erase" not in org_page  # organisations are archived, not erased


def test_audit_trail_reads_well_for_stakeholders(client, login_as, db):
    anna = person("Anna de Vries", categories=["inwoner"])
    db.session.commit()
    login_as("admin")
    client.get(f"/stakeholders/{anna.id}/export.json")
    page = text(client.get(f"/admin/audit/?entity_type=stakeholders&entity_id={anna.id}"))
    assert "Stakeholder" in page and "exported" in page
    assert "Legal ground" in page and "Categories: — → inwoner" in page


# --- the form ---------------------------------------------------------------------------

def test_create_a_person_with_every_field(client, login_as, db):
    login_as("editor")
    assert client.get("/stakeholders/new?kind=person").status_code == 200
    response = client.submit("/stakeholders/new?kind=person", FORM)
    assert response.status_code == 302
    created = db.session.scalars(select(Stakeholder)).one()
    assert response.location.endswith(f"/stakeholders/{created.id}")
    assert created.kind == "person" and created.email == "f.elidrissi@example.nl"
    assert created.category_codes == ["inwoner", "mantelzorger"]
    assert created.tag_names == ["ouderen", "wijk noord"]
    assert created.consent_date == date(2026, 3, 12)
    assert created.retention_until == date(2028, 3, 12)
    assert created.legal_ground == "consent"


def test_create_an_organisation_without_privacy_fields(client, login_as, db):
    login_as("editor")
    form_page = text(client.get("/stakeholders/new?kind=organisation"))
    assert "New organisation" in form_page and 'name="legal_ground"' not in form_page
    response = client.submit("/stakeholders/new?kind=organisation", {
        "name": "GGD Koersdam", "email": "info@ggd.example", "categories": ["zorgaanbieder"],
        "legal_ground": "consent"})  # ignored: organisations have no legal ground field
    assert response.status_code == 302
    created = db.session.scalars(select(Stakeholder)).one()
    assert created.kind == "organisation" and created.legal_ground == "public_task"


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"name": " "}, "name", "Enter a name."),
    ({"email": "geen-adres"}, "email", "is not a valid e-mail address"),
    ({"phone": "12ab"}, "phone", "is not a valid phone number"),
    ({"categories": ["astronaut"]}, "categories", "is not a valid choice"),
    ({"consent_purpose": ""}, "consent_purpose", "Consent needs its purpose, date and source."),
    ({"consent_date": "12-03-2026x"}, "consent_date", "Enter a valid date"),
    ({"legal_ground": "whim"}, "legal_ground", "Not a valid choice"),
    ({"tags": ",".join(f"t{n}" for n in range(25))}, "tags", "Use at most 20 tags."),
])
def test_bad_input_is_shown_at_the_field_and_nothing_is_saved(client, login_as, db, changes,
                                                              field, message):
    login_as("editor")
    response = client.submit("/stakeholders/new?kind=person", FORM | changes)
    page = text(response)
    assert response.status_code == 400
    assert message in page and "error-summary" in page
    assert f'id="{field}-error"' in page
    assert stakeholder_count(db) == 0
    assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.entity_type == "stakeholders")) == 0


def test_several_mistakes_are_shown_together(client, login_as, db):
    login_as("editor")
    page = text(client.submit("/stakeholders/new?kind=person",
                              FORM | {"email": "x@", "phone": "1", "consent_date": "nope"}))
    for field in ("email", "phone", "consent_date"):
        assert f'id="{field}-error"' in page, field


def test_edit_saves_and_audits_changed_fields(client, login_as, db):
    anna = person("Anna de Vries", email="anna@example.nl")
    db.session.commit()
    login_as("editor")
    page = text(client.get(f"/stakeholders/{anna.id}/edit"))
    assert 'value="anna@example.nl"' in page and version_of(page) == "1"
    response = client.submit(f"/stakeholders/{anna.id}/edit", {
        "name": "Anna de Vries", "email": "anna.devries@example.nl", "phone": "",
        "categories": ["inwoner"], "legal_ground": "public_task", "version": "1"})
    assert response.status_code == 302
    db.session.refresh(anna)
    assert anna.email == "anna.devries@example.nl" and anna.category_codes == ["inwoner"]
    assert anna.version == 2


def test_a_bad_edit_changes_nothing(client, login_as, db):
    anna = person("Anna de Vries", email="anna@example.nl")
    db.session.commit()
    login_as("editor")
    response = client.submit(f"/stakeholders/{anna.id}/edit", {
        "name": "", "email": "anna@example", "legal_ground": "public_task", "version": "1"})
    assert response.status_code == 400
    db.session.refresh(anna)
    assert anna.name == "Anna de Vries" and anna.version == 1


def test_a_stale_save_shows_the_conflict_and_overwrites_nothing(client, login_as, db):
    anna = person("Anna de Vries", email="anna@example.nl", place="Koersdam")
    db.session.commit()
    editor = login_as("editor")
    assert version_of(text(client.get(f"/stakeholders/{anna.id}/edit"))) == "1"
    # A colleague saves first.
    services.update_stakeholder(anna, StakeholderData(
        name="Anna de Vries-Bakker", email="anna@example.nl", place="Koersdam"),
        actor=editor)
    db.session.commit()

    mine = {"name": "Anna de Vries", "email": "anna@example.nl", "place": "Veendam",
            "legal_ground": "public_task", "version": "1"}
    response = client.submit(f"/stakeholders/{anna.id}/edit", mine)
    page = text(response)
    assert response.status_code == 409
    assert "Anna de Vries-Bakker" in page and "Veendam" in page and "differs" in page
    assert "Nothing has been overwritten" in page or "nothing has been overwritten" in page
    db.session.refresh(anna)
    assert anna.name == "Anna de Vries-Bakker" and anna.place == "Koersdam"
    assert anna.version == 2

    # Having compared, the editor saves their values over the current version on purpose.
    assert 'name="version" value="2"' in page
    again = client.submit(f"/stakeholders/{anna.id}/edit", mine | {"version": "2"})
    assert again.status_code == 302
    db.session.refresh(anna)
    assert anna.name == "Anna de Vries" and anna.place == "Veendam"


def test_edit_without_a_version_is_refused(client, login_as, db):
    anna = person("Anna de Vries")
    db.session.commit()
    login_as("editor")
    response = client.submit(f"/stakeholders/{anna.id}/edit", {
        "name": "Anna", "legal_ground": "public_task"})
    assert response.status_code == 400
    db.session.refresh(anna)
    assert anna.name == "Anna de Vries"


# --- memberships ------------------------------------------------------------------------

def test_link_a_person_to_an_organisation_and_remove_it(client, login_as, db):
    anna = person("Anna de Vries")
    welzijn = organisation("Welzijn Koersdam")
    organisation("GGD Koersdam")
    db.session.commit()
    login_as("editor")

    page = text(client.get(f"/stakeholders/{anna.id}/organisations/add?q=welz"))
    assert "Welzijn Koersdam" in page and "GGD Koersdam" not in page
    assert text(client.get(f"/stakeholders/{anna.id}/organisations/add")).count(
        'name="organisation"') == 2

    missing = client.submit(f"/stakeholders/{anna.id}/organisations/add", {"function": "x"})
    assert missing.status_code == 400 and "Choose an organisation." in text(missing)
    not_an_org = client.submit(f"/stakeholders/{anna.id}/organisations/add",
                               {"organisation": str(anna.id)})
    assert not_an_org.status_code == 400

    response = client.submit(f"/stakeholders/{anna.id}/organisations/add", {
        "organisation": str(welzijn.id), "function": "buurtcoach", "is_contact": "y"})
    assert response.status_code == 302
    membership = db.session.scalars(select(Membership)).one()
    assert (membership.organisation_id, membership.function, membership.is_contact) == (
        welzijn.id, "buurtcoach", True)
    assert "buurtcoach" in text(client.get(f"/stakeholders/{welzijn.id}"))

    other = person("Piet Jansen")
    db.session.commit()
    assert client.submit(f"/stakeholders/{other.id}/organisations/{membership.id}/remove"
                         ).status_code == 404  # not Piet's membership
    response = client.submit(f"/stakeholders/{anna.id}/organisations/{membership.id}/remove")
    assert response.status_code == 302
    assert db.session.scalar(select(func.count()).select_from(Membership)) == 0
    organisation_page = client.get(f"/stakeholders/{welzijn.id}/organisations/add")
    assert organisation_page.status_code == 400  # an organisation is not a member


# --- duplicates and merging -------------------------------------------------------------

def test_duplicates_page_preview_and_merge(client, login_as, db):
    welzijn = organisation("Welzijn Koersdam")
    keep = person("Jan Bakker", email="jan@bakker.nl", categories=["inwoner"])
    duplicate = person("J. Bakker", email="jan@bakker.nl", phone="0597 123 456",
                       categories=["vrijwilliger"])
    member(db, duplicate, welzijn, function="vrijwilliger")
    db.session.commit()
    duplicate_id = duplicate.id
    login_as("editor")

    page = text(client.get("/stakeholders/duplicates"))
    assert "Jan Bakker" in page and "J. Bakker" in page and "same e-mail address" in page
    merge_url = f"/stakeholders/{duplicate.id}/merge/{keep.id}"
    assert merge_url in page

    preview = text(client.get(merge_url))
    assert "Memberships of organisations" in preview and "stakeholder_memberships.person_id" \
        in preview
    assert "Phone number" in preview  # filled in from the duplicate
    assert db.session.get(Stakeholder, duplicate.id) is not None  # a preview changes nothing

    response = client.submit(merge_url)
    assert response.status_code == 302 and response.location.endswith(f"/stakeholders/{keep.id}")
    db.session.expire_all()
    assert db.session.get(Stakeholder, duplicate_id) is None
    kept = db.session.get(Stakeholder, keep.id)
    assert kept.phone == "0597 123 456" and kept.category_codes == ["inwoner", "vrijwilliger"]
    assert "Welzijn Koersdam" in text(client.get(f"/stakeholders/{keep.id}"))
    assert "No possible duplicates found." in text(client.get("/stakeholders/duplicates"))


def test_choose_a_record_to_merge_into(client, login_as, db):
    source = person("J. Bakker")
    target = person("Jan Bakker")
    organisation("Bakkerij Bakker")
    db.session.commit()
    login_as("editor")
    page = text(client.get(f"/stakeholders/{source.id}/merge?q=bakker"))
    assert f"/stakeholders/{source.id}/merge/{target.id}" in page
    assert "Bakkerij Bakker" not in page  # only the same kind
    assert f"/merge/{source.id}" not in page  # not itself


@pytest.mark.parametrize("case", ["self", "kinds", "erased"])
def test_merge_refusals_are_explained(client, login_as, db, case):
    a, b, org = person("A Een"), person("B Twee"), organisation("Org")
    db.session.flush()
    if case == "erased":
        services.erase(b)
    db.session.commit()
    source, target = {"self": (a, a), "kinds": (a, org), "erased": (a, b)}[case]
    login_as("editor")
    message = {"self": "cannot be merged into itself", "kinds": "cannot be merged",
               "erased": "An erased person cannot be merged."}[case]
    for response in (client.get(f"/stakeholders/{source.id}/merge/{target.id}"),
                     client.submit(f"/stakeholders/{source.id}/merge/{target.id}")):
        assert response.status_code == 400
        assert message in text(response)
    assert stakeholder_count(db) == 3


# --- export and erasure -----------------------------------------------------------------

def test_export_is_a_download_and_is_audited(client, login_as, db):
    anna = person("Anna de Vries", email="anna@example.nl", tags=["ouderen"])
    db.session.commit()
    editor = login_as("editor")
    response = client.get(f"/stakeholders/{anna.id}/export.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert response.headers["Content-Disposition"] == \
        f'attachment; filename="stakeholder-{anna.id}.json"'
    assert response.headers["Cache-Control"] == "no-store"
    exported = json.loads(response.get_data())
    assert exported["stakeholder"]["email"] == "anna@example.nl"
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "export")).one()
    assert event.actor_id == editor.id and event.entity_id == str(anna.id)
    assert "anna" not in json.dumps(event.changes).lower()


def test_erase_flow(client, login_as, db):
    welzijn = organisation("Welzijn Koersdam")
    wilhelmina = person("Wilhelmina Zonderland", email="w.zonderland@example.nl",
                        categories=["inwoner"])
    member(db, wilhelmina, welzijn)
    db.session.commit()
    login_as("editor")

    confirm = text(client.get(f"/stakeholders/{wilhelmina.id}/erase"))
    assert "cannot be undone" in confirm and "not what was erased" in confirm
    response = client.submit(f"/stakeholders/{wilhelmina.id}/erase",
                             {"reason": "consent_withdrawn"})
    assert response.status_code == 302

    page = text(client.get(f"/stakeholders/{wilhelmina.id}"))
    assert "Erased person" in page and "Zonderland" not in page
    assert "/edit" not in page and "/export.json" not in page
    for url in ("/stakeholders/", "/stakeholders/?q=zonderland", "/stakeholders/?q=wilhelmina",
                "/stakeholders/?category=inwoner", f"/stakeholders/{welzijn.id}",
                "/stakeholders/duplicates"):
        assert "Zonderland" not in text(client.get(url)), url
    assert "Wilhelmina" not in text(client.get("/stakeholders/?q=w.zonderland"))

    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "erase")).one()
    assert event.changes == {"reason": {"old": None, "new": "consent_withdrawn"}}
    again = client.get(f"/stakeholders/{wilhelmina.id}/erase")
    assert again.status_code == 400 and "already been erased" in text(again)
    assert client.submit(f"/stakeholders/{wilhelmina.id}/erase",
                         {"reason": "request"}).status_code == 400
    assert client.get(f"/stakeholders/{wilhelmina.id}/edit").status_code == 400
    assert client.get(f"/stakeholders/{wilhelmina.id}/export.json").status_code == 400
    assert client.submit(f"/stakeholders/{wilhelmina.id}/archive",
                         {"archived": "1"}).status_code == 400
    assert client.get(f"/stakeholders/{welzijn.id}/erase").status_code == 400


def test_erase_needs_a_reason(client, login_as, db):
    anna = person("Anna de Vries")
    db.session.commit()
    login_as("editor")
    response = client.submit(f"/stakeholders/{anna.id}/erase", {"reason": "because"})
    assert response.status_code == 400
    db.session.refresh(anna)
    assert not anna.is_erased


# --- the retention command --------------------------------------------------------------

def test_retention_command_dry_run_then_real(app, db):
    past = person("Oud Verleden", retention_until=date.today() - timedelta(days=1))
    future = person("Nog Even", retention_until=date.today() + timedelta(days=30))
    db.session.commit()
    runner = app.test_cli_runner()

    dry = runner.invoke(args=["privacy", "retention", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert f"{past.id}\t{past.retention_until.isoformat()}" in dry.output
    assert "Verleden" not in dry.output and "nothing erased" in dry.output
    db.session.expire_all()
    assert not db.session.get(Stakeholder, past.id).is_erased

    real = runner.invoke(args=["privacy", "retention"])
    assert real.exit_code == 0, real.output
    assert "1 person(s) erased." in real.output and "Verleden" not in real.output
    db.session.expire_all()
    assert db.session.get(Stakeholder, past.id).is_erased
    assert not db.session.get(Stakeholder, future.id).is_erased
    assert "0 person(s)" in runner.invoke(args=["privacy", "retention", "--dry-run"]).output


# --- who may do what --------------------------------------------------------------------

def test_viewers_read_but_change_nothing(client, login_as, db):
    anna, bert = person("Anna de Vries"), person("Bert de Vries")
    welzijn = organisation("Welzijn Koersdam")
    member(db, anna, welzijn)
    db.session.commit()
    membership = db.session.scalars(select(Membership)).one()
    login_as("viewer")
    for url in ("/stakeholders/", f"/stakeholders/{anna.id}", "/stakeholders/duplicates"):
        assert client.get(url).status_code == 200, url
    for url in ("/stakeholders/new", f"/stakeholders/{anna.id}/edit",
                f"/stakeholders/{anna.id}/merge", f"/stakeholders/{anna.id}/merge/{bert.id}",
                f"/stakeholders/{anna.id}/export.json", f"/stakeholders/{anna.id}/erase",
                f"/stakeholders/{anna.id}/organisations/add"):
        assert client.get(url).status_code == 403, url
    for url in (f"/stakeholders/{anna.id}/edit", f"/stakeholders/{anna.id}/archive",
                f"/stakeholders/{anna.id}/merge/{bert.id}", f"/stakeholders/{anna.id}/erase",
                f"/stakeholders/{anna.id}/organisations/add",
                f"/stakeholders/{anna.id}/organisations/{membership.id}/remove"):
        assert client.submit(url, {"reason": "request", "archived": "1"}).status_code == 403
    assert stakeholder_count(db) == 3 and not db.session.get(Stakeholder, anna.id).is_erased


def test_signed_out_visitors_go_to_sign_in(client, db):
    anna = person("Anna de Vries")
    db.session.commit()
    for url in ("/stakeholders/", f"/stakeholders/{anna.id}",
                f"/stakeholders/{anna.id}/export.json"):
        response = client.get(url)
        assert response.status_code == 302 and response.location.startswith("/login")


# --- demo data --------------------------------------------------------------------------

def test_demo_register_is_believable_and_loaded_once(app, db):
    runner = app.test_cli_runner()
    for _ in range(2):
        result = runner.invoke(args=["demo", "setup"])
        assert result.exit_code == 0, result.output
    organisations = db.session.scalars(select(Stakeholder).where(
        Stakeholder.kind == "organisation")).all()
    people = db.session.scalars(select(Stakeholder).where(Stakeholder.kind == "person")).all()
    assert len(organisations) >= 15 and len(people) >= 35
    adviesraad = next(o for o in organisations if o.category_codes == ["adviesraad"])
    assert len(services.members(adviesraad)) >= 3
    assert any("wethouder" in p.category_codes for p in people)
    assert sum("raadslid" in p.category_codes for p in people) >= 2
    assert sum(p.legal_ground == "consent" for p in people) >= 3
    assert services.past_retention()  # something for `koers privacy retention` to show
    pairs = services.likely_duplicates()
    assert len(pairs) == 1 and pairs[0].first.email == pairs[0].second.email
    contacts = db.session.scalar(select(func.count()).select_from(Membership).where(
        Membership.is_contact.is_(True)))
    assert contacts >= 10
