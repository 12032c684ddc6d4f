"""Forms of the regenboogmodel pages. Field checks here; the rules in services.py."""

from __future__ import annotations

import re
from typing import Any

from wtforms import HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from app.plugin_api import DomainForm, EuroField, MultiCheckboxField

from . import services
from .models import CHOICES
from .translations import _l

HEX_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")


def _optional_int(value: Any) -> int | None:
    if value in (None, "", "None"):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class ProvisionForm(DomainForm):
    name = StringField(_l("Name"), validators=[InputRequired(_l("Enter a name.")),
                                               Length(max=200)])
    layer_id = SelectField(_l("Layer"), coerce=_optional_int,
                           validators=[InputRequired(_l("Choose a layer."))])
    choice = SelectField(_l("Choice in the koers"), validators=[InputRequired()])
    rationale = TextAreaField(_l("Rationale for the choice"),
                              validators=[Optional(), Length(max=5000)])
    provider_id = SelectField(_l("Provider"), coerce=_optional_int, validate_choice=False)
    target_group = StringField(_l("Target group"), validators=[Optional(), Length(max=200)])
    reach = IntegerField(_l("Reach (residents per year)"), validators=[
        Optional(), NumberRange(min=0, message=_l("Enter a number of 0 or more."))])
    yearly_budget = EuroField(_l("Yearly budget"))
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=5000)])
    themes = MultiCheckboxField(_l("Themes"), coerce=int, validate_choice=False)
    goals = MultiCheckboxField(_l("Goals"), coerce=int, validate_choice=False)
    version = HiddenField()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.layer_id.choices = [(layer.id, layer.name) for layer in services.layers()]
        self.choice.choices = [(code, str(services.CHOICE_LABELS[code])) for code in CHOICES]
        self.provider_id.choices = [(None, str(_l("— none —")))] + [
            (org.id, org.name) for org in services.provider_options()]
        self.themes.choices = [(theme.id, f"{theme.name} ({title})")
                               for theme, title in services.theme_options()]
        self.goals.choices = [(goal.id, f"{goal.title} ({where})")
                              for goal, where in services.goal_options()]

    def validate_provider_id(self, field: Any) -> None:
        if field.data is not None and field.data not in {c[0] for c in field.choices}:
            raise ValidationError(_l("Choose an organisation from the list."))

    def to_data(self) -> services.ProvisionData:
        return services.ProvisionData(
            name=self.name.data or "", layer_id=self.layer_id.data or 0,
            choice=self.choice.data or "", description=self.description.data,
            provider_id=self.provider_id.data, target_group=self.target_group.data,
            reach=self.reach.data, yearly_budget=self.yearly_budget.data,
            rationale=self.rationale.data, theme_ids=list(self.themes.data or []),
            goal_ids=list(self.goals.data or []))


class LayerForm(DomainForm):
    name = StringField(_l("Name"), validators=[InputRequired(_l("Enter a name.")),
                                               Length(max=120)])
    colour = StringField(_l("Colour"), validators=[InputRequired(_l("Enter a colour."))],
                         render_kw={"type": "color"})
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=2000)])
    position = IntegerField(_l("Position (1 is innermost)"), validators=[
        InputRequired(_l("Enter a position.")),
        NumberRange(min=1, max=20, message=_l("Enter a position from 1 to 20."))])
    version = HiddenField()

    def validate_colour(self, field: Any) -> None:
        if not HEX_COLOUR.match(field.data or ""):
            raise ValidationError(_l("Enter a colour as #rrggbb, for example #fdf3c4."))
