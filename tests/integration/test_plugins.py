"""The plugin contract, exercised through the test plugins in tests/plugins/.

Test names mention the hook they exercise (``test_hook_<name>…``): a docs test checks that
every hook in hookspecs.py has one.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.database import db as database
from app.errors import ConfigError
from app.testing import KoersClient
from tests.conftest import make_app, migrate, sign_in, write_municipality

TEST_PLUGINS = {
    "testplugin": "tests.plugins.testplugin",
    "otherplugin": "tests.plugins.otherplugin",
    "brokenplugin": "tests.plugins.brokenplugin",
    "badapi": "tests.plugins.badapi",
    "typoplugin": "tests.plugins.typoplugin",
}


@pytest.fixture
def extra_plugins():
    return TEST_PLUGINS


@pytest.fixture
def enabled_plugins():
    return ["testplugin"]


@pytest.fixture
def plugin_config():
    return {"testplugin": {"greeting": "Goedemorgen Koersdam", "max_notes": 2}}


def app_with(tmp_path, database_url, plugins, settings=None, **environ):
    folder = write_municipality(tmp_path / "municipalities" / f"m_{'_'.join(plugins) or 'x'}",
                                plugins, settings)
    extra = ",".join(f"{k}={v}" for k, v in TEST_PLUGINS.items())
    return make_app(tmp_path / "instance", database_url, KOERS_EXTRA_PLUGINS=extra,
                    KOERS_MUNICIPALITIES_DIR=str(folder.parent),
                    KOERS_MUNICIPALITY=folder.name, **environ)


# --- hooks ----------------------------------------------------------------------------------

def test_hook_register_blueprints_page_under_its_prefix_in_the_plugins_language(client,
                                                                              login_as):
    login_as("viewer")
    page = client.get("/p/testplugin/")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "<h1>Testnotities</h1>" in text  # the plugin's own nl catalogue
    assert "Direct naar de inhoud" in text  # the core's strings still translate
    client.set_cookie("koers_language", "en")
    assert client.get("/p/testplugin/").status_code == 200


def test_plugin_static_files_are_served_under_its_prefix(client):
    response = client.get("/p/testplugin/static/mark.svg")
    assert response.status_code == 200 and b"<svg" in response.data


def test_hook_theme_stylesheets_load_after_the_municipality_theme_with_their_class(client):
    page = client.get("/login").get_data(as_text=True)
    root = re.search(r'<html lang="\w+" class="([^"]+)"', page).group(1).split()
    assert root == ["utrecht-html", "voorbeeld-theme", "koers-theme", "testplugin-theme"]
    sheets = re.findall(r'<link rel="stylesheet" href="([^"]+)"', page)
    brand = "/p/testplugin/static/brand-tokens.css"
    # After the municipality's colours, so the brand's tokens win; before the components.
    assert sheets.index("/branding/theme.css") < sheets.index(brand) < next(
        i for i, url in enumerate(sheets) if "components.css" in url)
    assert b"--basis-color-accent-1-inverse-bg-default" in client.get(brand).data


def test_hook_declare_settings_defaults_file_and_environment(app, tmp_path, database_url):
    from app.plugin_api import plugin_settings

    settings = plugin_settings("testplugin")
    assert settings == {"greeting": "Goedemorgen Koersdam", "max_notes": 2, "api_token": ""}
    other = app_with(tmp_path, database_url, ["testplugin"],
                     KOERS_TESTPLUGIN_API_TOKEN="s3cret")
    with other.app_context():
        assert plugin_settings("testplugin") == {"greeting": "Hallo", "max_notes": 10,
                                                 "api_token": "s3cret"}


@pytest.mark.parametrize(("settings", "key", "fix"), [
    ({"testplugin": {"colour": "red"}}, "plugins.testplugin.colour", "knows: api_token"),
    ({"testplugin": {"max_notes": "many"}}, "plugins.testplugin.max_notes", "whole number"),
    ({"testplugin": {"api_token": "x"}}, "plugins.testplugin.api_token",
     "KOERS_TESTPLUGIN_API_TOKEN"),
    ({"ghostplugin": {"a": 1}}, "plugins.ghostplugin", "install the plugin"),
])
def test_hook_declare_settings_invalid_values_stop_start_up(tmp_path, database_url, settings,
                                                            key, fix):
    with pytest.raises(ConfigError) as error:
        app_with(tmp_path, database_url, ["testplugin"], settings)
    assert error.value.key == key and fix in error.value.fix
    assert error.value.source.endswith("municipality.toml")


def test_hook_navigation_items_in_the_menu_with_the_core_items(client, login_as):
    login_as("viewer")
    page = client.get("/").get_data(as_text=True)
    menu = page[page.index('main-nav"'):page.index("</nav>")]
    labels = re.findall(r'<a href="[^"]+"[^>]*>([^<]+)</a>', menu)
    # by priority; no administration items for a viewer
    assert labels == ["Overzicht", "Beleidsplannen", "Betrokkenen", "Testnotities"]


def test_hook_dashboard_widgets_and_hook_template_slot_on_the_dashboard(client, login_as):
    user = login_as("editor")
    page = client.get("/").get_data(as_text=True)
    assert "Notities van de testplugin" in page  # widget, rendered in the plugin's domain
    assert f"Testplugin-slot voor {user.name}" in page  # dashboard.top slot with its context
    assert page.index("testplugin-slot") < page.index('class="cards"')


def test_hook_dashboard_title_first_result_wins_in_enabled_order(tmp_path, database_url,
                                                               make_user):
    for order, expected in ((["otherplugin", "testplugin"], "Other plugin&#39;s dashboard"),
                            (["testplugin", "otherplugin"], "Testoverzicht van")):
        app = app_with(tmp_path / order[0], database_url, order)
        migrate(app)
        client = app.test_client()
        client.__class__ = KoersClient
        with app.app_context():
            email = make_user("viewer").email
        sign_in(client, email)
        page = client.get("/").get_data(as_text=True)
        assert f"<h1>{expected}" in page, order
        menu = page[page.index('main-nav"'):page.index("</nav>")]
        # Collected results come in enabled order too: same priority, earlier plugin first.
        first, second = ("Other plugin", "Testnotities") if order[0] == "otherplugin" \
            else ("Testnotities", "Other plugin")
        assert menu.index(first) < menu.index(second)


def test_hook_stakeholder_categories_adds_the_plugins_categories(app, client, login_as):
    from app.stakeholders.services import StakeholderData, categories, create

    found = categories()
    assert {"inwoner", "adviesraad", "wethouder"} <= set(found)  # the core's own
    assert found["wijkteam"].group == "partner"
    login_as("editor")
    with app.test_request_context():
        assert str(categories()["wijkteam"].label) == "Wijkteam"  # the plugin's catalogue
    team = create(StakeholderData(name="Wijkteam Noord", kind="organisation",
                                  categories=["wijkteam"]))
    database.session.commit()
    assert team.category_codes == ["wijkteam"]


def test_hook_register_cli_commands_under_the_plugins_name(app):
    from app.plugin_api import db
    from tests.plugins.testplugin.models import Note

    db.session.add(Note(text="één"))
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["testplugin", "count"])
    assert result.exit_code == 0 and "notes: 1" in result.output


def test_hook_demo_data_is_loaded_once_by_demo_setup(app):
    from tests.plugins.testplugin.models import Note

    runner = app.test_cli_runner()
    for _ in range(2):
        assert runner.invoke(args=["demo", "setup"]).exit_code == 0
    assert database.session.query(Note).filter_by(text="Demo note").count() == 1


def test_plugin_routes_declare_permissions_and_audit(client, login_as, app):
    from app.permissions import declared_permission

    plugin_rules = [r for r in app.url_map.iter_rules() if r.endpoint.startswith("testplugin.")
                    and r.endpoint != "testplugin.static"]
    assert plugin_rules and all(declared_permission(app.view_functions[r.endpoint])
                                for r in plugin_rules)
    login_as("viewer")
    assert client.submit("/p/testplugin/notes", {"text": "x"}).status_code == 403
    client.submit("/logout")
    editor = login_as("editor")
    assert client.submit("/p/testplugin/notes", {"text": "Nieuwe notitie"}).status_code == 200
    event = database.session.scalars(select(AuditEvent).where(
        AuditEvent.entity_type == "testplugin_notes")).one()
    assert event.actor_id == editor.id and event.action == "create"


# --- migrations -----------------------------------------------------------------------------

def test_plugin_migrations_are_a_branch_and_disabling_keeps_the_data(app, tmp_path,
                                                                    database_url):
    from tests.plugins.testplugin.models import Note

    tables = sa.inspect(database.engine).get_table_names()
    assert "testplugin_notes" in tables
    database.session.add(Note(text="bewaren"))
    database.session.commit()
    database.engine.dispose()

    without = app_with(tmp_path, database_url, [])
    migrate(without)  # koers db upgrade with the plugin disabled
    with without.app_context():
        assert "testplugin_notes" in sa.inspect(database.engine).get_table_names()
        count = database.session.scalar(sa.text("SELECT count(*) FROM testplugin_notes"))
        assert count == 1
        page = without.test_client().get("/p/testplugin/")
        assert page.status_code == 404  # no pages, but the data is kept
        database.engine.dispose()


def test_models_match_migrations_with_the_plugin_enabled(app):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from app.plugins.migrations import include_object

    with database.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={
            "include_object": include_object(), "compare_type": True})
        assert compare_metadata(context, database.metadata) == []


def test_db_upgrade_command_upgrades_core_and_enabled_plugins(tmp_path):
    app = app_with(tmp_path, f"sqlite:///{tmp_path / 'fresh.sqlite'}", ["testplugin"])
    result = app.test_cli_runner().invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert "upgraded core@head" in result.output and "upgraded testplugin@head" in result.output
    with app.app_context():
        rows = database.session.execute(sa.text("SELECT version_num FROM alembic_version"))
        # The plugin's branch depends on the core's head, so Alembic records its head only.
        assert "tp0002_mentions" in {r[0] for r in rows}
        assert {"users", "testplugin_notes"} <= set(sa.inspect(database.engine).get_table_names())
        database.engine.dispose()


# --- failure isolation and start-up checks --------------------------------------------------

def test_failing_widget_slot_and_hook_show_an_error_box_and_the_page_works(
        tmp_path, database_url, make_user, caplog):
    app = app_with(tmp_path, database_url, ["brokenplugin", "testplugin"])
    migrate(app)
    client = app.test_client()
    client.__class__ = KoersClient
    with app.app_context():
        email = make_user("viewer").email
    sign_in(client, email)
    with caplog.at_level(logging.ERROR):
        response = client.get("/")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert page.count("De plugin “brokenplugin” kon zijn deel van deze pagina niet tonen") == 3
    assert "Notities van de testplugin" in page  # the other plugin's widget still works
    assert "Testnotities" in page  # the menu works without the failing plugin's items
    failures = {r.getMessage() for r in caplog.records if getattr(r, "plugin", None)}
    assert any("brokenplugin failed to render" in m for m in failures)
    assert any("brokenplugin failed in hook template_slot" in m for m in failures)
    assert any("brokenplugin failed in hook navigation_items" in m for m in failures)


@pytest.mark.parametrize(("plugins", "problem", "fix"), [
    (["nowhere"], "not installed", "pip install"),
    (["badapi"], "needs plugin API >=2.0,<3", "made for this Koers"),
    (["typoplugin"], "matches no hook", "fix the function's name"),
])
def test_unusable_plugins_stop_start_up_naming_plugin_and_fix(tmp_path, database_url, plugins,
                                                              problem, fix):
    with pytest.raises(ConfigError) as error:
        app_with(tmp_path, database_url, plugins)
    message = str(error.value)
    assert problem in message and fix in error.value.fix
    assert plugins[0] in message


def test_one_name_checks(app):
    from app.plugin_api import PluginBlueprint

    manager = app.extensions["koers_plugins"]
    with pytest.raises(ConfigError, match="registers the blueprint 'notes'"):
        manager.check_blueprint("testplugin", PluginBlueprint("notes", "tests.plugins"))
    with pytest.raises(ConfigError, match="/p/testplugin"):
        manager.check_blueprint("testplugin", PluginBlueprint(
            "testplugin", "tests.plugins", url_prefix="/notes"))
    with pytest.raises(ConfigError, match="defines the table 'notes'"):
        manager.check_tables({}, {"notes": "tests.plugins.testplugin.models"})
    manager.check_tables({}, {"users": "app.auth.models"})  # the core's own tables pass


def test_templates_and_catalogues_must_carry_the_plugin_name(tmp_path, database_url):
    import shutil
    import sys

    package = tmp_path / "pkgs" / "namedplugin"
    shutil.copytree(Path(__file__).parents[1] / "plugins" / "otherplugin", package)
    (package / "templates" / "index.html").parent.mkdir(parents=True)
    (package / "templates" / "index.html").write_text("x")
    sys.path.insert(0, str(package.parent))
    try:
        folder = write_municipality(tmp_path / "m" / "named", ["namedplugin"])
        with pytest.raises(ConfigError, match="templates outside templates/namedplugin"):
            make_app(tmp_path / "i", database_url, KOERS_EXTRA_PLUGINS="namedplugin=namedplugin",
                     KOERS_MUNICIPALITIES_DIR=str(folder.parent), KOERS_MUNICIPALITY="named")
        (package / "templates" / "index.html").unlink()
        catalogue = package / "translations" / "nl" / "LC_MESSAGES" / "messages.po"
        catalogue.parent.mkdir(parents=True)
        catalogue.write_text('msgid ""\nmsgstr ""\n')
        with pytest.raises(ConfigError, match=r"name it namedplugin\.po"):
            make_app(tmp_path / "i", database_url, KOERS_EXTRA_PLUGINS="namedplugin=namedplugin",
                     KOERS_MUNICIPALITIES_DIR=str(folder.parent), KOERS_MUNICIPALITY="named")
    finally:
        sys.path.remove(str(package.parent))
        sys.modules.pop("namedplugin", None)


def test_plugins_list_command(app):
    result = app.test_cli_runner().invoke(args=["plugins", "list"])
    assert result.exit_code == 0
    line = next(line for line in result.output.splitlines() if line.startswith("testplugin\t"))
    assert "enabled (#1)" in line and "dashboard_widgets" in line and "register_cli" in line
    assert re.search(r"^otherplugin\t.*installed, not enabled", result.output, re.M)


def test_hook_tracing_logs_hook_calls(tmp_path, database_url, make_user, caplog):
    app = app_with(tmp_path, database_url, ["testplugin"], KOERS_TRACE_HOOKS="1")
    migrate(app)
    client = app.test_client()
    client.__class__ = KoersClient
    with app.app_context():
        email = make_user("viewer").email
    sign_in(client, email)
    with caplog.at_level(logging.DEBUG, logger="app.plugins.manager"):
        client.get("/")
    traced = [r.getMessage() for r in caplog.records if r.getMessage().startswith("hook: ")]
    for hook in ("navigation_items", "dashboard_widgets", "template_slot", "dashboard_title"):
        assert any(hook in message for message in traced), hook
    assert any("-> testplugin" in message for message in traced)


def test_reserved_names_and_missing_branch_labels_are_refused(tmp_path, database_url):
    import shutil
    import sys

    folder = write_municipality(tmp_path / "m" / "reserved", ["users"])
    with pytest.raises(ConfigError, match="not a valid plugin name"):
        make_app(tmp_path / "i", database_url,
                 KOERS_EXTRA_PLUGINS="users=tests.plugins.otherplugin",
                 KOERS_MUNICIPALITIES_DIR=str(folder.parent), KOERS_MUNICIPALITY="reserved")
    package = tmp_path / "pkgs" / "unlabelled"
    shutil.copytree(Path(__file__).parents[1] / "plugins" / "otherplugin", package)
    versions = package / "migrations" / "versions"
    versions.mkdir(parents=True)
    (versions / "u1_first.py").write_text('revision = "u1_first"\ndown_revision = None\n'
                                          'branch_labels = None\n')
    sys.path.insert(0, str(package.parent))
    try:
        folder = write_municipality(tmp_path / "m" / "unlabelled", ["unlabelled"])
        with pytest.raises(ConfigError, match="branch_labels = \\('unlabelled',\\)"):
            make_app(tmp_path / "j", database_url,
                     KOERS_EXTRA_PLUGINS="unlabelled=unlabelled",
                     KOERS_MUNICIPALITIES_DIR=str(folder.parent), KOERS_MUNICIPALITY="unlabelled")
    finally:
        sys.path.remove(str(package.parent))
        sys.modules.pop("unlabelled", None)


def test_permission_matrix_covers_plugin_routes(app, client, login_as):
    """The role matrix of test_permissions, with the test plugin's routes in it."""
    from app.permissions import declared_permission
    from tests.integration.test_permissions import ROLES, expected_status, routes, sample_url

    checked = 0
    for role in ROLES:
        if role:
            login_as(role)
        for rule, view in routes(app):
            if not rule.endpoint.startswith("testplugin."):
                continue
            url = sample_url(rule)
            method = "GET" if "GET" in rule.methods else "POST"
            response = client.open(url, method=method, data={"csrf_token": client.csrf_token()})
            assert response.status_code in expected_status(declared_permission(view), role)
            checked += 1
        if role:
            client.submit("/logout")
    assert checked == 2 * len(ROLES)


