"""Form parts every area uses: checkbox groups, dates with a Dutch error, and a form that
shows a service's refusal next to the field it names."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectMultipleField
from wtforms.validators import Optional
from wtforms.widgets import CheckboxInput, ListWidget

from app.errors import DomainError


class MultiCheckboxField(SelectMultipleField):
    """A group of checkboxes (rendered as a fieldset by the ``field`` macro)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def date_field(label: Any, *validators: Any) -> DateField:
    return DateField(label, validators=list(validators) or [Optional()],
                     invalid_value_message=_l("Enter a valid date: day, month and year."))


class DomainForm(FlaskForm):
    """A form whose service may refuse: :meth:`add_error` puts the refusal beside its field."""

    def add_error(self, error: DomainError) -> None:
        target = self._fields.get(error.field or "")
        if target is not None:
            target.errors = [*target.errors, error.message]
        else:
            self.form_errors.append(error.message)
