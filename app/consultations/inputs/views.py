"""Pages of a consultation's input: the filtered list (by table too, at a chosen page size),
processing meeting input (the ticked inputs or the whole page, the list's filters kept), bulk
entry after a meeting (a kind per line, the table's theme by default), a written reaction
(on time or late; "save and next", defaults kept per consultation in the session, a new
sender typed in), an input's own page with its co-signatories, answer and attachments,
changing an input, answering several inputs at once and re-answering, and who was heard on
what (coverage).

Views are thin: a form validates, one service acts inside :func:`~app.edits.form_errors`
(commit, or the refusal beside its field with status 400, or the conflict page with 409).
Every editing route loads its records with ``editing=True``: a read-only plan answers 409.
"""

from __future__ import annotations

from contextlib import suppress
from datetime import date
from typing import Any

from flask import abort, current_app, flash, redirect, request, session, url_for
from sqlalchemy import select

from app.consultations.blueprint import bp
from app.consultations.inputs import answers, attachments, senders, services, tracing
from app.consultations.inputs import erasure as _erasure  # noqa: F401  (registers what erasure clears)
from app.consultations.inputs import workspace_views as _workspace  # noqa: F401  (routes on bp)
from app.consultations.inputs.forms import (
    PAGE_SIZES,
    AnswerEditForm,
    AttachmentForm,
    BulkForm,
    InputEditForm,
    InputFilters,
    InputForm,
    ProcessForm,
    short_text,
)
from app.consultations.inputs.models import (
    Answer,
    Attachment,
    CoSignatory,
    Input,
    InputTheme,
)
from app.consultations.models import Consultation, ConsultationTable
from app.consultations.pages import (
    conflict,
    consultation_or_404,
    form_status,
    page,
    record_or_404,
)
from app.consultations.views import format_label
from app.database import db
from app.edits import (
    current_actor,
    form_errors,
    posted_version,
    posted_versions,
    versions_value,
)
from app.errors import DomainError
from app.forms import ConfirmForm
from app.labels import field_label
from app.pagination import paginate
from app.permissions import Permission, require
from app.plans import services as plans
from app.plans.models import Plan, Section, Theme
from app.plans.pages import plan_or_404
from app.plans.programme import services as programme
from app.stakeholders.models import Stakeholder
from app.stakeholders.services import BARE
from app.storage.responses import send_stored
from app.translate import gettext as _


def _inputs_url(consultation: Consultation) -> str:
    return url_for("consultations.inputs", consultation_id=consultation.id)


def _input_url(item: Input, anchor: str | None = None) -> str:
    return url_for("consultations.show_input", input_id=item.id, _anchor=anchor)


def _labels() -> dict[str, Any]:
    """The code lists the input pages show labels from."""
    return {"groups": services.GROUPS, "channels": services.CHANNELS,
            "decisions": answers.DECISIONS}


# --- the list -------------------------------------------------------------------------------

def _list_page(consultation: Consultation, plan: Plan, process_form: ProcessForm,
               status: int = 200) -> Any:
    kinds = services.input_kinds()
    tables = _tables_of(consultation)
    filters = InputFilters(request.args)
    filters.fill_choices(kinds, programme.themes_of(plan), tables)
    chosen = filters.active()
    query = services.list_query(consultation, filters.to_filters(chosen))
    size = filters.page_size(chosen)
    listed = paginate(query, per_page=size, max_per_page=PAGE_SIZES[-1])
    if not listed.items and listed.page > 1 and listed.pages:
        # Processing emptied the page (a filter on "not processed"): show the last page.
        listed = paginate(query, per_page=size, page=listed.pages, max_per_page=PAGE_SIZES[-1])
    inputs = list(listed.items)
    process_form.versions.data = versions_value(inputs)
    process_form.fill_targets(tracing.target_choices(plan))
    themes, co_signers = services.themes_and_co_signers(inputs)
    return page("consultations/inputs/index.html", plan, status=status,
                traced=tracing.targets_of(inputs), used_in=tracing.USED_IN,
                consultation=consultation, filters=filters, chosen=chosen, page=listed,
                inputs=inputs, answers=answers.answer_of(inputs),
                themes=themes, co_signers=co_signers,
                kinds=kinds, short_text=short_text, tables={t.id: t.topic for t in tables},
                kept=_kept_view(chosen, listed.page),
                process_form=process_form, **_labels())


def _kept_view(chosen: dict[str, str], page_number: int) -> dict[str, Any]:
    """The list's filters, page size and page: what processing keeps."""
    return {**chosen, **({"page": page_number} if page_number > 1 else {})}


