"""Nothing of an archived plan changes, whoever asks: the consultation services themselves
refuse (:class:`~app.errors.ReadOnly`), so a job, the demo story or a plugin that calls them
directly obeys the rule the pages show. One validation serves creating and changing an input.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from sqlalchemy import func, select

from app.consultations import notice
from app.consultations import services as consultations
from app.consultations.feedback import services as feedback
from app.consultations.inputs import answers, attachments
from app.consultations.inputs import services as inputs
from app.consultations.inputs.models import Input
from app.consultations.inputs.services import Filters, InputData
from app.consultations.models import Consultation, ConsultationTable
from app.consultations.services import ConsultationData
from app.errors import DomainError, ReadOnly
from app.plans import services as plans
from app.plans.services import PlanData


@pytest.fixture
def world(app, db) -> dict[str, Any]:
    plan = plans.create_plan(PlanData(title="Samen Krachtig", kind="beleidsplan"))
    meeting = consultations.create_consultation(plan, ConsultationData(
        title="Werkconferentie", format="werkconferentie"))
    table = consultations.add_table(meeting, "Armoede")
    period = consultations.create_consultation(plan, ConsultationData(
        title="Ontwerp ter inzage", format="ter_inzage", published_on=date(2017, 5, 31)))
    reaction = inputs.add_input(period, InputData(
        original_text="Ik maak bezwaar.", kind="zienswijze", channel="brief",
        received_on=date(2017, 6, 1)))
    answer = answers.answer([reaction], "Dank u.", "al_voorzien")
    plans.set_archived(plan, True)
    db.session.commit()
    return {"plan": plan, "meeting": meeting, "table": table, "period": period,
            "reaction": reaction, "answer": answer}


REFUSED: dict[str, Callable[[dict[str, Any]], Any]] = {
    "create a consultation": lambda w: consultations.create_consultation(
        w["plan"], ConsultationData(title="Nog een", format="bijeenkomst")),
    "change a consultation": lambda w: consultations.update_consultation(
        w["meeting"], ConsultationData(title="Anders", format="")),
    "delete a consultation": lambda w: consultations.delete_or_archive(w["meeting"]),
    "add a table": lambda w: consultations.add_table(w["meeting"], "Wonen"),
    "change a table": lambda w: consultations.update_table(
        w["table"], "Wonen", facilitator=None, theme=None),
    "remove a table": lambda w: consultations.remove_table(w["table"]),
    "set attendance": lambda w: consultations.set_attendance(w["meeting"], []),
    "record input": lambda w: inputs.add_input(w["meeting"], InputData(
        original_text="Meer bankjes", kind="idee")),
    "change input": lambda w: inputs.update_input(
        w["reaction"], InputData.of(w["reaction"], summary="Bezwaar")),
    "answer": lambda w: answers.answer([w["reaction"]], "Nee.", "niet_overgenomen"),
    "re-answer": lambda w: answers.update_answer(w["answer"], "Nee.", "niet_overgenomen"),
    "process": lambda w: answers.mark_processed([w["reaction"]], True),
    "change the kennisgeving": lambda w: notice.update_notice(w["period"], "Anders."),
    "add an attachment": lambda w: attachments.add_attachment(
        w["reaction"], attachments.Upload(b"%PDF-1.4", "application/pdf", "brief.pdf")),
    "send feedback": lambda w: feedback.create_mailing(w["period"]),
}


@pytest.mark.parametrize("change", list(REFUSED), ids=list(REFUSED))
def test_the_services_refuse_every_change_of_an_archived_plan(app, db, world, change):
    with app.test_request_context(), pytest.raises(ReadOnly):
        REFUSED[change](world)
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Consultation)) == 2
    assert db.session.scalar(select(func.count()).select_from(ConsultationTable)) == 1
    assert db.session.scalar(select(func.count()).select_from(Input)) == 1


def test_restored_plan_may_change_again(app, db, world):
    plans.set_archived(world["plan"], False)
    with app.test_request_context():
        consultations.add_table(world["meeting"], "Wonen")
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(ConsultationTable)) == 2


def test_creating_and_changing_an_input_apply_the_same_rules(app, db, world):
    plans.set_archived(world["plan"], False)
    db.session.commit()
    period, reaction = world["period"], world["reaction"]
    bad = {"kind": "borrel", "participant_group": "iedereen", "theme_ids": [999_999],
           "postmarked_on": date(2017, 6, 2), "co_signatory_ids": [999_999]}
    for name, value in bad.items():
        data = InputData.of(reaction, **{name: value})
        with pytest.raises(DomainError) as created:
            inputs.add_input(period, data)
        with pytest.raises(DomainError) as changed:
            inputs.update_input(reaction, data)
        assert created.value.field == changed.value.field == name
        db.session.rollback()


def test_lateness_is_computed_the_same_way_when_recorded_and_when_changed(app, db, world):
    plans.set_archived(world["plan"], False)
    db.session.commit()
    period, reaction = world["period"], world["reaction"]
    late = inputs.add_input(period, InputData(
        original_text="Te laat.", kind="zienswijze", channel="brief",
        received_on=date(2017, 7, 20)))
    assert late.late and not reaction.late
    inputs.update_input(reaction, InputData.of(reaction, received_on=date(2017, 7, 20)))
    db.session.commit()
    assert reaction.late
    assert inputs.is_late(period, date(2017, 7, 12), date(2017, 7, 11)) is False


def test_the_input_list_filters_in_the_service(app, db, world):
    plans.set_archived(world["plan"], False)
    db.session.commit()
    period = world["period"]
    inputs.add_input(period, InputData(original_text="Een idee.", kind="idee", channel="brief",
                                       received_on=date(2017, 6, 2)))
    db.session.commit()

    def numbers(**chosen: Any) -> list[int]:
        return [item.number for item in db.session.scalars(
            inputs.list_query(period, Filters(**chosen)))]

    assert numbers() == [1, 2]
    assert numbers(kind="zienswijze") == [1]
    assert numbers(answered="yes") == [1] and numbers(answered="no") == [2]
    assert numbers(processed="no") == [2]
    assert numbers(late="yes") == []
