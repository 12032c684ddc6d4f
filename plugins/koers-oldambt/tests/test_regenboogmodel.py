"""The regenboogmodel: layers, provisions with their choice, the rainbow and its table, the
plan panel, filters, conflicts and the audit trail."""

from __future__ import annotations

import re

from koers_oldambt.models import Layer, Provision
from koers_oldambt.rainbow import Marker, capacity, place
from oldambt_helpers import goal_of, koers_plan, organisation, text, theme_named
from sqlalchemy import select

from app.plugin_api import Stakeholder


def layer_ids(db) -> list[int]:
    return list(db.session.scalars(select(Layer.id).order_by(Layer.position)))


def new_provision(client, db, **values) -> Provision:
    form = {"name": "Schuldhulpmaatjes", "layer_id": str(layer_ids(db)[1]),
            "choice": "versterken", "rationale": "Kiezen voor de meest kwetsbaren.",
            "yearly_budget": "40.000,00", "reach": "150", "target_group": "huishoudens"}
    form.update(values)
    response = client.submit("/p/oldambt/provisions/new", form)
    assert response.status_code == 302, text(response)
    return db.session.scalars(select(Provision).where(Provision.name == form["name"])).one()


def test_the_migration_brings_the_four_documented_layers(db):
    names = list(db.session.scalars(select(Layer.name).order_by(Layer.position)))
    assert names == ["Eigen kracht en netwerk", "Vrij toegankelijke voorzieningen",
                     "Geïndiceerde groepsvoorzieningen",
                     "Geïndiceerde individuele maatwerkvoorzieningen"]


def test_an_editor_adds_a_provision_that_shows_in_the_rainbow_and_the_table(client, login_as,
                                                                            db):
    login_as("editor")
    plan = koers_plan(client, db)
    provider = organisation(client, db, "CMO STAMM")
    theme = theme_named(db, plan, "Armoede")
    item = new_provision(client, db, provider_id=str(provider.id), themes=[str(theme.id)],
                         goals=[str(goal_of(db, theme).id)])
    assert item.yearly_budget == 40000 and item.reach == 150 and item.choice == "versterken"

    page = text(client.get("/p/oldambt/"))
    # the marker: a keyboard-reachable link with its accessible name, and the same number in
    # the table
    assert re.search(rf'<a href="/p/oldambt/provisions/{item.id}" class="rainbow__marker">'
                     r"<title>1\. Schuldhulpmaatjes, Vrij toegankelijke voorzieningen: "
                     r"Versterken</title>", page)  # Dutch: the test municipality's language
    assert "CMO STAMM" in page and "€\xa040.000,00" in page
    detail = text(client.get(f"/p/oldambt/provisions/{item.id}"))
    assert "Armoede" in detail and "Doel Armoede" in detail and "Kiezen voor de meest" in detail

    plan_page = text(client.get(f"/plans/{plan.id}"))
    assert 'data-plugin="oldambt"' in plan_page or "Regenboogmodel" in plan_page
    assert "Schuldhulpmaatjes" in plan_page  # the plan panel lists the linked provision


def test_filters_by_choice_and_theme(client, login_as, db):
    login_as("editor")
    plan = koers_plan(client, db)
    armoede, jeugd = theme_named(db, plan, "Armoede"), theme_named(db, plan, "Jeugdhulp")
    new_provision(client, db, name="Schuldhulpmaatjes", themes=[str(armoede.id)])
    new_provision(client, db, name="Jeugdhulp met verblijf", choice="afbouwen",
                  layer_id=str(layer_ids(db)[3]), themes=[str(jeugd.id)])

    by_choice = text(client.get("/p/oldambt/?choice=afbouwen"))
    assert "Jeugdhulp met verblijf" in by_choice and "Schuldhulpmaatjes" not in by_choice
    by_theme = text(client.get(f"/p/oldambt/?theme={armoede.id}"))
    assert "Schuldhulpmaatjes" in by_theme and "Jeugdhulp met verblijf" not in by_theme


def test_bad_provision_input_is_shown_and_nothing_is_saved(client, login_as, db):
    client.set_cookie("koers_language", "en")
    login_as("editor")
    person = client.submit("/stakeholders/new?kind=person", {"name": "Jan Jansen",
                                                             "legal_ground": "public_task"})
    assert person.status_code == 302
    jan = db.session.scalars(select(Stakeholder).where(Stakeholder.name == "Jan Jansen")).one()
    response = client.submit("/p/oldambt/provisions/new", {
        "name": "", "layer_id": str(layer_ids(db)[0]), "choice": "versterken",
        "yearly_budget": "veel", "reach": "-3", "provider_id": str(jan.id)})
    assert response.status_code == 400
    page = text(response)
    assert 'id="error-summary-title"' in page
    for message in ("Enter a name.", "Enter a number of 0 or more.",
                    "Choose an organisation from the list."):
        assert message in page
    assert 'value="veel"' in page  # what was typed stays
    assert db.session.scalar(select(Provision.id)) is None