def _list_args() -> dict[str, str]:
    """The list's filters, page size and page as the processing form posted them along."""
    names = {*InputFilters().data, "page"}
    return {name: value for name, value in request.args.items() if name in names and value}


@bp.route("/<int:consultation_id>/inputs")
@require(Permission.VIEW)
def inputs(consultation_id: int) -> Any:
    consultation, plan = consultation_or_404(consultation_id)
    return _list_page(consultation, plan, ProcessForm(formdata=None))


@bp.route("/<int:consultation_id>/inputs/process", methods=["POST"])
@require(Permission.EDIT)
def process(consultation_id: int) -> Any:
    """Marks the ticked inputs, or every input the page listed, processed; the list comes
    back with the same filters, page size and page."""
    consultation, plan = consultation_or_404(consultation_id, editing=True)
    form = ProcessForm()
    if form.validate_on_submit():
        expected = posted_versions()
        ids = form.chosen_ids(expected)
        chosen = list(db.session.scalars(select(Input).where(
            Input.consultation_id == consultation.id, Input.id.in_(ids))
            .order_by(Input.number)))
        used = form.used.data == "yes"
        if len(chosen) != len(ids) or not ids:
            form.input_ids.errors = [_("Choose inputs of this consultation.")]
        else:
            with form_errors(form, conflict=lambda: conflict(
                    plan, lambda: _processing_rows(chosen, used))) as saved:
                processing = tracing.ProcessData.from_choice(used, form.target.data,
                                                             form.reason.data)
                answers.mark_processed(chosen, used, expected_versions=expected,
                                       actor=current_actor(), processing=processing)
            if saved:
                flash(_("%(count)d inputs marked as processed.", count=len(chosen)), "success")
                return redirect(url_for("consultations.inputs", consultation_id=consultation.id,
                                        **_list_args()))
    return _list_page(consultation, plan, form, status=400)


def _processing_rows(inputs: list[Input], used: bool) -> list[tuple[str, Any, Any]]:
    """Per chosen input: how it is processed now beside how this editor marked it."""
    def state(processed: bool, was_used: bool | None) -> str:
        if not processed:
            return _("No")
        return _("Used") if was_used else _("Not used")

    current = {item.id: item for item in db.session.scalars(
        select(Input).where(Input.id.in_([item.id for item in inputs])))}
    return [(_("Input %(number)d", number=current[item.id].number),
             state(current[item.id].processed, current[item.id].used), state(True, used))
            for item in inputs if item.id in current]


# --- bulk entry and a written reaction ------------------------------------------------------

def _tables_of(consultation: Consultation) -> list[ConsultationTable]:
    return list(db.session.scalars(select(ConsultationTable).where(
        ConsultationTable.consultation_id == consultation.id)
        .order_by(ConsultationTable.position, ConsultationTable.id)))


@bp.route("/<int:consultation_id>/inputs/bulk", methods=["GET", "POST"])
@require(Permission.EDIT)
def bulk(consultation_id: int) -> Any:
    consultation, plan = consultation_or_404(consultation_id, editing=True)
    kept = {name: request.args[name] for name in ("table_id", "participant_group", "kind")
            if request.args.get(name)}
    data: dict[str, Any] = {"participant_group": kept.get("participant_group", "inwoner")}
    if kept.get("table_id", "").isdigit():
        data["table_id"] = int(kept["table_id"])
    if "kind" in kept:
        data["kind"] = kept["kind"]
    tables = _tables_of(consultation)
    themes_of_tables = {table.id: table.theme_id for table in tables}
    if data.get("table_id") in themes_of_tables and themes_of_tables[data["table_id"]]:
        data["theme_ids"] = [themes_of_tables[data["table_id"]]]  # the table's theme, ticked
    form = BulkForm(data=data)
    kinds = services.input_kinds()
    form.fill_choices(tables, kinds, programme.themes_of(plan))
    if form.validate_on_submit():
        items = form.to_data(kinds, themes_of_tables.get(form.table_id.data))
        with form_errors(form) as saved:
            services.add_inputs(consultation, items, actor=current_actor())
        if saved:
            flash(_("%(count)d inputs recorded", count=len(items)), "success")
            return redirect(url_for(
                "consultations.bulk", consultation_id=consultation.id,
                table_id=form.table_id.data or None,
                participant_group=form.participant_group.data, kind=form.kind.data))
    return page("consultations/inputs/bulk.html", plan, status=form_status(),
                consultation=consultation, form=form, kinds=kinds)


