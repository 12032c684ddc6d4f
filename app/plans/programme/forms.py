"""Forms of the programme pages: themes, goals, actions, progress updates and involvement.

The rules live in :mod:`app.plans.programme.services`; these forms check per field what they
can (a title, an amount, the order of two dates), so every mistake shows at once beside its
field, and :meth:`~app.forms.DomainForm.add_error` places a service's refusal. The plan's
themes and goals are filled in by the view (:meth:`ActionForm.fill_choices`), which knows the
plan; stakeholders are chosen with the register's picker, which validates them itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from wtforms import HiddenField, IntegerField, StringField, TextAreaField
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from app.forms import DomainForm, EuroField, SelectField, date_field, optional_int, strip_text
from app.plans.labels import ROLES, STATUSES
from app.plans.models import Action, ActionStatus, Goal, InvolvementRole, Theme
from app.plans.programme.services import ActionData
from app.stakeholders.models import Kind
from app.stakeholders.picker import StakeholderPicker, name_and_kind
from app.terms import TERMS
from app.translate import lazy_gettext as _l

PERCENT = _l("Progress is a percentage from 0 to 100.")
NO_CHOICE = ""
#: How many stakeholders the trekker and partner choices offer (besides the chosen ones).
STAKEHOLDER_CHOICES = 200
#: How many search results the "involve a stakeholder" page offers at once.
SEARCH_RESULTS = 20


def _dates_in_order(form: Any, field: Any) -> None:
    start = form.start_date.data
    if start and field.data and field.data < start:
        raise ValidationError(_l("The end date lies before the start date."))


class ThemeForm(DomainForm):
    name = StringField(_l("Name"), filters=[strip_text],
                       validators=[DataRequired(_l("Enter a name.")), Length(max=200)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=5000)])
    version = HiddenField()


class GoalForm(DomainForm):
    title = StringField(_l("Title"), filters=[strip_text],
                        validators=[DataRequired(_l("Enter a title.")), Length(max=300)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=5000)])
    version = HiddenField()


def status_choices() -> list[tuple[str, str]]:
    return [(status.value, str(STATUSES[status])) for status in ActionStatus]


class ActionForm(DomainForm):
    title = StringField(_l("Title"), filters=[strip_text],
                        validators=[DataRequired(_l("Enter a title.")), Length(max=300)])
    theme_id = SelectField(TERMS["theme"], coerce=optional_int, choices=[])
    goal_id = SelectField(TERMS["goal"], coerce=optional_int, choices=[])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=5000)])
    # An erased trekker stays shown (as erased) so the service, not silence, refuses it.
    trekker_id = StakeholderPicker(_l("Trekker"), limit=STAKEHOLDER_CHOICES, keep_erased=True,
                                   refusal=_l("Choose a trekker from the register."))
    partner_ids = StakeholderPicker(_l("Partners"), multiple=True,
                                    kind=Kind.ORGANISATION.value, limit=STAKEHOLDER_CHOICES,
                                    refusal=_l("Partners are organisations from the register."))
    budget = EuroField(_l("Budget in euro"))
    start_date = date_field(_l("Start date"))
    end_date = date_field(_l("End date"), Optional(), _dates_in_order)
    status = SelectField(_l("Status"), choices=status_choices,
                         default=ActionStatus.PLANNED.value,
                         validators=[InputRequired(_l("Choose a status."))])
    progress = IntegerField(_l("Progress (%)"), default=0,
                            validators=[InputRequired(PERCENT), NumberRange(0, 100, PERCENT)])
    version = HiddenField()

    def fill_choices(self, themes: Sequence[Theme], goals: Sequence[Goal]) -> None:
        """The plan's themes and goals to choose from (the stakeholders are the pickers')."""
        by_theme = {theme.id: theme.name for theme in themes}
        none = str(_l("— none —"))
        self.theme_id.choices = [(NO_CHOICE, none)] + [(theme.id, theme.name)
                                                       for theme in themes]
        self.goal_id.choices = [(NO_CHOICE, none)] + [
            (goal.id, f"{by_theme.get(goal.theme_id, '')}: {goal.title}") for goal in goals]

    def to_data(self) -> ActionData:
        return ActionData(title=self.title.data, theme_id=self.theme_id.data,
                          goal_id=self.goal_id.data, description=self.description.data,
                          trekker_id=self.trekker_id.data,
                          partner_ids=list(self.partner_ids.data or []),
                          budget=self.budget.data, start_date=self.start_date.data,
                          end_date=self.end_date.data, status=self.status.data,
                          progress=self.progress.data)


def action_values(action: Action, partner_ids: list[int]) -> dict[str, Any]:
    """The stored action as the form's initial data."""
    values = {name: getattr(action, name) for name in (
        "title", "theme_id", "goal_id", "description", "trekker_id", "budget", "start_date",
        "end_date", "status", "progress")}
    values["description"] = values["description"] or ""
    values.update(partner_ids=partner_ids, version=str(action.version))
    return values


class ProgressForm(DomainForm):
    reported_on = date_field(_l("Date"), InputRequired(_l("Enter a date.")))
    progress = IntegerField(_l("Progress (%)"),
                            validators=[InputRequired(PERCENT), NumberRange(0, 100, PERCENT)])
    note = TextAreaField(_l("What happened"), validators=[Optional(), Length(max=5000)])


def role_choices() -> list[tuple[str, str]]:
    return [(NO_CHOICE, str(_l("Choose a role")))] + [
        (role.value, str(ROLES[role])) for role in InvolvementRole]


class InvolvementForm(DomainForm):
    stakeholder_id = StakeholderPicker(
        _l("Stakeholder"), [InputRequired(_l("Choose a stakeholder."))], search="q",
        limit=SEARCH_RESULTS, describe=name_and_kind,
        refusal=_l("Choose a stakeholder from the list."))
    role = SelectField(_l("Role"), choices=role_choices,
                       validators=[InputRequired(_l("Choose a role."))])
    theme_id = SelectField(TERMS["theme"], coerce=optional_int, choices=[])
    start_date = date_field(_l("Start date"))
    end_date = date_field(_l("End date"), Optional(), _dates_in_order)
    note = StringField(_l("Note"), validators=[Optional(), Length(max=300)])

    def fill_themes(self, themes: Sequence[Theme]) -> None:
        self.theme_id.choices = [(NO_CHOICE, str(_l("The whole plan")))] + [
            (theme.id, theme.name) for theme in themes]
