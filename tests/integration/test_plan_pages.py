"""The plan pages: the list with filters and a bounded number of queries, creating and
editing with conflicts, the text with sanitised Markdown, workflow steps with every refusal,
revisions and their differences, history and its CSV, archiving and deleting."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa
from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.database import utcnow
from app.plans import services, transitions
from app.plans.models import Action, Plan, PlanLaw, Section, Theme
from app.plans.programme.services import ActionData, add_action, add_goal, add_theme
from app.plans.services import PlanData
from app.stakeholders import services as register
from app.stakeholders.services import StakeholderData


@pytest.fixture(autouse=True)
def english(client):
    client.set_cookie("koers_language", "en")


def text(response) -> str:
    return response.get_data(as_text=True)


def new_plan(title: str = "Samen denken, samen doen", **values) -> Plan:
    values.setdefault("kind", "beleidskader")
    return services.create_plan(PlanData(title=title, **values))


def plan_count(db) -> int:
    return db.session.scalar(select(func.count()).select_from(Plan))


def table_rows(page: str) -> list[str]:
    body = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return re.findall(r"<tr.*?</tr>", body, flags=re.S)


def ready_plan(db) -> Plan:
    """A plan with everything the council's adoption asks for."""
    wethouder = register.create(StakeholderData(name="Marijke van Haaren",
                                                categories=["wethouder"]))
    db.session.flush()
    plan = new_plan(sponsor_id=wethouder.id)
    services.add_section(plan, "Inleiding", "Samen met inwoners en professionals.")
    theme = add_theme(plan, "Armoede")
    add_action(plan, ActionData(title="Schuldhulp", theme_id=theme.id,
                                budget=Decimal("1250.50")))
    db.session.commit()
    return plan


# --- list -----------------------------------------------------------------------------------

def test_list_filters_by_phase_kind_law_owner_and_words(client, login_as, db):
    editor = login_as("editor")
    framework = new_plan(laws=["wmo2015", "jeugdwet"], owner_id=editor.id)
    new_plan("Gezondheidsnota 2024", kind="nota", laws=["wpg"])
    new_plan("Oude nota armoedebestrijding", kind="nota")
    db.session.commit()
    services.set_archived(db.session.scalars(select(Plan).where(
        Plan.title.like("Oude%"))).one(), True)
    db.session.commit()

    def titles(url: str) -> list[str]:
        return re.findall(r'<a href="/plans/\d+">([^<]+)</a>', text(client.get(url)))

    assert titles("/plans/") == ["Gezondheidsnota 2024", "Samen denken, samen doen"]
    assert titles("/plans/?kind=nota") == ["Gezondheidsnota 2024"]
    assert titles("/plans/?law=jeugdwet") == ["Samen denken, samen doen"]
    assert titles("/plans/?owner=me") == [framework.title]
    assert titles("/plans/?q=gezondheid") == ["Gezondheidsnota 2024"]
    assert titles("/plans/?phase=vastgesteld") == []
    armoede = add_theme(framework, "Armoede en schulden")
    db.session.flush()
    new_plan("Programma armoede", kind="uitvoeringsprogramma", parent_id=framework.id,
             parent_theme_id=armoede.id)
    db.session.commit()
    assert titles("/plans/?theme=armoede") == ["Programma armoede", framework.title]
    assert titles("/plans/?theme=mantelzorg") == []
    assert "Oude nota armoedebestrijding" in titles("/plans/?archived=1")