def test_throwaway_hooks_fixture_for_plugin_authors(app, client, login_as, throwaway_hooks):
    from app.plugin_api import NavItem, hookimpl

    class Hooks:
        @hookimpl
        def navigation_items(self, user):
            return [NavItem("Throwaway", "main.dashboard", None, priority=1)]

    throwaway_hooks(Hooks())
    login_as("viewer")
    assert "Throwaway" in client.get("/").get_data(as_text=True)


# --- plan hooks -----------------------------------------------------------------------------

def _wijkplan(title: str = "Wijkplan Noord", summary: str | None = None):
    from app.plans.services import PlanData, create_plan

    plan = create_plan(PlanData(title=title, kind="wijkplan", summary=summary))
    database.session.commit()
    return plan


def test_hook_plan_types_adds_kinds_that_bring_their_workflow(app):
    from app.plans.services import kinds

    found = kinds()
    assert {"beleidsplan", "uitvoeringsprogramma"} <= set(found)  # the core's own
    assert found["wijkplan"].workflow == "testplugin.review"
    plan = _wijkplan()
    assert (plan.workflow, plan.state, plan.phase) == ("testplugin.review",
                                                       "testplugin.draft", "concept")


def test_hook_workflows_are_collected_and_checked_at_start_up(app, throwaway_hooks):
    from app.plans.transitions import check_workflows, workflows
    from app.plugin_api import Phase, State, Workflow, hookimpl
    from app.workflow import WorkflowDefinitionError

    assert {"core.default", "testplugin.review"} <= set(workflows())

    class Intruder:
        @hookimpl
        def workflows(self):
            return [Workflow("testplugin.stolen", "Stolen", (
                State("testplugin.only", "Only", Phase.CONCEPT),), (), "testplugin.only")]

    throwaway_hooks(Intruder(), name="intruder")
    with pytest.raises(WorkflowDefinitionError, match="intruder"):
        check_workflows(app.extensions["koers_plugins"])


