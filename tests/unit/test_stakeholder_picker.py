"""The stakeholder picker field: what it offers, what it keeps, what it refuses."""

from __future__ import annotations

import pytest
from flask_babel import gettext
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms.validators import InputRequired

from app.stakeholders import services
from app.stakeholders.models import Kind
from app.stakeholders.picker import StakeholderPicker
from app.stakeholders.services import StakeholderData


class OneForm(FlaskForm):
    class Meta:
        csrf = False

    organisation = StakeholderPicker("Organisation", [InputRequired("Choose one.")],
                                     kind=Kind.ORGANISATION.value, search="q", limit=2,
                                     refusal="Not in the register.")


class ManyForm(FlaskForm):
    class Meta:
        csrf = False

    people = StakeholderPicker("People", multiple=True, browse=False)


@pytest.fixture
def register(db):
    made = {name: services.create(StakeholderData(name=name, kind=kind)) for name, kind in (
        ("Anna de Vries", "person"), ("Bert Bakker", "person"),
        ("GGD Koersdam", "organisation"), ("Welzijn Koersdam", "organisation"),
        ("Zorggroep Zuid", "organisation"))}
    db.session.commit()
    return made


def test_the_search_narrows_and_a_limit_applies(app, register):
    with app.test_request_context("/?q=welz"):
        assert OneForm().organisation.choices == [(register["Welzijn Koersdam"].id,
                                                   "Welzijn Koersdam")]
    with app.test_request_context("/"):
        field = OneForm().organisation
        assert [name for _id, name in field.choices] == ["GGD Koersdam", "Welzijn Koersdam"]
        assert field.more  # a third organisation is beyond the limit


def test_a_choice_beyond_the_first_page_is_kept_and_checked(app, register):
    zuid = register["Zorggroep Zuid"]
    with app.test_request_context("/", method="POST", data={"organisation": str(zuid.id)}):
        form = OneForm()
        assert form.validate() and form.organisation.data == zuid.id
        assert form.organisation.offered[0] == zuid and form.organisation.is_chosen(zuid.id)
        assert form.organisation.chosen == [zuid]
    with app.test_request_context("/"):  # stored on the record: offered when editing
        assert OneForm(data={"organisation": zuid.id}).organisation.offered[0] == zuid


@pytest.mark.parametrize("value", ["999999", "anna", "person"])
def test_unknown_malformed_and_wrong_kind_ids_are_refused_beside_the_field(app, register,
                                                                           value):
    posted = str(register["Anna de Vries"].id) if value == "person" else value
    with app.test_request_context("/", method="POST", data={"organisation": posted}):
        form = OneForm()
        assert not form.validate()
        assert form.organisation.errors == ["Not in the register."]
        assert all(item.kind == Kind.ORGANISATION for item in form.organisation.offered)


def test_an_erased_person_is_refused_and_nothing_chosen_asks_for_a_choice(app, db, register):
    anna = register["Anna de Vries"]
    services.erase(anna)
    db.session.commit()
    with app.test_request_context("/", method="POST",
                                  data=MultiDict([("people", str(anna.id)),
                                                  ("people", str(register["Bert Bakker"].id))])):
        form = ManyForm()
        assert not form.validate()
        assert form.people.errors == [gettext("Choose a stakeholder from the register.")]
        assert [item.name for item in form.people.offered] == ["Bert Bakker"]
    with app.test_request_context("/", method="POST", data={}):
        form = OneForm()
        assert not form.validate() and form.organisation.errors == ["Choose one."]


def test_several_chosen_keep_their_order_and_nothing_is_browsed_unsearched(app, register):
    bert, anna = register["Bert Bakker"], register["Anna de Vries"]
    with app.test_request_context("/", method="POST", data=MultiDict(
            [("people", str(bert.id)), ("people", str(anna.id)), ("people", str(bert.id))])):
        form = ManyForm()
        assert form.validate() and form.people.data == [bert.id, anna.id]
        assert form.people.offered == [anna, bert]  # only the chosen: nothing searched
    with app.test_request_context("/?people-q=koersdam"):
        assert [name for _id, name in ManyForm().people.choices] == [
            "GGD Koersdam", "Welzijn Koersdam"]


def test_keep_erased_keeps_only_an_erased_stakeholder_the_record_already_holds(app, db,
                                                                                register):
    anna, bert = register["Anna de Vries"], register["Bert Bakker"]
    services.erase(anna)
    services.erase(bert)
    db.session.commit()

    class SignersForm(FlaskForm):
        class Meta:
            csrf = False

        signers = StakeholderPicker("Co-signatories", multiple=True, keep_erased=True)

    posted = MultiDict([("signers", str(anna.id))])
    with app.test_request_context("/", method="POST", data=posted):
        form = SignersForm(data={"signers": [anna.id]})  # Anna was stored before her erasure
        assert form.validate() and form.signers.data == [anna.id]
        assert form.signers.offered[0] == anna
    posted = MultiDict([("signers", str(anna.id)), ("signers", str(bert.id))])
    with app.test_request_context("/", method="POST", data=posted):
        form = SignersForm(data={"signers": [anna.id]})  # Bert is newly chosen: refused
        assert not form.validate()
