"""Forms of the answer workspace: its filters (GET, no CSRF token), the answer form with the
standard answer it started from, and a standard answer of a plan.

The rules live in :mod:`app.consultations.inputs.workspace` and
:mod:`~app.consultations.inputs.standard_answers`; choice lists are filled by the view.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from wtforms import Form, HiddenField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length

from app.consultations.forms import NO_CHOICE
from app.consultations.inputs.answers import DECISIONS
from app.consultations.inputs.forms import PAGE_SIZES, YES_NO, AnswerForm, kind_choices
from app.consultations.inputs.services import CHANNELS, InputKind
from app.consultations.inputs.workspace import ANSWERED, EVERY, OPEN, Filters
from app.consultations.models import ConsultationTable
from app.forms import DomainForm, SelectField, optional_int
from app.plans.models import Theme
from app.terms import TERMS
from app.translate import lazy_gettext as _l
from app.translate import lazy_pgettext


class WorkspaceFilters(Form):
    """The workspace's filters, as GET parameters."""

    q = StringField(_l("Search in text and summary"), validators=[Length(max=200)])
    theme_id = SelectField(TERMS["theme"], choices=[])
    kind = SelectField(_l("Kind of input"), choices=[])
    table_id = SelectField(lazy_pgettext("meeting", "Table"), choices=[])
    late = SelectField(_l("Late"), choices=[])
    channel = SelectField(_l("Channel"), choices=[])
    #: a suggested group (shown when the consultation has groups)
    group_id = SelectField(_l("Group"), choices=[])
    status = SelectField(_l("Answered"), choices=[])
    per_page = SelectField(_l("Inputs per page"), choices=[])
    similar_to = HiddenField()

    def fill_choices(self, kinds: dict[str, InputKind], themes: Sequence[Theme],
                     tables: Sequence[ConsultationTable] = (),
                     groups: Sequence[tuple[int, str]] = ()) -> None:
        """``groups``: the consultation's suggested groups as (id, label)."""
        every = [(NO_CHOICE, _l("All"))]
        self.theme_id.choices = every + [(str(theme.id), theme.name) for theme in themes]
        self.kind.choices = every + kind_choices(kinds)
        self.table_id.choices = every + [(str(table.id), table.topic) for table in tables]
        self.late.choices = every + YES_NO
        self.channel.choices = every + list(CHANNELS.items())
        self.group_id.choices = [(NO_CHOICE, _l("All groups"))] + [
            (str(group_id), label) for group_id, label in groups]
        self.status.choices = [(NO_CHOICE, _l("Open")), (ANSWERED, _l("Answered")),
                               (EVERY, _l("All"))]
        self.per_page.choices = [(NO_CHOICE, str(PAGE_SIZES[0]))] + [
            (str(size), str(size)) for size in PAGE_SIZES[1:]]

    def active(self) -> dict[str, str]:
        """The filters chosen, with values from their lists only (others are ignored)."""
        chosen = {}
        for item in self:
            value = (item.data or "").strip()
            if not value:
                continue
            if item.name == "q":
                chosen["q"] = value[:200]
            elif item.name == "similar_to":
                if value.isdigit():
                    chosen["similar_to"] = value
            elif value in {str(code) for code, _label in item.choices}:
                chosen[item.name] = value
        return chosen

    @staticmethod
    def page_size(chosen: dict[str, str]) -> int:
        return int(chosen.get("per_page", PAGE_SIZES[0]))

    @staticmethod
    def to_filters(chosen: dict[str, str]) -> Filters:
        def number(name: str) -> int | None:
            return int(chosen[name]) if chosen.get(name, "").isdigit() else None

        return Filters(theme_id=number("theme_id"), kind=chosen.get("kind", ""),
                       table_id=number("table_id"), late=chosen.get("late", ""),
                       channel=chosen.get("channel", ""), status=chosen.get("status", OPEN),
                       q=chosen.get("q", ""), similar_to=number("similar_to"),
                       group_id=number("group_id"))


class WorkspaceAnswerForm(AnswerForm):
    """The answer form, remembering the standard answer its text started from."""

    standard_answer_id = HiddenField()

    def standard_id(self) -> int | None:
        value = (self.standard_answer_id.data or "").strip()
        return int(value) if value.isdigit() else None


class StandardAnswerForm(DomainForm):
    title = StringField(_l("Title"), validators=[
        DataRequired(_l("Enter a title.")), Length(max=200)])
    theme_id = SelectField(TERMS["theme"], coerce=optional_int, choices=[])
    text = TextAreaField(_l("Answer"), validators=[DataRequired(_l("Enter the answer."))])
    decision = SelectField(_l("Decision"), choices=list(DECISIONS.items()),
                           validators=[InputRequired(_l("Choose a decision."))])
    version = HiddenField()

    def fill_choices(self, themes: Sequence[Theme]) -> None:
        self.theme_id.choices = [(NO_CHOICE, _l("The whole plan"))] + [
            (theme.id, theme.name) for theme in themes]

    def values(self) -> dict[str, Any]:
        return {"title": self.title.data, "text": self.text.data,
                "decision": self.decision.data, "theme_id": self.theme_id.data}


class StandardActionForm(DomainForm):
    """Archiving, deleting or restoring a standard answer: a button with its version."""

    version = HiddenField()
