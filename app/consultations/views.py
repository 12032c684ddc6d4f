"""Pages of consultations: a plan's consultations (a tab of the plan), a new consultation, a
meeting or comment period with its tables and registrations, and a meeting as an iCalendar
file.

Views are thin: a form validates, one service acts, then commit, flash and redirect. A refusal
of the service (:class:`~app.errors.DomainError`) is shown beside its field with status 400. A
read-only plan answers every editing route with 409 and the reason.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import (
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import aliased, lazyload

from app.consultations import calendar, services
from app.consultations.blueprint import bp
from app.consultations.conflicts import versions_value
from app.consultations.forms import ConsultationForm, RegistrationForm, TableForm
from app.consultations.models import Consultation, ConsultationTable, Input, Registration
from app.consultations.periods import DayOff
from app.database import db
from app.errors import DomainError
from app.labels import label as code_label
from app.permissions import Permission, has_permission, require
from app.plans import services as plans
from app.plans.models import Plan, Theme
from app.plans.pages import page_context, plan_or_404, read_only_page, read_only_reason
from app.stakeholders import services as register
from app.stakeholders.models import Kind, Stakeholder

TAB = "consultations.for_plan"
#: How many stakeholders the organiser and facilitator choices offer.
STAKEHOLDER_CHOICES = 200
#: How many search results the registration form offers at once.
SEARCH_RESULTS = 20
#: How many consultations the tab lists (a plan has a handful; the bound keeps it cheap).
LISTED = 500
#: A stakeholder's related rows that no page here shows: never load them.
BARE = (lazyload(Stakeholder.categories), lazyload(Stakeholder.tags))

#: Why a day could not be the last day of a comment period, in words.
DAY_OFF_LABELS: dict[str, Any] = {
    DayOff.SATURDAY: _l("Saturday"),
    DayOff.SUNDAY: _l("Sunday"),
    DayOff.NEW_YEAR: _l("New Year's Day"),
    DayOff.GOOD_FRIDAY: _l("Good Friday"),
    DayOff.EASTER_MONDAY: _l("Easter Monday"),
    DayOff.KINGS_DAY: _l("King's Day"),
    DayOff.LIBERATION_DAY: _l("Liberation Day (5 May)"),
    DayOff.ASCENSION_DAY: _l("Ascension Day"),
    DayOff.WHIT_MONDAY: _l("Whit Monday"),
    DayOff.CHRISTMAS_DAY: _l("Christmas Day"),
    DayOff.BOXING_DAY: _l("Boxing Day"),
    DayOff.DECREED: _l("made equal to a holiday by royal decree"),
}


# --- helpers --------------------------------------------------------------------------------

def _page(template: str, plan: Plan, *, status: int = 200, **context: Any):
    return render_template(template, **page_context(plan, TAB),
                           display_name=register.display_name, **context), status


def _consultation_or_404(consultation_id: int) -> tuple[Consultation, Plan]:
    consultation = db.session.get(Consultation, consultation_id)
    if consultation is None:
        abort(404)
    return consultation, plan_or_404(consultation.plan_id)


def _timezone() -> str:
    return current_app.config["KOERS_MUNICIPALITY"].timezone


def _format_label(code: str) -> str:
    known = services.formats().get(code)
    return str(known.label) if known is not None else code


def _organisations() -> list[Stakeholder]:
    """Non-archived, non-erased organisations, by name (list_query leaves the others out)."""
    return list(db.session.scalars(register.list_query(
        register.Filters(kind=Kind.ORGANISATION)).options(*BARE).limit(STAKEHOLDER_CHOICES)))


def _day_off_label(code: str) -> str:
    found = DAY_OFF_LABELS.get(code)
    return str(found) if found is not None else code


# --- the tab --------------------------------------------------------------------------------

@bp.route("/plan/<int:plan_id>")
@require(Permission.VIEW)
def for_plan(plan_id: int) -> Any:
    plan = plan_or_404(plan_id)
    consultations = db.session.scalars(
        select(Consultation).where(Consultation.plan_id == plan.id)
        .order_by(Consultation.starts_at.is_(None), Consultation.starts_at,
                  Consultation.published_on, Consultation.id).limit(LISTED)).all()
    ids = [consultation.id for consultation in consultations]
    counts: dict[int, int] = dict(db.session.execute(
        select(Input.consultation_id, func.count()).where(Input.consultation_id.in_(ids))
        .group_by(Input.consultation_id)).all()) if ids else {}
    known = services.formats()
    labels = {consultation.format: str(known[consultation.format].label)
              if consultation.format in known else consultation.format
              for consultation in consultations}
    return _page("consultations/for_plan.html", plan, consultations=consultations,
                 counts=counts, format_labels=labels)


# --- a new consultation ---------------------------------------------------------------------

@bp.route("/plan/<int:plan_id>/new", methods=["GET", "POST"])
@require(Permission.EDIT)
def create(plan_id: int) -> Any:
    plan = plan_or_404(plan_id)
    if (refused := read_only_page(plan, TAB)) is not None:
        return refused
    form = ConsultationForm()
    formats = services.formats()
    form.fill_choices(formats, _organisations(), services.ANNOUNCEMENTS, register.display_name)
    if request.method == "GET" and request.args.get("format") in formats:
        form.format.data = request.args["format"]  # a link that knows what is planned
    if form.validate_on_submit():
        try:
            consultation = services.create_consultation(plan, form.to_data(_timezone()))
        except DomainError as error:
            db.session.rollback()
            form.add_error(error)
        else:
            db.session.commit()
            flash(_("The consultation %(title)s was added.", title=consultation.title),
                  "success")
            return redirect(url_for("consultations.show", consultation_id=consultation.id))
    status = 400 if request.method == "POST" else 200
    return _page("consultations/form.html", plan, status=status, form=form,
                 comment_period_formats=[code for code, item in services.formats().items()
                                         if item.comment_period])


# --- one consultation -----------------------------------------------------------------------

def _table_form(plan: Plan) -> tuple[TableForm, list[Theme]]:
    form = TableForm()
    themes = plans.themes_of(plan)
    stakeholders = list(db.session.scalars(register.list_query(register.Filters())
                                           .options(*BARE).limit(STAKEHOLDER_CHOICES)))
    form.fill_choices(stakeholders, themes, register.display_name)
    return form, themes


def _registration_form(search: str, chosen: Stakeholder | None = None) -> RegistrationForm:
    form = RegistrationForm()
    found = list(db.session.scalars(register.list_query(register.Filters(q=search))
                                    .options(*BARE).limit(SEARCH_RESULTS)))
    if chosen is not None and not chosen.is_erased and chosen not in found:
        found.insert(0, chosen)
    form.stakeholder_id.choices = [
        (item.id, f"{register.display_name(item)} ({code_label('kind', item.kind)})")
        for item in found]
    return form


def _show(consultation: Consultation, plan: Plan, *, status: int = 200,
          table_form: TableForm | None = None,
          registration_form: RegistrationForm | None = None) -> Any:
    editing = has_permission(current_user, Permission.EDIT) and read_only_reason(plan) is None
    facilitator = aliased(Stakeholder)
    tables = db.session.execute(
        select(ConsultationTable, facilitator, Theme)
        .outerjoin(facilitator, facilitator.id == ConsultationTable.facilitator_id)
        .outerjoin(Theme, Theme.id == ConsultationTable.theme_id)
        .where(ConsultationTable.consultation_id == consultation.id)
        .options(lazyload(facilitator.categories), lazyload(facilitator.tags))
        .order_by(ConsultationTable.position, ConsultationTable.id)).all()
    registrations = db.session.execute(
        select(Registration, Stakeholder)
        .join(Stakeholder, Stakeholder.id == Registration.stakeholder_id)
        .where(Registration.consultation_id == consultation.id).options(*BARE)
        .order_by(Stakeholder.sort_name, Stakeholder.id)).all()
    organiser = db.session.get(Stakeholder, consultation.organiser_id, options=list(BARE)) \
        if consultation.organiser_id else None
    search = request.values.get("q", "").strip()[:200]
    if editing and not consultation.is_comment_period:
        if table_form is None:
            table_form = _table_form(plan)[0]
        if registration_form is None:
            registration_form = _registration_form(search)
    extensions = [{"day": datetime.fromisoformat(item["day"]).date(),
                   "reason": _day_off_label(item["reason"])}
                  for item in (consultation.computation or {}).get("extensions", [])]
    nominal = (consultation.computation or {}).get("nominal_last_day")
    channels = [str(services.ANNOUNCEMENTS.get(code, code)) for code in consultation.channels]
    return _page("consultations/show.html", plan, status=status, consultation=consultation,
                 format_label=_format_label(consultation.format), organiser=organiser,
                 channels=channels, tables=tables, registrations=registrations,
                 attendance_versions=versions_value(row[0] for row in registrations),
                 table_form=table_form, registration_form=registration_form, search=search,
                 search_limit=SEARCH_RESULTS, extensions=extensions,
                 nominal_last_day=datetime.fromisoformat(nominal).date() if nominal else None)


@bp.route("/<int:consultation_id>")
@require(Permission.VIEW)
def show(consultation_id: int) -> Any:
    consultation, plan = _consultation_or_404(consultation_id)
    return _show(consultation, plan)


@bp.route("/<int:consultation_id>/tables", methods=["POST"])
@require(Permission.EDIT)
def add_table(consultation_id: int) -> Any:
    consultation, plan = _consultation_or_404(consultation_id)
    if (refused := read_only_page(plan, TAB)) is not None:
        return refused
    form, themes = _table_form(plan)
    if form.validate_on_submit():
        facilitator = None
        if form.facilitator_id.data is not None:
            facilitator = db.session.get(Stakeholder, form.facilitator_id.data)
        theme = next((item for item in themes if item.id == form.theme_id.data), None)
        if facilitator is not None and (facilitator.is_erased or facilitator.archived):
            form.facilitator_id.errors = [_("Choose a facilitator from the list.")]
        else:
            try:
                services.add_table(consultation, form.topic.data, facilitator=facilitator,
                                   theme=theme)
            except DomainError as error:
                db.session.rollback()
                form.add_error(error)
            else:
                db.session.commit()
                flash(_("The table %(topic)s was added.", topic=form.topic.data), "success")
                return redirect(url_for("consultations.show", consultation_id=consultation.id,
                                        _anchor="tables"))
    return _show(consultation, plan, status=400, table_form=form)


@bp.route("/<int:consultation_id>/registrations", methods=["POST"], endpoint="register")
@require(Permission.EDIT)
def register_participant(consultation_id: int) -> Any:
    consultation, plan = _consultation_or_404(consultation_id)
    if (refused := read_only_page(plan, TAB)) is not None:
        return refused
    raw = request.form.get("stakeholder_id", "")
    chosen = db.session.get(Stakeholder, int(raw)) if raw.isdigit() else None
    form = _registration_form(request.form.get("q", "").strip()[:200], chosen)
    if form.validate_on_submit():
        if chosen is None or chosen.is_erased:
            form.stakeholder_id.errors = [_("Choose a participant from the list.")]
        else:
            try:
                services.register_participant(consultation, chosen,
                                              attended=bool(form.attended.data))
            except DomainError as error:
                db.session.rollback()
                form.add_error(error)
            else:
                db.session.commit()
                flash(_("%(name)s is registered.", name=register.display_name(chosen)),
                      "success")
                return redirect(url_for("consultations.show", consultation_id=consultation.id,
                                        _anchor="registrations"))
    return _show(consultation, plan, status=400, registration_form=form)


@bp.route("/<int:consultation_id>.ics")
@require(Permission.VIEW)
def ical(consultation_id: int) -> Any:
    consultation, _plan = _consultation_or_404(consultation_id)
    if consultation.is_comment_period or consultation.starts_at is None:
        abort(404)
    ics = calendar.new_calendar()
    ics.add_component(calendar.meeting_event(
        consultation, host=request.host.split(":")[0], description=consultation.description,
        url=url_for("consultations.show", consultation_id=consultation.id, _external=True)))
    response = make_response(ics.to_ical())
    response.headers["Content-Type"] = "text/calendar; charset=utf-8"
    response.headers["Content-Disposition"] = (
        f'attachment; filename="consultation-{consultation.id}.ics"')
    return response


@bp.route("/plan/<int:plan_id>/coverage")
@require(Permission.VIEW)
def coverage(plan_id: int) -> Any:
    """Per theme, who was heard (inputs per participant group); per consultation, what is
    still open."""
    plan = plan_or_404(plan_id)
    figures = services.coverage(plan)
    themes = db.session.scalars(select(Theme).where(Theme.plan_id == plan.id)
                                .order_by(Theme.position, Theme.id)).all()
    consultations = db.session.scalars(select(Consultation).where(
        Consultation.plan_id == plan.id).order_by(Consultation.id)).all()
    return _page("consultations/coverage.html", plan, figures=figures, themes=themes,
                 consultations=consultations, groups=services.GROUPS,
                 format_label=_format_label)
