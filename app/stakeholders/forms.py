"""Forms of the stakeholder register. The rules themselves live in services.py; the forms
check what they can per field, so every mistake is shown at once next to its field."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    RadioField,
    StringField,
    TelField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from app.errors import DomainError
from app.forms import DomainForm, MultiCheckboxField, date_field
from app.stakeholders import services
from app.stakeholders.models import Kind, LegalGround, Stakeholder
from app.stakeholders.picker import StakeholderPicker
from app.translate import lazy_gettext as _l

#: Fields only persons have: the legal ground for processing their data and its retention.
PRIVACY_FIELDS = ("legal_ground", "consent_purpose", "consent_date", "consent_source",
                  "retention_until")
TEXT_FIELDS = ("name", "email", "phone", "address", "postcode", "place", "website", "notes",
               "consent_purpose", "consent_source")


_date_field = date_field


def legal_ground_choices() -> list[tuple[str, str]]:
    return [(LegalGround.PUBLIC_TASK.value, str(_l("Public task (AVG art. 6(1)(e))"))),
            (LegalGround.CONSENT.value, str(_l("Consent (AVG art. 6(1)(a))")))]


def split_tags(text: str | None) -> list[str]:
    return [tag.strip() for tag in (text or "").split(",") if tag.strip()]


class StakeholderForm(DomainForm):
    name = StringField(_l("Name"), validators=[InputRequired(_l("Enter a name.")),
                                               Length(max=200)])
    email = EmailField(_l("E-mail address"), validators=[Optional(), Length(max=254)])
    phone = TelField(_l("Phone number"), validators=[Optional(), Length(max=40)])
    address = StringField(_l("Address"), validators=[Optional(), Length(max=200)])
    postcode = StringField(_l("Postcode"), validators=[Optional(), Length(max=10)])
    place = StringField(_l("Place"), validators=[Optional(), Length(max=100)])
    website = StringField(_l("Website"), validators=[Optional(), Length(max=300)])
    categories = MultiCheckboxField(_l("Categories"))
    tags = StringField(_l("Tags"), validators=[Optional(), Length(max=1500)])
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=10000)])
    legal_ground = RadioField(_l("Legal ground"), choices=legal_ground_choices,
                              default=LegalGround.PUBLIC_TASK.value,
                              validators=[InputRequired(_l("Choose a legal ground."))])
    consent_purpose = StringField(_l("Purpose of consent"),
                                  validators=[Optional(), Length(max=300)])
    consent_date = _date_field(_l("Date of consent"))
    consent_source = StringField(_l("Source of consent"),
                                 validators=[Optional(), Length(max=300)])
    retention_until = _date_field(_l("Keep until"))
    version = HiddenField()

    def __init__(self, *args: Any, kind: str = Kind.PERSON.value, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kind = kind
        self.categories.choices = [(code, str(category.label))
                                   for code, category in services.categories().items()]
        if kind != Kind.PERSON:
            for name in PRIVACY_FIELDS:
                delattr(self, name)

    @property
    def is_person(self) -> bool:
        return self.kind == Kind.PERSON

    # Per-field checks with the service's own rules, so all mistakes show together.
    def validate_email(self, field: EmailField) -> None:
        _check(services.clean_email, field.data)

    def validate_phone(self, field: TelField) -> None:
        _check(services.clean_phone, field.data)

    def validate_tags(self, field: StringField) -> None:
        _check(services.clean_tags, split_tags(field.data))

    def to_data(self, existing: Stakeholder | None = None) -> services.StakeholderData:
        values: dict[str, Any] = {name: self._fields[name].data for name in TEXT_FIELDS
                                  if name in self._fields}
        values["categories"] = list(self.categories.data or [])
        values["tags"] = split_tags(self.tags.data)
        if self.is_person:
            values.update({name: self._fields[name].data for name in PRIVACY_FIELDS})
        elif existing is not None:
            values.update({name: getattr(existing, name) for name in PRIVACY_FIELDS})
        return services.StakeholderData(kind=self.kind, **values)


def _check(clean: Any, value: Any) -> None:
    try:
        clean(value)
    except DomainError as error:
        raise ValidationError(error.message) from error


def form_values(stakeholder: Stakeholder) -> dict[str, Any]:
    """The stored record as the form's initial data."""
    values: dict[str, Any] = {name: getattr(stakeholder, name) or "" for name in TEXT_FIELDS}
    values.update(categories=stakeholder.category_codes, tags=", ".join(stakeholder.tag_names),
                  legal_ground=stakeholder.legal_ground, consent_date=stakeholder.consent_date,
                  retention_until=stakeholder.retention_until,
                  version=str(stakeholder.version))
    return values


def displayed(data: services.StakeholderData | Stakeholder, name: str) -> str:
    """A field's value for the side-by-side view of a conflict."""
    from app.labels import label

    if name == "categories":
        codes = data.category_codes if isinstance(data, Stakeholder) else data.categories
        known = services.categories()
        return ", ".join(str(known[code].label) if code in known else code for code in codes)
    if name == "tags":
        return ", ".join(data.tag_names if isinstance(data, Stakeholder) else data.tags)
    value = getattr(data, name)
    if name == "legal_ground":
        return label("legal_ground", value or "")
    if isinstance(value, date):
        from app.i18n import short_date

        return short_date(value)
    return value or ""


#: How many organisations the "add to an organisation" page offers at once.
ORGANISATION_CHOICES = 20


class MembershipForm(DomainForm):
    organisation = StakeholderPicker(
        _l("Organisation"), [InputRequired(_l("Choose an organisation."))],
        kind=Kind.ORGANISATION.value, search="q", limit=ORGANISATION_CHOICES,
        refusal=_l("Choose an organisation from the list."))
    function = StringField(_l("Function or role"), validators=[Optional(), Length(max=200)])
    is_contact = BooleanField(_l("Contact person of this organisation"))


def erase_reason_choices() -> list[tuple[str, str]]:
    return [("request", str(_l("At the person's own request"))),
            ("consent_withdrawn", str(_l("The person withdrew their consent"))),
            ("no_longer_needed", str(_l("The data are no longer needed")))]


class EraseForm(FlaskForm):
    reason = RadioField(_l("Reason for erasing"), choices=erase_reason_choices,
                        default="request", validators=[InputRequired(_l("Choose a reason."))])
