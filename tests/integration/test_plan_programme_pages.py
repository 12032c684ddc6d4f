"""The programme pages of a plan: themes, goals, actions with Dutch amounts and conflicts,
progress updates, the roll-up with child programmes and its chart, involvement, a bounded
number of queries, read-only plans and who may do what."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.plans import services
from app.plans.models import (
    Action,
    ActionPartner,
    Goal,
    Involvement,
    Plan,
    ProgressUpdate,
    Theme,
)
from app.plans.programme import services as programme
from app.plans.programme.services import ActionData
from app.plans.services import PlanData
from app.stakeholders import services as register
from app.stakeholders.services import StakeholderData


@pytest.fixture(autouse=True)
def english(client):
    client.set_cookie("koers_language", "en")


def text(response) -> str:
    return response.get_data(as_text=True)


def version_of(page: str) -> str:
    return re.search(r'name="version"[^>]*value="(\d+)"', page).group(1)


def count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def new_plan(db, title: str = "Samen denken, samen doen", **values) -> Plan:
    values.setdefault("kind", "beleidskader")
    plan = services.create_plan(PlanData(title=title, **values))
    db.session.commit()
    return plan


def organisation(name: str):
    return register.create(StakeholderData(name=name, kind="organisation"))


def person(name: str):
    return register.create(StakeholderData(name=name))


def action_form(**values) -> dict:
    form = {"title": "Buurtcoaches in elke wijk", "theme_id": "", "goal_id": "",
            "description": "", "trekker_id": "", "budget": "", "start_date": "",
            "end_date": "", "status": "planned", "progress": "0"}
    form.update(values)
    return form


# --- themes, goals, actions -----------------------------------------------------------------

def test_the_programme_is_built_through_the_pages(client, login_as, db):
    plan = new_plan(db)
    welzijn = organisation("Welzijn Berkelland")
    trekker = person("Marieke Jansen")
    db.session.commit()
    login_as("editor")
    base = f"/plans/{plan.id}"

    page = text(client.get(f"{base}/programme"))
    assert "New theme" in page and f"{base}/themes/new" in page

    response = client.submit(f"{base}/themes/new", {"name": "Armoede",
                                                      "description": "Niemand valt buiten."})
    assert response.status_code == 302
    theme = db.session.scalar(select(Theme).where(Theme.plan_id == plan.id))
    assert theme.name == "Armoede"

    response = client.submit(f"{base}/themes/{theme.id}/goals/new",
                             {"title": "Minder huishoudens in armoede"})
    assert response.status_code == 302
    goal = db.session.scalar(select(Goal).where(Goal.theme_id == theme.id))

    form_page = text(client.get(f"{base}/actions/new?theme_id={theme.id}"))
    assert "Welzijn Berkelland" in form_page and "Marieke Jansen" in form_page
    assert f'<option selected value="{theme.id}">' in form_page
    response = client.submit(f"{base}/actions/new", action_form(
        theme_id=str(theme.id), goal_id=str(goal.id), trekker_id=str(trekker.id),
        partner_ids=[str(welzijn.id)], budget="€ 1.250,50", start_date="2026-01-01",
        end_date="2026-12-31", status="running", progress="20"))
    assert response.status_code == 302, text(response)[:3000]
    action = db.session.scalar(select(Action).where(Action.plan_id == plan.id))
    assert action.budget == Decimal("1250.50")
    assert action.trekker_id == trekker.id and action.goal_id == goal.id
    assert db.session.scalar(select(ActionPartner.stakeholder_id)) == welzijn.id

    page = text(client.get(f"{base}/programme"))
    assert "Armoede" in page and "Niemand valt buiten." in page
    assert "Minder huishoudens in armoede" in page
    assert "Buurtcoaches in elke wijk" in page and "Marieke Jansen" in page
    assert "Welzijn Berkelland" in page and "Running" in page and "20%" in page
    assert "€\xa01.250,50" in page or "€ 1.250,50" in page
    assert f"{base}/actions/{action.id}/edit" in page

    # The theme is edited with its version.
    edit_page = text(client.get(f"{base}/themes/{theme.id}/edit"))
    response = client.submit(f"{base}/themes/{theme.id}/edit", {
        "name": "Armoede en schulden", "description": "", "version": version_of(edit_page)})
    assert response.status_code == 302
    db.session.refresh(theme)
    assert theme.name == "Armoede en schulden"

    # The action is edited: the amount shows back the Dutch way.
    edit_page = text(client.get(f"{base}/actions/{action.id}/edit"))
    assert 'value="1.250,50"' in edit_page
    response = client.submit(f"{base}/actions/{action.id}/edit", action_form(
        title="Buurtcoaches in alle wijken", theme_id=str(theme.id), goal_id=str(goal.id),
        trekker_id=str(trekker.id), budget="2.000", status="running", progress="30",
        version=version_of(edit_page)))
    assert response.status_code == 302, text(response)[:3000]
    db.session.refresh(action)
    assert action.title == "Buurtcoaches in alle wijken"
    assert action.budget == Decimal("2000.00") and action.progress == 30
    assert count(db, ActionPartner) == 0


@pytest.mark.parametrize(("values", "field_id", "message"), [
    ({"title": ""}, "title", "Enter a title."),
    ({"budget": "-5"}, "budget", "cannot be negative"),
    ({"budget": "12,345"}, "budget", "two decimals"),
    ({"budget": "abc"}, "budget", "not an amount in euro"),
    ({"start_date": "2026-05-01", "end_date": "2026-04-01"}, "end_date",
     "The end date lies before the start date."),
    ({"progress": "150"}, "progress", "Progress is a percentage from 0 to 100."),
    ({"start_date": "31-31-2026"}, "start_date", "Enter a valid date"),
])
def test_bad_action_input_shows_field_errors_and_saves_nothing(client, login_as, db, values,
                                                               field_id, message):
    plan = new_plan(db)
    login_as("editor")
    response = client.submit(f"/plans/{plan.id}/actions/new", action_form(**values))
    page = text(response)
    assert response.status_code == 400
    assert 'error-summary"' in page
    assert f'href="#{field_id}"' in page
    assert message in page
    assert f'id="{field_id}-error"' in page
    assert count(db, Action) == 0


def test_a_theme_needs_a_name_and_a_goal_a_title(client, login_as, db):
    plan = new_plan(db)
    theme = programme.add_theme(plan, "Meedoen")
    db.session.commit()
    login_as("editor")
    response = client.submit(f"/plans/{plan.id}/themes/new", {"name": "  "})
    assert response.status_code == 400 and "Enter a name." in text(response)
    response = client.submit(f"/plans/{plan.id}/themes/{theme.id}/goals/new", {"title": ""})
    assert response.status_code == 400 and "Enter a title." in text(response)
    assert count(db, Theme) == 1 and count(db, Goal) == 0


def test_a_goal_of_another_theme_is_refused_beside_the_field(client, login_as, db):
    plan = new_plan(db)
    meedoen, armoede = programme.add_theme(plan, "Meedoen"), programme.add_theme(plan, "Armoede")
    goal = programme.add_goal(armoede, "Iedereen doet mee")
    db.session.commit()
    login_as("editor")
    response = client.submit(f"/plans/{plan.id}/actions/new", action_form(
        theme_id=str(meedoen.id), goal_id=str(goal.id)))
    assert response.status_code == 400
    assert "Choose a goal of the chosen theme." in text(response)
    assert count(db, Action) == 0


def test_a_stale_action_edit_shows_the_conflict_and_overwrites_nothing(client, login_as, db):
    plan = new_plan(db)
    action = programme.add_action(plan, ActionData(title="Ontbijtsessies",
                                                   budget=Decimal("500")))
    db.session.commit()
    login_as("editor")
    url = f"/plans/{plan.id}/actions/{action.id}/edit"
    stale = version_of(text(client.get(url)))

    programme.update_action(action, ActionData(title="Ontbijtsessies in winkelcentra",
                                               budget=Decimal("750")),
                            expected_version=action.version)
    db.session.commit()

    response = client.submit(url, action_form(title="Gesprekstafels", budget="900",
                                              version=stale))
    page = text(response)
    assert response.status_code == 409
    assert "Someone else changed this record" in page
    assert "Ontbijtsessies in winkelcentra" in page and "Gesprekstafels" in page
    assert "€\xa0750,00" in page and "€\xa0900,00" in page
    db.session.refresh(action)
    assert action.title == "Ontbijtsessies in winkelcentra"
    assert action.budget == Decimal("750.00")

    # The conflict page offers to save the submitted values over the current version.
    assert f'name="version" value="{action.version}"' in page
    response = client.submit(url, action_form(title="Gesprekstafels", budget="900",
                                              version=str(action.version)))
    assert response.status_code == 302
    db.session.refresh(action)
    assert action.title == "Gesprekstafels"


def test_a_stale_theme_edit_shows_the_conflict(client, login_as, db):
    plan = new_plan(db)
    theme = programme.add_theme(plan, "Mantelzorg")
    db.session.commit()
    login_as("editor")
    url = f"/plans/{plan.id}/themes/{theme.id}/edit"
    stale = version_of(text(client.get(url)))
    programme.update_theme(theme, "Mantelzorg en vrijwilligers", None)
    db.session.commit()
    response = client.submit(url, {"name": "Respijtzorg", "version": stale})
    assert response.status_code == 409
    assert "Mantelzorg en vrijwilligers" in text(response)
    db.session.refresh(theme)
    assert theme.name == "Mantelzorg en vrijwilligers"


# --- progress -------------------------------------------------------------------------------

def test_progress_updates_are_reported_and_listed_newest_first(client, login_as, db):
    plan = new_plan(db)
    action = programme.add_action(plan, ActionData(title="Doorbraakmethode"))
    db.session.commit()
    editor = login_as("editor", name="Sanne Bakker")
    url = f"/plans/{plan.id}/actions/{action.id}/progress"
    assert 'name="reported_on"' in text(client.get(url))

    for day, progress, note in (("2026-02-01", "10", "Eerste casussen"),
                                ("2026-04-01", "45", "Tien huishoudens geholpen")):
        response = client.submit(url, {"reported_on": day, "progress": progress,
                                       "note": note})
        assert response.status_code == 302, text(response)[:2000]
    db.session.refresh(action)
    assert action.progress == 45 and action.status == "running"
    assert count(db, ProgressUpdate) == 2
    assert db.session.scalar(select(ProgressUpdate.author_id).limit(1)) == editor.id

    page = text(client.get(f"/plans/{plan.id}/actions/{action.id}"))
    assert page.index("Tien huishoudens geholpen") < page.index("Eerste casussen")
    assert "Sanne Bakker" in page and "45%" in page

    response = client.submit(url, {"reported_on": "2026-05-01", "progress": "101"})
    assert response.status_code == 400
    assert "Progress is a percentage from 0 to 100." in text(response)
    assert count(db, ProgressUpdate) == 2


# --- roll-up, chart, query count ------------------------------------------------------------

def test_the_rollup_includes_child_programmes_and_the_chart_is_accessible(client, login_as,
                                                                           db):
    plan = new_plan(db)
    theme = programme.add_theme(plan, "Gezonde leefstijl")
    programme.add_action(plan, ActionData(title="Sportakkoord", theme_id=theme.id,
                                          budget=Decimal("1000"), progress=50))
    child = services.create_plan(PlanData(title="Uitvoeringsprogramma leefstijl",
                                          kind="uitvoeringsprogramma", parent_id=plan.id,
                                          parent_theme_id=theme.id))
    programme.add_action(child, ActionData(title="Beweegcoach", budget=Decimal("250.50"),
                                           status="done", progress=100))
    db.session.commit()
    login_as("viewer")

    page = text(client.get(f"/plans/{plan.id}/programme"))
    facts = page.split('id="rollup-title"', 1)[1].split("</section>", 1)[0]
    assert re.search(r"<dt>Actions</dt><dd>2</dd>", facts)
    assert re.search(r"<dt>Done</dt><dd>1</dd>", facts)
    assert "€\xa01.250,50" in facts
    assert re.search(r"<dt>Mean progress</dt><dd>75%</dd>", facts)
    assert "Uitvoeringsprogramma leefstijl" in facts
    assert f"/plans/{child.id}/programme" in facts

    svg = page.split("<svg", 1)[1].split("</svg>", 1)[0]
    assert 'role="img"' in svg
    title_id = re.search(r'aria-labelledby="([^"]+)"', svg).group(1)
    assert f'<title id="{title_id}">' in svg
    desc_id = re.search(r'aria-describedby="([^"]+)"', svg).group(1)
    desc = re.search(rf'<desc id="{desc_id}">(.*?)</desc>', svg, flags=re.S).group(1)
    # the theme's figures include the programme that works it out
    assert "Gezonde leefstijl: 2 actions, mean progress 75%, budget €\xa01.250,50." in desc
    assert "style=" not in page.split("<main", 1)[1]
    assert "<script" not in page.split("<main", 1)[1]


def fill_programme(db, plan: Plan, themes: int, actions: int) -> None:
    """``themes`` themes with a goal and ``actions`` actions each, with trekker and partner."""
    welzijn, trekker = organisation("Welzijn"), person("Trekker")
    db.session.flush()
    for number in range(themes):
        theme = programme.add_theme(plan, f"Thema {number}")
        goal = programme.add_goal(theme, f"Doel {number}")
        for index in range(actions):
            programme.add_action(plan, ActionData(
                title=f"Actie {number}.{index}", theme_id=theme.id, goal_id=goal.id,
                trekker_id=trekker.id, partner_ids=[welzijn.id], budget=Decimal("10"),
                progress=index % 101))
    programme.add_action(plan, ActionData(title="Zonder thema", trekker_id=trekker.id))
    db.session.commit()


def test_the_programme_page_issues_a_bounded_number_of_queries(client, login_as, db,
                                                                count_queries):
    small, large = new_plan(db, "Klein"), new_plan(db, "Groot")
    fill_programme(db, small, 1, 1)
    fill_programme(db, large, 50, 20)
    login_as("viewer")
    small_url, large_url = f"/plans/{small.id}/programme", f"/plans/{large.id}/programme"
    client.get(small_url)  # warm up (translations, templates)

    with count_queries() as few:
        response = client.get(small_url)
    assert response.status_code == 200
    with count_queries() as many:
        response = client.get(large_url)
    assert response.status_code == 200
    assert "Actie 49.19" in text(response)
    assert many.count == few.count <= 8, many.statements


# --- involvement ----------------------------------------------------------------------------

def test_involving_a_stakeholder_through_the_pages(client, login_as, db):
    plan = new_plan(db)
    theme = programme.add_theme(plan, "Ouderen")
    organisation("CMO STAMM")
    person("Jan de Boer")
    db.session.commit()
    login_as("editor")
    url = f"/plans/{plan.id}/involvement/new"

    page = text(client.get(f"{url}?q=stamm"))
    assert "CMO STAMM" in page and "Jan de Boer" not in page
    stamm = db.session.scalar(select(Involvement.id))  # none yet
    assert stamm is None
    stamm_id = re.search(r'value="(\d+)"[^>]*>\s*<label[^>]*>CMO STAMM', page).group(1)

    response = client.submit(url, {"q": "stamm", "stakeholder_id": stamm_id,
                                   "role": "klankbord", "theme_id": str(theme.id),
                                   "start_date": "2026-03-23", "note": "Werkconferentie"})
    assert response.status_code == 302, text(response)[:2000]
    involvement = db.session.scalar(select(Involvement))
    assert involvement.role == "klankbord" and involvement.theme_id == theme.id

    page = text(client.get(f"/plans/{plan.id}/involvement"))
    assert "CMO STAMM" in page and "Sounding board" in page and "Ouderen" in page
    assert f"/stakeholders/{stamm_id}" in page and "Werkconferentie" in page

    response = client.submit(url, {"stakeholder_id": stamm_id, "role": ""})
    assert response.status_code == 400
    assert count(db, Involvement) == 1


def test_an_erased_person_shows_without_a_name(client, login_as, db):
    plan = new_plan(db)
    anna = person("Anna de Vries")
    db.session.flush()
    programme.involve(plan, anna, "deelnemer")
    db.session.commit()
    register.erase(anna)
    db.session.commit()
    login_as("viewer")
    page = text(client.get(f"/plans/{plan.id}/involvement"))
    assert "Erased person" in page and "Anna" not in page
    assert f"/stakeholders/{anna.id}" in page
    client.set_cookie("koers_language", "nl")
    page = text(client.get(f"/plans/{plan.id}/involvement"))
    assert "Gewiste persoon" in page and "Anna" not in page


# --- who may do what ------------------------------------------------------------------------

def plan_with_everything(db) -> tuple[Plan, Theme, Action]:
    plan = new_plan(db)
    theme = programme.add_theme(plan, "Meedoen")
    action = programme.add_action(plan, ActionData(title="Taalcafé", theme_id=theme.id))
    db.session.commit()
    return plan, theme, action


def edit_urls(plan: Plan, theme: Theme, action: Action) -> list[str]:
    base = f"/plans/{plan.id}"
    return [f"{base}/themes/new", f"{base}/themes/{theme.id}/edit",
            f"{base}/themes/{theme.id}/goals/new", f"{base}/actions/new",
            f"{base}/actions/{action.id}/edit", f"{base}/actions/{action.id}/progress",
            f"{base}/involvement/new"]


def test_viewers_see_the_pages_without_edit_links_and_may_not_post(client, login_as, db):
    plan, theme, action = plan_with_everything(db)
    login_as("viewer")
    for url in (f"/plans/{plan.id}/programme", f"/plans/{plan.id}/involvement",
                f"/plans/{plan.id}/actions/{action.id}"):
        response = client.get(url)
        assert response.status_code == 200
        page = text(response)
        assert "/edit" not in page.split("<main", 1)[1]
        assert "/new" not in page.split("<main", 1)[1]
        assert "/progress" not in page.split("<main", 1)[1]
    for url in edit_urls(plan, theme, action):
        assert client.get(url).status_code == 403
        assert client.submit(url, {"name": "x", "title": "x"}).status_code == 403
    assert count(db, Theme) == 1


def test_an_archived_plan_answers_409_on_edit_routes(client, login_as, db):
    plan, theme, action = plan_with_everything(db)
    services.set_archived(plan, True)
    db.session.commit()
    login_as("editor")
    page = text(client.get(f"/plans/{plan.id}/programme"))
    assert "This plan is archived" in page and "/edit" not in page.split("<main", 1)[1]
    for url in edit_urls(plan, theme, action):
        response = client.get(url)
        assert response.status_code == 409, url
        assert "This plan is archived" in text(response)
        assert client.submit(url, {"name": "x", "title": "x"}).status_code == 409
    assert count(db, Theme) == 1


def test_ids_of_another_plan_or_unknown_ids_are_not_found(client, login_as, db):
    plan, theme, action = plan_with_everything(db)
    other = new_plan(db, "Koersplan sociaal domein 2020")
    login_as("editor")
    base = f"/plans/{other.id}"
    for url in (f"{base}/themes/{theme.id}/edit", f"{base}/themes/{theme.id}/goals/new",
                f"{base}/actions/{action.id}/edit", f"{base}/actions/{action.id}/progress",
                f"{base}/actions/{action.id}", f"{base}/actions/new?theme_id={theme.id}",
                "/plans/999999/programme", "/plans/999999/involvement",
                f"/plans/{plan.id}/actions/999999/edit"):
        assert client.get(url).status_code == 404, url


def test_a_partner_must_be_an_organisation(client, login_as, db):
    plan = new_plan(db)
    anna = person("Anna de Vries")
    db.session.commit()
    login_as("editor")
    response = client.submit(f"/plans/{plan.id}/actions/new",
                             action_form(partner_ids=[str(anna.id)]))
    assert response.status_code == 400
    assert 'id="partner_ids-error"' in text(response)
    assert count(db, Action) == 0