def _recorded_message(consultation: Consultation, record: Input) -> str:
    if not consultation.is_comment_period:
        return _("Input %(number)d has been recorded.", number=record.number)
    if record.late:
        return _("Reaction %(number)d has been recorded. It is late: it was received after "
                 "the last day and not posted in time. It is kept and flagged.",
                 number=record.number)
    return _("Reaction %(number)d has been recorded. It is on time.", number=record.number)


#: Where the sticky defaults of the written-reaction form are kept (the signed session), and
#: for how many consultations at most.
DEFAULTS_KEY = "input_defaults"
DEFAULTS_KEPT = 20
#: The value of the "save and next" button (``then``).
NEXT = "next"


def _kept_defaults(consultation: Consultation) -> dict[str, Any]:
    """What this adviser last used for this consultation: channel and received date."""
    kept = session.get(DEFAULTS_KEY)
    for entry in kept if isinstance(kept, list) else []:
        if isinstance(entry, dict) and entry.get("consultation") == consultation.id:
            return entry
    return {}


def _form_defaults(consultation: Consultation) -> dict[str, Any]:
    """The new form's defaults: a zienswijze in a comment period, the channel "brief", and
    the channel and received date this adviser last used for this consultation."""
    data: dict[str, Any] = {"channel": "brief"}
    if consultation.is_comment_period and "zienswijze" in services.input_kinds():
        data["kind"] = "zienswijze"
    kept = _kept_defaults(consultation)
    if kept.get("channel") in services.CHANNELS:
        data["channel"] = kept["channel"]
    with suppress(KeyError, TypeError, ValueError):
        data["received_on"] = date.fromisoformat(kept["received_on"])
    return data


def _remember_defaults(consultation: Consultation, record: Input) -> None:
    kept = session.get(DEFAULTS_KEY)
    others = [entry for entry in (kept if isinstance(kept, list) else [])
              if isinstance(entry, dict) and entry.get("consultation") != consultation.id]
    entry = {"consultation": consultation.id, "channel": record.channel,
             "received_on": record.received_on.isoformat() if record.received_on else None}
    session[DEFAULTS_KEY] = [*others, entry][-DEFAULTS_KEPT:]


def _record_reaction(form: InputForm, consultation: Consultation, file: Any) -> Input:
    """The file first: a refused file records nothing, and the form comes back. A sender
    typed in is added to the register together with the reaction."""
    upload = attachments.read_upload(file.stream, file.filename) if file is not None else None
    sender = form.new_sender()
    if sender is not None:
        record = senders.add_input_from_new_sender(consultation, form.to_data(), sender,
                                                   actor=current_actor())
    else:
        record = services.add_input(consultation, form.to_data(), actor=current_actor())
    if upload is not None:
        attachments.add_attachment(record, upload, actor=current_actor())
    return record


def _offer_matches(form: InputForm) -> None:
    """After a refused new sender, the register's matches are offered to pick."""
    sender = form.new_sender()
    if sender is None or not form.new_name.errors:
        return
    with suppress(DomainError):  # a refused e-mail address: no matches to offer
        form.stakeholder_id.extra = senders.sender_matches(sender.cleaned())


@bp.route("/<int:consultation_id>/inputs/new", methods=["GET", "POST"])
@require(Permission.EDIT)
def new_input(consultation_id: int) -> Any:
    """A written reaction. "Search" buttons inside the form show it again with the matches
    and everything typed; "save and next" comes back to an empty form for the next letter."""
    consultation, plan = consultation_or_404(consultation_id, editing=True)
    form = InputForm(data=_form_defaults(consultation))
    form.fill_choices(services.input_kinds(), programme.themes_of(plan))
    file = request.files.get(form.attachment.name) if request.method == "POST" else None
    file_chosen = bool(file and file.filename)
    searching = request.method == "POST" and "search" in request.form
    if not searching and form.validate_on_submit():
        with form_errors(form) as saved:
            record = _record_reaction(form, consultation, file if file_chosen else None)
        if saved:
            _remember_defaults(consultation, record)
            flash(_recorded_message(consultation, record), "success")
            if form.taken_from_search is not None:
                flash(_("From %(sender)s: the only match for “%(search)s” in the register.",
                        sender=senders.name_and_contact(form.taken_from_search),
                        search=form.stakeholder_id.search), "success")
            if form.new_sender() is not None:
                added = db.session.get(Stakeholder, record.stakeholder_id)
                flash(_("%(name)s has been added to the register.", name=added.name),
                      "success")
            if request.form.get("then") == NEXT:
                return redirect(url_for("consultations.new_input",
                                        consultation_id=consultation.id))
            return redirect(_inputs_url(consultation))
        _offer_matches(form)
    if file_chosen and not form.attachment.errors:
        # A browser never fills a file field again: say so beside the field.
        form.attachment.errors = [_("The form was not saved, so choose the file again.")]
    return page("consultations/inputs/form.html", plan,
                status=200 if searching else form_status(),
                consultation=consultation, form=form, next_value=NEXT)


