"""Pages of meetings and comment periods: a plan's consultations (a tab of the plan), a new
consultation and changing or deleting one, a meeting's tables, registrations and attendance,
the kennisgeving of a comment period, and a meeting as an iCalendar file.

Views are thin: a form validates, one service acts inside :func:`~app.edits.form_errors`
(commit, or the refusal beside its field with status 400, or the conflict page with 409).
Every editing route loads its consultation with ``editing=True``: a read-only plan answers
409 and the reason.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import abort, current_app, flash, make_response, redirect, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import aliased, lazyload

from app.consultations import calendar, notice, services
from app.consultations.blueprint import bp
from app.consultations.forms import (
    BulkRegistrationForm,
    ConsultationEditForm,
    ConsultationForm,
    NoticeForm,
    RegistrationForm,
    TableEditForm,
    TableForm,
    consultation_values,
)
from app.consultations.inputs import services as input_services
from app.consultations.models import Consultation, ConsultationTable, Registration
from app.consultations.pages import (
    TAB,
    conflict,
    consultation_or_404,
    form_status,
    name_of,
    page,
    record_or_404,
)
from app.consultations.periods import DayOff
from app.database import db
from app.edits import (
    current_actor,
    form_errors,
    posted_ids,
    posted_version,
    posted_versions,
    versions_value,
)
from app.errors import DomainError
from app.forms import ConfirmForm, DomainForm
from app.labels import field_label
from app.permissions import Permission, has_permission, require
from app.plans.models import Plan, Theme
from app.plans.pages import plan_or_404
from app.plans.programme import services as programme
from app.plans.rules import read_only_reason
from app.stakeholders import services as register
from app.stakeholders.models import Stakeholder
from app.stakeholders.services import BARE
from app.translate import gettext as _
from app.translate import lazy_gettext as _l

#: How many consultations the tab lists (a plan has a handful; the bound keeps it cheap).
LISTED = 500

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

bp.record_once(lambda state: state.app.jinja_env.globals.update(
    notice_mentions_last_day=notice.mentions_last_day))


# --- helpers --------------------------------------------------------------------------------

def _timezone() -> str:
    return current_app.config["KOERS_MUNICIPALITY"].timezone


def format_label(code: str) -> str:
    known = services.formats().get(code)
    return str(known.label) if known is not None else code


def _day_off_label(code: str) -> str:
    found = DAY_OFF_LABELS.get(code)
    return str(found) if found is not None else code


def _show_url(consultation: Consultation, anchor: str | None = None) -> str:
    return url_for("consultations.show", consultation_id=consultation.id, _anchor=anchor)


def _confirmed() -> None:
    """A button-only form: refused (400) without a valid CSRF token."""
    if not ConfirmForm().validate_on_submit():
        abort(400)


# --- the tab and a new consultation ---------------------------------------------------------

@bp.route("/plan/<int:plan_id>")
@require(Permission.VIEW)
def for_plan(plan_id: int) -> Any:
    plan = plan_or_404(plan_id)
    consultations = services.consultations_of(plan, limit=LISTED)
    counts = input_services.input_counts(consultations)
    labels = {consultation.format: format_label(consultation.format)
              for consultation in consultations}
    return page("consultations/for_plan.html", plan, consultations=consultations,
                counts=counts, format_labels=labels)


@bp.route("/plan/<int:plan_id>/new", methods=["GET", "POST"])
@require(Permission.EDIT)
def create(plan_id: int) -> Any:
    plan = plan_or_404(plan_id, editing=True, tab=TAB)
    form = ConsultationForm()
    formats = services.formats()
    form.fill_choices(formats, services.ANNOUNCEMENTS)
    if request.method == "GET" and request.args.get("format") in formats:
        form.format.data = request.args["format"]  # a link that knows what is planned
    if form.validate_on_submit():
        with form_errors(form) as saved:
            consultation = services.create_consultation(plan, form.to_data(_timezone()),
                                                        actor=current_actor())
        if saved:
            flash(_("The consultation %(title)s was added.", title=consultation.title),
                  "success")
            return redirect(_show_url(consultation))
    return page("consultations/form.html", plan, status=form_status(), form=form,
                comment_period_formats=[code for code, item in formats.items()
                                        if item.comment_period])


# --- one consultation -----------------------------------------------------------------------

def _table_form(plan: Plan) -> tuple[TableForm, list[Theme]]:
    form = TableForm()
    themes = programme.themes_of(plan)
    form.fill_choices(themes)
    return form, themes


def _period_figures(consultation: Consultation) -> dict[str, Any]:
    """How a comment period's last day was reached: the nominal day and the extensions."""
    computation = consultation.computation or {}
    nominal = computation.get("nominal_last_day")
    return {"extensions": [{"day": datetime.fromisoformat(item["day"]).date(),
                            "reason": _day_off_label(item["reason"])}
                           for item in computation.get("extensions", [])],
            "nominal_last_day": datetime.fromisoformat(nominal).date() if nominal else None}


