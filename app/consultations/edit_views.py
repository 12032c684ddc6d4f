"""Pages for changing what was recorded: a consultation (delete or archive), its tables,
registrations and attendance, the kennisgeving of a comment period; an input's own page with
its co-signatories, answer and attachments (upload, download, remove); editing an input; and
re-answering.

Views are thin: a form validates, one service acts, then commit, flash and redirect. A stale
edit shows the conflict page (409); a read-only plan answers every editing route with 409.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import lazyload

from app.auth.forms import ConfirmForm
from app.consultations import attachments, editing, notice, services
from app.consultations.blueprint import bp
from app.consultations.conflicts import CONFLICTS, Rows, conflict_page, posted_versions
from app.consultations.edit_forms import (
    AnswerEditForm,
    AttachmentForm,
    ConsultationEditForm,
    InputEditForm,
    NoticeForm,
    TableEditForm,
    consultation_values,
)
from app.consultations.input_forms import short_text
from app.consultations.models import (
    Answer,
    Attachment,
    Consultation,
    ConsultationTable,
    Input,
    InputAnswer,
    InputTheme,
    Registration,
)
from app.database import db
from app.errors import DomainError
from app.labels import field_label
from app.labels import label as code_label
from app.permissions import Permission, require
from app.plans import services as plans
from app.plans.models import Plan, Section, Theme
from app.plans.pages import page_context, plan_or_404, read_only_page
from app.stakeholders import services as register
from app.stakeholders.models import Kind, Stakeholder

TAB = "consultations.for_plan"
SEARCH_RESULTS = 20
STAKEHOLDER_CHOICES = 200
BARE = (lazyload(Stakeholder.categories), lazyload(Stakeholder.tags))

bp.record_once(lambda state: state.app.jinja_env.globals.update(
    notice_mentions_last_day=notice.mentions_last_day))


# --- helpers --------------------------------------------------------------------------------

def _actor() -> Any:
    return current_user._get_current_object()


def _status() -> int:
    return 400 if request.method == "POST" else 200


def _page(template: str, plan: Plan, *, status: int = 200, **context: Any):
    return render_template(template, **page_context(plan, TAB),
                           display_name=register.display_name, **context), status


def _consultation(consultation_id: int) -> tuple[Consultation, Plan]:
    consultation = db.session.get(Consultation, consultation_id)
    if consultation is None:
        abort(404)
    return consultation, plan_or_404(consultation.plan_id)


def _input(input_id: int) -> tuple[Input, Consultation, Plan]:
    item = db.session.get(Input, input_id)
    if item is None:
        abort(404)
    consultation, plan = _consultation(item.consultation_id)
    return item, consultation, plan


def _version() -> int:
    version = request.form.get("version", "")
    if not version.isdigit():
        abort(400)
    return int(version)


def _conflict(plan: Plan, record: Any, form: Any, rows: Callable[[], Rows]):
    """The other person's version beside yours; nothing was saved. The form re-posts yours
    to this route with the current version, for whoever decides to overwrite knowingly."""
    return conflict_page(plan, rows, tab=TAB, form=form, record=record)


def _timezone() -> str:
    return current_app.config["KOERS_MUNICIPALITY"].timezone


def _show_url(consultation: Consultation, anchor: str | None = None) -> str:
    return url_for("consultations.show", consultation_id=consultation.id, _anchor=anchor)


def _input_url(item: Input, anchor: str | None = None) -> str:
    return url_for("consultations.show_input", input_id=item.id, _anchor=anchor)


# --- a consultation -------------------------------------------------------------------------

@bp.route("/<int:consultation_id>/edit", methods=["GET", "POST"])
@require(Permission.EDIT)
def edit(consultation_id: int) -> Any:
    consultation, plan = _consultation(consultation_id)
    if (refused := read_only_page(plan, TAB)) is not None:
        return refused
    form = ConsultationEditForm(data=consultation_values(consultation, _timezone()))
    organisations = list(db.session.scalars(register.list_query(
        register.Filters(kind=Kind.ORGANISATION)).options(*BARE).limit(STAKEHOLDER_CHOICES)))
    if consultation.organiser_id and consultation.organiser_id not in {
            item.id for item in organisations}:
        current = db.session.get(Stakeholder, consultation.organiser_id, options=list(BARE))
        if current is not None:
            organisations.insert(0, current)
    form.fill_choices({}, organisations, services.ANNOUNCEMENTS, register.display_name)
    if form.validate_on_submit():
        version = _version()
        submitted = form.to_data(_timezone())
        submitted.format = consultation.format
        try:
            editing.update_consultation(consultation, submitted, expected_version=version,
                                        actor=_actor())
            db.session.commit()
        except CONFLICTS:
            return _conflict(plan, consultation, form, lambda: [
                (field_label("title"), consultation.title, submitted.title),
                (field_label("description"), consultation.description,
                 submitted.description),
                (field_label("location"), consultation.location, submitted.location),
                (field_label("published_on"), consultation.published_on,
                 submitted.published_on),
                (field_label("legal_basis"), consultation.legal_basis,
                 submitted.legal_basis),
            ])
        except DomainError as error:
            db.session.rollback()
            form.add_error(error)
        else:
            flash(_("The changes to %(title)s have been saved.", title=consultation.title),
                  "success")
            return redirect(_show_url(consultation))
    return _page("consultations/edit.html", plan, status=_status(), form=form,
                 consultation=consultation)


@bp.route("/<int:consultation_id>/delete", methods=["POST"])
@require(Permission.EDIT)
def delete(consultation_id: int) -> Any:
    consultation, plan = _consultation(consultation_id)
    if (refused := read_only_page(plan, TAB)) is not None:
        return refused
    if not ConfirmForm().validate_on_submit():
        abort(400)
    title = consultation.title
    if editing.delete_or_archive(consultation, actor=_actor()):
        db.session.commit()
        flash(_("%(title)s has been deleted.", title=title), "success")
        return redirect(url_for("consultations.for_plan", plan_id=plan.id))
    db.session.commit()
    flash(_("%(title)s has input or answers that others depend on, so it has been archived "
            "instead of deleted.", title=title), "info")
    return redirect(_show_url(consultation))


# --- tables ---------------------------------------------------------------------------------

def _table(table_id: int) -> tuple[ConsultationTable, Consultation, Plan]:
    table = db.session.get(ConsultationTable, table_id)
    if table is None:
        abort(404)
    consultation, plan = _consultation(table.consultation_id)
    return table, consultation, plan


def _name_of(stakeholder_id: int | None) -> str | None:
    person = db.session.get(Stakeholder, stakeholder_id, options=list(BARE)) \
        if stakeholder_id else None
    return register.display_name(person) if person is not None else None


def _theme_name(theme_id: int | None) -> str | None:
    theme = db.session.get(Theme, theme_id) if theme_id else None
    return theme.name if theme is not None else None


@bp.route("/tables/<int:table_id>/edit", methods=["GET", "POST"])
@require(Permission.EDIT)
def edit_table(table_id: int) -> Any:
    table, consultation, plan = _table(table_id)
    if (refused := read_only_page(plan, TAB)) is not None:
        return refused
    form = TableEditForm(data={"topic": table.topic, "facilitator_id": table.facilitator_id,
                               "theme_id": table.theme_id, "version": str(table.version)})
    themes = plans.themes_of(plan)
    people = list(db.session.scalars(register.list_query(register.Filters())
                                     .options(*BARE).limit(STAKEHOLDER_CHOICES)))
    if table.facilitator_id and table.facilitator_id not in {item.id for item in people}:
        current = db.session.get(Stakeholder, table.facilitator_id, options=list(BARE))
        if current is not None and not current.is_erased:
            people.insert(0, current)
    form.fill_choices(people, themes, register.display_name)
    if form.validate_on_submit():
        version = _version()
        facilitator = next((item for item in people if item.id == form.facilitator_id.data),
                           None)
        theme = next((item for item in themes if item.id == form.theme_id.data), None)
        try:
            editing.update_table(table, form.topic.data, facilitator=facilitator, theme=theme,
                                 expected_version=version, actor=_actor())
            db.session.commit()
        except CONFLICTS:
            return _conflict(plan, table, form, lambda: [
                (field_label("topic"), table.topic, form.topic.data),
                (field_label("facilitator"), _name_of(table.facilitator_id),
                 _name_of(facilitator.id if facilitator else None)),
                (field_label("theme"), _theme_name(table.theme_id),
                 theme.name if theme else None),
            ])
        except DomainError as error:
            db.session.rollback()
            form.add_error(error)
        else:
            flash(_("The table %(topic)s has been saved.", topic=table.topic), "success")
            return redirect(_show_url(consultation, "tables"))
    return _page("consultations/table_form.html", plan, status=_status(), form=form,
                 table=table, consultation=consultation)


@bp.route("/tables/<int:table_id>/delete", methods=["POST"])
@require(Permission.EDIT)
def delete_table(table_id: int) -> Any:
    table, consultation, plan = _table(table_id)
    if (refused := read_only_page(plan, TAB)) is not None:
        return refused
    if not ConfirmForm().validate_on_submit():
        abort(400)
    topic = table.topic
    try:
        editing.remove_table(table, actor=_actor())
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(_("The table %(topic)s has been removed.", topic=topic), "success")
    return redirect(_show_url(consultation, "tables"))


# --- registrations --------------------------------------------------------------------------

@bp.route("/<int:consultation_id>/attendance", methods=["POST"])
@require(Permission.EDIT)
def attendance(consultation_id: int) -> Any:
    consultation, plan = _consultation(consultation_id)
    if (refused := read_only_page(plan, TAB)) is not None:
        return refused
    if not ConfirmForm().validate_on_submit():
        abort(400)
    present = {int(value) for value in request.form.getlist("attended") if value.isdigit()}
    expected = posted_versions()
    try:
        changed = editing.set_attendance(consultation, present, expected_versions=expected,
                                         actor=_actor())
        db.session.commit()
    except CONFLICTS:
        return conflict_page(plan, lambda: _attendance_rows(expected, present), tab=TAB,
                             action=url_for("consultations.show",
                                            consultation_id=consultation_id,
                                            _anchor="registrations"))
    flash(_("Attendance has been saved (%(count)d changed).", count=changed), "success")
    return redirect(_show_url(consultation, "registrations"))


def _attendance_rows(expected: dict[int, int], present: set[int]) -> Rows:
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
    registration = db.session.get(Registration, registration_id)
    if registration is None:
        abort(404)
    consultation, plan = _consultation(registration.consultation_id)
    if (refused := read_only_page(plan, TAB)) is not None:
        return refused
    if not ConfirmForm().validate_on_submit():
        abort(400)
    editing.remove_registration(registration, actor=_actor())
    db.session.commit()
    flash(_("The registration has been removed."), "success")
    return redirect(_show_url(consultation, "registrations"))


# --- the kennisgeving -----------------------------------------------------------------------

def _comment_period(consultation_id: int) -> tuple[Consultation, Plan]:
    consultation, plan = _consultation(consultation_id)
    if not consultation.is_comment_period:
        abort(404)
    return consultation, plan


@bp.route("/<int:consultation_id>/notice", methods=["POST"])
@require(Permission.EDIT)
def save_notice(consultation_id: int) -> Any:
    consultation, plan = _comment_period(consultation_id)
    if (refused := read_only_page(plan, TAB)) is not None:
        return refused
    form = NoticeForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        notice.update_notice(consultation, form.notice.data or "",
                             expected_version=_version(), actor=_actor())
        db.session.commit()
    except CONFLICTS:
        return _conflict(plan, consultation, form, lambda: [
            (field_label("notice"), consultation.notice, form.notice.data)])
    flash(_("The kennisgeving has been saved."), "success")
    return redirect(_show_url(consultation, "notice"))


@bp.route("/<int:consultation_id>/notice/regenerate", methods=["POST"])
@require(Permission.EDIT)
def regenerate_notice(consultation_id: int) -> Any:
    consultation, plan = _comment_period(consultation_id)
    if (refused := read_only_page(plan, TAB)) is not None:
        return refused
    if not ConfirmForm().validate_on_submit():
        abort(400)
    notice.regenerate_notice(consultation, actor=_actor())
    db.session.commit()
    flash(_("The kennisgeving has been generated again from the period as it is now."),
          "success")
    return redirect(_show_url(consultation, "notice"))


# --- one input ------------------------------------------------------------------------------

def _input_page(item: Input, consultation: Consultation, plan: Plan, *, status: int = 200,
                attachment_form: AttachmentForm | None = None):
    sender = db.session.get(Stakeholder, item.stakeholder_id, options=list(BARE)) \
        if item.stakeholder_id else None
    signatories = _people(set(editing.co_signatories_of(item)))
    themes = list(db.session.scalars(select(Theme.name).join(
        InputTheme, InputTheme.theme_id == Theme.id).where(InputTheme.input_id == item.id)
        .order_by(Theme.position, Theme.id)))
    answer = editing.answer_record(item.id)
    section = db.session.get(Section, answer.changed_section_id) \
        if answer is not None and answer.changed_section_id else None
    covered = list(db.session.scalars(select(Input.number).join(
        InputAnswer, InputAnswer.input_id == Input.id).where(
        InputAnswer.answer_id == answer.id).order_by(Input.number))) if answer else []
    table = db.session.get(ConsultationTable, item.table_id) if item.table_id else None
    kinds = services.input_kinds()
    return _page("consultations/inputs/show.html", plan, status=status, consultation=consultation,
                 item=item, sender=sender, signatories=signatories, themes=themes,
                 answer=answer, section=section, covered=covered, table=table,
                 kind_label=str(kinds[item.kind].label) if item.kind in kinds else item.kind,
                 groups=services.GROUPS, channels=services.CHANNELS,
                 decisions=services.DECISIONS,
                 files=attachments.attachments_of([item.id]).get(item.id, []),
                 attachment_form=attachment_form or AttachmentForm(formdata=None),
                 confirm=ConfirmForm(formdata=None), short_text=short_text,
                 limit_mb=current_app.config["KOERS_MAX_ATTACHMENT_MB"])


def _people(ids: set[int]) -> list[Stakeholder]:
    if not ids:
        return []
    return list(db.session.scalars(select(Stakeholder).where(Stakeholder.id.in_(ids))
                                   .options(*BARE).order_by(Stakeholder.sort_name,
                                                            Stakeholder.id)))


@bp.route("/inputs/<int:input_id>")
@require(Permission.VIEW)
def show_input(input_id: int) -> Any:
    item, consultation, plan = _input(input_id)
    return _input_page(item, consultation, plan)


def _person_choice(item: Stakeholder) -> tuple[int, str]:
    return (item.id, f"{register.display_name(item)} ({code_label('kind', item.kind)})")


def _input_values(item: Input) -> dict[str, Any]:
    return {"summary": item.summary, "kind": item.kind,
            "participant_group": item.participant_group, "received_on": item.received_on,
            "postmarked_on": item.postmarked_on, "theme_ids": editing.themes_of_input(item),
            "co_signatory_ids": editing.co_signatories_of(item),
            "version": str(item.version)}


@bp.route("/inputs/<int:input_id>/edit", methods=["GET", "POST"])
@require(Permission.EDIT)
def edit_input(input_id: int) -> Any:
    item, consultation, plan = _input(input_id)
    if (refused := read_only_page(plan, TAB)) is not None:
        return refused
    search = request.values.get("q", "").strip()[:200]
    form = InputEditForm(data=_input_values(item))
    current = set(editing.co_signatories_of(item))
    posted = {int(value) for value in request.form.getlist("co_signatory_ids")
              if value.isdigit()} if request.method == "POST" else set()
    kept = [person for person in _people(current | posted)
            if not person.is_erased or person.id in current]
    found = list(db.session.scalars(register.list_query(register.Filters(q=search))
                                    .options(*BARE).limit(SEARCH_RESULTS))) if search else []
    form.fill_choices(services.input_kinds(), plans.themes_of(plan),
                      [_person_choice(person) for person in
                       [*kept, *(person for person in found if person not in kept)]])
    if form.validate_on_submit():
        version = _version()
        chosen = editing.InputChanges(
            kind=form.kind.data, participant_group=form.participant_group.data,
            summary=form.summary.data, received_on=form.received_on.data,
            postmarked_on=form.postmarked_on.data,
            theme_ids=list(form.theme_ids.data or []),
            co_signatory_ids=list(form.co_signatory_ids.data or []))
        try:
            editing.update_input(item, chosen, expected_version=version, actor=_actor())
            db.session.commit()
        except CONFLICTS:
            return _conflict(plan, item, form, lambda: [
                (field_label("summary"), item.summary, chosen.summary),
                (field_label("kind"), item.kind, chosen.kind),
                (field_label("participant_group"), item.participant_group,
                 chosen.participant_group),
                (field_label("received_on"), item.received_on, chosen.received_on),
                (field_label("postmarked_on"), item.postmarked_on, chosen.postmarked_on),
            ])
        except DomainError as error:
            db.session.rollback()
            form.add_error(error)
        else:
            if consultation.is_comment_period:
                message = (_("Reaction %(number)d has been saved. It is late.",
                             number=item.number) if item.late else
                           _("Reaction %(number)d has been saved. It is on time.",
                             number=item.number))
            else:
                message = _("Input %(number)d has been saved.", number=item.number)
            flash(message, "success")
            return redirect(_input_url(item))
    return _page("consultations/inputs/edit.html", plan, status=_status(), form=form,
                 item=item, consultation=consultation, search=search, found=found,
                 limit=SEARCH_RESULTS)


# --- attachments ----------------------------------------------------------------------------

@bp.route("/inputs/<int:input_id>/attachments", methods=["POST"])
@require(Permission.EDIT)
def upload_attachment(input_id: int) -> Any:
    item, consultation, plan = _input(input_id)
    if (refused := read_only_page(plan, TAB)) is not None:
        return refused
    form = AttachmentForm()
    if form.validate_on_submit():
        file = request.files.get("attachment")
        if file is None or not file.filename:
            form.attachment.errors = [_("Choose a file.")]
        else:
            try:
                upload = attachments.read_upload(file.stream, file.filename)
                attachments.add_attachment(item, upload, actor=_actor())
            except DomainError as error:
                db.session.rollback()
                form.add_error(error)
            else:
                db.session.commit()
                flash(_("The attachment has been added."), "success")
                return redirect(_input_url(item, "attachments"))
    return _input_page(item, consultation, plan, status=400, attachment_form=form)


def _attachment(attachment_id: int) -> tuple[Attachment, Input, Plan]:
    record = db.session.get(Attachment, attachment_id)
    if record is None:
        abort(404)
    item, _unused, plan = _input(record.input_id)
    return record, item, plan


@bp.route("/attachments/<int:attachment_id>")
@require(Permission.VIEW)
def download_attachment(attachment_id: int) -> Any:
    """The file as it was uploaded, always as a download with the type found when it was
    checked, never rendered by the browser (nosniff) and never cached (personal data)."""
    record, _item, _plan = _attachment(attachment_id)
    try:
        path = attachments.path_of(record)
    except FileNotFoundError:
        abort(404)
    if not path.is_file():
        abort(404)
    response = send_file(path, mimetype=record.content_type, as_attachment=True,
                         download_name=record.original_name, max_age=0, conditional=False,
                         etag=False)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/attachments/<int:attachment_id>/delete", methods=["POST"])
@require(Permission.EDIT)
def delete_attachment(attachment_id: int) -> Any:
    record, item, plan = _attachment(attachment_id)
    if (refused := read_only_page(plan, TAB)) is not None:
        return refused
    if not ConfirmForm().validate_on_submit():
        abort(400)
    attachments.remove_attachment(record, actor=_actor())
    db.session.commit()
    flash(_("The attachment has been removed."), "success")
    return redirect(_input_url(item, "attachments"))


# --- re-answering ---------------------------------------------------------------------------

@bp.route("/answers/<int:answer_id>/edit", methods=["GET", "POST"])
@require(Permission.EDIT)
def edit_answer(answer_id: int) -> Any:
    record = db.session.get(Answer, answer_id)
    if record is None:
        abort(404)
    consultation, plan = _consultation(record.consultation_id)
    if (refused := read_only_page(plan, TAB)) is not None:
        return refused
    covered = list(db.session.scalars(select(Input).join(
        InputAnswer, InputAnswer.input_id == Input.id).where(
        InputAnswer.answer_id == record.id).order_by(Input.number)))
    sections = plans.sections_of(plan)
    form = AnswerEditForm(data={"text": record.text, "decision": record.decision,
                                "changed_section_id": record.changed_section_id,
                                "version": str(record.version)})
    form.fill_choices(sections)
    if form.validate_on_submit():
        version = _version()
        section = next((s for s in sections if s.id == form.changed_section_id.data), None)
        try:
            editing.update_answer(record, form.text.data, form.decision.data,
                                  changed_section=section, expected_version=version,
                                  actor=_actor())
            db.session.commit()
        except CONFLICTS:
            decision = services.DECISIONS
            return _conflict(plan, record, form, lambda: [
                (field_label("text"), record.text, form.text.data),
                (field_label("decision"), decision.get(record.decision, record.decision),
                 decision.get(form.decision.data, form.decision.data)),
            ])
        except DomainError as error:
            db.session.rollback()
            form.add_error(error)
        else:
            flash(_("The answer has been changed for %(count)d inputs.", count=len(covered)),
                  "success")
            return redirect(url_for("consultations.inputs", consultation_id=consultation.id))
    return _page("consultations/inputs/reanswer.html", plan, status=_status(), form=form,
                 consultation=consultation, answer=record, covered=covered,
                 short_text=short_text)
