"""The "Involvement" tab: which stakeholders are involved in a plan, in which role, and
involving one more (search the register, choose, say how)."""

from __future__ import annotations

from flask import flash, redirect, url_for

from app.edits import current_actor, form_errors
from app.permissions import Permission, require
from app.plans.blueprint import bp
from app.plans.pages import plan_or_404
from app.plans.programme import services
from app.plans.programme.forms import InvolvementForm
from app.plans.programme.pages import INVOLVEMENT_TAB, page
from app.stakeholders import services as register
from app.translate import gettext as _


@bp.route("/<int:plan_id>/involvement")
@require(Permission.VIEW)
def involvement(plan_id: int):
    plan = plan_or_404(plan_id)
    themes = {theme.id: theme for theme in services.themes_of(plan)}
    return page("plans/involvement/index.html", plan, tab=INVOLVEMENT_TAB,
                involvements=services.involvements_of_plan(plan), themes=themes,
                display_name=register.display_name)


@bp.route("/<int:plan_id>/involvement/new", methods=["GET", "POST"])
@require(Permission.EDIT)
def add_involvement(plan_id: int):
    plan = plan_or_404(plan_id, editing=True, tab=INVOLVEMENT_TAB)
    form = InvolvementForm()
    themes = services.themes_of(plan)
    form.fill_themes(themes)
    if form.validate_on_submit():
        chosen = form.stakeholder_id.chosen[0]
        theme = next((t for t in themes if t.id == form.theme_id.data), None)
        with form_errors(form) as saved:
            services.involve(plan, chosen, form.role.data, theme=theme,
                             start_date=form.start_date.data, end_date=form.end_date.data,
                             note=form.note.data, actor=current_actor())
        if saved:
            flash(_("%(name)s is now involved in this plan.", name=chosen.name), "success")
            return redirect(url_for(INVOLVEMENT_TAB, plan_id=plan.id))
    return page("plans/involvement/form.html", plan, tab=INVOLVEMENT_TAB, form=form)