def _show(consultation: Consultation, plan: Plan, *, status: int = 200,
          table_form: TableForm | None = None,
          registration_form: RegistrationForm | BulkRegistrationForm | None = None) -> Any:
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
    if editing and not consultation.is_comment_period:
        table_form = table_form or _table_form(plan)[0]
        registration_form = registration_form or _bulk_form()
    channels = [str(services.ANNOUNCEMENTS.get(code, code)) for code in consultation.channels]
    return page("consultations/show.html", plan, status=status, consultation=consultation,
                format_label=format_label(consultation.format), organiser=organiser,
                channels=channels, tables=tables, registrations=registrations,
                attendance_versions=versions_value(row[0] for row in registrations),
                table_form=table_form, registration_form=registration_form,
                **_period_figures(consultation))


@bp.route("/<int:consultation_id>")
@require(Permission.VIEW)
def show(consultation_id: int) -> Any:
    return _show(*consultation_or_404(consultation_id))


@bp.route("/<int:consultation_id>/edit", methods=["GET", "POST"])
@require(Permission.EDIT)
def edit(consultation_id: int) -> Any:
    consultation, plan = consultation_or_404(consultation_id, editing=True)
    form = ConsultationEditForm(data=consultation_values(consultation, _timezone()))
    form.fill_choices({}, services.ANNOUNCEMENTS)
    if form.validate_on_submit():
        version = posted_version()
        submitted = form.to_data(_timezone())
        submitted.format = consultation.format
        with form_errors(form, conflict=lambda: conflict(plan, lambda: [
                (field_label(name), getattr(consultation, name), getattr(submitted, name))
                for name in ("title", "description", "location", "published_on",
                             "legal_basis")], record=consultation, form=form)) as saved:
            services.update_consultation(consultation, submitted, expected_version=version,
                                         actor=current_actor())
        if saved:
            flash(_("The changes to %(title)s have been saved.", title=consultation.title),
                  "success")
            return redirect(_show_url(consultation))
    return page("consultations/edit.html", plan, status=form_status(), form=form,
                consultation=consultation)


@bp.route("/<int:consultation_id>/delete", methods=["POST"])
@require(Permission.EDIT)
def delete(consultation_id: int) -> Any:
    consultation, plan = consultation_or_404(consultation_id, editing=True)
    _confirmed()
    title = consultation.title
    deleted = services.delete_or_archive(consultation, actor=current_actor())
    db.session.commit()
    if deleted:
        flash(_("%(title)s has been deleted.", title=title), "success")
        return redirect(url_for("consultations.for_plan", plan_id=plan.id))
    flash(_("%(title)s has input or answers that others depend on, so it has been archived "
            "instead of deleted.", title=title), "info")
    return redirect(_show_url(consultation))


@bp.route("/<int:consultation_id>.ics")
@require(Permission.VIEW)
def ical(consultation_id: int) -> Any:
    consultation, _plan = consultation_or_404(consultation_id)
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


# --- tables ---------------------------------------------------------------------------------

