"""Pages of a consultation's input: the filtered list, bulk entry after a meeting, a written
reaction (on time or late), one answer covering several inputs, and processing meeting input.

Views are thin: a form validates, one service acts, then commit, flash and redirect. A refusal
of the service (:class:`~app.errors.DomainError`) is shown beside its field with status 400. A
read-only plan answers every editing route with 409 and the reason.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, lazyload

from app.consultations import attachments, services
from app.consultations import erasure as _erasure  # noqa: F401  (registers what erasure clears)
from app.consultations.blueprint import bp
from app.consultations.conflicts import (
    CONFLICTS,
    conflict_page,
    posted_versions,
    versions_value,
)
from app.consultations.input_forms import (
    AnswerForm,
    BulkForm,
    InputFilters,
    InputForm,
    ProcessForm,
    short_text,
)
from app.consultations.models import (
    Consultation,
    ConsultationTable,
    CoSignatory,
    Input,
    InputAnswer,
    InputTheme,
)
from app.database import db
from app.errors import DomainError
from app.labels import label as code_label
from app.pagination import paginate
from app.permissions import Permission, require
from app.plans import services as plans
from app.plans.models import Plan, Theme
from app.plans.pages import page_context, plan_or_404, read_only_page
from app.stakeholders import services as register
from app.stakeholders.models import Stakeholder

TAB = "consultations.for_plan"
#: How many search results the written-reaction page offers at once.
SEARCH_RESULTS = 20
#: A stakeholder's related rows that no page here shows: never load them.
BARE = (lazyload(Stakeholder.categories), lazyload(Stakeholder.tags))


# --- helpers --------------------------------------------------------------------------------

def _consultation_or_404(consultation_id: int) -> tuple[Consultation, Plan]:
    consultation = db.session.get(Consultation, consultation_id)
    if consultation is None:
        abort(404)
    return consultation, plan_or_404(consultation.plan_id)


def _page(template: str, plan: Plan, consultation: Consultation, *, status: int = 200,
          **context: Any):
    return render_template(template, consultation=consultation, **page_context(plan, TAB),
                           **context), status


def _status() -> int:
    return 400 if request.method == "POST" else 200


def _actor() -> Any:
    return current_user._get_current_object()


def _inputs_url(consultation: Consultation) -> str:
    return url_for("consultations.inputs", consultation_id=consultation.id)


# --- the list -------------------------------------------------------------------------------

def _filtered(consultation: Consultation, chosen: dict[str, str]) -> Any:
    query = select(Input).where(Input.consultation_id == consultation.id)
    if "kind" in chosen:
        query = query.where(Input.kind == chosen["kind"])
    if "participant_group" in chosen:
        query = query.where(Input.participant_group == chosen["participant_group"])
    if "channel" in chosen:
        query = query.where(Input.channel == chosen["channel"])
    if "theme_id" in chosen:
        query = query.where(Input.id.in_(select(InputTheme.input_id).where(
            InputTheme.theme_id == int(chosen["theme_id"]))))
    answered = select(InputAnswer.input_id)
    if "answered" in chosen:
        query = query.where(Input.id.in_(answered) if chosen["answered"] == "yes"
                            else Input.id.not_in(answered))
    if "late" in chosen:
        query = query.where(Input.late.is_(chosen["late"] == "yes"))
    if "processed" in chosen:
        query = query.where(Input.processed.is_(chosen["processed"] == "yes"))
    return (query.options(joinedload(Input.stakeholder).options(*BARE))
            .order_by(Input.number))


def _theme_names(inputs: list[Input]) -> dict[int, list[str]]:
    """The themes of the page's inputs, with one query."""
    names: dict[int, list[str]] = defaultdict(list)
    ids = [item.id for item in inputs]
    if ids:
        for input_id, name in db.session.execute(
                select(InputTheme.input_id, Theme.name)
                .join(Theme, Theme.id == InputTheme.theme_id)
                .where(InputTheme.input_id.in_(ids))
                .order_by(Theme.position, Theme.id)):
            names[input_id].append(name)
    return names


def _co_signer_counts(inputs: list[Input]) -> dict[int, int]:
    """How many co-signed each input of the page, with one query."""
    ids = [item.id for item in inputs]
    if not ids:
        return {}
    return dict(db.session.execute(
        select(CoSignatory.input_id, func.count()).where(CoSignatory.input_id.in_(ids))
        .group_by(CoSignatory.input_id)).all())


