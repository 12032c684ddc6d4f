"""The plugin's page: a plan's programme, consultations and first inputs through the read
helpers, links to the core's pages, and a form that opens a hearing through the edit kit."""

from __future__ import annotations

from flask import abort, redirect, url_for
from wtforms import HiddenField, StringField
from wtforms.validators import InputRequired

from app.plugin_api import (
    CORE_ENDPOINTS,
    Action,
    ConfirmForm,
    Consultation,
    ConsultationData,
    DefaultState,
    DomainForm,
    Goal,
    Input,
    Permission,
    Plan,
    PluginBlueprint,
    Theme,
    actions_of,
    audit,
    check_version,
    conflict_page,
    consultations_of,
    create_consultation,
    current_actor,
    db,
    form_errors,
    goals_of,
    inputs_of,
    posted_version,
    public,
    render_template,
    require,
    themes_of,
)

blueprint = PluginBlueprint("phaseguard", __name__)


class HearingForm(DomainForm):
    title = StringField("Title", validators=[InputRequired()])
    version = HiddenField()


def _plan_or_404(plan_id: int) -> Plan:
    plan = db.session.get(Plan, plan_id)
    if plan is None:
        abort(404)
    return plan


def _page(plan: Plan, form: HearingForm, status: int = 200):
    themes: list[Theme] = themes_of(plan)
    goals: list[Goal] = goals_of(plan)
    actions: list[Action] = actions_of(plan)
    consultations: list[Consultation] = consultations_of(plan)
    inputs: dict[int, list[Input]] = {c.id: inputs_of(c, limit=3) for c in consultations}
    form.version.data = form.version.data or str(plan.version)
    return render_template(
        "phaseguard/plan.html", plan=plan, themes=themes, goals=goals, actions=actions,
        consultations=consultations, inputs=inputs, form=form,
        links=[endpoint for endpoint, args in CORE_ENDPOINTS.items() if args == ("plan_id",)],
        adopted=plan.state == DefaultState.VASTGESTELD, confirm=ConfirmForm()), status


@blueprint.route("/plans/<int:plan_id>")
@require(Permission.VIEW)
def plan_page(plan_id: int):
    return _page(_plan_or_404(plan_id), HearingForm())


@blueprint.route("/plans/<int:plan_id>/hearing", methods=["POST"])
@require(Permission.EDIT)
def open_hearing(plan_id: int):
    plan = _plan_or_404(plan_id)
    form = HearingForm()
    if not form.validate_on_submit():
        return _page(plan, form, 400)
    submitted = form.title.data

    def rows():
        return [("Title", plan.title, submitted)]

    conflict = lambda: conflict_page("phaseguard/conflict.html", rows, plan=plan)  # noqa: E731
    with form_errors(form, conflict=conflict) as saved:
        check_version(plan, posted_version())  # the page showed this version of the plan
        hearing = create_consultation(plan, ConsultationData(title=submitted,
                                                             format="bijeenkomst"),
                                      actor=current_actor())
        audit("phaseguard.hearing", plan, actor=current_actor())
    if not saved:
        return _page(plan, form, 400)
    return redirect(url_for("consultations.show", consultation_id=hearing.id))


@blueprint.route("/about")
@public
def about():
    return "phase guard"