@bp.route("/<int:consultation_id>/tables", methods=["POST"])
@require(Permission.EDIT)
def add_table(consultation_id: int) -> Any:
    consultation, plan = consultation_or_404(consultation_id, editing=True)
    form, themes = _table_form(plan)
    if form.validate_on_submit():
        theme = next((item for item in themes if item.id == form.theme_id.data), None)
        with form_errors(form) as saved:
            services.add_table(consultation, form.topic.data, facilitator=form.facilitator,
                               theme=theme, actor=current_actor())
        if saved:
            flash(_("The table %(topic)s was added.", topic=form.topic.data), "success")
            return redirect(_show_url(consultation, "tables"))
    return _show(consultation, plan, status=400, table_form=form)


def _theme_name(theme_id: int | None) -> str | None:
    theme = db.session.get(Theme, theme_id) if theme_id else None
    return theme.name if theme is not None else None


@bp.route("/tables/<int:table_id>/edit", methods=["GET", "POST"])
@require(Permission.EDIT)
def edit_table(table_id: int) -> Any:
    table, consultation, plan = record_or_404(ConsultationTable, table_id, editing=True)
    form = TableEditForm(data={"topic": table.topic, "facilitator_id": table.facilitator_id,
                               "theme_id": table.theme_id, "version": str(table.version)})
    themes = programme.themes_of(plan)
    form.fill_choices(themes)
    if form.validate_on_submit():
        version = posted_version()
        facilitator = form.facilitator
        theme = next((item for item in themes if item.id == form.theme_id.data), None)
        with form_errors(form, conflict=lambda: conflict(plan, lambda: [
                (field_label("topic"), table.topic, form.topic.data),
                (field_label("facilitator"), name_of(table.facilitator_id),
                 name_of(facilitator.id if facilitator else None)),
                (field_label("theme"), _theme_name(table.theme_id),
                 theme.name if theme else None)], record=table, form=form)) as saved:
            services.update_table(table, form.topic.data, facilitator=facilitator, theme=theme,
                                  expected_version=version, actor=current_actor())
        if saved:
            flash(_("The table %(topic)s has been saved.", topic=table.topic), "success")
            return redirect(_show_url(consultation, "tables"))
    return page("consultations/table_form.html", plan, status=form_status(), form=form,
                table=table, consultation=consultation)


@bp.route("/tables/<int:table_id>/delete", methods=["POST"])
@require(Permission.EDIT)
def delete_table(table_id: int) -> Any:
    table, consultation, _plan = record_or_404(ConsultationTable, table_id, editing=True)
    _confirmed()
    topic = table.topic
    try:
        services.remove_table(table, actor=current_actor())
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(_("The table %(topic)s has been removed.", topic=topic), "success")
    return redirect(_show_url(consultation, "tables"))


# --- registrations --------------------------------------------------------------------------

@bp.route("/<int:consultation_id>/registrations", methods=["POST"], endpoint="register")
@require(Permission.EDIT)
def register_participant(consultation_id: int) -> Any:
    consultation, plan = consultation_or_404(consultation_id, editing=True)
    form = RegistrationForm()
    if form.validate_on_submit():
        chosen = form.stakeholder_id.chosen[0]
        with form_errors(form) as saved:
            services.register_participant(consultation, chosen,
                                          attended=bool(form.attended.data),
                                          actor=current_actor())
        if saved:
            flash(_("%(name)s is registered.", name=register.display_name(chosen)), "success")
            return redirect(_show_url(consultation, "registrations"))
    return _show(consultation, plan, status=400, registration_form=form)


def _bulk_form() -> BulkRegistrationForm:
    form = BulkRegistrationForm()
    form.fill_choices(register.categories())
    return form


@bp.route("/<int:consultation_id>/registrations/many", methods=["POST"],
          endpoint="register_many")
@require(Permission.EDIT)
def register_participants(consultation_id: int) -> Any:
    """Register many in one submission: ticked in a search, everyone found, a category."""
    consultation, plan = consultation_or_404(consultation_id, editing=True)
    form = _bulk_form()
    if form.validate_on_submit():
        with form_errors(form) as saved:
            new, skipped = services.register_participants(
                consultation, form.participants(), attended=bool(form.attended.data),
                actor=current_actor())
        if saved:
            flash(_("Registered: %(count)d. Already registered, so skipped: %(skipped)d.",
                    count=len(new), skipped=skipped), "success")
            return redirect(_show_url(consultation, "registrations"))
    return _show(consultation, plan, status=400, registration_form=form)


