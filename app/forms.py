"""Form parts every area (and every plugin, through ``app.plugin_api``) uses: a form that
shows a service's refusal next to the field it names, a button-only form, checkbox groups,
dates with a Dutch error, amounts in euro typed the Dutch way, and the coerce and filter
functions of select and text fields.

The euro field is kept apart from :mod:`app.money` so services parse amounts without
depending on WTForms."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import wtforms
from flask_wtf import FlaskForm
from markupsafe import Markup, escape
from wtforms import DateField, Form, SelectMultipleField, StringField
from wtforms.fields.choices import Choice
from wtforms.validators import Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget, Select

from app.errors import DomainError
from app.money import format_euro_input, parse_euro
from app.translate import lazy_gettext as _l


class DomainForm(FlaskForm):
    """A form whose service may refuse: :meth:`add_error` puts the refusal beside its field."""

    def add_error(self, error: DomainError) -> None:
        target = self._fields.get(error.field or "")
        if target is not None:
            target.errors = [*target.errors, error.message]
        else:
            self.form_errors.append(error.message)


class ConfirmForm(FlaskForm):
    """A button-only form: its CSRF token is what protects the action."""


class MultiCheckboxField(SelectMultipleField):
    """A group of checkboxes (rendered as a fieldset by the ``field`` macro)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class OptionsSelect(Select):
    """WTForms' select, each plain option written out directly.

    WTForms builds every ``<option>`` through its general attribute writer, a dozen calls an
    option; a filter form of a long list has a hundred options, which made its rendering a
    quarter of the page. The markup is the same (a test compares the two); an option with
    its own attributes still goes the general way."""

    @classmethod
    def render_option(cls, choice: Choice, **kwargs: Any) -> Markup:
        if choice.render_kw or kwargs:
            return super().render_option(choice, **kwargs)
        value = str(choice.value) if isinstance(choice.value, bool) else choice.value
        label = escape(choice.label or choice.value)
        selected = "selected " if choice.selected else ""
        # value and label are escaped above; Markup.format would escape them again, slowly.
        return Markup(f'<option {selected}value="{escape(value)}">{label}</option>')  # noqa: S704


class SelectField(wtforms.SelectField):
    """A select rendered by :class:`OptionsSelect`."""

    widget = OptionsSelect()


def optional_int(value: Any) -> int | None:
    """A select's value as an id (its ``coerce``): None for the empty choice ("" or the "None"
    a rendered empty value posts back); any other non-number raises ValueError, which the
    select shows as an invalid choice."""
    if value is None or value in ("", "None"):
        return None
    return int(value)


def strip_text(value: Any) -> Any:
    """A field filter: typed text without surrounding whitespace (other values unchanged)."""
    return value.strip() if isinstance(value, str) else value


def date_field(label: Any, *validators: Any) -> DateField:
    return DateField(label, validators=list(validators) or [Optional()],
                     invalid_value_message=_l("Enter a valid date: day, month and year."))


#: A numeric keyboard with a comma on phones; no suggestions of other people's amounts.
EURO_RENDER_KW = {"inputmode": "decimal", "autocomplete": "off"}


class EuroField(StringField):
    """A text input whose ``data`` is a ``Decimal`` in euro (or None when left empty).

    Not ``type="number"``: browsers would refuse or silently change "1.250,50". The typed text
    is parsed during validation, so ``data`` is None until the form is validated; after a
    refusal the input shows what the user typed, so they can correct it.
    """

    data: Decimal | None

    def __init__(self, label: Any = None, validators: Sequence[Any] | None = None, *,
                 allow_negative: bool = False, **kwargs: Any) -> None:
        kwargs["render_kw"] = {**EURO_RENDER_KW, **(kwargs.get("render_kw") or {})}
        super().__init__(label, validators, **kwargs)
        self.allow_negative = allow_negative
        self.raw_text: str | None = None

    def process_formdata(self, valuelist: list[Any]) -> None:
        if valuelist:
            self.raw_text = valuelist[0]
            self.data = None

    def pre_validate(self, form: Form) -> None:
        if self.raw_text is None:
            return
        try:
            self.data = parse_euro(self.raw_text, allow_negative=self.allow_negative)
        except DomainError as error:
            raise ValidationError(error.message) from error

    def _value(self) -> str:
        if self.raw_text is not None and (self.errors or self.data is None):
            return self.raw_text
        return format_euro_input(self.data)
