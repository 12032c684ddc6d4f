"""Forms for changing what was recorded: a consultation, a table, an input, an answer
(re-answering), the kennisgeving, and an input's attachment. Versioned records carry the
version the editor saw in a hidden field, so a stale edit is caught and shown as a conflict."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import HiddenField, SelectField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from app.consultations.forms import ConsultationForm, TableForm, to_utc
from app.consultations.input_forms import (
    NO_CHOICE,
    _postmark_not_after_receipt,
    kind_choices,
    optional_int,
)
from app.consultations.models import Consultation
from app.consultations.services import DECISIONS, GROUPS, ConsultationData, InputKind
from app.form_fields import DomainForm, MultiCheckboxField, date_field
from app.plans.models import Section, Theme
from app.stakeholders.models import Stakeholder
from app.terms import TERMS

ATTACHMENT_LABEL = _l("Attachment (scanned letter)")


class ConsultationEditForm(ConsultationForm):
    """The consultation's own form; its kind cannot change once recorded."""

    format = None  # type: ignore[assignment]
    version = HiddenField()

    def to_data(self, timezone: str) -> ConsultationData:
        """The values entered; the kind is left empty (the service keeps the recorded one)."""
        return ConsultationData(
            title=self.title.data or "", format="", description=self.description.data,
            starts_at=to_utc(self.starts_at.data, timezone),
            ends_at=to_utc(self.ends_at.data, timezone), location=self.location.data,
            organiser_id=self.organiser_id.data, channels=list(self.channels.data or []),
            published_on=self.published_on.data, legal_basis=self.legal_basis.data)

    def fill_choices(self, formats: Any, organisations: Iterable[Stakeholder],
                     announcements: Mapping[str, Any],
                     display: Callable[[Stakeholder], str]) -> None:
        self.organiser_id.choices = [(NO_CHOICE, str(_l("— none —")))] + [
            (organisation.id, display(organisation)) for organisation in organisations]
        self.channels.choices = [(code, str(label)) for code, label in announcements.items()]


def consultation_values(consultation: Consultation, timezone: str) -> dict[str, Any]:
    def local(moment: Any) -> Any:
        return moment.astimezone(ZoneInfo(timezone)).replace(tzinfo=None) if moment else None

    return {"title": consultation.title, "description": consultation.description,
            "starts_at": local(consultation.starts_at), "ends_at": local(consultation.ends_at),
            "location": consultation.location, "organiser_id": consultation.organiser_id,
            "channels": list(consultation.channels or []),
            "published_on": consultation.published_on,
            "legal_basis": consultation.legal_basis, "version": str(consultation.version)}


class TableEditForm(TableForm):
    version = HiddenField()


class InputEditForm(DomainForm):
    summary = TextAreaField(_l("Summary"), validators=[Optional(), Length(max=5000)])
    kind = SelectField(_l("Kind of input"), choices=[],
                       validators=[InputRequired(_l("Choose a kind of input."))])
    participant_group = SelectField(_l("Participant group"), choices=list(GROUPS.items()),
                                    validators=[InputRequired(_l("Choose a participant group."))])
    received_on = date_field(_l("Received on"))
    postmarked_on = date_field(_l("Postmark date"), Optional(), _postmark_not_after_receipt)
    theme_ids = MultiCheckboxField(TERMS["themes"], coerce=int, choices=[])
    co_signatory_ids = MultiCheckboxField(_l("Co-signatories"), coerce=int, choices=[],
                                          validate_choice=False)
    version = HiddenField()

    def fill_choices(self, kinds: dict[str, InputKind], themes: Sequence[Theme],
                     signatories: Sequence[tuple[int, str]]) -> None:
        self.kind.choices = kind_choices(kinds)
        self.theme_ids.choices = [(theme.id, theme.name) for theme in themes]
        self.co_signatory_ids.choices = list(signatories)


class AttachmentForm(DomainForm):
    attachment = FileField(ATTACHMENT_LABEL)


class AnswerEditForm(DomainForm):
    text = TextAreaField(_l("Answer"), validators=[DataRequired(_l("Enter the answer."))])
    decision = SelectField(_l("Decision"), choices=list(DECISIONS.items()),
                           validators=[InputRequired(_l("Choose a decision."))])
    changed_section_id = SelectField(_l("Section of the plan it changed"),
                                     coerce=optional_int, choices=[])
    version = HiddenField()

    def fill_choices(self, sections: Sequence[Section]) -> None:
        self.changed_section_id.choices = [(NO_CHOICE, _l("None"))] + [
            (section.id, section.title) for section in sections]


class NoticeForm(DomainForm):
    notice = TextAreaField(_l("Kennisgeving"), validators=[Optional(), Length(max=20_000)])
    version = HiddenField()
