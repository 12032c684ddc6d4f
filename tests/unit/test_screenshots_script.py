"""The screenshot script (tests/screenshots.py) names pages that exist, municipalities that
exist, and the images docs/design.md shows — all of them committed."""

from pathlib import Path

from app.config import PROJECT_HOME
from app.testing import make_app
from tests import screenshots


def test_every_page_is_an_endpoint_of_the_app(tmp_path: Path):
    # Building the app touches no database, so this costs no migration.
    app = make_app(tmp_path / "instance", f"sqlite:///{tmp_path}/unused.sqlite")
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert {shot.endpoint for shot in screenshots.SHOTS} <= endpoints


def test_the_images_are_named_per_municipality_and_committed():
    for municipality in screenshots.MUNICIPALITIES:
        assert (PROJECT_HOME / "municipalities" / municipality / "municipality.toml").is_file()
    names = [screenshots.file_name(shot, municipality)
             for municipality in screenshots.MUNICIPALITIES
             for shot in screenshots.shots_for(municipality)]
    assert names == ["dashboard.png", "plan.png", "form.png", "dashboard-oldambt.png",
                     "dashboard-coevorden.png"]
    images = PROJECT_HOME / "docs" / "images"
    design = (PROJECT_HOME / "docs" / "design.md").read_text("utf-8")
    for name in names:
        assert (images / name).is_file(), f"run .venv/bin/python -m tests.screenshots: {name}"
        assert f"images/{name}" in design
