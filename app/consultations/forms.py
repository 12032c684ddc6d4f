"""Forms of the consultation pages: a consultation (new, and changed: its kind stays), a table
of a meeting, a registration, and the kennisgeving of a comment period.

The rules live in :mod:`app.consultations.services`; a refusal there (an end before the start,
a comment period without publication date) is placed beside its field with
:meth:`~app.forms.DomainForm.add_error`. Choice lists are filled by the view.
A meeting's start and end are entered as local times of the municipality and handed to the
service as aware UTC datetimes (:meth:`ConsultationForm.to_data`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    HiddenField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from app.consultations.models import Consultation
from app.consultations.services import ConsultationData, ConsultationFormat
from app.database import db
from app.forms import (
    DomainForm,
    MultiCheckboxField,
    SelectField,
    date_field,
    optional_int,
    strip_text,
)
from app.plans.models import Theme
from app.stakeholders import services as register
from app.stakeholders.models import Kind, Stakeholder
from app.stakeholders.picker import StakeholderPicker, name_and_kind
from app.terms import TERMS
from app.translate import lazy_gettext as _l

NO_CHOICE = ""
INVALID_MOMENT = _l("Enter a valid date and time.")
#: How many search results a stakeholder search on a form offers at once.
SEARCH_RESULTS = 20
#: How many stakeholders the organiser and facilitator choices offer (besides the chosen).
STAKEHOLDER_CHOICES = 200
#: How many search results the form registering many participants offers to tick.
BULK_RESULTS = 100
#: The most participants registered at once as "everyone the search found".
BULK_LIMIT = 1000


def _organiser(*, keep_erased: bool = False) -> StakeholderPicker:
    return StakeholderPicker(_l("Organiser"), kind=Kind.ORGANISATION.value,
                             limit=STAKEHOLDER_CHOICES, keep_erased=keep_erased,
                             refusal=_l("Choose an organiser from the register."))


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
    title = StringField(_l("Title"), filters=[strip_text],
                        validators=[DataRequired(_l("Enter a title.")), Length(max=200)])
    format = SelectField(_l("Kind of consultation"), choices=[],
                         validators=[InputRequired(_l("Choose a kind of consultation."))])
    description = TextAreaField(_l("Description"), filters=[strip_text],
                                validators=[Optional(), Length(max=10_000)])
    starts_at = _moment_field(_l("Start"))
    ends_at = _moment_field(_l("End"))
    location = StringField(_l("Location"), filters=[strip_text],
                           validators=[Optional(), Length(max=300)])
    organiser_id = _organiser()
    channels = MultiCheckboxField(_l("Announced through"), choices=[])
    published_on = date_field(_l("Laid open on"))
    nota_due_on = date_field(_l("Nota van beantwoording due on"), Optional())
    legal_basis = StringField(_l("Legal basis"), filters=[strip_text],
                              validators=[Optional(), Length(max=300)])

    def fill_choices(self, formats: Mapping[str, ConsultationFormat],
                     announcements: Mapping[str, Any]) -> None:
        self.format.choices = [(NO_CHOICE, str(_l("— choose —")))] + [
            (code, str(item.label)) for code, item in formats.items()]
        self.channels.choices = [(code, str(label)) for code, label in announcements.items()]

    def to_data(self, timezone: str) -> ConsultationData:
        """The values entered; on the edit form (no kind field) the kind is left empty and
        the service keeps the recorded one."""
        return ConsultationData(
            title=self.title.data or "",
            format=(self.format.data or "") if self.format is not None else "",
            description=self.description.data,
            starts_at=to_utc(self.starts_at.data, timezone),
            ends_at=to_utc(self.ends_at.data, timezone), location=self.location.data,
            organiser_id=self.organiser_id.data, channels=list(self.channels.data or []),
            published_on=self.published_on.data, legal_basis=self.legal_basis.data,
            nota_due_on=self.nota_due_on.data)


class TableForm(DomainForm):
    topic = StringField(_l("Topic"), filters=[strip_text],
                        validators=[DataRequired(_l("Enter a topic.")), Length(max=200)])
    facilitator_id = StakeholderPicker(_l("Facilitator"), limit=STAKEHOLDER_CHOICES,
                                       refusal=_l("Choose a facilitator from the list."))
    theme_id = SelectField(TERMS["theme"], coerce=optional_int, choices=[])

    def fill_choices(self, themes: Sequence[Theme]) -> None:
        self.theme_id.choices = [(NO_CHOICE, str(_l("— none —")))] + [
            (theme.id, theme.name) for theme in themes]

    def validate_facilitator_id(self, field: StakeholderPicker) -> None:
        """An archived stakeholder facilitates no new table (the table's own may stay)."""
        if any(item.archived and item.id not in field.stored for item in field.chosen):
            raise ValidationError(str(field.refusal))

    @property
    def facilitator(self) -> Stakeholder | None:
        """The chosen facilitator, or None."""
        return next(iter(self.facilitator_id.chosen), None)


class RegistrationForm(DomainForm):
    endpoint = "consultations.register"
    stakeholder_id = StakeholderPicker(
        _l("Participant"), [InputRequired(_l("Choose a participant."))], search="q",
        limit=SEARCH_RESULTS, describe=name_and_kind,
        refusal=_l("Choose a participant from the list."))
    attended = BooleanField(_l("Attended"))


class BulkRegistrationForm(DomainForm):
    """Register many at once: the stakeholders ticked in a search's results, everyone the
    search found, or every member of a category — or all of these together."""

    endpoint = "consultations.register_many"
    stakeholder_id = StakeholderPicker(
        _l("Participants"), multiple=True, search="q", limit=BULK_RESULTS,
        describe=name_and_kind, refusal=_l("Choose participants from the list."))
    everyone_found = BooleanField(_l("Everyone the search found"))
    category = SelectField(_l("Every member of a category"), choices=[],
                           validators=[Optional()])
    attended = BooleanField(_l("Attended"))

    def fill_choices(self, categories: Mapping[str, Any]) -> None:
        self.category.choices = [(NO_CHOICE, str(_l("— none —")))] + [
            (code, str(item.label)) for code, item in categories.items()]

    def validate_everyone_found(self, field: BooleanField) -> None:
        if field.data and not self.stakeholder_id.search:
            raise ValidationError(str(_l("Search first: everyone the search found is "
                                         "registered.")))

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        if valid and not (self.stakeholder_id.data or self.everyone_found.data
                          or self.category.data):
            self.stakeholder_id.errors = [*self.stakeholder_id.errors, str(_l(
                "Choose participants, everyone the search found, or a category."))]
            return False
        return valid

    def participants(self) -> list[Stakeholder]:
        """The ticked, everyone found and the category's members, each once, by name;
        erased persons and archived stakeholders are never found by a search or category."""
        chosen = {item.id: item for item in self.stakeholder_id.chosen}
        filters = []
        if self.everyone_found.data and self.stakeholder_id.search:
            filters.append(register.Filters(q=self.stakeholder_id.search))
        if self.category.data:
            filters.append(register.Filters(category=self.category.data))
        for found in filters:
            for item in db.session.scalars(register.list_query(found)
                                           .options(*register.BARE).limit(BULK_LIMIT)):
                chosen.setdefault(item.id, item)
        return sorted(chosen.values(), key=lambda item: (item.sort_name, item.id))


class ConsultationEditForm(ConsultationForm):
    """The consultation's own form; its kind cannot change once recorded."""

    format = None  # type: ignore[assignment]
    organiser_id = _organiser(keep_erased=True)  # the recorded organiser may stay
    version = HiddenField()

    def fill_choices(self, formats: Any, announcements: Mapping[str, Any]) -> None:
        self.channels.choices = [(code, str(label)) for code, label in announcements.items()]


def consultation_values(consultation: Consultation, timezone: str) -> dict[str, Any]:
    def local(moment: Any) -> Any:
        return moment.astimezone(ZoneInfo(timezone)).replace(tzinfo=None) if moment else None

    return {"title": consultation.title, "description": consultation.description,
            "starts_at": local(consultation.starts_at), "ends_at": local(consultation.ends_at),
            "location": consultation.location, "organiser_id": consultation.organiser_id,
            "channels": list(consultation.channels or []),
            "published_on": consultation.published_on, "nota_due_on": consultation.nota_due_on,
            "legal_basis": consultation.legal_basis, "version": str(consultation.version)}


class TableEditForm(TableForm):
    version = HiddenField()


class NoticeForm(DomainForm):
    notice = TextAreaField(_l("Kennisgeving"), validators=[Optional(), Length(max=20_000)])
    version = HiddenField()


class SignInUploadForm(DomainForm):
    """A meeting's sign-in list (presentielijst) to check against the register."""

    file = FileField(_l("Sign-in list (CSV or Excel)"), validators=[
        FileRequired(_l("Choose a CSV or Excel file."))],
        render_kw={"accept": ".csv,.xlsx,text/csv,"
                   "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"})


class SignInConfirmForm(DomainForm):
    """The check page of a sign-in list: who is ticked is read from the posted checkboxes;
    a sign-in list is who came, so attendance is ticked unless the adviser unticks it."""

    attended = BooleanField(_l("They attended (a sign-in list is who came)"), default=True)