def test_a_stale_edit_shows_the_conflict_and_overwrites_nothing(client, login_as, db):
    login_as("editor")
    item = new_provision(client, db)
    form = {"name": "Schuldhulp dichtbij", "layer_id": str(item.layer_id),
            "choice": "versterken", "version": str(item.version)}
    assert client.submit(f"/p/oldambt/provisions/{item.id}/edit", form).status_code == 302
    stale = dict(form, name="Schuldhulp in de wijk", choice="stoppen")  # the old version
    response = client.submit(f"/p/oldambt/provisions/{item.id}/edit", stale)
    assert response.status_code == 409
    assert "Schuldhulp dichtbij" in text(response) and "Schuldhulp in de wijk" in text(response)
    db.session.expire_all()
    assert db.session.get(Provision, item.id).name == "Schuldhulp dichtbij"


def test_changes_are_audited(client, login_as, db):
    client.set_cookie("koers_language", "en")
    login_as("admin")
    item = new_provision(client, db)
    client.submit(f"/p/oldambt/provisions/{item.id}/edit", {
        "name": item.name, "layer_id": str(item.layer_id), "choice": "afbouwen",
        "version": str(item.version)})
    client.submit(f"/p/oldambt/provisions/{item.id}/archive")
    page = text(client.get(f"/admin/audit/?entity_type=oldambt_provisions&entity_id={item.id}"))
    for action in ("created", "changed", "archived"):
        assert f"<td>{action}</td>" in page, action
    assert "afbouwen" in page  # the choice's old and new value
    db.session.expire_all()
    assert db.session.get(Provision, item.id).archived
    assert "Schuldhulpmaatjes" not in text(client.get("/p/oldambt/"))  # archived: not drawn


def test_layers_are_renamed_reordered_and_only_empty_ones_removed(client, login_as, db):
    client.set_cookie("koers_language", "en")
    login_as("editor")
    first, second = layer_ids(db)[:2]
    item = new_provision(client, db, layer_id=str(second))
    layer = db.session.get(Layer, first)
    response = client.submit("/p/oldambt/layers", {
        "layer": str(first), f"layer-{first}-name": "Zelf en samen",
        f"layer-{first}-colour": "#ffeeaa", f"layer-{first}-position": "2",
        f"layer-{first}-version": str(layer.version)})
    assert response.status_code == 303
    db.session.expire_all()
    assert [db.session.get(Layer, i).name for i in layer_ids(db)[:2]] == [
        "Vrij toegankelijke voorzieningen", "Zelf en samen"]
    bad = client.submit("/p/oldambt/layers", {
        "layer": str(first), f"layer-{first}-name": "X", f"layer-{first}-colour": "geel",
        f"layer-{first}-position": "1", f"layer-{first}-version": "99"})
    assert bad.status_code == 400 and "Enter a colour as #rrggbb" in text(bad)
    refused = client.submit(f"/p/oldambt/layers/{item.layer_id}/delete", follow_redirects=True)
    assert "This layer holds provisions" in text(refused)
    assert db.session.get(Layer, item.layer_id) is not None


def test_a_stale_layer_save_is_refused_and_the_page_shows_the_current_layer(client, login_as,
                                                                            db):
    client.set_cookie("koers_language", "en")
    login_as("editor")
    first = layer_ids(db)[0]
    layer = db.session.get(Layer, first)
    fields = {"layer": str(first), f"layer-{first}-colour": "#ffeeaa",
              f"layer-{first}-position": "1", f"layer-{first}-version": str(layer.version)}
    saved = client.submit("/p/oldambt/layers", dict(fields, **{f"layer-{first}-name": "Eerst"}))
    assert saved.status_code == 303
    stale = client.submit("/p/oldambt/layers", dict(fields, **{f"layer-{first}-name": "Later"}))
    assert stale.status_code == 409
    assert "Someone else changed this layer meanwhile" in text(stale)
    db.session.expire_all()
    assert db.session.get(Layer, first).name == "Eerst"


def test_a_viewer_reads_but_cannot_change(client, login_as, db):
    client.set_cookie("koers_language", "en")
    login_as("viewer")
    assert client.get("/p/oldambt/").status_code == 200
    assert "Add a provision" not in text(client.get("/p/oldambt/"))
    assert client.get("/p/oldambt/provisions/new").status_code == 403
    assert client.submit("/p/oldambt/layers", {"layer": "new"}).status_code == 403


def test_the_rainbow_page_makes_the_same_number_of_queries_for_3_and_60_provisions(
        client, login_as, db, count_queries):
    login_as("editor")
    layer = layer_ids(db)[1]
    for n in range(3):
        db.session.add(Provision(name=f"Voorziening {n}", layer_id=layer, choice="behouden"))
    db.session.commit()
    with count_queries() as few:
        assert client.get("/p/oldambt/").status_code == 200
    for n in range(3, 60):
        db.session.add(Provision(name=f"Voorziening {n}", layer_id=layer, choice="nieuw"))
    db.session.commit()
    with count_queries() as many:
        page = text(client.get("/p/oldambt/"))
    assert many.count == few.count
    assert "Voorziening 59" in page


def test_markers_stay_inside_their_band_and_overflow_is_reported():
    markers = [Marker(n, 0, f"m{n}", "#", "behouden") for n in range(1, 200)]
    placed, left_over = place(markers, layers=4)
    assert placed and left_over  # too many for the innermost band: the table still has all
    assert len(placed) + len(left_over) == 199
    assert len({(round(p.x), round(p.y)) for p in placed}) == len(placed)  # no two on a spot
    assert capacity(100) > capacity(50)
