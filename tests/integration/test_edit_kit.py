"""The edit kit (app/edits.py, app/errors.py): one place for form → service → commit, the
refusals, the conflict page and the loader that refuses change of a read-only plan."""

from __future__ import annotations

import pytest
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException
from wtforms import StringField

from app.edits import (
    conflict_page,
    conflict_rows,
    current_actor,
    form_errors,
    posted_version,
    posted_versions,
    versions_value,
)
from app.errors import DomainError, EditConflict, check_version
from app.forms import DomainForm
from app.plans.models import Plan
from app.plans.pages import plan_or_404
from app.plans.rules import read_only_reason
from app.plans.services import PlanData, create_plan, set_archived


class TitleForm(DomainForm):
    class Meta:
        csrf = False

    title = StringField("Title")


def _plan(db, title: str = "Kader sociaal domein") -> Plan:
    plan = create_plan(PlanData(title=title, kind="beleidskader"))
    db.session.commit()
    return plan


def test_a_domain_error_accepts_a_lazy_string_and_keeps_its_field(app):
    with app.test_request_context():
        error = DomainError(_l("Enter a title."), field="title")
    assert isinstance(error.message, str)
    assert error.message == "Vul een titel in."
    assert error.field == "title"


def test_check_version_refuses_another_version_and_skips_none(app, db):
    plan = _plan(db)
    check_version(plan, plan.version)
    check_version(plan, None)
    with pytest.raises(EditConflict) as raised:
        check_version(plan, plan.version + 1)
    assert raised.value.record is plan


def test_form_errors_commits_the_work_of_a_block_that_succeeds(app, db):
    with app.test_request_context(method="POST"):
        form = TitleForm()
        with form_errors(form) as saved:
            create_plan(PlanData(title="Samen doen", kind="beleidskader"))
        assert saved
    db.session.rollback()  # a commit happened: nothing is left to roll back
    assert db.session.scalar(select(Plan.title).where(Plan.title == "Samen doen"))


def test_form_errors_rolls_back_and_puts_the_refusal_beside_its_field(app, db):
    with app.test_request_context(method="POST"):
        form = TitleForm()
        with form_errors(form) as saved:
            create_plan(PlanData(title="Half af", kind="beleidskader"))
            raise DomainError("Te kort", field="title")
        assert not saved
        assert form.title.errors == ["Te kort"]
    assert db.session.scalar(select(Plan.title).where(Plan.title == "Half af")) is None


def test_a_refusal_without_a_field_is_a_form_error(app, db):
    with app.test_request_context(method="POST"):
        form = TitleForm()
        with form_errors(form):
            raise DomainError("Niet nu")
        assert form.form_errors == ["Niet nu"]


def test_form_errors_answers_a_conflict_with_the_page_it_is_given(app, db):
    plan = _plan(db)
    with app.test_request_context(method="POST"):
        form = TitleForm()
        with pytest.raises(HTTPException) as raised, form_errors(
                form, conflict=lambda: ("someone else saved first", 409)):
            check_version(plan, plan.version + 1)
    assert raised.value.response.status_code == 409
    assert raised.value.response.get_data(as_text=True) == "someone else saved first"


def test_a_stale_flush_without_a_conflict_page_is_a_form_error(app, db):
    with app.test_request_context(method="POST"):
        form = TitleForm()
        with form_errors(form) as saved:
            raise StaleDataError("moved")
        assert not saved
        assert form.form_errors == [EditConflict().message]


def test_form_errors_swallows_nothing_else(app, db):
    with app.test_request_context(method="POST"):
        form = TitleForm()
        with pytest.raises(ZeroDivisionError), form_errors(form):
            1 / 0


def test_conflict_rows_show_dates_lists_and_nothing_alike(app):
    from datetime import date

    from app.i18n import short_date

    with app.test_request_context():
        rows = conflict_rows([("Start", date(2017, 2, 3), date(2017, 2, 3)),
                              ("Wetten", ["wmo", "jeugdwet"], ("wmo",)),
                              ("Samenvatting", None, "")])
        dutch = short_date(date(2017, 2, 3))
    assert "2017" in dutch
    assert rows[0] == {"label": "Start", "current": dutch, "submitted": dutch,
                       "differs": False}
    assert rows[1]["current"] == "wmo, jeugdwet" and rows[1]["differs"]
    assert rows[2]["differs"] is False


def test_the_conflict_page_reads_after_the_rollback_and_reposts_the_current_version(app, db):
    plan = _plan(db)
    with app.test_request_context("/plans/1/edit", method="POST"):
        form = TitleForm()
        form.version = StringField().bind(form, "version")
        form.version.data = "0"
        plan.title = "Niet bewaard"  # a change of the failed save, rolled back by the page
        page, status = conflict_page(
            "stakeholders/conflict.html", lambda: [("Titel", plan.title, "Mijn titel")],
            form=form, version=lambda: plan.version, stakeholder=plan)
    assert status == 409
    assert form.version.data == str(plan.version)
    assert "Kader sociaal domein" in page and "Niet bewaard" not in page


def test_versions_travel_as_one_hidden_value(app, db):
    plan, other = _plan(db), _plan(db, "Tweede")
    value = versions_value([plan, other])
    with app.test_request_context(method="POST", data={"versions": value, "version": "3"}):
        assert posted_versions() == {plan.id: plan.version, other.id: other.version}
        assert posted_version() == 3
    for bad in ({}, {"versions": "1:x"}):
        with app.test_request_context(method="POST", data=bad), pytest.raises(HTTPException) as e:
            posted_versions()
        assert e.value.code == 400


def test_current_actor_is_the_signed_in_account_or_nobody(app, make_user):
    from flask_login import login_user

    user = make_user("editor")
    with app.test_request_context():
        assert current_actor() is None
        login_user(user)
        assert current_actor() == user and type(current_actor()).__name__ == "User"


def test_loading_a_read_only_plan_for_editing_answers_409_with_the_reason(app, db):
    plan = _plan(db)
    set_archived(plan, True)
    db.session.commit()
    with app.test_request_context():
        assert plan_or_404(plan.id) == plan
        with pytest.raises(HTTPException) as raised:
            plan_or_404(plan.id, editing=True)
        assert raised.value.response.status_code == 409
        assert str(read_only_reason(plan)) in raised.value.response.get_data(as_text=True)
        with pytest.raises(HTTPException) as missing:
            plan_or_404(plan.id + 1000, editing=True)
        assert missing.value.code == 404
