"""The hook specifications: the contract between the core and municipality plugins.

Every hook is documented in ``docs/plugins.md`` (a test fails when one is missing there or has
no test). Implementations take any subset of the arguments, so adding an argument is safe;
renaming or removing one goes through a deprecation first.

Order: implementations run in the order the municipality enables the plugins, earliest first,
and the core's own implementations run after every plugin's. So in a collected hook the
earliest enabled plugin's results come first, and in a ``firstresult`` hook the earliest
enabled plugin that returns something other than ``None`` wins — over later plugins and over
the core.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    import click
    from flask import Blueprint

    from app.consultations.inputs.services import InputKind
    from app.consultations.services import ConsultationFormat
    from app.municipality import Municipality
    from app.plans.models import Plan
    from app.plans.models import Transition as TransitionRecord
    from app.plans.services import PlanKind
    from app.plugins.settings import Setting
    from app.plugins.types import NavItem, SlotContent, ThemeStylesheet, Widget
    from app.stakeholders.services import Category
    from app.workflow import Transition, Workflow

PROJECT = "koers"
hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


@hookspec
def declare_settings() -> list[Setting]:
    """The settings this plugin reads from ``[plugins.<name>]`` in ``municipality.toml``.

    Runs once while the app is created, before anything else of the plugin. Collected per
    plugin: each plugin's values are validated against its own declarations (unknown keys and
    wrong types stop start-up) and defaults fill in what the file leaves out. Read them with
    ``plugin_settings("<name>")``.
    """


@hookspec
def register_blueprints() -> list[Blueprint]:
    """The plugin's Flask blueprints, made with ``PluginBlueprint``.

    Runs once while the app is created. Collected per plugin; the loader checks that each
    blueprint carries the plugin's name and its ``/p/<name>/`` URL prefix, and the permission
    check covers their routes like the core's.
    """


@hookspec
def register_cli(group: click.Group) -> None:
    """Add commands to ``group``, which the core mounts as ``koers <name> …``.

    Runs once while the app is created, once per plugin with that plugin's own group.
    """


@hookspec
def navigation_items(user: Any) -> list[NavItem]:
    """Entries for the main menu for ``user`` (the signed-in staff member).

    Runs on every page that shows the menu. Collected; the core shows them sorted by
    ``priority`` (lower first) and leaves out items whose permission the user lacks.
    """


@hookspec
def dashboard_widgets(user: Any) -> list[Widget]:
    """Cards on the dashboard for ``user``.

    Runs when the dashboard is shown. Collected; sorted by ``priority`` (lower first). A
    widget whose rendering raises is replaced by an error box naming the plugin.
    """


@hookspec
def theme_stylesheets() -> list[ThemeStylesheet]:
    """Design-token stylesheets from the plugin's ``static/`` folder that theme every page
    (API 1.3): a municipality's brand tokens shipped as a plugin. They load after the
    municipality's own colours, in plugin order; see docs/design.md."""


@hookspec
def template_slot(slot: str, context: dict[str, Any]) -> list[SlotContent] | SlotContent | None:
    """Content for the named ``slot`` of a core page (see ``SLOTS`` in ``app.plugins.ui``).

    Runs each time a page renders that slot; ``context`` holds what the slot's registry entry
    lists. Collected; contents are sorted by ``priority`` (lower first). Return ``None`` for
    slots the plugin does not fill. An exception renders an error box naming the plugin.
    """


@hookspec
def demo_data(municipality: Municipality) -> None:
    """Load the plugin's demonstration data for ``municipality``.

    Runs in ``koers demo setup`` after the core's demo data, inside the same transaction, in
    enabled order; ``koers demo setup --plugins-only`` runs it alone, on an instance with its
    own data (the core's demo plans may then be missing). Must be idempotent: running the
    setup again adds nothing twice.
    """


@hookspec
def stakeholder_categories() -> list[Category]:
    """Categories of stakeholders this plugin adds (e.g. a municipality's own kind of
    partner), each with the participant group that input from such a stakeholder defaults to.

    Runs whenever the register needs its categories (forms, filters, imports). Collected; the
    core's categories come from the core's own implementation. Where two define the same code,
    the earliest enabled plugin wins, and plugins win over the core.
    """


