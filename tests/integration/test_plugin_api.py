"""Plugin API 1.2, exercised through the test plugin ``phaseguard`` (tests/plugins/phaseguard),
written against 1.2 only: workflow introspection in a guard that works for every workflow,
the read helpers, the edit kit, the core endpoints, and the test factories of app.testing.

Also the Datasette habit: every name ``app.plugin_api`` exports is used by a test plugin or
listed in docs/plugins.md as intentionally unused there.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from app import plugin_api
from app.plugin_api import CORE_ENDPOINTS, DefaultState, DefaultStep, Phase
from app.testing import (
    TransitionRefused,
    make_consultation,
    make_plan,
    make_stakeholder,
    take_step,
)

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs" / "plugins.md"
UNUSED_MARK = "**Not used by the test plugins:**"


@pytest.fixture
def extra_plugins():
    return {"phaseguard": "tests.plugins.phaseguard"}


@pytest.fixture
def enabled_plugins():
    return ["phaseguard"]


def intentionally_unused() -> set[str]:
    text = DOCS.read_text(encoding="utf-8")
    paragraph = text[text.index(UNUSED_MARK):].split("\n\n", 1)[0]
    return set(re.findall(r"`([A-Za-z_][A-Za-z0-9_]*)`", paragraph))


def test_every_exported_name_is_used_by_a_test_plugin_or_documented_as_unused():
    sources = "\n".join(path.read_text(encoding="utf-8")
                        for path in (ROOT / "tests" / "plugins").rglob("*")
                        if path.suffix in (".py", ".html"))
    unused = intentionally_unused()
    neither = [name for name in plugin_api.__all__
               if not re.search(rf"\b{re.escape(name)}\b", sources) and name not in unused]
    assert neither == [], ("names of app.plugin_api that no test plugin uses; use them in "
                           f"tests/plugins/ or list them after {UNUSED_MARK}: {neither}")
    stale = sorted(unused - set(plugin_api.__all__))
    assert stale == [], f"listed as unused but not exported: {stale}"


def test_the_api_is_version_1_2():
    assert plugin_api.API_VERSION == "1.3"


def test_every_core_endpoint_exists_with_its_arguments(app):
    rules = {}
    for rule in app.url_map.iter_rules():
        rules.setdefault(rule.endpoint, []).append(set(rule.arguments))
    for endpoint, arguments in CORE_ENDPOINTS.items():
        assert endpoint in rules, f"{endpoint} is not a route"
        assert set(arguments) in rules[endpoint], f"{endpoint} takes {rules[endpoint]}"


def test_the_default_workflow_constants_name_its_states_and_steps():
    workflow = plugin_api.DEFAULT_WORKFLOW
    states = {v for k, v in vars(DefaultState).items() if k.isupper()}
    steps = {v for k, v in vars(DefaultStep).items() if k.isupper()}
    assert states == {state.code for state in workflow.states}
    assert steps == {transition.name for transition in workflow.transitions}
    assert workflow.target_phase(DefaultStep.ADOPT) == Phase.VASTGESTELD


# --- the guard that keeps plans out of phase vastgesteld, in any workflow -------------------

def test_a_plugin_guard_refuses_entering_vastgesteld_in_its_own_workflow(app, db):
    plan = make_plan("Gefaseerd plan", kind="gefaseerd")
    assert plan.workflow == "phaseguard.flow"
    take_step(plan, "phaseguard.review")
    assert plan.state == "phaseguard.review"
    with pytest.raises(TransitionRefused) as refused:
        take_step(plan, "phaseguard.adopt")
    from tests.plugins.phaseguard import REFUSAL

    assert [(r.source, r.message) for r in refused.value.refusals] == [
        ("phaseguard", REFUSAL)]
    db.session.refresh(plan)
    assert plan.state == "phaseguard.review"


def test_the_same_guard_refuses_the_councils_adoption_in_the_default_workflow(app, db):
    from tests.plugins.phaseguard import SEEN

    sponsor = make_stakeholder("Joop Brink", kind="person", categories=["wethouder"])
    plan = make_plan(sponsor=sponsor)
    record = take_step(plan, DefaultStep.ADOPT_DRAFT)  # into ontwerp: allowed
    assert (record.from_state, record.to_state) == (DefaultState.CONCEPT, DefaultState.ONTWERP)
    assert SEEN[-1] == (plan.id, DefaultStep.ADOPT_DRAFT, ("concept",), "ontwerp")
    with pytest.raises(TransitionRefused) as refused:
        take_step(plan, DefaultStep.ADOPT)
    assert {r.source for r in refused.value.refusals} == {"phaseguard"}
    assert plan.state == DefaultState.ONTWERP


# --- read helpers, core links and the edit kit on the plugin's page -------------------------

def test_the_plugin_page_reads_through_the_helpers_and_links_to_core_pages(app, db, client,
                                                                          login_as):
    plan = make_plan("Meedoen in Koersdam", themes=("Wonen", "Werk"))
    make_consultation(plan, "Avond in de bieb", inputs=("Meer bankjes", "Een buurthuis"))
    login_as("viewer")
    page = client.get(f"/p/phaseguard/plans/{plan.id}").get_data(as_text=True)
    assert page.index("Wonen") < page.index("Werk")
    assert "Avond in de bieb" in page and page.index("Meer bankjes") < page.index("Een buurthuis")
    assert f'href="/plans/{plan.id}/programme"' in page
    assert f'href="/consultations/plan/{plan.id}"' in page
    assert "Open a hearing" not in page  # a viewer may not


def test_the_read_helpers_are_ordered_and_bounded(app, db):
    plan = make_plan(themes=("Een", "Twee", "Drie"))
    consultation = make_consultation(plan, inputs=[f"Inbreng {n}" for n in range(1, 8)])
    assert [t.name for t in plugin_api.themes_of(plan)] == ["Een", "Twee", "Drie"]
    assert plugin_api.goals_of(plan) == [] and plugin_api.actions_of(plan) == []
    assert plugin_api.consultations_of(plan) == [consultation]
    assert [i.number for i in plugin_api.inputs_of(consultation, limit=3)] == [1, 2, 3]
    assert len(plugin_api.inputs_of(consultation, limit=10_000)) == 7


def test_the_edit_kit_saves_and_answers_a_stale_form_with_the_conflict_page(app, db, client,
                                                                            login_as):
    plan = make_plan("Meedoen in Koersdam")
    login_as("editor")
    page = client.get(f"/p/phaseguard/plans/{plan.id}").get_data(as_text=True)
    version = re.search(r'name="version"[^>]*value="(\d+)"', page).group(1)
    saved = client.submit(f"/p/phaseguard/plans/{plan.id}/hearing",
                          {"title": "Hoorzitting", "version": version})
    assert saved.status_code == 302 and "/consultations/" in saved.location
    assert [c.title for c in plugin_api.consultations_of(plan)] == ["Hoorzitting"]
    stale = client.submit(f"/p/phaseguard/plans/{plan.id}/hearing",
                          {"title": "Nog een", "version": str(int(version) - 1)})
    assert stale.status_code == 409
    assert "Someone else changed Meedoen in Koersdam" in stale.get_data(as_text=True)
    assert len(plugin_api.consultations_of(plan)) == 1
    no_version = client.submit(f"/p/phaseguard/plans/{plan.id}/hearing", {"title": "x"})
    assert no_version.status_code == 400