@bp.route("/<int:consultation_id>/attendance", methods=["POST"])
@require(Permission.EDIT)
def attendance(consultation_id: int) -> Any:
    consultation, plan = consultation_or_404(consultation_id, editing=True)
    form = DomainForm()  # the CSRF token; a refusal of the service answers 400
    if not form.validate_on_submit():
        abort(400)
    present = posted_ids("attended")
    expected = posted_versions()
    # each row's table (a select "table-<registration id>"; empty: no table)
    seats = {registration_id: int(chosen) if chosen.isdigit() else None
             for registration_id in expected
             if (chosen := request.form.get(f"table-{registration_id}")) is not None}
    with form_errors(form, conflict=lambda: conflict(
            plan, lambda: _attendance_rows(expected, present),
            action=_show_url(consultation, "registrations"))) as saved:
        changed = services.set_attendance(consultation, present, expected_versions=expected,
                                          tables=seats, actor=current_actor())
    if not saved:
        abort(400)
    flash(_("Attendance has been saved (%(count)d changed).", count=changed), "success")
    return redirect(_show_url(consultation, "registrations"))


def _attendance_rows(expected: dict[int, int], present: set[int]) -> list[Any]:
    """Per registration on the submitted form: attended now, and as submitted."""
    yes, no = _("Yes"), _("No")
    return [(register.display_name(person), yes if registration.attended else no,
             yes if registration.id in present else no)
            for registration, person in db.session.execute(
                select(Registration, Stakeholder)
                .join(Stakeholder, Stakeholder.id == Registration.stakeholder_id)
                .where(Registration.id.in_(list(expected))).options(*BARE)
                .order_by(Stakeholder.sort_name, Stakeholder.id))]


@bp.route("/registrations/<int:registration_id>/delete", methods=["POST"])
@require(Permission.EDIT)
def delete_registration(registration_id: int) -> Any:
    registration, consultation, _plan = record_or_404(Registration, registration_id,
                                                      editing=True)
    _confirmed()
    services.remove_registration(registration, actor=current_actor())
    db.session.commit()
    flash(_("The registration has been removed."), "success")
    return redirect(_show_url(consultation, "registrations"))


# --- the kennisgeving -----------------------------------------------------------------------

def _comment_period(consultation_id: int) -> tuple[Consultation, Plan]:
    """A comment period (a meeting has no kennisgeving: 404) that may change now."""
    consultation = db.session.get(Consultation, consultation_id)
    if consultation is None or not consultation.is_comment_period:
        abort(404)
    return consultation_or_404(consultation_id, editing=True)


@bp.route("/<int:consultation_id>/notice", methods=["POST"])
@require(Permission.EDIT)
def save_notice(consultation_id: int) -> Any:
    consultation, plan = _comment_period(consultation_id)
    form = NoticeForm()
    if not form.validate_on_submit():
        abort(400)
    with form_errors(form, conflict=lambda: conflict(plan, lambda: [
            (field_label("notice"), consultation.notice, form.notice.data)],
            record=consultation, form=form)) as saved:
        notice.update_notice(consultation, form.notice.data or "",
                             expected_version=posted_version(), actor=current_actor())
    if not saved:
        abort(400)
    flash(_("The kennisgeving has been saved."), "success")
    return redirect(_show_url(consultation, "notice"))


@bp.route("/<int:consultation_id>/notice/regenerate", methods=["POST"])
@require(Permission.EDIT)
def regenerate_notice(consultation_id: int) -> Any:
    consultation, _plan = _comment_period(consultation_id)
    _confirmed()
    notice.regenerate_notice(consultation, actor=current_actor())
    db.session.commit()
    flash(_("The kennisgeving has been generated again from the period as it is now."),
          "success")
    return redirect(_show_url(consultation, "notice"))