def test_the_list_runs_the_same_queries_at_10_and_1000_plans(client, login_as, db,
                                                            count_queries):
    owner = login_as("viewer")
    for n in range(10):
        plan = new_plan(f"Plan {n:04d}", laws=["wmo2015"], owner_id=owner.id)
        add_action(plan, ActionData(title="Actie", budget=Decimal("10")))
    db.session.commit()
    urls = ["/plans/", "/plans/?law=wmo2015", "/plans/?phase=concept&kind=beleidskader",
            "/plans/?q=plan"]

    def counts() -> list[int]:
        found = []
        for url in urls:
            client.get(url)
            with count_queries() as counter:
                assert client.get(url).status_code == 200
            found.append(counter.count)
        return found

    small = counts()
    first = db.session.scalar(select(func.max(Plan.id)))
    now = utcnow()
    db.session.execute(sa.insert(Plan.__table__), [
        {"title": f"Bulk {n:04d}", "sort_title": f"bulk {n:04d}", "kind": "beleidskader",
         "workflow": "core.default", "state": "core.concept", "phase": "concept",
         "owner_id": owner.id, "archived": False, "version": 1,
         "created_at": now, "updated_at": now} for n in range(990)])
    ids = db.session.scalars(select(Plan.id).where(Plan.id > first)).all()
    db.session.execute(sa.insert(PlanLaw.__table__), [
        {"plan_id": plan_id, "law": "wmo2015"} for plan_id in ids])
    db.session.execute(sa.insert(Action.__table__), [
        {"plan_id": plan_id, "title": "Actie", "position": 1, "status": "planned",
         "progress": 0, "version": 1, "budget": Decimal("5"), "updated_at": now}
        for plan_id in ids])
    db.session.commit()
    assert plan_count(db) == 1000
    assert counts() == small
    assert max(small) <= 8
    with count_queries() as counter:  # a later page is no different
        assert "Bulk 0989" in text(client.get("/plans/?page=40"))
    assert counter.count == small[0]


# --- creating and editing -------------------------------------------------------------------

def test_create_a_plan_with_laws_period_and_parent_theme(client, login_as, db):
    login_as("editor")
    framework = new_plan("Samen denken, samen doen")
    theme = add_theme(framework, "Armoede")
    db.session.commit()
    page = text(client.get("/plans/new"))
    assert f'value="{framework.id}:{theme.id}"' in page
    response = client.submit("/plans/new", {
        "title": "Uitvoeringsprogramma armoede", "kind": "uitvoeringsprogramma",
        "laws": ["participatiewet", "wgs"], "period_start": "2018-03-01",
        "period_end": "2022-12-31", "parent": f"{framework.id}:{theme.id}"})
    assert response.status_code == 302
    child = db.session.scalars(select(Plan).where(Plan.kind == "uitvoeringsprogramma")).one()
    assert (child.parent_id, child.parent_theme_id) == (framework.id, theme.id)
    assert child.law_codes == ["participatiewet", "wgs"]
    page = text(client.get(f"/plans/{framework.id}"))
    assert "Uitvoeringsprogramma armoede" in page  # the parent lists its programme


@pytest.mark.parametrize(("form", "message"), [
    ({"title": "", "kind": "nota"}, "Enter a title."),
    ({"title": "X", "kind": "roman"}, "Not a valid choice"),
    ({"title": "X", "kind": "nota", "period_start": "2024-01-01",
      "period_end": "2023-01-01"}, "The end date lies before the start date."),
    ({"title": "X", "kind": "nota", "period_start": "31-02-2024"},
     "Enter a valid date"),
])
def test_bad_plan_input_is_shown_and_nothing_is_saved(client, login_as, db, form, message):
    login_as("editor")
    response = client.submit("/plans/new", form)
    assert response.status_code == 400
    assert message in text(response) and 'error-summary"' in text(response)
    assert plan_count(db) == 0


