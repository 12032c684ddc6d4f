"""The stakeholder picker on a page (linking a person to an organisation): plain HTML forms,
a search that narrows, a choice beyond the first page kept, and ids the register does not
offer refused beside the field."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from app.stakeholders import services
from app.stakeholders.forms import ORGANISATION_CHOICES
from app.stakeholders.models import Membership
from app.stakeholders.services import StakeholderData
from app.theming.components import ui


@pytest.fixture(autouse=True)
def english(client):
    client.set_cookie("koers_language", "en")


def create(name: str, kind: str = "organisation"):
    return services.create(StakeholderData(name=name, kind=kind))


def text(response) -> str:
    return response.get_data(as_text=True)


def offered(page: str) -> list[str]:
    return re.findall(r'name="organisation" value="(\d+)"', page)


def test_the_picker_works_without_javascript_and_narrows_by_search(client, login_as, db):
    anna = create("Anna de Vries", "person")
    welzijn, ggd = create("Welzijn Koersdam"), create("GGD Koersdam")
    db.session.commit()
    login_as("editor")
    url = f"/stakeholders/{anna.id}/organisations/add"
    page = text(client.get(url))
    assert re.search(r'<form method="get" action="[^"]*" class="search-form" role="search"', page)
    assert sorted(offered(page)) == sorted([str(welzijn.id), str(ggd.id)])
    assert str(anna.id) not in offered(page)  # a person is no organisation
    narrowed = text(client.get(f"{url}?q=ggd"))
    assert offered(narrowed) == [str(ggd.id)]
    assert '<input type="hidden" name="q" value="ggd">' in narrowed  # the search goes along
    nothing = text(client.get(f"{url}?q=bestaatniet"))
    assert offered(nothing) == [] and "No organisations found." in nothing


def test_a_choice_beyond_the_first_page_stays_chosen_when_the_form_comes_back(client,
                                                                            login_as, db):
    anna = create("Anna de Vries", "person")
    for number in range(ORGANISATION_CHOICES + 2):
        create(f"Organisatie {number:02d}")
    last = create("Zorggroep Zuid")
    db.session.commit()
    login_as("editor")
    url = f"/stakeholders/{anna.id}/organisations/add"
    first = text(client.get(url))
    assert str(last.id) not in offered(first) and "Only the first 20 are shown" in first
    refused = client.submit(url, {"organisation": str(last.id), "function": "x" * 201})
    assert refused.status_code == 400
    page = text(refused)
    assert offered(page)[0] == str(last.id)
    assert re.search(rf'name="organisation" value="{last.id}" checked', page)
    saved = client.submit(url, {"organisation": str(last.id), "function": "voorzitter"})
    assert saved.status_code == 302
    assert db.session.scalars(select(Membership)).one().organisation_id == last.id


@pytest.mark.parametrize("what", ["unknown", "erased", "malformed"])
def test_an_id_the_register_does_not_offer_is_refused_beside_the_field(client, login_as, db,
                                                                       what):
    anna, bert = create("Anna de Vries", "person"), create("Bert Bakker", "person")
    create("Welzijn Koersdam")
    db.session.commit()
    if what == "erased":
        services.erase(bert)
        db.session.commit()
    posted = {"unknown": "999999", "erased": str(bert.id), "malformed": "1 OR 1=1"}[what]
    login_as("editor")
    response = client.submit(f"/stakeholders/{anna.id}/organisations/add",
                             {"organisation": posted})
    assert response.status_code == 400
    page = text(response)
    assert re.search(rf'<p class="{ui("form-field-error-message")}" id="organisation-error">'
                     r'Choose an organisation '
                     r'from the list\.', page)
    assert '<a href="#organisation">' in page  # the summary leads to the field
    assert db.session.scalar(select(func.count()).select_from(Membership)) == 0


def test_a_picker_of_one_may_offer_nobody_and_show_as_a_drop_down(app, db):
    from flask import render_template_string
    from flask_wtf import FlaskForm

    from app.stakeholders.picker import StakeholderPicker, name_and_kind

    class TableForm(FlaskForm):
        class Meta:
            csrf = False

        facilitator = StakeholderPicker("Facilitator", describe=name_and_kind)

    welzijn, anna = create("Welzijn Koersdam"), create("Anna de Vries", "person")
    db.session.commit()
    source = ('{% from "macros/picker.html" import picker %}'
              '{{ picker(form.facilitator, none_label="— none —", select=select) }}')
    with app.test_request_context("/"):
        form = TableForm(data={"facilitator": anna.id})
        html = render_template_string(source, form=form, select=True)
        assert re.search(rf'<label class="{ui("form-label")}" for="facilitator">Facilitator'
                         rf'</label>\s*<select class="{ui("select")}" id="facilitator" '
                         r'name="facilitator">\s*<option value="">— none —</option>', html)
        assert name_and_kind(anna) in ("Anna de Vries (person)", "Anna de Vries (Persoon)")
        assert f'<option value="{anna.id}" selected>{name_and_kind(anna)}</option>' in html
        assert f'<option value="{welzijn.id}">{name_and_kind(welzijn)}</option>' in html
        radios = render_template_string(source, form=TableForm(), select=False)
        assert re.search(r'name="facilitator" value="" checked> <label for="facilitator-none">'
                         r'— none —</label>', radios)
    with app.test_request_context("/", method="POST", data={"facilitator": ""}):
        form = TableForm()
        assert form.validate() and form.facilitator.data is None


def test_the_conflict_page_posts_the_chosen_again(app, db):
    from flask import render_template_string
    from flask_wtf import FlaskForm

    from app.stakeholders.picker import StakeholderPicker

    class PartnersForm(FlaskForm):
        partners = StakeholderPicker("Partners", multiple=True)

    with app.test_request_context("/"):
        html = render_template_string(
            '{% from "macros/conflict.html" import hidden_copy %}{{ hidden_copy(form) }}',
            form=PartnersForm(data={"partners": [7, 3]}))
    assert re.findall(r'<input type="hidden" name="partners" value="(\d+)">', html) == ["7", "3"]
