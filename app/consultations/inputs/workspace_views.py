"""Pages of answering: the answer workspace (open inputs filtered, searched in Dutch, similar
to one, selected by hand or all that match), the answer form started from any selection
(grouped by theme, with the plan's standard answers one click away), and the standard
answers of a plan.

Views are thin: the filters are parsed into :class:`~app.consultations.inputs.workspace.Filters`
and one service acts inside :func:`~app.edits.form_errors`. Without JavaScript every step is
a link or a form: "Use" on a standard answer posts the answer form back to itself, which
shows it again with the text and decision filled in and the chosen inputs kept.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib.util import find_spec
from typing import Any

from flask import abort, flash, redirect, request, url_for
from sqlalchemy import select

from app.consultations.blueprint import bp
from app.consultations.inputs import answers, grouping, services, standard_answers, workspace
from app.consultations.inputs.forms import PAGE_SIZES, short_text
from app.consultations.inputs.models import Input, InputTheme, StandardAnswer
from app.consultations.inputs.workspace_forms import (
    StandardActionForm,
    StandardAnswerForm,
    WorkspaceAnswerForm,
    WorkspaceFilters,
)
from app.consultations.models import Consultation, ConsultationTable
from app.consultations.pages import (
    conflict,
    consultation_or_404,
    form_status,
    municipality_today,
    page,
)
from app.database import db
from app.edits import (
    current_actor,
    form_errors,
    posted_ids,
    posted_version,
    posted_versions,
    versions_value,
)
from app.labels import field_label
from app.pagination import paginate
from app.permissions import Permission, require
from app.plans import services as plans
from app.plans.models import Plan
from app.plans.programme import services as programme
from app.translate import gettext as _


def _tables(consultation: Consultation) -> list[ConsultationTable]:
    return list(db.session.scalars(select(ConsultationTable).where(
        ConsultationTable.consultation_id == consultation.id)
        .order_by(ConsultationTable.position, ConsultationTable.id)))


def _labels() -> dict[str, Any]:
    return {"groups": services.GROUPS, "channels": services.CHANNELS,
            "decisions": answers.DECISIONS, "kinds": services.input_kinds()}


def similarity_available() -> bool:
    """Whether "show similar inputs" can be offered (the suggested-groups machinery)."""
    return find_spec("app.consultations.inputs.similarity") is not None


def _filters(consultation: Consultation, plan: Plan, args: Any
             ) -> tuple[WorkspaceFilters, dict[str, str], list[ConsultationTable]]:
    tables = _tables(consultation)
    filters = WorkspaceFilters(args)
    filters.fill_choices(services.input_kinds(), programme.themes_of(plan), tables,
                         grouping.group_choices(consultation))
    chosen = filters.active()
    if not similarity_available():
        chosen.pop("similar_to", None)
    return filters, chosen, tables


def _rows(inputs: list[Input], tables: list[ConsultationTable]) -> dict[str, Any]:
    """What a list of inputs shows beside each: themes, co-signatories, table (1 query)."""
    themes, co_signers = services.themes_and_co_signers(inputs)
    return {"themes": themes, "co_signers": co_signers,
            "tables": {table.id: table.topic for table in tables}, "short_text": short_text}


# --- the workspace --------------------------------------------------------------------------

@bp.route("/<int:consultation_id>/workspace", endpoint="workspace")
@require(Permission.VIEW)
def workspace_page(consultation_id: int) -> Any:
    """Open inputs, filtered; ticked ones or all that match start an answer."""
    consultation, plan = consultation_or_404(consultation_id)
    filters, chosen, tables = _filters(consultation, plan, request.args)
    query = workspace.list_query(consultation, WorkspaceFilters.to_filters(chosen))
    size = WorkspaceFilters.page_size(chosen)
    listed = paginate(query, per_page=size, max_per_page=PAGE_SIZES[-1])
    inputs = list(listed.items)
    similar = db.session.get(Input, int(chosen["similar_to"])) if "similar_to" in chosen else None
    if similar is not None and similar.consultation_id != consultation.id:
        abort(404)
    matching = {key: value for key, value in chosen.items() if key != "per_page"}
    unsimilar = {key: value for key, value in chosen.items() if key != "similar_to"}
    # The group column and filter only where the consultation has groups (the filter's list).
    has_groups = len(filters.group_id.choices) > 1
    return page("consultations/inputs/workspace.html", plan, consultation=consultation,
                filters=filters, chosen=chosen, matching=matching, unsimilar=unsimilar,
                page=listed, inputs=inputs, has_groups=has_groups,
                input_groups=grouping.groups_of_inputs(
                    item.id for item in inputs) if has_groups else {},
                answers=answers.answer_of(inputs), similar=similar,
                similar_offered=similarity_available(),
                progress=workspace.progress(consultation, municipality_today()),
                plan_themes=programme.themes_of(plan), max_selected=workspace.MAX_SELECTED,
                **_rows(inputs, tables), **_labels())


# --- the answer form ------------------------------------------------------------------------

def _requested_ids(consultation: Consultation, plan: Plan) -> tuple[list[int], int]:
    """The inputs a link asked the answer form to start with: ``input=<id>`` (repeated),
    or with ``all=1`` every input matching the workspace's filters given along (at most
    :data:`~app.consultations.inputs.workspace.MAX_SELECTED`); and how many matched.
    A suggested group (``group=<id>``) will add its inputs here."""
    ids = [int(value) for value in request.args.getlist("input") if value.isdigit()]
    total = len(ids)
    if request.args.get("all"):
        _form, chosen, _tables_found = _filters(consultation, plan, request.args)
        found, total = workspace.matching_ids(consultation, WorkspaceFilters.to_filters(chosen))
        ids = [*ids, *(item for item in found if item not in ids)]
    return ids, total


def _answer_page(consultation: Consultation, plan: Plan, form: WorkspaceAnswerForm,
                 offered: list[Input], chosen: set[int], *, status: int,
                 matched: int = 0) -> Any:
    picked = [item for item in offered if item.id in chosen]
    others = [item for item in offered if item.id not in chosen]
    rows = _rows(offered, _tables(consultation))
    themes = programme.themes_of(plan)
    theme_ids = set(db.session.scalars(select(InputTheme.theme_id).where(
        InputTheme.input_id.in_([item.id for item in picked])))) if picked else set()
    offered_standards = standard_answers.offered_for(plan, theme_ids)
    return page("consultations/inputs/answer.html", plan, status=status,
                consultation=consultation, form=form, open_inputs=offered,
                picked=workspace.by_theme(picked, themes, rows["themes"]),
                others=workspace.by_theme(others, themes, rows["themes"]),
                chosen_count=len(picked), others_count=len(others), matched=matched,
                max_selected=workspace.MAX_SELECTED, standards=offered_standards,
                chosen_themes=theme_ids, used_standard=form.standard_id(),
                came_from=(request.values.get("from") == WORKSPACE and WORKSPACE) or "",
                **rows, **_labels())


#: The ``from`` value of an answer started from the workspace (it returns there).
WORKSPACE = "workspace"


def _standard_of(plan: Plan, standard_id: int | None) -> StandardAnswer | None:
    found = db.session.get(StandardAnswer, standard_id) if standard_id else None
    return found if found is not None and found.plan_id == plan.id else None


@bp.route("/<int:consultation_id>/answer", methods=["GET", "POST"])
@require(Permission.EDIT)
def answer(consultation_id: int) -> Any:
    consultation, plan = consultation_or_404(consultation_id, editing=True)
    open_inputs = list(db.session.scalars(workspace.list_query(
        consultation, workspace.Filters())))
    # Chosen inputs someone else answered since the form was loaded stay choosable, so the
    # service finds the conflict instead of the form calling them no valid choice.
    gone = posted_ids("input_ids") - {item.id for item in open_inputs}
    offered = [*open_inputs, *workspace.chosen_inputs(consultation, gone)]
    sections = plans.sections_of(plan)
    form = WorkspaceAnswerForm()
    form.fill_choices(offered, sections)
    matched = 0
    if request.method == "GET":
        form.versions.data = versions_value(open_inputs)
        requested, matched = _requested_ids(consultation, plan)
        form.input_ids.data = [item for item in requested
                               if item in {offer.id for offer in offered}]
    elif request.form.get("use"):
        # "Use" a standard answer: the form again, its text and decision filled in.
        standard = _standard_of(plan, int(request.form["use"])
                                if request.form["use"].isdigit() else None)
        if standard is None:
            abort(400)
        form.text.data, form.decision.data = standard.text, standard.decision
        form.standard_answer_id.data = str(standard.id)
        return _answer_page(consultation, plan, form, offered,
                            set(form.input_ids.data or []), status=200)
    elif form.validate_on_submit():
        covered = [item for item in offered if item.id in set(form.input_ids.data)]
        section = next((s for s in sections if s.id == form.changed_section_id.data), None)
        with form_errors(form, conflict=lambda: conflict(
                plan, lambda: _answer_rows(covered, form.text.data))) as saved:
            record = answers.answer(
                covered, form.text.data, form.decision.data, changed_section=section,
                expected_versions=posted_versions(), actor=current_actor(),
                standard_answer=_standard_of(plan, form.standard_id()))
        if saved:
            flash(_("Answer %(number)d has been recorded for %(count)d inputs.",
                    number=record.number, count=len(covered)), "success")
            # Back where the answer was started: the workspace, or the input list.
            back = "consultations.workspace" if request.form.get("from") == WORKSPACE \
                else "consultations.inputs"
            return redirect(url_for(back, consultation_id=consultation.id))
    return _answer_page(consultation, plan, form, offered, set(form.input_ids.data or []),
                        status=form_status(), matched=matched)


def _answer_rows(inputs: list[Input], text: str) -> list[tuple[str, Any, Any]]:
    """Per chosen input: the answer it has now (if someone answered it) beside this one."""
    found_answers = answers.answer_of(inputs)
    return [(_("Input %(number)d", number=item.number),
             found_answers[item.id].text if item.id in found_answers else None, text)
            for item in inputs]


# --- standard answers -----------------------------------------------------------------------

def _standard_or_404(consultation_id: int, standard_id: int, *, editing: bool = True
                     ) -> tuple[StandardAnswer, Consultation, Plan]:
    consultation, plan = consultation_or_404(consultation_id, editing=editing)
    record = _standard_of(plan, standard_id)
    if record is None:
        abort(404)
    return record, consultation, plan


def _standards_url(consultation: Consultation) -> str:
    return url_for("consultations.standard_answers", consultation_id=consultation.id)


@bp.route("/<int:consultation_id>/standard-answers", endpoint="standard_answers")
@require(Permission.EDIT)
def standard_answers_page(consultation_id: int) -> Any:
    consultation, plan = consultation_or_404(consultation_id)
    current = standard_answers.standard_answers_of(plan)
    archived = standard_answers.standard_answers_of(plan, archived=True)
    themes = {theme.id: theme.name for theme in programme.themes_of(plan)}
    return page("consultations/inputs/standard_answers.html", plan, consultation=consultation,
                current=current, archived=archived, themes=themes,
                used=standard_answers.times_used([item.id for item in [*current, *archived]]),
                confirm=StandardActionForm(formdata=None), decisions=answers.DECISIONS)


def _standard_form(plan: Plan, data: dict[str, Any] | None = None) -> StandardAnswerForm:
    form = StandardAnswerForm(data=data)
    form.fill_choices(programme.themes_of(plan))
    return form


@bp.route("/<int:consultation_id>/standard-answers/new", methods=["GET", "POST"])
@require(Permission.EDIT)
def new_standard_answer(consultation_id: int) -> Any:
    consultation, plan = consultation_or_404(consultation_id, editing=True)
    theme = request.args.get("theme_id", "")
    form = _standard_form(plan, {"theme_id": int(theme)} if theme.isdigit() else None)
    if form.validate_on_submit():
        with form_errors(form) as saved:
            standard_answers.add_standard_answer(
                plan, standard_answers.StandardAnswerData(**form.values()),
                actor=current_actor())
        if saved:
            flash(_("The standard answer has been added."), "success")
            return redirect(_standards_url(consultation))
    return page("consultations/inputs/standard_answer_form.html", plan, status=form_status(),
                consultation=consultation, form=form, record=None)


@bp.route("/<int:consultation_id>/standard-answers/<int:standard_id>/edit",
          methods=["GET", "POST"])
@require(Permission.EDIT)
def edit_standard_answer(consultation_id: int, standard_id: int) -> Any:
    record, consultation, plan = _standard_or_404(consultation_id, standard_id)
    form = _standard_form(plan, {"title": record.title, "text": record.text,
                                 "decision": record.decision, "theme_id": record.theme_id,
                                 "version": str(record.version)})
    if form.validate_on_submit():
        wanted = form.values()
        with form_errors(form, conflict=lambda: conflict(plan, lambda: [
                (field_label(name), getattr(record, name), wanted[name])
                for name in ("title", "text", "decision")], record=record, form=form)) as saved:
            standard_answers.update_standard_answer(
                record, standard_answers.StandardAnswerData(**wanted),
                expected_version=posted_version(), actor=current_actor())
        if saved:
            flash(_("The standard answer has been saved."), "success")
            return redirect(_standards_url(consultation))
    return page("consultations/inputs/standard_answer_form.html", plan, status=form_status(),
                consultation=consultation, form=form, record=record)


def _refusal(form: StandardActionForm) -> None:
    for message in [*form.form_errors, *form.version.errors]:
        flash(str(message), "error")


def _act_on_standard(consultation_id: int, standard_id: int,
                     action: Callable[[StandardAnswer], Any],
                     done: Callable[[Any, str], str]) -> Any:
    """Archive, delete or restore one standard answer (a button with its version): ``action``
    runs the service, ``done`` words its result for the flash message, given the title."""
    record, consultation, plan = _standard_or_404(consultation_id, standard_id)
    form = StandardActionForm()
    if not form.validate_on_submit():
        abort(400)
    title = record.title
    result = None
    with form_errors(form, conflict=lambda: conflict(plan, lambda: [
            (field_label("title"), record.title, title)])) as saved:
        result = action(record)
    if saved:
        flash(done(result, title), "success")
    else:
        _refusal(form)
    return redirect(_standards_url(consultation))


@bp.route("/<int:consultation_id>/standard-answers/<int:standard_id>/remove",
          methods=["POST"])
@require(Permission.EDIT)
def remove_standard_answer(consultation_id: int, standard_id: int) -> Any:
    """Deleted when no answer used it, else archived (answers keep naming it)."""
    def done(archived: bool, title: str) -> str:
        if archived:
            return _("“%(title)s” has been archived: answers used it.", title=title)
        return _("“%(title)s” has been deleted.", title=title)

    return _act_on_standard(
        consultation_id, standard_id,
        lambda record: standard_answers.remove_standard_answer(
            record, expected_version=posted_version(), actor=current_actor()), done)


@bp.route("/<int:consultation_id>/standard-answers/<int:standard_id>/restore",
          methods=["POST"])
@require(Permission.EDIT)
def restore_standard_answer(consultation_id: int, standard_id: int) -> Any:
    return _act_on_standard(
        consultation_id, standard_id,
        lambda record: standard_answers.restore_standard_answer(
            record, expected_version=posted_version(), actor=current_actor()),
        lambda _result, title: _("“%(title)s” is offered again.", title=title))