def test_a_stale_plan_edit_shows_the_conflict_and_overwrites_nothing(client, login_as, db):
    plan = new_plan()
    db.session.commit()
    login_as("editor")
    form = {"title": "Mijn titel", "kind": "beleidskader", "version": "1"}
    services.update_plan(plan, PlanData(title="Hun titel", kind="beleidskader"))
    db.session.commit()
    response = client.submit(f"/plans/{plan.id}/edit", form)
    assert response.status_code == 409
    page = text(response)
    assert "Hun titel" in page and "Mijn titel" in page and 'name="version" value="2"' in page
    db.session.expire_all()
    assert db.session.get(Plan, plan.id).title == "Hun titel"
    # knowingly saving over it works with the version the conflict page carries
    assert client.submit(f"/plans/{plan.id}/edit", {**form, "version": "2"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Plan, plan.id).title == "Mijn titel"


# --- the text -------------------------------------------------------------------------------

def test_sections_render_sanitised_markdown_and_keep_their_order(client, login_as, db):
    plan = new_plan()
    db.session.commit()
    login_as("editor")
    client.submit(f"/plans/{plan.id}/sections/new", {
        "title": "Inleiding", "body": "## Waarom\n\n**Samen** met [inwoners](https://x.nl)"
        "\n\n<script>alert(1)</script> ![foto](https://evil.example/x.png)"
        '\n\n<a href="#" onclick="steal()">klik</a>'})
    client.submit(f"/plans/{plan.id}/sections/new", {"title": "Meedoen", "body": "Tekst"})
    page = text(client.get(f"/plans/{plan.id}/text")).split("<main", 1)[1]
    assert "<h3>Waarom</h3>" in page and "<strong>Samen</strong>" in page
    assert 'rel="noopener noreferrer"' in page
    assert "<script" not in page and "<img" not in page.split('class="markdown"', 1)[1]
    assert not re.search(r"<[^>]*\sonclick=", page)  # shown as text, never as an attribute
    first, second = db.session.scalars(select(Section).order_by(Section.id)).all()
    assert page.index(f'id="s{first.id}"') < page.index(f'id="s{second.id}"')
    client.submit(f"/plans/{plan.id}/sections/{second.id}/move", {"direction": "up"})
    page = text(client.get(f"/plans/{plan.id}/text"))
    assert page.index(f'id="s{second.id}"') < page.index(f'id="s{first.id}"')


def test_an_empty_section_title_is_refused(client, login_as, db):
    plan = new_plan()
    db.session.commit()
    login_as("editor")
    response = client.submit(f"/plans/{plan.id}/sections/new", {"title": " ", "body": "x"})
    assert response.status_code == 400 and "Enter a title." in text(response)
    assert db.session.scalar(select(func.count()).select_from(Section)) == 0


def test_a_stale_section_edit_is_a_conflict(client, login_as, db):
    plan = new_plan()
    section = services.add_section(plan, "Inleiding", "Versie één")
    db.session.commit()
    login_as("editor")
    services.update_section(section, "Inleiding", "Versie twee")
    db.session.commit()
    response = client.submit(f"/plans/{plan.id}/sections/{section.id}/edit",
                             {"title": "Inleiding", "body": "Mijn versie", "version": "1"})
    assert response.status_code == 409
    assert "Versie twee" in text(response) and "Mijn versie" in text(response)
    db.session.expire_all()
    assert db.session.get(Section, section.id).body == "Versie twee"


# --- workflow steps -------------------------------------------------------------------------

def test_a_refused_step_shows_every_reason(client, login_as, db):
    plan = new_plan()
    db.session.commit()
    login_as("editor")
    page = text(client.get(f"/plans/{plan.id}/steps/core.adopt_draft"))
    assert "This step cannot be taken yet" in page
    for reason in ("no text yet", "no themes yet"):
        assert reason in page
    response = client.submit(f"/plans/{plan.id}/steps/core.adopt_draft",
                             {"decided_on": "2017-05-16"})
    assert response.status_code == 409
    assert "no text yet" in text(response) and "no themes yet" in text(response)
    db.session.expire_all()
    assert db.session.get(Plan, plan.id).state == "core.concept"


def test_steps_with_past_decision_dates_then_revisions_and_history(client, login_as, db):
    plan = ready_plan(db)
    login_as("editor")
    page = text(client.get(f"/plans/{plan.id}"))
    assert f"/plans/{plan.id}/steps/core.adopt_draft" in page
    assert client.submit(f"/plans/{plan.id}/steps/core.adopt_draft",
                         {"decided_on": "2018-01-09"}).status_code == 302
    section = db.session.scalars(select(Section)).one()
    client.submit(f"/plans/{plan.id}/sections/{section.id}/edit", {
        "title": "Inleiding", "body": "Samen met inwoners, professionals en de raad.",
        "version": str(section.version)})
    assert client.submit(f"/plans/{plan.id}/steps/core.adopt",
                         {"decided_on": "2018-02-20"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Plan, plan.id).phase == "vastgesteld"

    history = text(client.get(f"/plans/{plan.id}/history"))
    assert re.search(r"09[-/]01[-/]2018", history) and re.search(r"20[-/]02[-/]2018", history)
    assert "The council adopts the plan" in history

    page = text(client.get(f"/plans/{plan.id}/revisions"))
    ids = re.findall(r'<option value="(\d+)"', page)
    diff = text(client.get(f"/plans/{plan.id}/revisions?a={ids[0]}&b={ids[1]}"))
    assert '<del class="diff__line diff__line--removed">' in diff
    assert "Samen met inwoners en professionals." in diff
    assert "Samen met inwoners, professionals en de raad." in diff

    history_csv = client.get(f"/plans/{plan.id}/history.csv")
    assert history_csv.headers["Content-Type"] == "text/csv; charset=utf-8"  # one charset
    csv_text = history_csv.get_data().decode("utf-8-sig")
    assert "took a step in the workflow" in csv_text and csv_text.count("\r\n") > 5


def test_an_unknown_step_is_404_and_viewers_cannot_take_one(client, login_as, db):
    plan = ready_plan(db)
    login_as("viewer")
    assert client.get(f"/plans/{plan.id}/steps/core.adopt_draft").status_code == 403
    page = text(client.get(f"/plans/{plan.id}"))
    assert "/steps/" not in page and f"/plans/{plan.id}/edit" not in page
    client.submit("/logout")
    login_as("editor")
    assert client.get(f"/plans/{plan.id}/steps/core.nonsense").status_code == 404


def test_a_plan_whose_workflow_is_gone_is_read_only(client, login_as, db):
    plan = new_plan()
    plan.workflow, plan.state = "wassenaar.nieuwe_route", "wassenaar.focuspunten"
    db.session.commit()
    login_as("editor")
    page = text(client.get(f"/plans/{plan.id}"))
    assert "read-only" in page and "wassenaar.focuspunten" in page
    assert client.get(f"/plans/{plan.id}/edit").status_code == 409
    assert client.submit(f"/plans/{plan.id}/sections/new",
                         {"title": "X", "body": ""}).status_code == 409


# --- archiving and deleting -----------------------------------------------------------------

def test_delete_an_empty_plan_but_archive_one_others_depend_on(client, login_as, db):
    empty = new_plan("Vergissing")
    used = ready_plan(db)
    db.session.commit()
    login_as("editor")
    empty_id = empty.id
    assert client.submit(f"/plans/{empty_id}/delete").location == "/plans/"
    db.session.expire_all()
    assert db.session.get(Plan, empty_id) is None
    response = client.submit(f"/plans/{used.id}/delete")
    assert response.location == f"/plans/{used.id}"
    db.session.expire_all()
    assert db.session.get(Plan, used.id).archived
    assert db.session.scalar(select(func.count()).select_from(Theme)) == 1  # nothing lost
    assert client.get(f"/plans/{used.id}/edit").status_code == 409  # archived: read-only
    client.submit(f"/plans/{used.id}/archive", {"archived": "0"})
    db.session.expire_all()
    assert not db.session.get(Plan, used.id).archived
    actions = db.session.scalars(select(AuditEvent.action).where(
        AuditEvent.entity_type == "plans")).all()
    assert "delete" in actions and "archive" in actions and "unarchive" in actions


def test_the_workflow_history_records_the_real_decision_date(app, db, make_user):
    plan = ready_plan(db)
    editor = make_user("editor")
    with app.test_request_context():
        record = transitions.take(plan, "core.adopt_draft", user=editor,
                                  values={"decided_on": date(2019, 8, 27)})
    assert record.decided_on == date(2019, 8, 27) and record.recorded_at.year >= 2026


def test_plan_pages_run_the_same_queries_whatever_the_size(client, login_as, db,
                                                          count_queries):
    viewer = login_as("viewer")
    plan = ready_plan(db)
    child = new_plan("Programma", kind="uitvoeringsprogramma", parent_id=plan.id)
    db.session.commit()
    plan_id, child_id = plan.id, child.id
    urls = [f"/plans/{plan_id}", f"/plans/{plan_id}/text", f"/plans/{plan_id}/history",
            f"/plans/{plan_id}/programme", f"/plans/{plan_id}/involvement",
            f"/plans/{plan_id}/revisions"]

    def counts() -> list[int]:
        found = []
        for url in urls:
            client.get(url)
            with count_queries() as counter:
                assert client.get(url).status_code == 200, url
            found.append(counter.count)
        return found

    small = counts()
    now = utcnow()
    db.session.execute(sa.insert(Plan.__table__), [
        {"title": f"Ander plan {n:04d}", "sort_title": f"ander plan {n:04d}",
         "kind": "nota", "workflow": "core.default", "state": "core.concept",
         "phase": "concept", "owner_id": viewer.id, "archived": False, "version": 1,
         "created_at": now, "updated_at": now} for n in range(990)])
    first_theme = db.session.scalar(select(func.max(Theme.id)))
    db.session.execute(sa.insert(Theme.__table__), [
        {"plan_id": plan_id, "position": n + 2, "name": f"Thema {n}", "version": 1}
        for n in range(49)])
    themes = db.session.scalars(select(Theme.id).where(Theme.id > first_theme)).all()
    db.session.execute(sa.insert(Action.__table__), [
        {"plan_id": plan_id if n % 2 else child_id, "theme_id": theme if n % 2 else None,
         "title": f"Actie {n}", "position": n, "status": "running", "progress": n % 100,
         "version": 1, "budget": Decimal("100.00"), "updated_at": now}
        for theme in themes for n in range(20)])
    db.session.execute(sa.insert(Section.__table__), [
        {"plan_id": plan_id, "position": n + 2, "title": f"Hoofdstuk {n}",
         "body": f"Tekst {n}", "version": 1, "updated_at": now} for n in range(30)])
    db.session.commit()
    assert plan_count(db) == 992
    assert counts() == small
    assert max(small) <= 8, dict(zip(urls, small, strict=True))


def test_dashboard_shows_my_plans_decisions_and_overdue_actions(client, login_as, db):
    editor = login_as("editor")
    mine = new_plan("Mijn koersplan", owner_id=editor.id)
    add_action(mine, ActionData(title="Te laat", start_date=date(2020, 1, 1),
                                end_date=date(2020, 12, 31), progress=30,
                                status="running"))
    add_action(mine, ActionData(title="Op tijd klaar", end_date=date(2020, 12, 31),
                                progress=100, status="done"))
    new_plan("Andermans nota", kind="nota")
    db.session.commit()
    page = text(client.get("/"))
    cards = {title: page.split(title, 1)[1].split("</section>", 1)[0] for title in
             ("My plans", "Decisions coming up", "Overdue actions")}
    assert "Mijn koersplan" in cards["My plans"]
    assert "Andermans nota" not in cards["My plans"]
    assert "Andermans nota" in cards["Decisions coming up"]  # a concept on its way
    assert "Te laat" in cards["Overdue actions"] and "31-12-2020" in cards["Overdue actions"]
    assert "Op tijd klaar" not in cards["Overdue actions"]


def test_edit_a_goal(client, login_as, db):
    plan = new_plan()
    theme = add_theme(plan, "Armoede")
    goal = add_goal(theme, "Minder schulden")
    db.session.commit()
    login_as("editor")
    url = f"/plans/{plan.id}/themes/{theme.id}/goals/{goal.id}/edit"
    assert "Minder schulden" in text(client.get(url))
    version = str(goal.version)
    assert client.submit(url, {"title": " ", "description": "",
                               "version": version}).status_code == 400
    response = client.submit(url, {"title": "Minder huishoudens met schulden",
                                   "description": "Gemeten via de schuldhulp",
                                   "version": version})
    assert response.status_code == 302
    page = text(client.get(f"/plans/{plan.id}/programme"))
    assert "Minder huishoudens met schulden" in page and f'goals/{goal.id}/edit' in page
    event = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "update_goal")).one()
    assert event.changes["title"]["new"] == "Minder huishoudens met schulden"
    other = new_plan("Ander plan")
    db.session.commit()
    assert client.get(f"/plans/{other.id}/themes/{theme.id}/goals/{goal.id}/edit") \
        .status_code == 404


