"""Forms of the plan pages: the plan itself, a section of its text, and a workflow step whose
fields come from the workflow's declaration. The rules live in the services; the forms check
per field what they can, so every mistake shows at once beside its field."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from wtforms import HiddenField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from app.auth.models import User
from app.database import db
from app.forms import DomainForm, MultiCheckboxField, SelectField, date_field, optional_int
from app.plans import services
from app.plans.models import Plan, Theme
from app.stakeholders.models import Stakeholder, StakeholderCategory
from app.translate import lazy_gettext as _l
from app.workflow import Transition

#: How many plans the parent choice offers (newest first beyond that is searchable later).
PARENT_CHOICES = 300
SPONSOR_CATEGORIES = ("wethouder", "raadslid", "medewerker")


class PlanForm(DomainForm):
    title = StringField(_l("Title"), validators=[InputRequired(_l("Enter a title.")),
                                                 Length(max=200)])
    kind = SelectField(_l("Kind of plan"), validators=[InputRequired(_l("Choose a kind of "
                                                                        "plan."))])
    summary = TextAreaField(_l("Summary"), validators=[Optional(), Length(max=5000)])
    laws = MultiCheckboxField(_l("Laws covered"))
    period_start = date_field(_l("Start of the period"))
    period_end = date_field(_l("End of the period"))
    owner_id = SelectField(_l("Owner (policy adviser)"), coerce=optional_int,
                           validate_choice=False)
    sponsor_id = SelectField(_l("Opdrachtgever"), coerce=optional_int, validate_choice=False)
    parent = SelectField(_l("Part of"), validate_choice=False)
    version = HiddenField()

    def __init__(self, *args: Any, plan: Plan | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.plan = plan
        self.kind.choices = [(code, str(kind.label)) for code, kind in services.kinds().items()]
        self.laws.choices = [(code, str(label)) for code, label in services.LAW_LABELS.items()]
        none = ("", str(_l("— none —")))
        users = db.session.execute(select(User.id, User.name).where(User.active.is_(True))
                                   .order_by(User.name)).all()
        self.owner_id.choices = [none, *[(str(uid), name) for uid, name in users]]
        sponsors = db.session.execute(
            select(Stakeholder.id, Stakeholder.name).where(
                Stakeholder.anonymised_at.is_(None), Stakeholder.archived.is_(False),
                Stakeholder.id.in_(select(StakeholderCategory.stakeholder_id).where(
                    StakeholderCategory.code.in_(SPONSOR_CATEGORIES))))
            .order_by(Stakeholder.sort_name).limit(200)).all()
        choices = [(str(sid), name) for sid, name in sponsors]
        if plan is not None and plan.sponsor_id and str(plan.sponsor_id) not in dict(choices):
            current = db.session.get(Stakeholder, plan.sponsor_id)
            if current is not None and not current.is_erased:
                choices.insert(0, (str(current.id), current.name))
        self.sponsor_id.choices = [none, *choices]
        self.parent.choices = [none, *parent_choices(plan)]

    def parent_ids(self) -> tuple[int | None, int | None]:
        """(parent plan, parent theme) from the combined choice "plan" or "plan:theme"."""
        value = (self.parent.data or "").strip()
        if not value:
            return None, None
        plan_part, _, theme_part = value.partition(":")
        if not plan_part.isdigit() or (theme_part and not theme_part.isdigit()):
            return None, None
        return int(plan_part), int(theme_part) if theme_part else None

    def to_data(self) -> services.PlanData:
        parent_id, parent_theme_id = self.parent_ids()
        return services.PlanData(
            title=self.title.data or "", kind=self.kind.data or "", summary=self.summary.data,
            laws=list(self.laws.data or []), period_start=self.period_start.data,
            period_end=self.period_end.data, owner_id=self.owner_id.data,
            sponsor_id=self.sponsor_id.data, parent_id=parent_id,
            parent_theme_id=parent_theme_id)


def parent_choices(plan: Plan | None) -> list[tuple[str, str]]:
    """Each possible parent plan, and under it each of its themes: one uitvoeringsprogramma
    works out one theme of a framework. Two queries."""
    query = select(Plan.id, Plan.title).where(Plan.archived.is_(False))
    if plan is not None:
        query = query.where(Plan.id != plan.id)
    plans = db.session.execute(query.order_by(Plan.sort_title).limit(PARENT_CHOICES)).all()
    themes: dict[int, list[tuple[int, str]]] = {}
    for theme_id, plan_id, name in db.session.execute(
            select(Theme.id, Theme.plan_id, Theme.name)
            .where(Theme.plan_id.in_([plan_id for plan_id, _title in plans]))
            .order_by(Theme.position, Theme.id)):
        themes.setdefault(plan_id, []).append((theme_id, name))
    choices = []
    for plan_id, title in plans:
        choices.append((str(plan_id), title))
        choices += [(f"{plan_id}:{theme_id}", f"{title} — {name}")
                    for theme_id, name in themes.get(plan_id, [])]
    return choices


def plan_form_values(plan: Plan) -> dict[str, Any]:
    parent = ""
    if plan.parent_id:
        parent = str(plan.parent_id) + (f":{plan.parent_theme_id}" if plan.parent_theme_id
                                        else "")
    return {"title": plan.title, "kind": plan.kind, "summary": plan.summary or "",
            "laws": plan.law_codes, "period_start": plan.period_start,
            "period_end": plan.period_end, "owner_id": plan.owner_id,
            "sponsor_id": plan.sponsor_id, "parent": parent, "version": str(plan.version)}


class SectionForm(DomainForm):
    title = StringField(_l("Heading"), validators=[InputRequired(_l("Enter a title.")),
                                                   Length(max=200)])
    body = TextAreaField(_l("Text"), validators=[Optional(), Length(max=100_000)],
                         render_kw={"rows": 16})
    version = HiddenField()


def step_form(transition: Transition, formdata: Any = None) -> DomainForm:
    """A form with the fields ``transition`` declares (dates, texts), built per request."""

    class StepForm(DomainForm):
        pass

    for declared in transition.fields:
        validators = [Optional()]
        if declared.kind == "date":
            field = date_field(declared.label, *validators)
        elif declared.kind == "textarea":
            field = TextAreaField(declared.label, validators=[*validators, Length(max=5000)])
        else:
            field = StringField(declared.label, validators=[*validators, Length(max=300)])
        setattr(StepForm, declared.name, field)
    return StepForm(formdata=formdata) if formdata is not None else StepForm()
