"""The stakeholder register's rules, with the test plugin's table referring to stakeholders."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.errors import DomainError, EditConflict
from app.stakeholders import services
from app.stakeholders.models import Membership, SearchTerm, Stakeholder
from app.stakeholders.services import Filters, StakeholderData
from tests.plugins.testplugin.models import Mention
from tests.traces import text_values

ERASED_NAME = "Wilhelmina Zonderland"
ERASED_EMAIL = "w.zonderland@example.nl"


@pytest.fixture
def extra_plugins():
    return {"testplugin": "tests.plugins.testplugin"}


@pytest.fixture
def enabled_plugins():
    return ["testplugin"]


def person(name: str, **values) -> Stakeholder:
    return services.create(StakeholderData(name=name, **values))


def organisation(name: str, **values) -> Stakeholder:
    return services.create(StakeholderData(name=name, kind="organisation", **values))


def names(filters: Filters) -> list[str]:
    return [s.name for s in services.db.session.scalars(services.list_query(filters))]


@pytest.mark.parametrize(("values", "field", "message"), [
    ({"name": "  "}, "name", "Vul een naam in."),
    ({"name": "A", "email": "geen-adres"}, "email", "geen geldig e-mailadres"),
    ({"name": "A", "phone": "12ab"}, "phone", "geen geldig telefoonnummer"),
    ({"name": "A", "categories": ["astronaut"]}, "categories", "Onbekende categorie: astronaut"),
    ({"name": "A", "legal_ground": "consent"}, "consent_purpose", "doel, de datum en de bron"),
])
def test_bad_input_is_refused_with_the_field(app, values, field, message):
    with app.test_request_context(), pytest.raises(DomainError) as error:
        StakeholderData(**values).cleaned()
    assert error.value.field == field and message in error.value.message


def test_create_normalises_and_audits_without_personal_values(app, db):
    anna = person(" Anna  de Vries ", email="Anna@Example.NL", phone="06 1234 5678",
                  categories=["inwoner", "mantelzorger"], tags=["Ouderen", "ouderen "])
    db.session.commit()
    assert anna.name == "Anna de Vries" and anna.sort_name == "anna de vries"
    assert anna.email == "anna@example.nl" and anna.tag_names == ["ouderen"]
    event = db.session.scalars(select(AuditEvent).where(
        AuditEvent.entity_type == "stakeholders")).one()
    assert "Anna" not in json.dumps(event.changes) and "example.nl" not in json.dumps(
        event.changes)
    assert event.changes["name"] == {}


def test_search_by_name_organisation_and_email_prefix(app, db):
    stamm = organisation("CMO STAMM")
    zoe = person("Zoë Çelik", email="zoe@stamm.nl")
    piet = person("Piet Jansen")
    db.session.flush()
    services.add_membership(zoe, stamm, function="adviseur")
    db.session.commit()
    assert names(Filters(q="celik")) == ["Zoë Çelik"]  # accents do not matter
    assert names(Filters(q="stamm")) == ["CMO STAMM", "Zoë Çelik"]  # by organisation
    assert names(Filters(q="zoe@st")) == ["Zoë Çelik"]
    assert names(Filters(q="jan")) == ["Piet Jansen"]
    assert names(Filters(kind="organisation")) == ["CMO STAMM"]
    assert names(Filters(organisation_id=stamm.id)) == ["Zoë Çelik"]
    assert piet.id


def test_stale_edit_is_a_conflict_and_overwrites_nothing(app, db):
    anna = person("Anna de Vries")
    db.session.commit()
    version = anna.version
    services.update_stakeholder(anna, StakeholderData(name="Anna de Vries-Bakker"),
                                expected_version=version)
    db.session.commit()
    with pytest.raises(EditConflict):
        services.update_stakeholder(anna, StakeholderData(name="Anna Oud"),
                                    expected_version=version)
    db.session.rollback()
    assert db.session.get(Stakeholder, anna.id).name == "Anna de Vries-Bakker"


def test_likely_duplicates_same_email_and_similar_name_in_an_organisation(app, db):
    club = organisation("Sportvereniging Koersdam")
    first, second = person("Jan Bakker", email="jan@bakker.nl"), \
        person("J. Bakker", email="jan@bakker.nl")
    third, fourth = person("Marieke de Groot"), person("Marieke de Grooot")
    person("Marieke de Groot")  # same name, but not in the organisation: not flagged
    db.session.flush()
    for member in (third, fourth):
        services.add_membership(member, club)
    db.session.commit()
    pairs = {(p.first.id, p.second.id, p.reason) for p in services.likely_duplicates()}
    assert (first.id, second.id, "hetzelfde e-mailadres") in pairs
    assert (third.id, fourth.id, "vergelijkbare naam bij dezelfde organisatie") in pairs
    assert len(pairs) == 2


def test_merge_repoints_every_reference_including_plugin_tables(app, db):
    stamm = organisation("CMO STAMM")
    keep = person("Jan Bakker", email="jan@bakker.nl", categories=["inwoner"])
    duplicate = person("J. Bakker", phone="0597 123 456", categories=["inwoner", "vrijwilliger"])
    db.session.flush()
    services.add_membership(duplicate, stamm, function="vrijwilliger")
    db.session.add_all([Mention(stakeholder_id=duplicate.id, remark="sprak op de conferentie"),
                        Mention(stakeholder_id=keep.id, remark="stuurde een brief")])
    db.session.commit()

    preview = services.merge_preview(duplicate, keep)
    assert ("testplugin_mentions", "stakeholder_id", 1) in preview.references
    assert ("stakeholder_memberships", "person_id", 1) in preview.references
    assert preview.filled_fields == ["phone"]
    duplicate_id = duplicate.id
    services.merge(duplicate, keep)
    db.session.commit()

    assert db.session.get(Stakeholder, duplicate_id) is None
    mentions = db.session.scalars(select(Mention.stakeholder_id)).all()
    assert mentions == [keep.id, keep.id]
    assert [m.organisation_id for m in db.session.scalars(select(Membership).where(
        Membership.person_id == keep.id))] == [stamm.id]
    db.session.refresh(keep)
    assert keep.category_codes == ["inwoner", "vrijwilliger"]  # shared code kept once
    assert keep.phone == "0597 123 456"
    actions = db.session.scalars(select(AuditEvent.action).where(
        AuditEvent.entity_type == "stakeholders").order_by(AuditEvent.id)).all()
    assert actions[-2:] == ["merge", "merged_into"]
    assert names(Filters(q="bakker")) == ["Jan Bakker"]


@pytest.mark.parametrize("case", ["self", "kinds", "erased"])
def test_merge_refusals(app, db, case):
    a, b, org = person("A Een"), person("B Twee"), organisation("Org")
    db.session.flush()
    if case == "erased":
        services.erase(b)
    source, target = {"self": (a, a), "kinds": (a, org), "erased": (a, b)}[case]
    with app.test_request_context(), pytest.raises(DomainError):
        services.merge(source, target)


def test_export_person_follows_the_foreign_keys(app, db):
    stamm = organisation("CMO STAMM")
    anna = person("Anna de Vries", email="anna@example.nl", tags=["ouderen"])
    db.session.flush()
    services.add_membership(anna, stamm)
    db.session.add(Mention(stakeholder_id=anna.id, remark="ideeën over vervoer"))
    db.session.commit()
    exported = services.export_person(anna)
    json.dumps(exported)  # serialisable as it stands
    assert exported["stakeholder"]["email"] == "anna@example.nl"
    assert exported["linked"]["testplugin_mentions.stakeholder_id"][0]["remark"] == \
        "ideeën over vervoer"
    assert exported["linked"]["stakeholder_memberships.person_id"][0]["organisation_id"] == \
        stamm.id
    assert exported["linked"]["stakeholder_tags.stakeholder_id"] == [
        {"stakeholder_id": anna.id, "tag": "ouderen"}]
    assert exported["history"][0]["action"] == "create"


def test_erasure_leaves_no_trace_of_the_person(app, db):
    stamm = organisation("CMO STAMM")
    wilhelmina = person(ERASED_NAME, email=ERASED_EMAIL, phone="0597 111 222",
                        address="Zonderlandweg 1", notes=f"{ERASED_NAME} belde over vervoer",
                        tags=["zonderland"], categories=["inwoner"])
    db.session.flush()
    services.add_membership(wilhelmina, stamm)
    db.session.add(Mention(stakeholder_id=wilhelmina.id, remark="reageerde op het ontwerp"))
    services.update_stakeholder(wilhelmina, StakeholderData(
        name=ERASED_NAME, email=ERASED_EMAIL, phone="0597 111 333", categories=["inwoner"]))
    db.session.commit()
    person_id = wilhelmina.id

    services.erase(wilhelmina)
    db.session.commit()

    values = text_values(db)
    for secret in ("Zonderland", "zonderland", ERASED_EMAIL, "0597 111", "Wilhelmina"):
        assert not any(secret in value for value in values), secret
    erased = db.session.get(Stakeholder, person_id)
    assert erased.is_erased and services.display_name(erased) == "Gewiste persoon"
    # what refers to the person stays, without attribution
    assert db.session.scalars(select(Mention.stakeholder_id)).all() == [person_id]
    assert names(Filters()) == ["CMO STAMM"]
    assert names(Filters(q="wilhelmina")) == []
    assert db.session.scalar(select(sa.func.count()).select_from(SearchTerm).where(
        SearchTerm.stakeholder_id == person_id)) == 0
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "erase")).one()
    assert event.changes == {"reason": {"old": None, "new": "request"}}
    with app.test_request_context(), pytest.raises(DomainError, match="al gewist"):
        services.erase(erased)
    with app.test_request_context(), pytest.raises(DomainError):
        services.export_person(erased)


def test_retention_erases_persons_past_their_date(app, db):
    today = date(2026, 11, 23)
    past = person("Oud Verleden", retention_until=today - timedelta(days=1))
    person("Nog Even", retention_until=today + timedelta(days=30))
    person("Altijd Hier")
    organisation("Org Met Termijn", retention_until=today - timedelta(days=5))
    db.session.commit()
    assert [s.id for s in services.past_retention(today)] == [past.id]
    assert services.apply_retention(today) == [past.id]
    db.session.commit()
    assert db.session.get(Stakeholder, past.id).is_erased
    assert services.past_retention(today) == []


def test_archiving_hides_from_the_list_and_is_audited(app, db):
    org = organisation("Oude Stichting")
    db.session.flush()
    services.set_archived(org, True)
    db.session.commit()
    assert names(Filters()) == [] and names(Filters(include_archived=True)) == ["Oude Stichting"]
    assert db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id.desc())).first() \
        == "archive"
