"""The coerce and filter functions every area's forms share (app.forms)."""

from __future__ import annotations

import pytest
import wtforms
from markupsafe import Markup
from werkzeug.datastructures import MultiDict
from wtforms import Form, SelectField, StringField
from wtforms.fields.choices import SelectChoice

from app import forms
from app.forms import optional_int, strip_text


@pytest.mark.parametrize(("value", "expected"), [
    (None, None), ("", None), ("None", None), ("7", 7), (7, 7)])
def test_optional_int_reads_an_id_or_the_empty_choice(value, expected):
    assert optional_int(value) == expected


def test_optional_int_refuses_what_is_no_number():
    with pytest.raises(ValueError):
        optional_int("zeven")


def test_strip_text_trims_text_and_leaves_other_values():
    assert strip_text("  Armoede \n") == "Armoede"
    assert strip_text(None) is None and strip_text(3) == 3


class Example(Form):
    theme_id = SelectField("Theme", coerce=optional_int, choices=[("", "—"), (4, "Wonen")])
    name = StringField("Name", filters=[strip_text])


def test_a_select_reads_the_empty_choice_as_none_and_refuses_garbage():
    form = Example(MultiDict({"theme_id": "", "name": "  Wonen "}))
    assert form.validate() and form.theme_id.data is None and form.name.data == "Wonen"
    assert Example(MultiDict({"theme_id": "4"})).theme_id.data == 4
    garbage = Example(MultiDict({"theme_id": "x"}))
    assert not garbage.validate() and garbage.theme_id.errors


CHOICES = [("", "—"), (4, "Wonen & <zorg>"), ("a\"b", Markup("<b>vet</b>")), (True, "Ja"),
           (None, "Geen"), ("", ""), (7, "Zeven")]


@pytest.mark.parametrize("chosen", ["", "4", "a\"b", "True", "None", "7", "x"])
def test_the_select_writes_the_same_options_as_wtforms(chosen):
    class Stock(Form):
        pick = wtforms.SelectField("Pick", choices=CHOICES)

    class Koers(Form):
        pick = forms.SelectField("Pick", choices=CHOICES)

    data = MultiDict({"pick": chosen})
    ours = str(Koers(data).pick(class_="utrecht-select"))
    assert ours == str(Stock(data).pick(class_="utrecht-select"))
    assert ours.count("<option") == len(CHOICES)


def test_an_option_with_attributes_of_its_own_is_written_by_wtforms():
    choices = [SelectChoice("1", "Een", render_kw={"disabled": True}), SelectChoice("2", "Twee")]

    class Stock(Form):
        pick = wtforms.SelectField("Pick", choices=choices)

    class Koers(Form):
        pick = forms.SelectField("Pick", choices=choices)

    ours = str(Koers(MultiDict({"pick": "2"})).pick())
    assert ours == str(Stock(MultiDict({"pick": "2"})).pick())
    assert "disabled" in ours