def test_hook_transition_guards_refuse_and_fail_closed(app, make_user):
    from datetime import date

    from app.plans import transitions

    editor = make_user("editor")
    plan = _wijkplan()
    with app.test_request_context():
        found = transitions.refusals(plan, "testplugin.approve", editor,
                                     {"decided_on": date(2026, 3, 1)})
    assert [(r.source, r.message) for r in found] == [
        ("testplugin", "Write a summary first.")]
    broken = _wijkplan("guard-boom", summary="Samenvatting")
    with app.test_request_context():
        found = transitions.refusals(broken, "testplugin.approve", editor,
                                     {"decided_on": date(2026, 3, 1)})
    assert [r.source for r in found] == ["testplugin"]  # fail closed, naming the plugin


def test_hook_transition_effects_run_inside_the_step(app, make_user):
    from datetime import date

    from app.plans import transitions
    from app.plans.models import Plan
    from app.workflow import EffectFailed
    from tests.plugins.testplugin.models import Note

    editor = make_user("editor", name="Eva Editor")
    plan = _wijkplan(summary="Samen met de wijk")
    with app.test_request_context():
        transitions.take(plan, "testplugin.approve", user=editor,
                         values={"decided_on": date(2026, 3, 1)})
    database.session.commit()
    assert plan.phase == "vastgesteld"
    assert database.session.scalars(select(Note.text)).all() == [
        f"approved plan {plan.id} by Eva Editor"]

    broken = _wijkplan("effect-boom", summary="Samenvatting")
    with app.test_request_context(), pytest.raises(EffectFailed) as error:
        transitions.take(broken, "testplugin.approve", user=editor,
                         values={"decided_on": date(2026, 3, 1)})
    assert error.value.source == "testplugin"
    database.session.rollback()
    assert database.session.get(Plan, broken.id).state == "testplugin.draft"


