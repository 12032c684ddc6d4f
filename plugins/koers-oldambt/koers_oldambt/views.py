"""The regenboogmodel's pages under /p/oldambt/: the rainbow with its table, the provisions,
and the layers. Every route declares who may use it."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask import abort, flash, redirect, request, url_for
from flask_login import current_user
from sqlalchemy.orm.exc import StaleDataError

from app.plugin_api import (
    DomainError,
    Permission,
    PluginBlueprint,
    Stakeholder,
    db,
    has_permission,
    render_template,
    require,
)

from . import services
from .forms import ConfirmForm, LayerForm, ProvisionForm
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
        try:
            item = services.create_provision(form.to_data(), actor=current_user)
            db.session.commit()
        except DomainError as error:
            db.session.rollback()
            form.add_error(error)
        else:
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
        version = form.version.data or ""
        if not version.isdigit():
            abort(400)
        submitted = form.to_data()
        try:
            services.update_provision(item, submitted, expected_version=int(version),
                                      actor=current_user)
            db.session.commit()
        except (services.EditConflict, StaleDataError):
            db.session.rollback()
            return _conflict(item, form, submitted)
        except DomainError as error:
            db.session.rollback()
            form.add_error(error)
        else:
            flash(_("The changes to %(name)s have been saved.", name=item.name), "success")
            return redirect(url_for("oldambt.provision", provision_id=item.id))
    status = 400 if request.method == "POST" else 200
    return render_template("oldambt/provision_form.html", form=form, provision=item), status


def _conflict(item: Provision, form: ProvisionForm, submitted: services.ProvisionData):
    db.session.refresh(item)
    form.version.data = str(item.version)
    layer_names = {layer.id: layer.name for layer in services.layers()}
    labels = services.CHOICE_LABELS
    rows = [
        (form.name.label.text, item.name, submitted.name),
        (form.layer_id.label.text, layer_names.get(item.layer_id, ""),
         layer_names.get(submitted.layer_id, "")),
        (form.choice.label.text, labels.get(item.choice, ""), labels.get(submitted.choice, "")),
        (form.rationale.label.text, item.rationale or "", submitted.rationale or ""),
        (form.yearly_budget.label.text, item.yearly_budget or "", submitted.yearly_budget or ""),
        (form.target_group.label.text, item.target_group or "", submitted.target_group or ""),
        (form.reach.label.text, item.reach or "", submitted.reach or ""),
    ]
    shown = [{"label": label, "current": str(current), "submitted": str(mine),
              "differs": str(current) != str(mine)} for label, current, mine in rows]
    return render_template("oldambt/conflict.html", rows=shown, form=form, provision=item,
                           action=url_for("oldambt.edit_provision", provision_id=item.id)), 409


@blueprint.route("/provisions/<int:provision_id>/archive", methods=["POST"])
@require(Permission.EDIT)
def archive_provision(provision_id: int):
    item = _provision_or_404(provision_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    archive = not item.archived
    services.set_archived(item, archive, actor=current_user)
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
        if not has_permission(current_user, Permission.EDIT):
            abort(403)
        status = _save_layer(forms, new_form)
        if status == 303:
            return redirect(url_for("oldambt.layers"), 303)
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
    try:
        saved = services.save_layer(
            layer, name=form.name.data, colour=form.colour.data,
            description=form.description.data, position=form.position.data,
            expected_version=int(version) if version.isdigit() else None, actor=current_user)
        db.session.commit()
    except (services.EditConflict, StaleDataError):
        db.session.rollback()
        form.form_errors.append(_("Someone else changed this layer meanwhile. The page shows "
                                  "the current version; enter your change again."))
        return 409
    except DomainError as error:
        db.session.rollback()
        form.add_error(error)
        return 400
    flash(_("The layer %(name)s has been saved.", name=saved.name), "success")
    return 303


@blueprint.route("/layers/<int:layer_id>/delete", methods=["POST"])
@require(Permission.EDIT)
def delete_layer(layer_id: int):
    layer = db.session.get(Layer, layer_id)
    if layer is None:
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        services.delete_layer(layer, actor=current_user)
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        flash(_("The layer has been removed."), "success")
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