def _list_page(consultation: Consultation, plan: Plan, process_form: ProcessForm,
               status: int = 200):
    kinds = services.input_kinds()
    filters = InputFilters(request.args)
    filters.fill_choices(kinds, plans.themes_of(plan))
    chosen = filters.active()
    page = paginate(_filtered(consultation, chosen))
    inputs = list(page.items)
    process_form.versions.data = versions_value(inputs)
    return _page("consultations/inputs/index.html", plan, consultation, status=status,
                 filters=filters, chosen=chosen, page=page, inputs=inputs,
                 answers=services.answer_of(inputs), themes=_theme_names(inputs),
                 co_signers=_co_signer_counts(inputs),
                 kinds=kinds, groups=services.GROUPS, channels=services.CHANNELS,
                 decisions=services.DECISIONS, short_text=short_text,
                 display_name=register.display_name, process_form=process_form)


@bp.route("/<int:consultation_id>/inputs")
@require(Permission.VIEW)
def inputs(consultation_id: int):
    consultation, plan = _consultation_or_404(consultation_id)
    return _list_page(consultation, plan, ProcessForm(formdata=None))


@bp.route("/<int:consultation_id>/inputs/process", methods=["POST"])
@require(Permission.EDIT)
def process(consultation_id: int):
    consultation, plan = _consultation_or_404(consultation_id)
    if (refused := read_only_page(plan, TAB)) is not None:
        return refused
    form = ProcessForm()
    if form.validate_on_submit():
        ids = set(form.input_ids.data)
        chosen = list(db.session.scalars(select(Input).where(
            Input.consultation_id == consultation.id, Input.id.in_(ids))
            .order_by(Input.number)))
        if len(chosen) != len(ids):
            form.input_ids.errors = [_("Choose inputs of this consultation.")]
        else:
            used = form.used.data == "yes"
            try:
                services.mark_processed(chosen, used, expected_versions=posted_versions(),
                                        actor=_actor())
            except CONFLICTS:
                return conflict_page(plan, lambda: _processing_rows(chosen, used), tab=TAB)
            except DomainError as error:
                db.session.rollback()
                form.add_error(error)
            else:
                db.session.commit()
                flash(_("%(count)d inputs marked as processed.", count=len(chosen)), "success")
                return redirect(_inputs_url(consultation))
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


# --- bulk entry -----------------------------------------------------------------------------

def _tables_of(consultation: Consultation) -> list[ConsultationTable]:
    return list(db.session.scalars(select(ConsultationTable).where(
        ConsultationTable.consultation_id == consultation.id)
        .order_by(ConsultationTable.position, ConsultationTable.id)))


@bp.route("/<int:consultation_id>/inputs/bulk", methods=["GET", "POST"])
@require(Permission.EDIT)
def bulk(consultation_id: int):
    consultation, plan = _consultation_or_404(consultation_id)
    if (refused := read_only_page(plan, TAB)) is not None:
        return refused
    kept = {name: request.args[name] for name in ("table_id", "participant_group", "kind")
            if request.args.get(name)}
    data: dict[str, Any] = {"participant_group": kept.get("participant_group", "inwoner")}
    if kept.get("table_id", "").isdigit():
        data["table_id"] = int(kept["table_id"])
    if "kind" in kept:
        data["kind"] = kept["kind"]
    form = BulkForm(data=data)
    form.fill_choices(_tables_of(consultation), services.input_kinds(),
                      plans.themes_of(plan))
    if form.validate_on_submit():
        items = form.to_data()
        try:
            services.add_inputs(consultation, items, actor=_actor())
        except DomainError as error:
            db.session.rollback()
            form.add_error(error)
        else:
            db.session.commit()
            flash(_("%(count)d inputs recorded", count=len(items)), "success")
            return redirect(url_for(
                "consultations.bulk", consultation_id=consultation.id,
                table_id=form.table_id.data or None,
                participant_group=form.participant_group.data, kind=form.kind.data))
    return _page("consultations/inputs/bulk.html", plan, consultation, status=_status(),
                 form=form)


# --- a written reaction ---------------------------------------------------------------------

def _people(ids: set[int]) -> list[Stakeholder]:
    """Stakeholders chosen on a submitted form (kept on redisplay), erased ones left out."""
    if not ids:
        return []
    return list(db.session.scalars(select(Stakeholder).where(
        Stakeholder.id.in_(ids), Stakeholder.anonymised_at.is_(None)).options(*BARE)
        .order_by(Stakeholder.sort_name, Stakeholder.id)))


def _person_choice(item: Stakeholder) -> tuple[int, str]:
    return (item.id, f"{register.display_name(item)} ({code_label('kind', item.kind)})")


def _posted_ids(name: str) -> set[int]:
    return {int(value) for value in request.form.getlist(name) if value.isdigit()}