def test_hook_after_transition_runs_after_commit_and_failures_change_nothing(app, make_user,
                                                                           caplog):
    from datetime import date

    from app.plans import transitions
    from tests.plugins.testplugin import AFTER_TRANSITION

    AFTER_TRANSITION.clear()
    editor = make_user("editor")
    for title in ("Wijkplan Zuid", "after-boom"):
        plan = _wijkplan(title, summary="Samenvatting")
        with app.test_request_context():
            record = transitions.take(plan, "testplugin.approve", user=editor,
                                      values={"decided_on": date(2026, 3, 1)})
            database.session.commit()
            transitions.after_commit(plan, record, editor)
        assert plan.state == "testplugin.approved"
    assert [entry[1] for entry in AFTER_TRANSITION] == ["testplugin.approve"]
    assert "plugin testplugin failed in hook after_transition" in caplog.text


# --- consultation hooks ---------------------------------------------------------------------

def test_hook_consultation_formats_adds_the_plugins_formats(app):
    from app.consultations.services import ConsultationData, create_consultation, formats
    from app.plans.services import PlanData, create_plan

    found = formats()
    assert {"werkconferentie", "ter_inzage"} <= set(found)  # the core's own
    assert found["ter_inzage"].comment_period and not found["wijkgesprek"].comment_period
    plan = create_plan(PlanData(title="Wijkplan", kind="beleidsplan"))
    talk = create_consultation(plan, ConsultationData(title="Gesprek in Noord",
                                                      format="wijkgesprek"))
    database.session.commit()
    assert talk.format == "wijkgesprek" and talk.last_day is None


