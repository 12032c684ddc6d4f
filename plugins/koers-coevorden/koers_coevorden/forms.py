"""Forms of the pillar pages."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from app.plugin_api import DomainForm, EuroField

from .translations import _l


class PillarForm(DomainForm):
    is_main = BooleanField(_l("This is the main pillar"))
    budget = EuroField(_l("Pillar budget"))
    version = HiddenField()


class IndicatorForm(FlaskForm):
    name = StringField(_l("Indicator"), validators=[InputRequired(_l("Enter a name.")),
                                                    Length(max=300)])
    baseline = StringField(_l("Baseline"), validators=[Optional(), Length(max=100)])
    target = StringField(_l("Target"), validators=[Optional(), Length(max=100)])
    current = StringField(_l("Current value"), validators=[Optional(), Length(max=100)])
    source = TextAreaField(_l("Source"), validators=[Optional(), Length(max=2000)])