@bp.route("/<int:consultation_id>/inputs/new", methods=["GET", "POST"])
@require(Permission.EDIT)
def new_input(consultation_id: int):
    consultation, plan = _consultation_or_404(consultation_id)
    if (refused := read_only_page(plan, TAB)) is not None:
        return refused
    search = request.values.get("q", "").strip()[:200]
    form = InputForm(data={"channel": "brief"})
    found = list(db.session.scalars(register.list_query(register.Filters(q=search))
                                    .options(*BARE).limit(SEARCH_RESULTS))) if search else []
    chosen = None
    signers: list[Stakeholder] = []
    if request.method == "POST":
        if request.form.get("stakeholder_id", "").isdigit():
            chosen = db.session.get(Stakeholder, int(request.form["stakeholder_id"]))
            if chosen is not None and not chosen.is_erased and chosen not in found:
                found.insert(0, chosen)
        signers = _people(_posted_ids("co_signatory_ids"))
    form.fill_choices(services.input_kinds(), plans.themes_of(plan),
                      [_person_choice(item) for item in found],
                      [_person_choice(item) for item in
                       [*signers, *(item for item in found if item not in signers)]])
    file = request.files.get(form.attachment.name) if request.method == "POST" else None
    file_chosen = bool(file and file.filename)
    if form.validate_on_submit():
        if form.stakeholder_id.data is not None and (chosen is None or chosen.is_erased):
            form.stakeholder_id.errors = [_("Choose a stakeholder from the list.")]
        elif set(form.co_signatory_ids.data or []) - {item.id for item in signers}:
            form.co_signatory_ids.errors = [_("Choose co-signatories from the list.")]
        else:
            try:
                # The file first: a refused file records nothing, and the form comes back.
                upload = attachments.read_upload(file.stream, file.filename) \
                    if file_chosen else None  # type: ignore[union-attr]
                record = services.add_input(consultation, form.to_data(), actor=_actor())
                if upload is not None:
                    attachments.add_attachment(record, upload, actor=_actor())
            except DomainError as error:
                db.session.rollback()
                form.add_error(error)
            else:
                db.session.commit()
                if not consultation.is_comment_period:
                    message = _("Input %(number)d has been recorded.", number=record.number)
                elif record.late:
                    message = _("Reaction %(number)d has been recorded. It is late: it was "
                                "received after the last day and not posted in time. It is "
                                "kept and flagged.", number=record.number)
                else:
                    message = _("Reaction %(number)d has been recorded. It is on time.",
                                number=record.number)
                flash(message, "success")
                return redirect(_inputs_url(consultation))
    if file_chosen and not form.attachment.errors:
        # A browser never fills a file field again: say so beside the field.
        form.attachment.errors = [_("The form was not saved, so choose the file again.")]
    return _page("consultations/inputs/form.html", plan, consultation, status=_status(),
                 form=form, search=search, limit=SEARCH_RESULTS, found=found)


# --- answers --------------------------------------------------------------------------------

@bp.route("/<int:consultation_id>/answer", methods=["GET", "POST"])
@require(Permission.EDIT)
def answer(consultation_id: int):
    consultation, plan = _consultation_or_404(consultation_id)
    if (refused := read_only_page(plan, TAB)) is not None:
        return refused
    open_inputs = services.open_inputs(consultation)
    # Chosen inputs someone else answered since the form was loaded stay choosable, so the
    # service finds the conflict instead of the form calling them no valid choice.
    gone = _posted_ids("input_ids") - {item.id for item in open_inputs}
    offered = [*open_inputs, *db.session.scalars(select(Input).where(
        Input.consultation_id == consultation.id, Input.id.in_(gone)).order_by(Input.number))]
    sections = plans.sections_of(plan)
    form = AnswerForm()
    form.fill_choices(offered, sections)
    if request.method == "GET":
        form.versions.data = versions_value(open_inputs)
    if form.validate_on_submit():
        expected = posted_versions()
        ids = set(form.input_ids.data)
        covered = [item for item in offered if item.id in ids]
        section = next((s for s in sections if s.id == form.changed_section_id.data), None)
        try:
            services.answer(covered, form.text.data, form.decision.data,
                            changed_section=section, expected_versions=expected,
                            actor=_actor())
            db.session.commit()
        except CONFLICTS:
            return conflict_page(plan, lambda: _answer_rows(covered, form.text.data),
                                 tab=TAB)
        except DomainError as error:
            db.session.rollback()
            form.add_error(error)
        else:
            flash(_("The answer has been recorded for %(count)d inputs.", count=len(covered)),
                  "success")
            return redirect(_inputs_url(consultation))
    return _page("consultations/inputs/answer.html", plan, consultation, status=_status(),
                 form=form, open_inputs=open_inputs)


def _answer_rows(inputs: list[Input], text: str) -> list[tuple[str, Any, Any]]:
    """Per chosen input: the answer it has now (if someone answered it) beside this one."""
    answers = services.answer_of(inputs)
    return [(_("Input %(number)d", number=item.number),
             answers[item.id].text if item.id in answers else None, text)
            for item in inputs]
