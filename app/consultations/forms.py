"""Forms of the consultation pages: a new consultation, a table of a meeting, a registration.

The rules live in :mod:`app.consultations.services`; a refusal there (an end before the start,
a comment period without publication date) is placed beside its field with
:meth:`~app.form_fields.DomainForm.add_error`. Choice lists are filled by the view.
A meeting's start and end are entered as local times of the municipality and handed to the
service as aware UTC datetimes (:meth:`ConsultationForm.to_data`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from app.consultations.services import ConsultationData, ConsultationFormat
from app.form_fields import DomainForm, MultiCheckboxField, date_field
from app.plans.models import Theme
from app.stakeholders.models import Stakeholder
from app.terms import TERMS

NO_CHOICE = ""
INVALID_MOMENT = _l("Enter a valid date and time.")


def optional_int(value: Any) -> int | None:
    """A select's value as an id, or None for the empty choice."""
    if value is None or value == "":
        return None
    return int(value)


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def _moment_field(label: Any) -> DateTimeLocalField:
    return DateTimeLocalField(label, format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"],
                              validators=[Optional()], invalid_value_message=INVALID_MOMENT)


def to_utc(value: datetime | None, timezone: str) -> datetime | None:
    """A local time entered in the form, read in ``timezone``, as an aware UTC datetime."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=ZoneInfo(timezone))
    return value.astimezone(UTC)


class ConsultationForm(DomainForm):
    title = StringField(_l("Title"), filters=[_strip],
                        validators=[DataRequired(_l("Enter a title.")), Length(max=200)])
    format = SelectField(_l("Kind of consultation"), choices=[],
                         validators=[InputRequired(_l("Choose a kind of consultation."))])
    description = TextAreaField(_l("Description"), filters=[_strip],
                                validators=[Optional(), Length(max=10_000)])
    starts_at = _moment_field(_l("Start"))
    ends_at = _moment_field(_l("End"))
    location = StringField(_l("Location"), filters=[_strip],
                           validators=[Optional(), Length(max=300)])
    organiser_id = SelectField(_l("Organiser"), coerce=optional_int, choices=[])
    channels = MultiCheckboxField(_l("Announced through"), choices=[])
    published_on = date_field(_l("Laid open on"))
    legal_basis = StringField(_l("Legal basis"), filters=[_strip],
                              validators=[Optional(), Length(max=300)])

    def fill_choices(self, formats: Mapping[str, ConsultationFormat],
                     organisations: Iterable[Stakeholder], announcements: Mapping[str, Any],
                     display: Callable[[Stakeholder], str]) -> None:
        self.format.choices = [(NO_CHOICE, str(_l("— choose —")))] + [
            (code, str(item.label)) for code, item in formats.items()]
        self.organiser_id.choices = [(NO_CHOICE, str(_l("— none —")))] + [
            (organisation.id, display(organisation)) for organisation in organisations]
        self.channels.choices = [(code, str(label)) for code, label in announcements.items()]

    def to_data(self, timezone: str) -> ConsultationData:
        return ConsultationData(
            title=self.title.data or "", format=self.format.data or "",
            description=self.description.data,
            starts_at=to_utc(self.starts_at.data, timezone),
            ends_at=to_utc(self.ends_at.data, timezone), location=self.location.data,
            organiser_id=self.organiser_id.data, channels=list(self.channels.data or []),
            published_on=self.published_on.data, legal_basis=self.legal_basis.data)


class TableForm(DomainForm):
    topic = StringField(_l("Topic"), filters=[_strip],
                        validators=[DataRequired(_l("Enter a topic.")), Length(max=200)])
    facilitator_id = SelectField(_l("Facilitator"), coerce=optional_int, choices=[])
    theme_id = SelectField(TERMS["theme"], coerce=optional_int, choices=[])

    def fill_choices(self, stakeholders: Iterable[Stakeholder], themes: Sequence[Theme],
                     display: Callable[[Stakeholder], str]) -> None:
        none = str(_l("— none —"))
        self.facilitator_id.choices = [(NO_CHOICE, none)] + [
            (item.id, display(item)) for item in stakeholders]
        self.theme_id.choices = [(NO_CHOICE, none)] + [(theme.id, theme.name)
                                                       for theme in themes]


class RegistrationForm(DomainForm):
    stakeholder_id = RadioField(_l("Participant"), coerce=int, validate_choice=False,
                                validators=[InputRequired(_l("Choose a participant."))])
    attended = BooleanField(_l("Attended"))
