"""Pages of a plan's structure and implementation programme: the "Themes and programme" tab
with its roll-up and chart, themes, goals, actions (with optimistic locking and a conflict
page), progress updates, and the "Involvement" tab.

Views are thin: a form validates, one service acts, then commit, flash and redirect. A refusal
of the service (:class:`~app.errors.DomainError`) is shown beside its field with status 400; a
save based on an older version shows both versions side by side with status 409 and overwrites
nothing. A read-only plan (archived, or its workflow unavailable) answers every editing route
with 409 and the reason.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload, lazyload
from sqlalchemy.orm.exc import StaleDataError

from app.auth.models import User
from app.database import db
from app.errors import DomainError
from app.i18n import euro, short_date
from app.labels import label as code_label
from app.permissions import Permission, require
from app.plans import services
from app.plans.blueprint import bp
from app.plans.chart import ChartRow, progress_chart
from app.plans.labels import status_label
from app.plans.models import (
    Action,
    ActionPartner,
    Goal,
    Plan,
    ProgressUpdate,
    Theme,
)
from app.plans.pages import page_context, plan_or_404, read_only_page
from app.plans.programme_forms import (
    ActionForm,
    GoalForm,
    InvolvementForm,
    ProgressForm,
    ThemeForm,
    action_values,
)
from app.stakeholders import services as register
from app.stakeholders.models import Kind, Stakeholder
from app.terms import term

PROGRAMME_TAB = "plans.programme"
INVOLVEMENT_TAB = "plans.involvement"
#: How many stakeholders the trekker and partner choices offer (besides the current ones).
STAKEHOLDER_CHOICES = 200
#: How many search results the "involve a stakeholder" page offers at once.
SEARCH_RESULTS = 20
#: A stakeholder's related rows that no page here shows: never load them.
BARE = (lazyload(Stakeholder.categories), lazyload(Stakeholder.tags))


# --- helpers --------------------------------------------------------------------------------

def _page(template: str, plan: Plan, *, tab: str = PROGRAMME_TAB, status: int = 200,
          **context: Any):
    return render_template(template, **page_context(plan, tab), **context), status


def _read_only(plan: Plan, tab: str = PROGRAMME_TAB) -> tuple[str, int] | None:
    return read_only_page(plan, tab)


def _theme_or_404(plan: Plan, theme_id: int) -> Theme:
    theme = db.session.get(Theme, theme_id)
    if theme is None or theme.plan_id != plan.id:
        abort(404)
    return theme


def _action_or_404(plan: Plan, action_id: int) -> Action:
    action = db.session.get(Action, action_id)
    if action is None or action.plan_id != plan.id:
        abort(404)
    return action


def _status() -> int:
    return 400 if request.method == "POST" else 200


def _submitted_version() -> int:
    version = request.form.get("version", "")  # as submitted, never a default
    if not version.isdigit():
        abort(400)
    return int(version)


def _today() -> date:
    return datetime.now(ZoneInfo(current_app.config["KOERS_MUNICIPALITY"].timezone)).date()


def _programme_url(plan: Plan, anchor: str | None = None) -> str:
    return url_for(PROGRAMME_TAB, plan_id=plan.id, _anchor=anchor)


def _goals_of(plan: Plan) -> list[Goal]:
    return list(db.session.scalars(
        select(Goal).join(Theme, Theme.id == Goal.theme_id).where(Theme.plan_id == plan.id)
        .order_by(Theme.position, Theme.id, Goal.position, Goal.id)))


# --- the programme tab ----------------------------------------------------------------------

def _budget(actions: list[Action]) -> Decimal:
    return sum((action.budget or Decimal(0) for action in actions), Decimal(0))


def _mean_progress(actions: list[Action]) -> int:
    return round(sum(action.progress for action in actions) / len(actions)) if actions else 0


@dataclass
class ThemeBlock:
    theme: Theme
    goals: list[Goal] = field(default_factory=list)
    actions: list[Action] = field(default_factory=list)
    #: the figures of the programmes that work this theme out (child plans)
    programmes: list[services.Rollup] = field(default_factory=list)

    @property
    def action_count(self) -> int:
        return len(self.actions) + sum(figures.actions for figures in self.programmes)

    @property
    def budget(self) -> Decimal:
        return _budget(self.actions) + sum((figures.budget for figures in self.programmes),
                                           Decimal(0))

    @property
    def progress(self) -> int:
        """The mean progress of the theme's actions, its programmes' actions included."""
        count = self.action_count
        total = sum(action.progress for action in self.actions) + sum(
            figures.progress * figures.actions for figures in self.programmes)
        return round(total / count) if count else 0


@dataclass
class Programme:
    blocks: list[ThemeBlock]
    other_actions: list[Action]
    partners: dict[int, list[Stakeholder]]
    goals: dict[int, Goal]


def _load_programme(plan: Plan) -> Programme:
    """Themes, goals, actions with their trekkers, and partners: four queries at any size."""
    themes = services.themes_of(plan)
    blocks = {theme.id: ThemeBlock(theme) for theme in themes}
    goals = _goals_of(plan)
    for goal in goals:
        blocks[goal.theme_id].goals.append(goal)
    other: list[Action] = []
    for action in db.session.scalars(
            select(Action).where(Action.plan_id == plan.id)
            .options(joinedload(Action.trekker).options(*BARE))
            .order_by(Action.position, Action.id)):
        block = blocks.get(action.theme_id) if action.theme_id is not None else None
        (block.actions if block is not None else other).append(action)
    partners: dict[int, list[Stakeholder]] = defaultdict(list)
    for action_id, partner in db.session.execute(
            select(ActionPartner.action_id, Stakeholder)
            .join(Stakeholder, Stakeholder.id == ActionPartner.stakeholder_id)
            .join(Action, Action.id == ActionPartner.action_id)
            .where(Action.plan_id == plan.id).options(*BARE)
            .order_by(Stakeholder.sort_name, Stakeholder.id)):
        partners[action_id].append(partner)
    return Programme(blocks=list(blocks.values()), other_actions=other, partners=partners,
                     goals={goal.id: goal for goal in goals})


def _chart(programme: Programme) -> Any:
    rows = [ChartRow(block.theme.name, block.progress, block.budget, block.action_count)
            for block in programme.blocks]
    other = programme.other_actions
    if other:
        rows.append(ChartRow(_("Other actions"), _mean_progress(other), _budget(other),
                             len(other)))
    return progress_chart(rows, title=_("%(themes)s: progress and budget",
                                        themes=term("themes")))


@bp.route("/<int:plan_id>/programme")
@require(Permission.VIEW)
def programme(plan_id: int):
    plan = plan_or_404(plan_id)
    loaded = _load_programme(plan)
    children = services.children_of(plan)
    figures = services.rollups([plan.id, *[child.id for child in children]])
    blocks = {block.theme.id: block for block in loaded.blocks}
    for child in children:
        if child.parent_theme_id in blocks:
            blocks[child.parent_theme_id].programmes.append(figures[child.id])
    return _page("plans/programme/index.html", plan, programme=loaded,
                 rollup=figures[plan.id], children=children,
                 chart=_chart(loaded), display_name=register.display_name)


# --- themes ---------------------------------------------------------------------------------

@bp.route("/<int:plan_id>/themes/new", methods=["GET", "POST"])
@require(Permission.EDIT)
def add_theme(plan_id: int):
    plan = plan_or_404(plan_id)
    if (refused := _read_only(plan)) is not None:
        return refused
    form = ThemeForm()
    if form.validate_on_submit():
        try:
            theme = services.add_theme(plan, form.name.data, form.description.data)
        except DomainError as error:
            db.session.rollback()
            form.add_error(error)
        else:
            db.session.commit()
            flash(_("“%(name)s” has been added.", name=theme.name), "success")
            return redirect(_programme_url(plan, f"theme-{theme.id}"))
    return _page("plans/programme/theme_form.html", plan, status=_status(), form=form,
                 theme=None)


@bp.route("/<int:plan_id>/themes/<int:theme_id>/edit", methods=["GET", "POST"])
@require(Permission.EDIT)
def edit_theme(plan_id: int, theme_id: int):
    plan = plan_or_404(plan_id)
    theme = _theme_or_404(plan, theme_id)
    if (refused := _read_only(plan)) is not None:
        return refused
    form = ThemeForm(data={"name": theme.name, "description": theme.description or "",
                           "version": str(theme.version)})
    if form.validate_on_submit():
        version = _submitted_version()
        try:
            services.update_theme(theme, form.name.data, form.description.data,
                                  expected_version=version)
            db.session.commit()
        except (services.EditConflict, StaleDataError):
            db.session.rollback()
            return _theme_conflict(plan, theme, form)
        except DomainError as error:
            db.session.rollback()
            form.add_error(error)
        else:
            flash(_("The changes to “%(name)s” have been saved.", name=theme.name), "success")
            return redirect(_programme_url(plan, f"theme-{theme.id}"))
    return _page("plans/programme/theme_form.html", plan, status=_status(), form=form,
                 theme=theme)


def _theme_conflict(plan: Plan, theme: Theme, form: ThemeForm):
    db.session.refresh(theme)
    rows = _rows([(form.name.label.text, theme.name, form.name.data),
                  (form.description.label.text, theme.description, form.description.data)])
    form.version.data = str(theme.version)  # to save the submitted values knowingly
    return _page("plans/programme/conflict.html", plan, status=409, rows=rows, form=form,
                 name=theme.name,
                 action_url=url_for("plans.edit_theme", plan_id=plan.id, theme_id=theme.id))


def _rows(values: list[tuple[Any, Any, Any]]) -> list[dict[str, Any]]:
    """Rows of the conflict page: label, current value, submitted value, whether they differ."""
    rows = []
    for label, current, submitted in values:
        current, submitted = str(current or "").strip(), str(submitted or "").strip()
        rows.append({"label": label, "current": current, "submitted": submitted,
                     "differs": current != submitted})
    return rows


# --- goals ----------------------------------------------------------------------------------

@bp.route("/<int:plan_id>/themes/<int:theme_id>/goals/new", methods=["GET", "POST"])
@require(Permission.EDIT)
def add_goal(plan_id: int, theme_id: int):
    plan = plan_or_404(plan_id)
    theme = _theme_or_404(plan, theme_id)
    if (refused := _read_only(plan)) is not None:
        return refused
    form = GoalForm()
    if form.validate_on_submit():
        try:
            goal = services.add_goal(theme, form.title.data, form.description.data)
        except DomainError as error:
            db.session.rollback()
            form.add_error(error)
        else:
            db.session.commit()
            flash(_("“%(name)s” has been added.", name=goal.title), "success")
            return redirect(_programme_url(plan, f"theme-{theme.id}"))
    return _page("plans/programme/goal_form.html", plan, status=_status(), form=form,
                 theme=theme)


@bp.route("/<int:plan_id>/themes/<int:theme_id>/goals/<int:goal_id>/edit",
          methods=["GET", "POST"])
@require(Permission.EDIT)
def edit_goal(plan_id: int, theme_id: int, goal_id: int):
    plan = plan_or_404(plan_id)
    theme = _theme_or_404(plan, theme_id)
    goal = db.session.get(Goal, goal_id)
    if goal is None or goal.theme_id != theme.id:
        abort(404)
    if (refused := _read_only(plan)) is not None:
        return refused
    form = GoalForm(data={"title": goal.title, "description": goal.description or "",
                          "version": str(goal.version)})
    if form.validate_on_submit():
        version = _submitted_version()
        try:
            services.update_goal(goal, form.title.data, form.description.data,
                                 expected_version=version)
            db.session.commit()
        except (services.EditConflict, StaleDataError):
            db.session.rollback()
            return _goal_conflict(plan, theme, goal, form)
        except DomainError as error:
            db.session.rollback()
            form.add_error(error)
        else:
            flash(_("The changes to “%(name)s” have been saved.", name=goal.title), "success")
            return redirect(_programme_url(plan, f"theme-{theme.id}"))
    return _page("plans/programme/goal_form.html", plan, status=_status(), form=form,
                 theme=theme, goal=goal)


def _goal_conflict(plan: Plan, theme: Theme, goal: Goal, form: GoalForm):
    db.session.refresh(goal)
    rows = _rows([(form.title.label.text, goal.title, form.title.data),
                  (form.description.label.text, goal.description, form.description.data)])
    form.version.data = str(goal.version)  # to save the submitted values knowingly
    return _page("plans/programme/conflict.html", plan, status=409, rows=rows, form=form,
                 name=goal.title, action_url=url_for(
                     "plans.edit_goal", plan_id=plan.id, theme_id=theme.id, goal_id=goal.id))


# --- actions --------------------------------------------------------------------------------

def _action_form(plan: Plan, action: Action | None = None,
                 **kwargs: Any) -> tuple[ActionForm, list[Theme], list[Goal]]:
    """The action form with its choices: the plan's themes and goals, and at most
    STAKEHOLDER_CHOICES stakeholders and organisations by name — plus the current and the
    submitted ones, so a choice made earlier is never lost."""
    form = ActionForm(**kwargs)
    themes, goals = services.themes_of(plan), _goals_of(plan)
    keep: set[int] = set()
    if action is not None:
        keep.update(kwargs.get("data", {}).get("partner_ids", []))
        if action.trekker_id:
            keep.add(action.trekker_id)
    if request.method == "POST":
        keep.update(int(value) for value in request.form.getlist("partner_ids")
                    if value.isdigit())
        if request.form.get("trekker_id", "").isdigit():
            keep.add(int(request.form["trekker_id"]))
    people = list(db.session.scalars(register.list_query(register.Filters())
                                     .options(*BARE).limit(STAKEHOLDER_CHOICES)))
    organisations = list(db.session.scalars(register.list_query(
        register.Filters(kind=Kind.ORGANISATION)).options(*BARE).limit(STAKEHOLDER_CHOICES)))
    known = {item.id: item for item in (*people, *organisations)}
    if keep - known.keys():
        known.update((item.id, item) for item in db.session.scalars(
            select(Stakeholder).where(Stakeholder.id.in_(keep - known.keys())).options(*BARE)))
    kept = sorted((known[i] for i in keep if i in known), key=lambda item: item.sort_name)
    people += [item for item in kept if item not in people]
    organisations += [item for item in kept if not item.is_person and item not in organisations]
    form.fill_choices(themes, goals, people, organisations, register.display_name)
    return form, themes, goals


@bp.route("/<int:plan_id>/actions/new", methods=["GET", "POST"])
@require(Permission.EDIT)
def add_action(plan_id: int):
    plan = plan_or_404(plan_id)
    if (refused := _read_only(plan)) is not None:
        return refused
    data: dict[str, Any] = {}
    theme_id = request.args.get("theme_id", "")
    if theme_id.isdigit():
        data["theme_id"] = _theme_or_404(plan, int(theme_id)).id
    form, _themes, _goals = _action_form(plan, data=data)
    if form.validate_on_submit():
        try:
            action = services.add_action(plan, form.to_data())
        except DomainError as error:
            db.session.rollback()
            form.add_error(error)
        else:
            db.session.commit()
            flash(_("“%(name)s” has been added.", name=action.title), "success")
            return redirect(url_for("plans.show_action", plan_id=plan.id, action_id=action.id))
    return _page("plans/programme/action_form.html", plan, status=_status(), form=form,
                 action=None, theme_id=data.get("theme_id"),
                 stakeholder_limit=STAKEHOLDER_CHOICES)


@bp.route("/<int:plan_id>/actions/<int:action_id>")
@require(Permission.VIEW)
def show_action(plan_id: int, action_id: int):
    plan = plan_or_404(plan_id)
    action = db.session.scalar(select(Action).where(Action.id == action_id).options(
        joinedload(Action.trekker).options(*BARE)))
    if action is None or action.plan_id != plan.id:
        abort(404)
    theme = db.session.get(Theme, action.theme_id) if action.theme_id else None
    goal = db.session.get(Goal, action.goal_id) if action.goal_id else None
    partners = list(db.session.scalars(
        select(Stakeholder).join(ActionPartner, ActionPartner.stakeholder_id == Stakeholder.id)
        .where(ActionPartner.action_id == action.id).options(*BARE)
        .order_by(Stakeholder.sort_name)))
    return _page("plans/programme/action.html", plan, action=action, theme=theme, goal=goal,
                 partners=partners, updates=_updates_of(action),
                 display_name=register.display_name)


def _updates_of(action: Action) -> list[tuple[ProgressUpdate, str | None]]:
    """The action's progress updates, newest first, with their authors' names."""
    return [(update, author) for update, author in db.session.execute(
        select(ProgressUpdate, User.name).outerjoin(User, User.id == ProgressUpdate.author_id)
        .where(ProgressUpdate.action_id == action.id)
        .order_by(ProgressUpdate.reported_on.desc(), ProgressUpdate.id.desc()))]


@bp.route("/<int:plan_id>/actions/<int:action_id>/edit", methods=["GET", "POST"])
@require(Permission.EDIT)
def edit_action(plan_id: int, action_id: int):
    plan = plan_or_404(plan_id)
    action = _action_or_404(plan, action_id)
    if (refused := _read_only(plan)) is not None:
        return refused
    form, themes, goals = _action_form(
        plan, action, data=action_values(action, _partner_ids(action)))
    if form.validate_on_submit():
        version = _submitted_version()
        submitted = form.to_data()
        try:
            services.update_action(action, submitted, expected_version=version)
            db.session.commit()
        except (services.EditConflict, StaleDataError):
            db.session.rollback()
            return _action_conflict(plan, action, form, submitted, themes, goals)
        except DomainError as error:
            db.session.rollback()
            form.add_error(error)
        else:
            flash(_("The changes to “%(name)s” have been saved.", name=action.title),
                  "success")
            return redirect(url_for("plans.show_action", plan_id=plan.id, action_id=action.id))
    return _page("plans/programme/action_form.html", plan, status=_status(), form=form,
                 action=action, theme_id=action.theme_id, stakeholder_limit=STAKEHOLDER_CHOICES)


def _partner_ids(action: Action) -> list[int]:
    return sorted(db.session.scalars(select(ActionPartner.stakeholder_id).where(
        ActionPartner.action_id == action.id)))


def _action_conflict(plan: Plan, action: Action, form: ActionForm,
                     submitted: services.ActionData, themes: list[Theme], goals: list[Goal]):
    """The current version and the submitted values side by side; nothing was saved."""
    db.session.refresh(action)
    current = services.ActionData(
        title=action.title, theme_id=action.theme_id, goal_id=action.goal_id,
        description=action.description, trekker_id=action.trekker_id,
        partner_ids=_partner_ids(action), budget=action.budget, start_date=action.start_date,
        end_date=action.end_date, status=action.status, progress=action.progress)
    people = {item.id: item for item in db.session.scalars(
        select(Stakeholder).where(Stakeholder.id.in_(
            {*current.partner_ids, *submitted.partner_ids}
            | {i for i in (current.trekker_id, submitted.trekker_id) if i})).options(*BARE))}
    theme_names = {theme.id: theme.name for theme in themes}
    goal_titles = {goal.id: goal.title for goal in goals}

    def name(stakeholder_id: int | None) -> str:
        item = people.get(stakeholder_id) if stakeholder_id else None
        return register.display_name(item) if item else ""

    def shown(data: services.ActionData) -> list[Any]:
        return [data.title, theme_names.get(data.theme_id or 0, ""),
                goal_titles.get(data.goal_id or 0, ""), data.description,
                name(data.trekker_id), ", ".join(name(i) for i in data.partner_ids),
                euro(data.budget), short_date(data.start_date), short_date(data.end_date),
                status_label(data.status), f"{data.progress}%"]

    labels = [form[item].label.text for item in (
        "title", "theme_id", "goal_id", "description", "trekker_id", "partner_ids", "budget",
        "start_date", "end_date", "status", "progress")]
    rows = _rows(list(zip(labels, shown(current), shown(submitted), strict=True)))
    form.version.data = str(action.version)  # to save the submitted values knowingly
    return _page("plans/programme/conflict.html", plan, status=409, rows=rows, form=form,
                 name=action.title,
                 action_url=url_for("plans.edit_action", plan_id=plan.id, action_id=action.id))


# --- progress -------------------------------------------------------------------------------

@bp.route("/<int:plan_id>/actions/<int:action_id>/progress", methods=["GET", "POST"])
@require(Permission.EDIT)
def report_progress(plan_id: int, action_id: int):
    plan = plan_or_404(plan_id)
    action = _action_or_404(plan, action_id)
    if (refused := _read_only(plan)) is not None:
        return refused
    form = ProgressForm(data={"reported_on": _today(), "progress": action.progress})
    if form.validate_on_submit():
        try:
            services.report_progress(action, form.reported_on.data, form.progress.data,
                                     form.note.data, actor=current_user._get_current_object())
        except DomainError as error:
            db.session.rollback()
            form.add_error(error)
        else:
            db.session.commit()
            flash(_("The progress of “%(name)s” has been reported.", name=action.title),
                  "success")
            return redirect(url_for("plans.show_action", plan_id=plan.id, action_id=action.id))
    return _page("plans/programme/progress_form.html", plan, status=_status(), form=form,
                 action=action, updates=_updates_of(action))


# --- involvement ----------------------------------------------------------------------------

@bp.route("/<int:plan_id>/involvement")
@require(Permission.VIEW)
def involvement(plan_id: int):
    plan = plan_or_404(plan_id)
    themes = {theme.id: theme for theme in services.themes_of(plan)}
    return _page("plans/involvement/index.html", plan, tab=INVOLVEMENT_TAB,
                 involvements=services.involvements_of_plan(plan), themes=themes,
                 display_name=register.display_name)


@bp.route("/<int:plan_id>/involvement/new", methods=["GET", "POST"])
@require(Permission.EDIT)
def add_involvement(plan_id: int):
    plan = plan_or_404(plan_id)
    if (refused := _read_only(plan, INVOLVEMENT_TAB)) is not None:
        return refused
    search = request.values.get("q", "").strip()[:200]
    form = InvolvementForm()
    themes = services.themes_of(plan)
    form.fill_themes(themes)
    found = list(db.session.scalars(register.list_query(register.Filters(q=search))
                                    .options(*BARE).limit(SEARCH_RESULTS)))
    chosen = None
    if request.method == "POST" and form.stakeholder_id.data:
        chosen = db.session.get(Stakeholder, form.stakeholder_id.data)
        if chosen is not None and not chosen.is_erased and chosen not in found:
            found.insert(0, chosen)
    form.stakeholder_id.choices = [
        (item.id, f"{register.display_name(item)} ({code_label('kind', item.kind)})")
        for item in found]
    if form.validate_on_submit():
        if chosen is None or chosen.is_erased:
            form.stakeholder_id.errors = [_("Choose a stakeholder from the list.")]
        else:
            theme = next((t for t in themes if t.id == form.theme_id.data), None)
            try:
                services.involve(plan, chosen, form.role.data, theme=theme,
                                 start_date=form.start_date.data, end_date=form.end_date.data,
                                 note=form.note.data)
            except DomainError as error:
                db.session.rollback()
                form.add_error(error)
            else:
                db.session.commit()
                flash(_("%(name)s is now involved in this plan.", name=chosen.name), "success")
                return redirect(url_for(INVOLVEMENT_TAB, plan_id=plan.id))
    return _page("plans/involvement/form.html", plan, tab=INVOLVEMENT_TAB, status=_status(),
                 form=form, search=search, limit=SEARCH_RESULTS)

