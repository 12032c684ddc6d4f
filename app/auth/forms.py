from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    EmailField,
    HiddenField,
    PasswordField,
    RadioField,
    StringField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Email, EqualTo, InputRequired, Length

from app.auth.passwords import MIN_LENGTH
from app.forms import DomainForm, SelectField
from app.translate import lazy_gettext as _l


def role_choices() -> list[SelectChoice]:
    return [
        SelectChoice("viewer", str(_l("Viewer — reads everything"))),
        SelectChoice("editor", str(_l("Editor — also changes plans, stakeholders and input"))),
        SelectChoice("admin", str(_l("Administrator — also manages accounts and the instance"))),
    ]


def language_choices() -> list[SelectChoice]:
    return [SelectChoice("nl", "Nederlands", render_kw={"lang": "nl"}),
            SelectChoice("en", "English", render_kw={"lang": "en"})]


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mail address"), validators=[
        InputRequired(_l("Enter your e-mail address.")), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[
        InputRequired(_l("Enter your password.")), Length(max=1024)])


class ChangePasswordForm(DomainForm):
    current = PasswordField(_l("Current password"), validators=[
        InputRequired(_l("Enter your current password."))])
    password = PasswordField(_l("New password"), validators=[
        InputRequired(_l("Enter a new password.")),
        Length(min=MIN_LENGTH, max=1024,
               message=_l("Use at least %(count)d characters.", count=MIN_LENGTH))])
    confirm = PasswordField(_l("Repeat the new password"), validators=[
        InputRequired(_l("Repeat the new password.")),
        EqualTo("password", _l("The two passwords differ."))])


class LanguageForm(FlaskForm):
    locale = RadioField(_l("Language"), choices=language_choices(),
                        validators=[InputRequired(_l("Choose a language."))])


class UserForm(DomainForm):
    name = StringField(_l("Name"), validators=[InputRequired(_l("Enter a name.")),
                                               Length(max=200)])
    email = EmailField(_l("E-mail address"), validators=[
        InputRequired(_l("Enter an e-mail address.")),
        Email(_l("Enter a valid e-mail address."), check_deliverability=False),
        Length(max=254)])
    role = SelectField(_l("Role"), choices=role_choices,
                       validators=[InputRequired(_l("Choose a role."))])
    version = HiddenField()
