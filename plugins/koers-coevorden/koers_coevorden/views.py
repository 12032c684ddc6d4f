"""The pillar pages under /p/coevorden/: the overview of a plan's pillars with their goals,
actions, budgets and indicators, and editing a pillar's facts."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, request, url_for

from app.plugin_api import (
    ConfirmForm,
    Permission,
    Plan,
    PluginBlueprint,
    Theme,
    current_actor,
    db,
    form_errors,
    posted_version,
    render_template,
    require,
)

from . import services
from .forms import IndicatorForm, PillarForm
from .models import Indicator
from .translations import _

blueprint = PluginBlueprint("coevorden", __name__)


@blueprint.route("/")
@require(Permission.VIEW)
def index():
    return render_template("coevorden/index.html", plans=services.plans_with_pillars())


@blueprint.route("/plans/<int:plan_id>")
@require(Permission.VIEW)
def overview(plan_id: int):
    plan = db.session.get(Plan, plan_id)
    if plan is None:
        abort(404)
    return render_template("coevorden/overview.html", plan=plan,
                           pillars=services.pillars_of(plan))


def _theme_or_404(theme_id: int) -> Theme:
    theme = db.session.get(Theme, theme_id)
    if theme is None:
        abort(404)
    return theme


@blueprint.route("/pillars/<int:theme_id>", methods=["GET", "POST"])
@require(Permission.EDIT)
def edit_pillar(theme_id: int):
    theme = _theme_or_404(theme_id)
    facts = services.facts_for(theme)
    form = PillarForm(obj=facts if request.method == "GET" else None)
    if request.method == "GET":
        form.version.data = str(facts.version or 0)
    if form.validate_on_submit():
        with form_errors(form, conflict=lambda: _conflict(theme, form)) as saved:
            services.save_pillar(theme, is_main=form.is_main.data, budget=form.budget.data,
                                 expected_version=posted_version(), actor=current_actor())
        if saved:
            flash(_("The pillar %(name)s has been saved.", name=theme.name), "success")
            return redirect(url_for("coevorden.overview", plan_id=theme.plan_id))
    status = 400 if request.method == "POST" else 200
    return _pillar_page(theme, form, IndicatorForm(), status)


def _conflict(theme: Theme, form: PillarForm):
    """The form again with the pillar as someone else saved it, to save over it on purpose."""
    facts = services.facts_for(theme)
    form.version.data = str(facts.version or 0)
    form.form_errors.append(_(
        "Someone else changed this pillar meanwhile: it is now %(state)s, with a "
        "budget of %(budget)s. Save again to put your values over it.",
        state=_("the main pillar") if facts.is_main else _("not the main pillar"),
        budget=facts.budget if facts.budget is not None else "—"))
    return _pillar_page(theme, form, IndicatorForm(), 409)


def _pillar_page(theme: Theme, form: PillarForm, indicator_form: IndicatorForm, status: int):
    plan = db.session.get(Plan, theme.plan_id)
    views = [view for view in services.pillars_of(plan) if view.theme.id == theme.id]
    return render_template("coevorden/pillar_form.html", theme=theme, plan=plan, form=form,
                           indicator_form=indicator_form, delete_form=ConfirmForm(),
                           indicators=views[0].indicators if views else []), status


@blueprint.route("/pillars/<int:theme_id>/indicators", methods=["POST"])
@require(Permission.EDIT)
def add_indicator(theme_id: int):
    theme = _theme_or_404(theme_id)
    form = IndicatorForm()
    if form.validate_on_submit():
        services.add_indicator(theme, name=form.name.data, baseline=form.baseline.data,
                               target=form.target.data, current=form.current.data,
                               source=form.source.data, actor=current_actor())
        db.session.commit()
        flash(_("The indicator has been added."), "success")
        return redirect(url_for("coevorden.edit_pillar", theme_id=theme.id))
    facts = services.facts_for(theme)
    pillar_form = PillarForm(obj=facts)
    pillar_form.version.data = str(facts.version or 0)
    return _pillar_page(theme, pillar_form, form, 400)


@blueprint.route("/indicators/<int:indicator_id>/delete", methods=["POST"])
@require(Permission.EDIT)
def delete_indicator(indicator_id: int):
    indicator = db.session.get(Indicator, indicator_id)
    if indicator is None:
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    theme_id = indicator.theme_id
    services.remove_indicator(indicator, actor=current_actor())
    db.session.commit()
    flash(_("The indicator has been removed."), "success")
    return redirect(url_for("coevorden.edit_pillar", theme_id=theme_id))


def render_plan_panel(plan: Any) -> str:
    """The plan page's panel: goals, actions and budget per pillar."""
    return render_template("coevorden/plan_panel.html", plan=plan,
                           pillars=services.pillars_of(plan))