# --- one input ------------------------------------------------------------------------------

def _answer_context(item: Input) -> dict[str, Any]:
    """The input's answer, the section it changed and the numbers of the inputs it covers."""
    answer = answers.answer_record(item.id)
    section = db.session.get(Section, answer.changed_section_id) \
        if answer is not None and answer.changed_section_id else None
    covered = [covered.number for covered in answers.covered_by(answer)] if answer else []
    return {"answer": answer, "section": section, "covered": covered}


def _signatories(item: Input) -> list[Stakeholder]:
    """The input's co-signatories by name, erased ones included (shown without a name)."""
    return list(db.session.scalars(
        select(Stakeholder).join(CoSignatory, CoSignatory.stakeholder_id == Stakeholder.id)
        .where(CoSignatory.input_id == item.id).options(*BARE)
        .order_by(Stakeholder.sort_name, Stakeholder.id)))


def _input_page(item: Input, consultation: Consultation, plan: Plan, *, status: int = 200,
                attachment_form: AttachmentForm | None = None) -> Any:
    sender = db.session.get(Stakeholder, item.stakeholder_id, options=list(BARE)) \
        if item.stakeholder_id else None
    themes = list(db.session.scalars(select(Theme.name).join(
        InputTheme, InputTheme.theme_id == Theme.id).where(InputTheme.input_id == item.id)
        .order_by(Theme.position, Theme.id)))
    table = db.session.get(ConsultationTable, item.table_id) if item.table_id else None
    kinds = services.input_kinds()
    return page("consultations/inputs/show.html", plan, status=status, consultation=consultation,
                item=item, sender=sender, themes=themes, table=table,
                traced=tracing.targets_of([item]), used_in=tracing.USED_IN,
                signatories=_signatories(item),
                kind_label=str(kinds[item.kind].label) if item.kind in kinds else item.kind,
                files=attachments.attachments_of([item.id]).get(item.id, []),
                attachment_form=attachment_form or AttachmentForm(formdata=None),
                confirm=ConfirmForm(formdata=None), short_text=short_text,
                limit_mb=current_app.config["KOERS_MAX_ATTACHMENT_MB"],
                **_answer_context(item), **_labels())


@bp.route("/inputs/<int:input_id>")
@require(Permission.VIEW)
def show_input(input_id: int) -> Any:
    return _input_page(*record_or_404(Input, input_id))


def _input_values(item: Input) -> dict[str, Any]:
    return {"summary": item.summary, "kind": item.kind,
            "participant_group": item.participant_group, "received_on": item.received_on,
            "postmarked_on": item.postmarked_on, "theme_ids": services.themes_of_input(item),
            "co_signatory_ids": services.co_signatories_of(item),
            "version": str(item.version)}


def _saved_message(consultation: Consultation, item: Input) -> str:
    if not consultation.is_comment_period:
        return _("Input %(number)d has been saved.", number=item.number)
    if item.late:
        return _("Reaction %(number)d has been saved. It is late.", number=item.number)
    return _("Reaction %(number)d has been saved. It is on time.", number=item.number)


def _input_rows(item: Input, chosen: services.InputData) -> list[tuple[Any, Any, Any]]:
    return [(field_label(name), getattr(item, name), getattr(chosen, name))
            for name in ("summary", "kind", "participant_group", "received_on",
                         "postmarked_on")]


@bp.route("/inputs/<int:input_id>/edit", methods=["GET", "POST"])
@require(Permission.EDIT)
def edit_input(input_id: int) -> Any:
    item, consultation, plan = record_or_404(Input, input_id, editing=True)
    form = InputEditForm(data=_input_values(item))
    form.fill_choices(services.input_kinds(), programme.themes_of(plan))
    if form.validate_on_submit():
        version = posted_version()
        chosen = services.InputData.of(
            item, kind=form.kind.data, participant_group=form.participant_group.data,
            summary=form.summary.data, received_on=form.received_on.data,
            postmarked_on=form.postmarked_on.data, theme_ids=list(form.theme_ids.data or []),
            co_signatory_ids=list(form.co_signatory_ids.data or []))
        with form_errors(form, conflict=lambda: conflict(
                plan, lambda: _input_rows(item, chosen), record=item, form=form)) as saved:
            services.update_input(item, chosen, expected_version=version,
                                  actor=current_actor())
        if saved:
            flash(_saved_message(consultation, item), "success")
            return redirect(_input_url(item))
    return page("consultations/inputs/edit.html", plan, status=form_status(), form=form,
                item=item, consultation=consultation)


