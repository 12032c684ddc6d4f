"""Forms of the feedback pages: a person's decision on a letter (one form, a button per
choice, with the version of the letter the person saw) and the outbox filter."""

from __future__ import annotations

from typing import Any

from wtforms import HiddenField
from wtforms.validators import AnyOf, InputRequired, Optional

from app.consultations.feedback.services import DECISION_RESULTS, STATUS_LABELS
from app.forms import DomainForm, SelectField
from app.translate import lazy_gettext as _l


def _version(value: Any) -> int | None:
    return int(value) if isinstance(value, str) and value.isdigit() else None


class DecisionForm(DomainForm):
    # Filled by the button pressed (name="choice"); the version detects a decision taken by
    # someone else in between.
    choice = HiddenField(validators=[
        InputRequired(_l("Choose what to do with the letter.")),
        AnyOf(list(DECISION_RESULTS), message=_l("Choose what to do with the letter."))])
    version = HiddenField(filters=[_version], validators=[InputRequired()])


class OutboxFilter(DomainForm):
    class Meta:
        csrf = False

    status = SelectField(_l("Status"), validators=[Optional()], choices=[])

    def fill_choices(self) -> None:
        self.status.choices = [("", str(_l("All")))] + [
            (code, str(label)) for code, label in STATUS_LABELS.items()]
