"""The regenboogmodel's pages under /p/oldambt/: the rainbow with its table, the provisions,
and the layers. Every route declares who may use it."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask import abort, flash, redirect, request, url_for

from app.plugin_api import (
    ConfirmForm,
    DomainForm,
    Permission,
    PluginBlueprint,
    Stakeholder,
    conflict_page,
    current_actor,
    db,
    form_errors,
    has_permission,
    posted_version,
    render_template,
    require,
)

from . import services
from .forms import LayerForm, ProvisionForm
from .models import CHOICES, Layer, Provision
from .rainbow import CHOICE_FILLS, Band, Marker, rainbow_svg
from .translations import _

blueprint = PluginBlueprint("oldambt", __name__)


def _filters() -> services.Filters:
    choice = request.args.get("choice") or None
    theme = request.args.get("theme", "")
    plan = request.args.get("plan", "")
    return services.Filters(choice=choice if choice in CHOICES else None,
                            theme_id=int(theme) if theme.isdigit() else None,
                            plan_id=int(plan) if plan.isdigit() else None)


def rainbow_parts(items: list[Provision], *, chart_id: str = "rainbow") -> dict[str, Any]:
    """The picture and what the table beside it needs, numbered the same way."""
    layer_list = services.layers()
    index_of = {layer.id: index for index, layer in enumerate(layer_list)}
    layer_names = {layer.id: layer.name for layer in layer_list}
    markers = []
    for number, item in enumerate(items, start=1):
        choice = str(services.CHOICE_LABELS.get(item.choice, item.choice))
        markers.append(Marker(
            number=number, layer_index=index_of.get(item.layer_id, 0),
            label=_("%(number)d. %(name)s, %(layer)s: %(choice)s", number=number,
                    name=item.name, layer=layer_names.get(item.layer_id, ""), choice=choice),
            href=url_for("oldambt.provision", provision_id=item.id), choice=item.choice))
    svg = rainbow_svg(
        [Band(layer.name, layer.colour, layer.description or "") for layer in layer_list],
        markers, title=_("Regenboogmodel"), household=_("Household"), chart_id=chart_id,
        description=_("The layers from the household outwards: %(layers)s. Each numbered "
                      "marker is a provision; the table lists them by number.",
                      layers=", ".join(f"{i}. {layer.name}"
                                       for i, layer in enumerate(layer_list, start=1))))
    return {"svg": svg, "layers": layer_list, "layer_names": layer_names,
            "numbered": list(enumerate(items, start=1)),
            "providers": services.providers([i.provider_id for i in items if i.provider_id]),
            "choice_labels": services.CHOICE_LABELS, "choice_fills": CHOICE_FILLS}


@blueprint.route("/")
@require(Permission.VIEW)
def index():
    filters = _filters()
    items = services.provisions(filters)
    return render_template(
        "oldambt/rainbow.html", filters=filters, totals=services.totals_by_choice(items),
        themes=services.theme_options(), total_budget=sum(
            (i.yearly_budget or Decimal(0) for i in items), Decimal(0)),
        **rainbow_parts(items))


def _provision_or_404(provision_id: int) -> Provision:
    provision = db.session.get(Provision, provision_id)
    if provision is None:
        abort(404)
    return provision


@blueprint.route("/provisions/<int:provision_id>")
@require(Permission.VIEW)
def provision(provision_id: int):
    item = _provision_or_404(provision_id)
    themes = services.theme_options(services.theme_ids_of(item.id))
    goals = services.goal_options(services.goal_ids_of(item.id))
    return render_template(
        "oldambt/provision.html", provision=item, layer=db.session.get(Layer, item.layer_id),
        provider=db.session.get(Stakeholder, item.provider_id) if item.provider_id else None,
        themes=themes, goals=goals, choice_labels=services.CHOICE_LABELS, form=ConfirmForm())


@blueprint.route("/provisions/new", methods=["GET", "POST"])
@require(Permission.EDIT)
def new_provision():
    form = ProvisionForm()
    if form.validate_on_submit():
        with form_errors(form) as saved:
            item = services.create_provision(form.to_data(), actor=current_actor())
        if saved:
            flash(_("%(name)s has been added to the regenboogmodel.", name=item.name),
                  "success")
            return redirect(url_for("oldambt.provision", provision_id=item.id))
    status = 400 if request.method == "POST" else 200
    return render_template("oldambt/provision_form.html", form=form, provision=None), status


@blueprint.route("/provisions/<int:provision_id>/edit", methods=["GET", "POST"])
@require(Permission.EDIT)
def edit_provision(provision_id: int):
    item = _provision_or_404(provision_id)
    form = ProvisionForm(obj=item if request.method == "GET" else None)
    if request.method == "GET":
        form.themes.data = services.theme_ids_of(item.id)
        form.goals.data = services.goal_ids_of(item.id)
        form.version.data = str(item.version)
    if form.validate_on_submit():
        submitted = form.to_data()
        with form_errors(form, conflict=lambda: _conflict(item, form, submitted)) as saved:
            services.update_provision(item, submitted, expected_version=posted_version(),
                                      actor=current_actor())
        if saved:
            flash(_("The changes to %(name)s have been saved.", name=item.name), "success")
            return redirect(url_for("oldambt.provision", provision_id=item.id))
    status = 400 if request.method == "POST" else 200
    return render_template("oldambt/provision_form.html", form=form, provision=item), status


def _conflict(item: Provision, form: ProvisionForm, submitted: services.ProvisionData):
    """The provision as someone else saved it beside what this editor submitted."""

    def rows() -> list[tuple[Any, Any, Any]]:
        layer_names = {layer.id: layer.name for layer in services.layers()}
        labels = services.CHOICE_LABELS
        return [
            (form.name.label.text, item.name, submitted.name),
            (form.layer_id.label.text, layer_names.get(item.layer_id, ""),
             layer_names.get(submitted.layer_id, "")),
            (form.choice.label.text, labels.get(item.choice, ""),
             labels.get(submitted.choice, "")),
            (form.rationale.label.text, item.rationale, submitted.rationale),
            (form.yearly_budget.label.text, item.yearly_budget, submitted.yearly_budget),
            (form.target_group.label.text, item.target_group, submitted.target_group),
            (form.reach.label.text, item.reach, submitted.reach),
        ]

    return conflict_page("oldambt/conflict.html", rows, form=form,
                         version=lambda: item.version, provision=item,
                         action=url_for("oldambt.edit_provision", provision_id=item.id))


@blueprint.route("/provisions/<int:provision_id>/archive", methods=["POST"])
@require(Permission.EDIT)
def archive_provision(provision_id: int):
    item = _provision_or_404(provision_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    archive = not item.archived
    services.set_archived(item, archive, actor=current_actor())
    db.session.commit()
    flash(_("%(name)s has been archived.", name=item.name) if archive else
          _("%(name)s is current again.", name=item.name), "success")
    return redirect(url_for("oldambt.provision", provision_id=item.id))


@blueprint.route("/layers", methods=["GET", "POST"])
@require(Permission.VIEW)
def layers():
    """The layers with a form per layer and one for a new layer (editors)."""
    forms = {layer.id: LayerForm(prefix=f"layer-{layer.id}", obj=layer)
             for layer in services.layers()}
    new_form = LayerForm(prefix="new")
    status = 200
    if request.method == "POST":
        if not has_permission(current_actor(), Permission.EDIT):
            abort(403)
        status = _save_layer(forms, new_form)
        if status == 303:
            return redirect(url_for("oldambt.layers"), 303)
    return _layers_page(forms, new_form, status)


def _layers_page(forms: dict[int, LayerForm], new_form: LayerForm, status: int):
    for layer_id, form in forms.items():
        if request.method == "GET" or not form.is_submitted():
            layer = db.session.get(Layer, layer_id)
            form.version.data = str(layer.version)
            form.position.data = layer.position
    if request.method == "GET" or not new_form.is_submitted():
        new_form.position.data = len(forms) + 1
    return render_template("oldambt/layers.html", forms=forms, new_form=new_form,
                           layers=services.layers(), delete_form=ConfirmForm()), status


def _save_layer(forms: dict[int, LayerForm], new_form: LayerForm) -> int:
    target = request.form.get("layer", "")
    form = new_form if target == "new" else forms.get(int(target)) if target.isdigit() else None
    if form is None:
        abort(400)
    if not form.validate_on_submit():
        return 400
    layer = None if target == "new" else db.session.get(Layer, int(target))
    version = form.version.data or ""

    def conflict():
        form.form_errors.append(_("Someone else changed this layer meanwhile. The page shows "
                                  "the current version; enter your change again."))
        return _layers_page(forms, new_form, 409)

    with form_errors(form, conflict=conflict) as saved:
        layer = services.save_layer(
            layer, name=form.name.data, colour=form.colour.data,
            description=form.description.data, position=form.position.data,
            expected_version=int(version) if version.isdigit() else None,
            actor=current_actor())
    if not saved:
        return 400
    flash(_("The layer %(name)s has been saved.", name=layer.name), "success")
    return 303


@blueprint.route("/layers/<int:layer_id>/delete", methods=["POST"])
@require(Permission.EDIT)
def delete_layer(layer_id: int):
    layer = db.session.get(Layer, layer_id)
    if layer is None:
        abort(404)
    form = DomainForm()  # a button: CSRF only, and the refusal if the layer must stay
    if not form.validate_on_submit():
        abort(400)
    with form_errors(form) as saved:
        services.delete_layer(layer, actor=current_actor())
    flash(_("The layer has been removed.") if saved else " ".join(form.form_errors),
          "success" if saved else "error")
    return redirect(url_for("oldambt.layers"))


def render_plan_panel(plan: Any) -> str:
    """The plan page's panel: for a koers in implementation its yearly follow-up meeting,
    and the provisions linked to the plan's themes and goals."""
    from datetime import date

    from . import conference
    from .workflow import FOLLOW_UP_STATES

    items = services.provisions(services.Filters(plan_id=plan.id))
    follow_up = conference.follow_up(plan.id) if plan.state in FOLLOW_UP_STATES else None
    return render_template("oldambt/plan_panel.html", plan=plan, items=items,
                           totals=services.totals_by_choice(items), follow_up=follow_up,
                           overdue=follow_up is not None and follow_up.overdue(date.today()),
                           **rainbow_parts(items, chart_id=f"rainbow-plan-{plan.id}"))