def test_hook_input_kinds_adds_kinds_that_are_processed_not_answered(app):
    from app.consultations.inputs.services import InputData, add_input, input_kinds, open_inputs
    from app.consultations.services import ConsultationData, create_consultation
    from app.plans.services import PlanData, create_plan

    kinds = input_kinds()
    assert kinds["zienswijze"].needs_answer and not kinds["ervaringsverhaal"].needs_answer
    plan = create_plan(PlanData(title="Wijkplan", kind="beleidsplan"))
    meeting = create_consultation(plan, ConsultationData(title="Gesprekstafel",
                                                         format="gesprekstafel"))
    story = add_input(meeting, InputData(original_text="Mijn moeder wachtte maanden.",
                                         kind="ervaringsverhaal"))
    database.session.commit()
    assert open_inputs(meeting) == [story]  # open until processed


def test_a_plugins_domain_translates_with_its_catalogue_after_core_strings(app):
    """The request's catalogue is looked up once per domain: core strings translated first
    (the navigation, a refusal) do not make a plugin's part of the page lose its catalogue."""
    from flask import render_template_string

    from app.plugins.translations import plugin_domain
    from app.translate import gettext

    source = '{{ _("Test notes") }}|{{ _("Stakeholders") }}'
    with app.test_request_context("/"):
        assert gettext("Stakeholders") == "Betrokkenen"
        with plugin_domain("testplugin"):
            assert render_template_string(source) == "Testnotities|Betrokkenen"
            assert gettext("Test notes") == "Testnotities"
        assert render_template_string(source) == "Test notes|Betrokkenen"
