"""Forms of the input pages: the list's filters, bulk entry after a meeting, a written
reaction and changing it, an attachment, an answer covering several inputs and re-answering
it, and processing meeting input.

The rules live in :mod:`app.consultations.inputs.services` and
:mod:`~app.consultations.inputs.answers`; these forms check per field what they can
(a text is given, the postmark does not lie after the receipt), and
:meth:`~app.forms.DomainForm.add_error` places a service's refusal. Choice lists are
filled by the view, which knows the consultation and its plan; senders and co-signatories
are chosen with the register's picker, which validates them itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import nullcontext
from typing import Any

from flask_babel import force_locale
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    EmailField,
    Form,
    HiddenField,
    RadioField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from app.consultations.forms import NO_CHOICE, SEARCH_RESULTS
from app.consultations.inputs.answers import DECISIONS
from app.consultations.inputs.models import Input
from app.consultations.inputs.senders import name_and_contact
from app.consultations.inputs.services import CHANNELS, GROUPS, Filters, InputData, InputKind
from app.consultations.models import ConsultationTable
from app.forms import DomainForm, MultiCheckboxField, SelectField, date_field, optional_int
from app.plans.models import Section, Theme
from app.stakeholders.models import Kind, Stakeholder
from app.stakeholders.picker import StakeholderPicker, name_and_kind
from app.stakeholders.services import StakeholderData
from app.terms import TERMS
from app.translate import lazy_gettext as _l
from app.translate import lazy_pgettext

YES_NO = [("yes", _l("Yes")), ("no", _l("No"))]
#: The page sizes the input list offers, the first the default.
PAGE_SIZES = (25, 50, 100, 200)
#: How many characters of the original text stand in for a missing summary.
SUMMARY_LENGTH = 200


def optional_str(value: Any) -> str | None:
    return value or None


def short_text(item: Input) -> str:
    """The summary, or the start of the original text."""
    if item.summary:
        return item.summary
    text = item.original_text
    return text if len(text) <= SUMMARY_LENGTH else text[:SUMMARY_LENGTH] + "…"


def _co_signatories(refusal: Any, *, keep_erased: bool = False) -> StakeholderPicker:
    """Chosen from the page's search ("q"; the edit page); with ``keep_erased`` the recorded
    ones stay, even when erased since."""
    return StakeholderPicker(_l("Co-signatories"), multiple=True, search="q", browse=False,
                             limit=SEARCH_RESULTS, describe=name_and_kind,
                             keep_erased=keep_erased, refusal=refusal)


class ReactionPicker(StakeholderPicker):
    """The register's picker on the written-reaction form: ``also`` names a second search
    parameter whose matches are offered while this picker's own search is empty (the
    co-signatories of a family's letter are found with the sender), and ``extra`` holds
    stakeholders to offer besides (the register's matches for a sender typed in)."""

    def __init__(self, *args: Any, also: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.also = also
        self.extra: list[Stakeholder] = []

    @property
    def offered(self) -> list[Stakeholder]:
        if self._offered is None:
            own = self.search_name
            if self.also and not self.search:
                self.search_name = self.also
            try:
                offered = list(super().offered)
            finally:
                self.search_name = own
            self._offered = [*offered, *(item for item in self.extra if item not in offered)]
        return self._offered

    def is_chosen(self, stakeholder_id: int) -> bool:
        """Nothing chosen yet and the search found exactly one: that one is ticked, so the
        adviser typing a letter's sender confirms instead of picking."""
        if self.ids or self.multiple:
            return super().is_chosen(stakeholder_id)
        only = self.only_match()
        return only is not None and only.id == stakeholder_id

    def only_match(self) -> Stakeholder | None:
        """The one stakeholder the search text names (nothing chosen, exactly one found)."""
        offered = self.offered if self.search and not self.ids else []
        return offered[0] if len(offered) == 1 else None

    def take_search(self) -> Stakeholder | None:
        """Saving with a search text and nobody chosen: the search must name one stakeholder,
        who is then the choice — so a letter's sender is typed and saved in one go. Several
        or no matches refuse the save (the matches are offered), instead of recording the
        reaction anonymously while a name stands in the search box."""
        if self.ids or self.multiple or not self.search:
            return None
        only = self.only_match()
        if only is not None:
            self._take([only.id])
            return only
        if self.offered:
            raise ValidationError(_l(
                "Several stakeholders match “%(search)s”: choose one.", search=self.search))
        raise ValidationError(_l(
            "No stakeholder matches “%(search)s”. Type the sender in below as a new sender, "
            "or empty the search box to record the reaction anonymously.",
            search=self.search))


def kind_choices(kinds: dict[str, InputKind]) -> list[tuple[str, Any]]:
    return [(code, kind.label) for code, kind in kinds.items()]


def _postmark_not_after_receipt(form: Any, field: Any) -> None:
    received = form.received_on.data
    if field.data and received and field.data > received:
        raise ValidationError(_l("The postmark date lies after the received date."))


class InputFilters(Form):
    """The filters of the input list (GET parameters, no CSRF token)."""

    kind = SelectField(_l("Kind of input"), choices=[])
    participant_group = SelectField(_l("Participant group"), choices=[])
    channel = SelectField(_l("Channel"), choices=[])
    theme_id = SelectField(TERMS["theme"], choices=[])
    table_id = SelectField(lazy_pgettext("meeting", "Table"), choices=[])
    answered = SelectField(_l("Answered"), choices=[])
    late = SelectField(_l("Late"), choices=[])
    processed = SelectField(_l("Processed"), choices=[])
    per_page = SelectField(_l("Inputs per page"), choices=[])

    def fill_choices(self, kinds: dict[str, InputKind], themes: Sequence[Theme],
                     tables: Sequence[ConsultationTable] = ()) -> None:
        every = [(NO_CHOICE, _l("All"))]
        self.kind.choices = every + kind_choices(kinds)
        self.participant_group.choices = every + list(GROUPS.items())
        self.channel.choices = every + list(CHANNELS.items())
        self.theme_id.choices = every + [(str(theme.id), theme.name) for theme in themes]
        self.table_id.choices = every + [(str(table.id), table.topic) for table in tables]
        for name in ("answered", "late", "processed"):
            self[name].choices = every + YES_NO
        self.per_page.choices = [(NO_CHOICE, str(PAGE_SIZES[0]))] + [
            (str(size), str(size)) for size in PAGE_SIZES[1:]]

    def page_size(self, chosen: dict[str, str]) -> int:
        """The page size chosen (one of :data:`PAGE_SIZES`), else the first."""
        return int(chosen.get("per_page", PAGE_SIZES[0]))

    def active(self) -> dict[str, str]:
        """The filters chosen, with values from their lists only (others are ignored)."""
        chosen = {}
        for item in self:
            value = item.data or ""
            if value and value in {str(code) for code, _label in item.choices}:
                chosen[item.name] = value
        return chosen

    def to_filters(self, chosen: dict[str, str]) -> Filters:
        """The chosen values as the service's filters."""
        numbers = {name: int(chosen[name]) if chosen.get(name, "").isdigit() else None
                   for name in ("theme_id", "table_id")}
        return Filters(**{name: value for name, value in chosen.items()
                          if name not in (*numbers, "per_page")}, **numbers)


class BulkForm(DomainForm):
    lines = TextAreaField(_l("Inputs, one per line"), validators=[
        DataRequired(_l("Enter at least one input, one per line."))])
    table_id = SelectField(lazy_pgettext("meeting", "Table"), coerce=optional_int, choices=[])
    participant_group = SelectField(_l("Participant group"), choices=list(GROUPS.items()),
                                    validators=[InputRequired(_l("Choose a participant group."))])
    kind = SelectField(_l("Kind of input"), choices=[],
                       validators=[InputRequired(_l("Choose a kind of input."))])
    theme_ids = MultiCheckboxField(TERMS["themes"], coerce=int, choices=[])

    def fill_choices(self, tables: Sequence[ConsultationTable], kinds: dict[str, InputKind],
                     themes: Sequence[Theme]) -> None:
        self.table_id.choices = [(NO_CHOICE, _l("No table"))] + [
            (table.id, table.topic) for table in tables]
        self.kind.choices = kind_choices(kinds)
        self.theme_ids.choices = [(theme.id, theme.name) for theme in themes]

    def texts(self) -> list[str]:
        return [line.strip() for line in (self.lines.data or "").splitlines() if line.strip()]

    def to_data(self, kinds: dict[str, InputKind],
                table_theme_id: int | None = None) -> list[InputData]:
        """One input per line. A line starting with a kind ("idee: …", by code or label,
        in Dutch or English) is of that kind, else of the form's kind. Without themes
        chosen, the table's theme (if it has one) is the post-its' theme."""
        prefixes = kind_prefixes(kinds)
        theme_ids = list(self.theme_ids.data or []) or (
            [table_theme_id] if table_theme_id is not None else [])
        items = []
        for line in self.texts():
            kind, text = split_kind(line, prefixes)
            if text:
                items.append(InputData(
                    original_text=text, kind=kind or self.kind.data, channel="mondeling",
                    participant_group=self.participant_group.data,
                    table_id=self.table_id.data, theme_ids=theme_ids))
        return items


def kind_prefixes(kinds: dict[str, InputKind]) -> dict[str, str]:
    """Every way to name a kind at the start of a line, lower case: its code and its label
    in Dutch, English and the page's language."""
    prefixes: dict[str, str] = {}
    for locale in ("nl", "en", None):
        with force_locale(locale) if locale else nullcontext():
            for code, kind in reversed(kinds.items()):
                prefixes[str(kind.label).strip().lower()] = code
    prefixes.update({code.lower(): code for code in kinds})
    return prefixes


def split_kind(line: str, prefixes: dict[str, str]) -> tuple[str | None, str]:
    """A line's kind (if it starts with one and a colon) and its text."""
    head, colon, rest = line.partition(":")
    code = prefixes.get(head.strip().lower()) if colon else None
    return (code, rest.strip()) if code else (None, line)


class InputForm(DomainForm):
    original_text = TextAreaField(_l("Original text"), validators=[
        DataRequired(_l("Enter the text of the input."))])
    summary = TextAreaField(_l("Summary"), validators=[Optional(), Length(max=5000)])
    kind = SelectField(_l("Kind of input"), choices=[],
                       validators=[InputRequired(_l("Choose a kind of input."))])
    channel = SelectField(_l("Channel"), choices=list(CHANNELS.items()),
                          validators=[InputRequired(_l("Choose a channel."))])
    stakeholder_id = ReactionPicker(_l("From"), search="q", browse=False,
                                    limit=SEARCH_RESULTS, describe=name_and_contact,
                                    refusal=_l("Choose a stakeholder from the list."))
    participant_group = SelectField(_l("Participant group"), coerce=optional_str, choices=[
        (NO_CHOICE, _l("From the stakeholder's category")), *GROUPS.items()])
    received_on = date_field(_l("Received on"))
    postmarked_on = date_field(_l("Postmark date"), Optional(), _postmark_not_after_receipt)
    theme_ids = MultiCheckboxField(TERMS["themes"], coerce=int, choices=[])
    co_signatory_ids = ReactionPicker(
        _l("Co-signatories"), multiple=True, search="q_co", also="q", browse=False,
        limit=SEARCH_RESULTS, describe=name_and_contact,
        refusal=_l("Choose co-signatories from the list."))
    # Checked by content and size in app.consultations.attachments, not here.
    attachment = FileField(_l("Attachment (scanned letter)"))
    # A sender not in the register, typed in here (checked by the register's rules).
    new_name = StringField(_l("Name"), validators=[Length(max=200)])
    new_kind = RadioField(_l("Person or organisation"), default=Kind.PERSON.value, choices=[
        (Kind.PERSON.value, _l("Person")), (Kind.ORGANISATION.value, _l("Organisation"))],
        validators=[Optional()])
    new_email = EmailField(_l("E-mail address"), validators=[Optional(), Length(max=254)])
    new_address = StringField(_l("Street and house number"),
                              validators=[Optional(), Length(max=200)])
    new_postcode = StringField(_l("Postcode"), validators=[Optional(), Length(max=10)])
    new_place = StringField(_l("Place"), validators=[Optional(), Length(max=100)])

    def fill_choices(self, kinds: dict[str, InputKind], themes: Sequence[Theme]) -> None:
        self.kind.choices = kind_choices(kinds)
        self.theme_ids.choices = [(theme.id, theme.name) for theme in themes]

    #: The sender the save took from the search text (see :meth:`ReactionPicker.take_search`).
    taken_from_search: Stakeholder | None = None

    def validate_stakeholder_id(self, field: ReactionPicker) -> None:
        if (self.new_name.data or "").strip():
            return  # a new sender typed in: the search was only a look in the register
        self.taken_from_search = field.take_search()

    def validate_new_name(self, field: Any) -> None:
        if self.stakeholder_id.ids:
            return  # a sender chosen from the register wins over one typed in
        typed = any((self[name].data or "").strip() for name in (
            "new_email", "new_address", "new_postcode", "new_place"))
        if typed and not (field.data or "").strip():
            raise ValidationError(_l("Enter the name of the new sender."))

    def new_sender(self) -> StakeholderData | None:
        """The sender typed in, or None: none typed, or one chosen from the register (the
        choice wins)."""
        name = (self.new_name.data or "").strip()
        if not name or self.stakeholder_id.ids:
            return None
        return StakeholderData(name=name, kind=self.new_kind.data or Kind.PERSON.value,
                               email=self.new_email.data, address=self.new_address.data,
                               postcode=self.new_postcode.data, place=self.new_place.data)

    def to_data(self) -> InputData:
        return InputData(original_text=self.original_text.data, kind=self.kind.data,
                         channel=self.channel.data, stakeholder_id=self.stakeholder_id.data,
                         participant_group=self.participant_group.data,
                         summary=self.summary.data, received_on=self.received_on.data,
                         postmarked_on=self.postmarked_on.data,
                         theme_ids=list(self.theme_ids.data or []),
                         co_signatory_ids=list(self.co_signatory_ids.data or []))


class AnswerForm(DomainForm):
    input_ids = MultiCheckboxField(_l("Inputs this answer is for"), coerce=int, choices=[],
                                   validators=[DataRequired(
                                       _l("Choose the inputs this answer is for."))])
    text = TextAreaField(_l("Answer"), validators=[DataRequired(_l("Enter the answer."))])
    decision = SelectField(_l("Decision"), choices=list(DECISIONS.items()),
                           validators=[InputRequired(_l("Choose a decision."))])
    changed_section_id = SelectField(_l("Section of the plan it changed"),
                                     coerce=optional_int, choices=[])
    # The version of every input offered, as the form showed them ("id:version …").
    versions = HiddenField()

    def fill_choices(self, inputs: Sequence[Input], sections: Sequence[Section]) -> None:
        self.input_ids.choices = [(item.id, f"{item.number}. {short_text(item)}")
                                  for item in inputs]
        self.changed_section_id.choices = [(NO_CHOICE, _l("None"))] + [
            (section.id, section.title) for section in sections]


class ProcessForm(DomainForm):
    input_ids = MultiCheckboxField(_l("Inputs"), coerce=int, choices=[], validate_choice=False)
    versions = HiddenField()  # of the inputs listed, as the list showed them
    # The "all input on this page" button: every input the page listed (``versions``).
    whole_page = BooleanField()
    used = RadioField(_l("Used in the plan"), choices=YES_NO,
                      validators=[InputRequired(_l("Choose whether the input was used."))])
    # What was done with it (app.consultations.inputs.tracing validates both)
    target = SelectField(_l("Taken into (when used)"), choices=[], validate_choice=False)
    reason = TextAreaField(_l("Reason (when not used)"), validators=[Optional()])

    def fill_targets(self, groups: Sequence[tuple[str, list[tuple[str, str]]]]) -> None:
        """The plan's sections, actions and themes' goals, grouped (optgroups)."""
        self.target.choices = {None: [("", _l("Not linked to a part of the plan"))],
                               **{label: rows for label, rows in groups}}

    def validate_input_ids(self, field: Any) -> None:
        if not field.data and not self.whole_page.data:
            raise ValidationError(_l("Choose the inputs to process."))

    def chosen_ids(self, listed: dict[int, int]) -> set[int]:
        """The inputs to process: those ticked, or with the page button all ``listed``."""
        return set(listed) if self.whole_page.data else set(self.input_ids.data or [])


class InputEditForm(DomainForm):
    summary = TextAreaField(_l("Summary"), validators=[Optional(), Length(max=5000)])
    kind = SelectField(_l("Kind of input"), choices=[],
                       validators=[InputRequired(_l("Choose a kind of input."))])
    participant_group = SelectField(_l("Participant group"), choices=list(GROUPS.items()),
                                    validators=[InputRequired(_l("Choose a participant group."))])
    received_on = date_field(_l("Received on"))
    postmarked_on = date_field(_l("Postmark date"), Optional(), _postmark_not_after_receipt)
    theme_ids = MultiCheckboxField(TERMS["themes"], coerce=int, choices=[])
    co_signatory_ids = _co_signatories(_l("Choose co-signatories from the register."),
                                       keep_erased=True)
    version = HiddenField()

    def fill_choices(self, kinds: dict[str, InputKind], themes: Sequence[Theme]) -> None:
        self.kind.choices = kind_choices(kinds)
        self.theme_ids.choices = [(theme.id, theme.name) for theme in themes]


class AttachmentForm(DomainForm):
    attachment = FileField(_l("Attachment (scanned letter)"))


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