def test_a_theme_counts_the_programmes_that_work_it_out(client, login_as, db):
    framework = new_plan()
    armoede = add_theme(framework, "Armoede")
    db.session.flush()
    programme = new_plan("Programma armoede", kind="uitvoeringsprogramma",
                         parent_id=framework.id, parent_theme_id=armoede.id)
    add_action(programme, ActionData(title="Schuldhulp", budget=Decimal("500"),
                                     progress=40))
    add_action(framework, ActionData(title="Eigen actie", theme_id=armoede.id,
                                     budget=Decimal("100"), progress=100))
    db.session.commit()
    login_as("viewer")
    chart = text(client.get(f"/plans/{framework.id}/programme")).split("<svg", 1)[1]
    chart = chart.split("</svg>", 1)[0]
    assert "Armoede: 2 actions, mean progress 70%, budget €\xa0600,00." in chart


def test_remove_a_section_the_revisions_keep_it(app, client, login_as, db):
    plan = ready_plan(db)
    extra = services.add_section(plan, "Bijlage", "Oude cijfers")
    db.session.commit()
    editor = login_as("editor")
    with app.test_request_context():
        transitions.take(plan, "core.adopt_draft", user=editor,
                         values={"decided_on": date(2018, 1, 9)})
    db.session.commit()
    response = client.submit(f"/plans/{plan.id}/sections/{extra.id}/delete")
    assert response.location == f"/plans/{plan.id}/text"
    assert f'id="s{extra.id}"' not in text(client.get(f"/plans/{plan.id}/text"))
    revision = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "delete_section")).one()
    assert revision.changes["section"]["old"] == "Bijlage"
    page = text(client.get(f"/plans/{plan.id}/revisions"))
    ontwerp = re.findall(r'<option value="(\d+)"', page)[0]
    diff = text(client.get(f"/plans/{plan.id}/revisions?a={ontwerp}&b=current"))
    assert '<del class="diff__line diff__line--removed">' in diff and "Oude cijfers" in diff


def test_plugins_fill_the_plan_slots_with_the_plan(client, login_as, db, throwaway_hooks):
    from app.plugin_api import SlotContent, hookimpl

    class Panels:
        @hookimpl
        def template_slot(self, slot, context):
            if slot in ("plan.overview", "plan.programme"):
                plan = context["plan"]
                return SlotContent(lambda: f'<p class="panel">{slot}: {plan.title}</p>')
            return None

    throwaway_hooks(Panels(), name="panels")
    plan = new_plan("Koersplan 2020")
    db.session.commit()
    login_as("viewer")
    assert "plan.overview: Koersplan 2020" in text(client.get(f"/plans/{plan.id}"))
    assert "plan.programme: Koersplan 2020" in text(client.get(f"/plans/{plan.id}/programme"))
