"""A test plugin that exercises every hook of the plugin contract, as an outside developer
would write it: it imports nothing from Koers but ``app.plugin_api``."""

from __future__ import annotations

import click

from app.plugin_api import (
    Category,
    ConsultationFormat,
    Field,
    InputKind,
    NavItem,
    Phase,
    PlanKind,
    Setting,
    SlotContent,
    State,
    ThemeStylesheet,
    Transition,
    Widget,
    Workflow,
    hookimpl,
    render_template,
)

from .translations import _, _l
from .views import blueprint

koers_api = ">=1.3,<2"


@hookimpl
def declare_settings():
    return [
        Setting("greeting", "Hallo", "the greeting on the plugin's page"),
        Setting("max_notes", 10, "how many notes the page lists", type=int),
        Setting("api_token", "", "a secret token", env="KOERS_TESTPLUGIN_API_TOKEN"),
    ]


@hookimpl
def register_blueprints():
    return [blueprint]


@hookimpl
def register_cli(group):
    @group.command("count")
    def count():
        """Print how many notes there are."""
        from app.plugin_api import db

        from .models import Note

        click.echo(f"notes: {db.session.query(Note).count()}")


@hookimpl
def navigation_items(user):
    return [NavItem(_l("Test notes"), "testplugin.index", "view", priority=50)]


@hookimpl
def dashboard_widgets(user):
    return [Widget(_l("Test widget"), lambda: render_template(
        "testplugin/widget.html", user=user), priority=20)]


@hookimpl
def template_slot(slot, context):
    if slot == "dashboard.top":
        return SlotContent(lambda: render_template("testplugin/slot.html", **context),
                           priority=5)
    return None


@hookimpl
def theme_stylesheets():
    return [ThemeStylesheet("brand-tokens.css", theme_class="testplugin-theme")]


@hookimpl
def dashboard_title(user):
    return _("Test dashboard of %(name)s", name=user.name)


@hookimpl
def stakeholder_categories():
    return [Category("wijkteam", _l("Neighbourhood team"), "partner")]


@hookimpl
def demo_data(municipality):
    from app.plugin_api import db

    from .models import Note

    if not db.session.query(Note).filter_by(text="Demo note").first():
        db.session.add(Note(text="Demo note"))


REVIEW = Workflow(
    name="testplugin.review",
    label=_l("Review by the neighbourhood"),
    initial="testplugin.draft",
    states=(State("testplugin.draft", _l("Draft"), Phase.CONCEPT),
            State("testplugin.approved", _l("Approved"), Phase.VASTGESTELD)),
    transitions=(Transition("testplugin.approve", ("testplugin.draft",), "testplugin.approved",
                            _l("Approve"),
                            fields=(Field("decided_on", _l("Approved on"), "date"),),
                            guards=("testplugin.has_summary",),
                            effects=("testplugin.note",)),),
)
#: What after_transition saw, for the tests: (plan id, transition name, record id).
AFTER_TRANSITION: list[tuple[int, str, int]] = []


@hookimpl
def plan_types():
    return [PlanKind("wijkplan", _l("Neighbourhood plan"), workflow="testplugin.review")]


@hookimpl
def workflows():
    return [REVIEW]


@hookimpl
def transition_guards(plan, transition, user):
    if plan.title == "guard-boom":
        raise RuntimeError("the guard broke")
    if "testplugin.has_summary" in transition.guards and not plan.summary:
        return [_("Write a summary first.")]
    return None


@hookimpl
def transition_effects(plan, transition, user):
    from app.plugin_api import db

    from .models import Note

    if "testplugin.note" in transition.effects:
        if plan.title == "effect-boom":
            raise RuntimeError("the effect broke")
        db.session.add(Note(text=f"approved plan {plan.id} by {user.name}"))


@hookimpl
def after_transition(plan, transition, user, record):
    if plan.title == "after-boom":
        raise RuntimeError("the notification broke")
    AFTER_TRANSITION.append((plan.id, transition.name, record.id))


@hookimpl
def consultation_formats():
    return [ConsultationFormat("wijkgesprek", _l("Neighbourhood talk"))]


@hookimpl
def input_kinds():
    return [InputKind("ervaringsverhaal", _l("Story of experience"))]
