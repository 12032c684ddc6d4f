"""Consultations' rules: a ter-inzage period computed from the municipality's settings, meetings
with tables and registrations, input with its group and lateness, answers covering several
inputs, processing, and what stays open — and the erasure of a person who gave input."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import event, func, select

from app.audit.models import AuditEvent
from app.consultations import services
from app.consultations.inputs import answers
from app.consultations.inputs import services as input_services
from app.consultations.inputs.models import CoSignatory, Input, InputAnswer
from app.consultations.inputs.services import InputData
from app.consultations.models import Consultation
from app.consultations.services import ConsultationData
from app.errors import DomainError
from app.plans import services as plans
from app.plans.programme import services as programme
from app.plans.services import PlanData
from app.stakeholders import services as register
from app.stakeholders.services import StakeholderData
from tests.traces import text_values, traces


@pytest.fixture
def plan(app, db):
    plan = plans.create_plan(PlanData(title="Samen Krachtig", kind="beleidsplan"))
    db.session.commit()
    return plan


def comment_period(plan, published_on=date(2017, 5, 31)) -> Consultation:
    return services.create_consultation(plan, ConsultationData(
        title="Ontwerpbeleidsplan ter inzage", format="ter_inzage",
        published_on=published_on, legal_basis="Inspraakverordening, art. 3"))


def test_a_comment_period_gets_its_computed_last_day(app, db, plan):
    period = comment_period(plan)
    db.session.commit()
    assert (period.published_on, period.last_day, period.weeks) == (
        date(2017, 5, 31), date(2017, 7, 11), 6)
    assert period.termijnenwet_applied and period.computation["extensions"] == []
    extended = comment_period(plan, date(2026, 4, 3))  # Ascension, bridge day, weekend
    db.session.commit()
    assert extended.last_day == date(2026, 5, 18)
    assert [e["reason"] for e in extended.computation["extensions"]] == [
        "ascension_day", "decreed", "saturday", "sunday"]
    event = db.session.scalars(select(AuditEvent).where(
        AuditEvent.entity_type == "consultations")).first()
    assert event.changes["last_day"]["new"] == "2017-07-11"


@pytest.mark.parametrize(("values", "field"), [
    ({"title": " "}, "title"),
    ({"format": "borrel"}, "format"),
    ({"format": "ter_inzage"}, "published_on"),  # a comment period without publication date
    ({"starts_at": datetime(2023, 3, 23, 14, tzinfo=UTC),
      "ends_at": datetime(2023, 3, 23, 10, tzinfo=UTC)}, "ends_at"),
    ({"channels": ["postduif"]}, "channels"),
])
def test_bad_consultations_are_refused(app, db, plan, values, field):
    data = {"title": "Werkconferentie", "format": "werkconferentie", **values}
    with app.test_request_context(), pytest.raises(DomainError) as error:
        services.create_consultation(plan, ConsultationData(**data))
    assert error.value.field == field
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Consultation)) == 0


def test_meeting_tables_registrations_and_bulk_input(app, db, plan):
    stamm = register.create(StakeholderData(name="CMO STAMM", kind="organisation",
                                            categories=["maatschappelijke_partner"]))
    resident = register.create(StakeholderData(name="Anna de Vries", categories=["inwoner"]))
    theme = programme.add_theme(plan, "Armoede")
    db.session.flush()
    conference = services.create_consultation(plan, ConsultationData(
        title="Werkconferentie sociaal domein", format="werkconferentie",
        starts_at=datetime(2023, 3, 23, 13, tzinfo=UTC),
        ends_at=datetime(2023, 3, 23, 17, tzinfo=UTC), location="MFC Winschoten",
        organiser_id=stamm.id, channels=["website", "lokale_media"]))
    table = services.add_table(conference, "Armoede", facilitator=stamm, theme=theme)
    services.register_participant(conference, resident, attended=True)
    inputs = input_services.add_inputs(conference, [
        InputData(original_text=f"Post-it {n}", kind="idee", table_id=table.id,
                  participant_group="partner", theme_ids=[theme.id]) for n in range(50)])
    input_services.add_input(conference, InputData(original_text="Meer inloop in de wijk",
                                                   kind="advies", stakeholder_id=resident.id))
    db.session.commit()
    assert [item.number for item in inputs][:3] == [1, 2, 3] and len(inputs) == 50
    own = db.session.scalars(select(Input).where(Input.stakeholder_id == resident.id)).one()
    assert own.number == 51 and own.participant_group == "inwoner"  # from her category
    assert not own.late  # lateness only for comment periods
    with app.test_request_context(), pytest.raises(DomainError) as error:
        input_services.add_inputs(conference, [InputData(original_text="goed", kind="idee"),
                                               InputData(original_text=" ", kind="idee")])
    assert error.value.field == "original_text"
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Input)) == 51  # none of two

    answers.mark_processed(inputs[:10], used=True)
    db.session.commit()
    assert len(input_services.open_inputs(conference)) == 41


def test_written_reactions_late_or_on_time_and_answers(app, db, plan):
    period = comment_period(plan)
    section = plans.add_section(plan, "Meedoen", "Iedereen doet mee.")
    signer = register.create(StakeholderData(name="Bert Jansen"))
    db.session.commit()
    on_time = input_services.add_input(period, InputData(
        original_text="Ik mis de mantelzorgers.", kind="zienswijze", channel="e-mail",
        received_on=date(2017, 7, 11)))
    posted = input_services.add_input(period, InputData(
        original_text="Brief van de buurtvereniging.", kind="zienswijze", channel="brief",
        received_on=date(2017, 7, 14), postmarked_on=date(2017, 7, 10),
        co_signatory_ids=[signer.id]))
    late = input_services.add_input(period, InputData(
        original_text="Te laat maar belangrijk.", kind="zienswijze", channel="brief",
        received_on=date(2017, 7, 20), postmarked_on=date(2017, 7, 12)))
    db.session.commit()
    assert (on_time.late, posted.late, late.late) == (False, False, True)  # kept, flagged
    assert db.session.scalars(select(CoSignatory.stakeholder_id)).all() == [signer.id]
    assert [i.number for i in input_services.open_inputs(period)] == [1, 2, 3]

    with app.test_request_context(), pytest.raises(DomainError) as error:
        input_services.add_input(period, InputData(original_text="x", kind="zienswijze",
                                                   received_on=date(2017, 7, 1),
                                                   postmarked_on=date(2017, 7, 2)))
    assert error.value.field == "postmarked_on"
    with app.test_request_context(), pytest.raises(DomainError) as error:
        input_services.add_input(period, InputData(original_text="x", kind="zienswijze"))
    assert error.value.field == "received_on"
    db.session.rollback()

    both = answers.answer([on_time, posted], "Mantelzorg krijgt een eigen paragraaf.",
                          "overgenomen", changed_section=section)
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(InputAnswer).where(
        InputAnswer.answer_id == both.id)) == 2
    assert answers.answer_of([on_time, posted, late]) == {on_time.id: both, posted.id: both}
    assert [i.number for i in input_services.open_inputs(period)] == [3]
    with app.test_request_context(), pytest.raises(DomainError) as error:
        answers.answer([late], "", "overgenomen")
    assert error.value.field == "text"
    with app.test_request_context(), pytest.raises(DomainError) as error:
        answers.answer([late], "Nee.", "misschien")
    assert error.value.field == "decision"


def test_input_of_an_erased_person_stays_unattributed(app, db, plan):
    period = comment_period(plan)
    person = register.create(StakeholderData(name="Wilhelmina Zonderland",
                                             email="w.zonderland@example.nl",
                                             categories=["mantelzorger"]))
    db.session.flush()
    item = input_services.add_input(period, InputData(
        original_text="Respijtzorg moet dichterbij.", kind="zienswijze", channel="brief",
        stakeholder_id=person.id, received_on=date(2017, 6, 20)))
    db.session.commit()
    assert item.participant_group == "inwoner"
    register.erase(person)
    db.session.commit()
    db.session.expire_all()
    kept = db.session.get(Input, item.id)
    assert kept.stakeholder_id == person.id and kept.original_text.startswith("Respijtzorg")
    assert traces(["Zonderland", "w.zonderland"], text_values(db)) == []


def test_coverage_per_theme_and_group_and_what_is_open(app, db, plan, client, login_as,
                                                        count_queries):
    armoede = programme.add_theme(plan, "Armoede")
    jeugd = programme.add_theme(plan, "Jeugd")
    db.session.flush()
    meeting = services.create_consultation(plan, ConsultationData(
        title="Werkconferentie", format="werkconferentie"))
    period = comment_period(plan)
    input_services.add_inputs(meeting, [
        InputData(original_text="a", kind="idee", participant_group="inwoner",
                  theme_ids=[armoede.id]),
        InputData(original_text="b", kind="idee", participant_group="partner",
                  theme_ids=[armoede.id, jeugd.id]),
        InputData(original_text="c", kind="advies", participant_group="adviesraad")])
    reaction = input_services.add_input(period, InputData(
        original_text="d", kind="zienswijze", channel="brief", received_on=date(2017, 6, 1),
        participant_group="inwoner", theme_ids=[jeugd.id]))
    db.session.commit()
    answers.answer([reaction], "Dank u wel.", "al_voorzien")
    db.session.commit()
    assert plan.title  # loaded before counting
    with count_queries() as counter:
        figures = input_services.coverage(plan)
    assert counter.count == 4  # with the meeting input taken into the plan
    assert figures.by_theme[armoede.id] == {"inwoner": 1, "partner": 1}
    assert figures.by_theme[jeugd.id] == {"partner": 1, "inwoner": 1}
    assert figures.by_theme[None] == {"adviesraad": 1}
    assert figures.open_by_consultation == {meeting.id: 3}
    assert figures.total_by_consultation == {meeting.id: 3, period.id: 1}
    login_as("viewer")
    client.set_cookie("koers_language", "en")
    page = client.get(f"/consultations/plan/{plan.id}/coverage").get_data(as_text=True)
    assert "Inputs per theme and participant group" in page and "Not linked to a theme" in page


def test_coverage_counts_from_indexes_without_reading_the_inputs(app, db, plan):
    """The coverage view counts every input of a plan on each view (20,000 at municipal
    scale): each of its queries reads the inputs through an index that holds every column it
    needs, never the rows themselves."""
    if db.engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL plans by table statistics: a few test rows give a table scan")
    meeting = services.create_consultation(plan, ConsultationData(
        title="Werkconferentie", format="werkconferentie"))
    input_services.add_inputs(meeting, [InputData(original_text="a", kind="idee")])
    db.session.commit()
    statements: list[tuple[str, object]] = []

    def record(_connection, _cursor, statement, parameters, _context, _many):
        statements.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        input_services.coverage(plan)
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    inputs_read = []
    for statement, parameters in statements:
        if "consultation_inputs" not in statement:
            continue
        steps = [row[3] for row in db.session.connection().exec_driver_sql(
            f"EXPLAIN QUERY PLAN {statement}", parameters)]
        inputs_read += [step for step in steps if " consultation_inputs " in f"{step} "]
    assert len(inputs_read) == 4, inputs_read
    assert all("COVERING INDEX ix_consultation_inputs_" in step for step in inputs_read), \
        inputs_read
