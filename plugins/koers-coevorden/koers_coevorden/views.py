"""The pillar pages under /p/coevorden/: the overview of a plan's pillars with their goals,
actions, budgets and indicators, and editing a pillar's facts."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, request, url_for
from flask_login import current_user
from sqlalchemy.orm.exc import StaleDataError

from app.plugin_api import (
    DomainError,
    Permission,
    Plan,
    PluginBlueprint,
    Theme,
    db,
    render_template,
    require,
)

from . import services
from .forms import ConfirmForm, IndicatorForm, PillarForm
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
    plan = db.session.get(Plan, theme.plan_id)
    facts = services.facts_for(theme)
    form = PillarForm(obj=facts if request.method == "GET" else None)
    if request.method == "GET":
        form.version.data = str(facts.version or 0)
    status = 200
    if form.validate_on_submit():
        version = form.version.data or ""
        if not version.isdigit():
            abort(400)
        try:
            services.save_pillar(theme, is_main=form.is_main.data, budget=form.budget.data,
                                 expected_version=int(version), actor=current_user)
            db.session.commit()
        except (services.EditConflict, StaleDataError):
            db.session.rollback()
            facts = services.facts_for(theme)
            form.version.data = str(facts.version or 0)
            form.form_errors.append(_(
                "Someone else changed this pillar meanwhile: it is now %(state)s, with a "
                "budget of %(budget)s. Save again to put your values over it.",
                state=_("the main pillar") if facts.is_main else _("not the main pillar"),
                budget=facts.budget if facts.budget is not None else "—"))
            status = 409
        except DomainError as error:
            db.session.rollback()
            form.budget.errors = [*form.budget.errors, error.message]
            status = 400
        else:
            flash(_("The pillar %(name)s has been saved.", name=theme.name), "success")
            return redirect(url_for("coevorden.overview", plan_id=theme.plan_id))
    elif request.method == "POST":
        status = 400
    indicators = [view for view in services.pillars_of(plan) if view.theme.id == theme.id]
    return render_template("coevorden/pillar_form.html", theme=theme, plan=plan, form=form,
                           indicator_form=IndicatorForm(), delete_form=ConfirmForm(),
                           indicators=indicators[0].indicators if indicators else []), status


@blueprint.route("/pillars/<int:theme_id>/indicators", methods=["POST"])
@require(Permission.EDIT)
def add_indicator(theme_id: int):
    theme = _theme_or_404(theme_id)
    form = IndicatorForm()
    if form.validate_on_submit():
        services.add_indicator(theme, name=form.name.data, baseline=form.baseline.data,
                               target=form.target.data, current=form.current.data,
                               source=form.source.data, actor=current_user)
        db.session.commit()
        flash(_("The indicator has been added."), "success")
        return redirect(url_for("coevorden.edit_pillar", theme_id=theme.id))
    plan = db.session.get(Plan, theme.plan_id)
    facts = services.facts_for(theme)
    pillar_form = PillarForm(obj=facts)
    pillar_form.version.data = str(facts.version or 0)
    views = [view for view in services.pillars_of(plan) if view.theme.id == theme.id]
    return render_template("coevorden/pillar_form.html", theme=theme, plan=plan,
                           form=pillar_form, indicator_form=form, delete_form=ConfirmForm(),
                           indicators=views[0].indicators if views else []), 400


@blueprint.route("/indicators/<int:indicator_id>/delete", methods=["POST"])
@require(Permission.EDIT)
def delete_indicator(indicator_id: int):
    indicator = db.session.get(Indicator, indicator_id)
    if indicator is None:
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    theme_id = indicator.theme_id
    services.remove_indicator(indicator, actor=current_user)
    db.session.commit()
    flash(_("The indicator has been removed."), "success")
    return redirect(url_for("coevorden.edit_pillar", theme_id=theme_id))


def render_plan_panel(plan: Any) -> str:
    """The plan page's panel: goals, actions and budget per pillar."""
    return render_template("coevorden/plan_panel.html", plan=plan,
                           pillars=services.pillars_of(plan))
