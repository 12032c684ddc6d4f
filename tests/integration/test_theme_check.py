"""``koers theme check``: the instance's theme measured against WCAG 2.1 AA, pair by pair."""

from __future__ import annotations

import pytest

from app.testing.fixtures import municipality_environ
from tests.conftest import make_app


@pytest.fixture
def extra_plugins():
    return {"testplugin": "tests.plugins.testplugin"}


@pytest.fixture
def enabled_plugins():
    return ["testplugin"]


def test_the_theme_check_measures_the_instance_with_its_plugins_tokens(app):
    result = app.test_cli_runner().invoke(args=["theme", "check", "--all"])
    assert result.exit_code == 0, result.output
    assert "FAIL" not in result.output
    assert result.output.rstrip().endswith("colour pairs meet WCAG 2.1 AA")
    # The test plugin's theme stylesheet makes the header dark green.
    assert ("ok    header: text: var(--utrecht-page-header-color) = #ffffff on "
            "var(--utrecht-page-header-background-color) = #004d40") in result.output


def test_the_theme_check_fails_on_an_unreadable_tokens_file(tmp_path, database_url):
    folder = tmp_path / "municipalities" / "geeldorp"
    folder.mkdir(parents=True)
    (folder / "municipality.toml").write_text(
        '[municipality]\nname = "Gemeente Geeldorp"\n\n[branding]\n'
        'tokens_css = "geel.css"\ntheme_class = "geel-theme"\n', "utf-8")
    (folder / "geel.css").write_text(
        ".geel-theme { --utrecht-button-primary-action-background-color: #ffd700; }\n", "utf-8")
    app = make_app(tmp_path / "instance", database_url, **municipality_environ(folder, {}))
    result = app.test_cli_runner().invoke(args=["theme", "check"])
    assert result.exit_code == 1
    assert "FAIL  primary button: " in result.output
    assert "= #ffd700: 1.40:1 (needs 4.5:1)" in result.output
    assert "ok    " not in result.output  # without --all only the failures