@hookspec(firstresult=True)
def dashboard_title(user: Any) -> str | None:
    """The heading of the dashboard, e.g. a municipality's own welcome.

    Runs when the dashboard is shown. ``firstresult``: the earliest enabled plugin that returns
    a text wins; the core's welcome is used when none does.
    """


@hookspec
def plan_types() -> list[PlanKind]:
    """Kinds of plan this plugin adds, e.g. a municipality's own "koersdocument".

    Runs whenever the plans area needs its kinds (forms, filters, creating a plan). Collected;
    the core's kinds (beleidsplan, beleidskader, koersdocument, nota, uitvoeringsprogramma)
    come from the core's own implementation. Where two define the same code, the earliest
    enabled plugin wins, and plugins win over the core. A kind may name the workflow its new
    plans follow (``PlanKind(code, label, workflow="<plugin>.<name>")``).
    """


@hookspec
def workflows() -> list[Workflow]:
    """Workflows this plugin defines: states (each mapped to a core phase) and transitions.

    Runs once when the app is created; every workflow is validated then, and a workflow whose
    name, state codes or transition names do not start with ``<plugin>.`` stops start-up with
    a message naming the plugin. Collected; the core's default workflow (``core.default``)
    comes from the core's own implementation.
    """


@hookspec
def transition_guards(plan: Plan, transition: Transition, user: Any,
                      values: Mapping[str, Any]) -> list[str] | None:
    """Conditions for taking ``transition`` on ``plan`` as ``user`` that are not met, as
    messages (translated) — or an empty list or ``None`` when all are met. ``values`` holds
    what the user declared for the step (its fields, e.g. ``decided_on``); it is empty while
    a page only asks whether the step could be taken.

    Runs each time a step is checked or taken, for every step, of every workflow: return
    ``None`` for steps the plugin has no opinion on (check ``transition.name`` or the names in
    ``transition.guards``). Collected: the step is refused when any implementation returns a
    message, and the refusal lists every message of every implementation. **Fails closed**: an
    implementation that raises refuses the step with a message naming the plugin, and is
    logged. The core's implementation checks the ``core.*`` guards its own workflow names.
    """


@hookspec
def transition_effects(plan: Plan, transition: Transition, user: Any,
                       values: Mapping[str, Any]) -> None:
    """Do what taking ``transition`` on ``plan`` entails, inside the step's transaction, e.g.
    take a named revision or open a comment period (``values`` holds the step's declared
    fields, such as the ``decided_on`` date the period opens).

    Runs after every guard passed, before the step is recorded, for every step of every
    workflow (act only on the steps that concern the plugin). Collected, in enabled order
    with the core last. An exception rolls back the whole step, the plan's new state
    included, and names the plugin.
    """


@hookspec
def after_transition(plan: Plan, transition: Transition, user: Any,
                     record: TransitionRecord) -> None:
    """React to a step taken on ``plan`` after it was committed: notifications, messages.

    Runs once the step and its effects are saved. Collected; an exception is logged with the
    plugin's name and changes nothing (the step stays taken). Must be safe to run again.
    """


@hookspec
def consultation_formats() -> list[ConsultationFormat]:
    """Kinds of consultation this plugin adds (e.g. a municipality's "wijkgesprek").

    Runs whenever consultations need their formats (forms, filters, creating one).
    Collected; the core's formats (werkconferentie, bijeenkomst, gesprekstafel, ontbijtsessie,
    inspraakbijeenkomst, online, ter inzage) come from the core's own implementation. Where
    two define the same code, the earliest enabled plugin wins, and plugins win over the core.
    A format with ``comment_period=True`` has a publication date and a computed last day.
    """


@hookspec
def input_kinds() -> list[InputKind]:
    """Kinds of input this plugin adds (e.g. "ervaringsverhaal").

    Runs whenever input is recorded or listed. Collected, with the same precedence as
    ``consultation_formats``; the core's kinds are idee, zorg, advies, zienswijze and vraag.
    A kind with ``needs_answer=True`` gets an answer of its own; other input is processed.
    """