# --- attachments ----------------------------------------------------------------------------

@bp.route("/inputs/<int:input_id>/attachments", methods=["POST"])
@require(Permission.EDIT)
def upload_attachment(input_id: int) -> Any:
    item, consultation, plan = record_or_404(Input, input_id, editing=True)
    form = AttachmentForm()
    if form.validate_on_submit():
        file = request.files.get("attachment")
        if file is None or not file.filename:
            form.attachment.errors = [_("Choose a file.")]
        else:
            with form_errors(form) as saved:
                upload = attachments.read_upload(file.stream, file.filename)
                attachments.add_attachment(item, upload, actor=current_actor())
            if saved:
                flash(_("The attachment has been added."), "success")
                return redirect(_input_url(item, "attachments"))
    return _input_page(item, consultation, plan, status=400, attachment_form=form)


def _attachment(attachment_id: int, *, editing: bool = False) -> tuple[Attachment, Input]:
    record = db.session.get(Attachment, attachment_id)
    if record is None:
        abort(404)
    item, _consultation, _plan = record_or_404(Input, record.input_id, editing=editing)
    return record, item


@bp.route("/attachments/<int:attachment_id>")
@require(Permission.VIEW)
def download_attachment(attachment_id: int) -> Any:
    """The file as it was uploaded, always as a download with the type found when it was
    checked, never rendered by the browser (nosniff) and never cached (personal data)."""
    record, _item = _attachment(attachment_id)
    return send_stored(attachments.key_of(record), mimetype=record.content_type,
                       download_name=record.original_name)


@bp.route("/attachments/<int:attachment_id>/delete", methods=["POST"])
@require(Permission.EDIT)
def delete_attachment(attachment_id: int) -> Any:
    record, item = _attachment(attachment_id, editing=True)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    attachments.remove_attachment(record, actor=current_actor())
    db.session.commit()
    flash(_("The attachment has been removed."), "success")
    return redirect(_input_url(item, "attachments"))


# --- answers --------------------------------------------------------------------------------

@bp.route("/answers/<int:answer_id>/edit", methods=["GET", "POST"])
@require(Permission.EDIT)
def edit_answer(answer_id: int) -> Any:
    record, consultation, plan = record_or_404(Answer, answer_id, editing=True)
    covered = answers.covered_by(record)
    sections = plans.sections_of(plan)
    form = AnswerEditForm(data={"text": record.text, "decision": record.decision,
                                "changed_section_id": record.changed_section_id,
                                "version": str(record.version)})
    form.fill_choices(sections)
    if form.validate_on_submit():
        version = posted_version()
        section = next((s for s in sections if s.id == form.changed_section_id.data), None)
        decision = answers.DECISIONS
        with form_errors(form, conflict=lambda: conflict(plan, lambda: [
                (field_label("text"), record.text, form.text.data),
                (field_label("decision"), decision.get(record.decision, record.decision),
                 decision.get(form.decision.data, form.decision.data))],
                record=record, form=form)) as saved:
            answers.update_answer(record, form.text.data, form.decision.data,
                                  changed_section=section, expected_version=version,
                                  actor=current_actor())
        if saved:
            flash(_("The answer has been changed for %(count)d inputs.", count=len(covered)),
                  "success")
            return redirect(_inputs_url(consultation))
    return page("consultations/inputs/reanswer.html", plan, status=form_status(),
                consultation=consultation, answer=record, covered=covered,
                short_text=short_text, form=form)


# --- coverage -------------------------------------------------------------------------------

@bp.route("/plan/<int:plan_id>/coverage")
@require(Permission.VIEW)
def coverage(plan_id: int) -> Any:
    """Per theme, who was heard (inputs per participant group); per consultation, what is
    still open."""
    plan = plan_or_404(plan_id)
    themes = db.session.scalars(select(Theme).where(Theme.plan_id == plan.id)
                                .order_by(Theme.position, Theme.id)).all()
    consultations = db.session.scalars(select(Consultation).where(
        Consultation.plan_id == plan.id).order_by(Consultation.id)).all()
    return page("consultations/coverage.html", plan, figures=services.coverage(plan),
                themes=themes, consultations=consultations, groups=services.GROUPS,
                targets=tracing.target_choices(plan), format_label=format_label)
