"""A municipality folder outside the repository: its catalogues are compiled and checked by
``python -m app.catalogues``, ``koers terms`` reads it, and an instance runs from it."""

from __future__ import annotations

import logging
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from app.config import PROJECT_HOME
from app.testing import make_app

FIXTURE = PROJECT_HOME / "tests" / "fixtures" / "municipalities" / "pijlerdorp"
TYPO = '\nmsgctxt "term"\nmsgid "New thema"\nmsgstr "Nieuwe pijler"\n'


def outside_folder(tmp_path: Path, typo: bool = False) -> Path:
    """``<tmp>/elsewhere/wijkdorp``: the pijlerdorp fixture, uncompiled."""
    folder = tmp_path / "elsewhere" / "wijkdorp"
    shutil.copytree(FIXTURE, folder, ignore=shutil.ignore_patterns("*.mo"))
    if typo:
        with (folder / "translations" / "nl" / "LC_MESSAGES" / "messages.po").open("a") as po:
            po.write(TYPO)
    return folder


def run(tmp_path: Path, folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """A command in an environment without SECRET_KEY, pointed at the outside folder."""
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path),
           "KOERS_INSTANCE_DIR": str(tmp_path / "instance"),
           "KOERS_MUNICIPALITIES_DIR": str(folder.parent), "KOERS_MUNICIPALITY": folder.name}
    return subprocess.run([sys.executable, *args], env=env, cwd=tmp_path, capture_output=True,
                          text=True, timeout=120)


def test_catalogues_compiles_a_municipality_outside_the_repository(tmp_path):
    folder = outside_folder(tmp_path)
    result = run(tmp_path, folder, "-m", "app.catalogues")
    assert result.returncode == 0, result.stderr
    for language in ("nl", "en"):
        mo = folder / "translations" / language / "LC_MESSAGES" / "messages.mo"
        assert mo.is_file() and f"compiled {mo}" in result.stdout


def test_catalogues_reports_an_unknown_phrase_and_fails(tmp_path):
    folder = outside_folder(tmp_path, typo=True)
    result = run(tmp_path, folder, "-m", "app.catalogues")
    assert result.returncode == 1
    po = folder / "translations" / "nl" / "LC_MESSAGES" / "messages.po"
    assert f"error: {po}:" in result.stderr
    assert '"New thema"' in result.stderr and 'did you mean "New theme"' in result.stderr
    assert (po.with_suffix(".mo")).is_file()  # everything else is still compiled


def test_koers_terms_check_needs_no_secret_and_fails_on_an_unknown_phrase(tmp_path):
    cli = ("-c", "from app.cli import main; main()")
    good = outside_folder(tmp_path / "good")
    result = run(tmp_path, good, *cli, "terms", "--check")
    assert result.returncode == 0, result.stderr
    assert "every terminology entry replaces a known phrase" in result.stdout

    bad = outside_folder(tmp_path / "bad", typo=True)
    result = run(tmp_path, bad, *cli, "terms", "--check")
    assert result.returncode == 1
    assert '"New thema"' in result.stderr and "Traceback" not in result.stderr


def test_koers_terms_lists_each_phrase_with_the_municipalitys_wording(tmp_path):
    folder = outside_folder(tmp_path)
    result = run(tmp_path, folder, "-c", "from app.cli import main; main()", "terms")
    assert result.returncode == 0, result.stderr
    block = result.stdout.split("new_theme:")[1].split("all_themes:")[0]
    assert 'msgctxt "term", msgid "New theme"' in block
    assert 'nl "Nieuw thema"' in block  # the core's
    assert 'wijkdorp:' in block and 'nl "Nieuwe pijler", en "New pillar"' in block
    assert "app/templates/plans/programme/index.html:" in block


def test_an_instance_runs_from_a_folder_outside_the_repository(tmp_path, database_url):
    from app.terms import term

    folder = outside_folder(tmp_path)
    assert run(tmp_path, folder, "-m", "app.catalogues").returncode == 0
    app = make_app(tmp_path / "instance", database_url,
                   KOERS_MUNICIPALITIES_DIR=str(folder.parent), KOERS_MUNICIPALITY="wijkdorp")
    assert app.config["KOERS_MUNICIPALITY"].folder == folder
    with app.test_request_context():
        assert term("new_theme") == "Nieuwe pijler"
    page = app.test_client().get("/login").get_data(as_text=True)
    assert "Gemeente Pijlerdorp" in page and "Inloggen" in page


def test_start_up_warns_about_an_unknown_phrase(tmp_path, database_url, caplog):
    folder = outside_folder(tmp_path, typo=True)
    with caplog.at_level(logging.WARNING):
        make_app(tmp_path / "instance", database_url,
                 KOERS_MUNICIPALITIES_DIR=str(folder.parent), KOERS_MUNICIPALITY="wijkdorp")
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any("terminology:" in w and '"New thema"' in w for w in warnings), warnings


@pytest.mark.parametrize("args", [("--help",), ("plugins", "new", "sample", "--path", "out")])
def test_commands_that_need_no_app_run_without_secret_key(tmp_path, args):
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}  # no SECRET_KEY, no KOERS_*
    result = subprocess.run([sys.executable, "-c", "from app.cli import main; main()", *args],
                            env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    if args == ("--help",):
        for command in ("db", "users", "plugins", "terms", "demo"):
            assert f"  {command} " in result.stdout
    else:
        assert (tmp_path / "out" / "koers-sample" / "pyproject.toml").is_file()


def test_commands_that_need_the_app_still_explain_a_missing_secret_key(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path),
           "KOERS_INSTANCE_DIR": str(tmp_path / "instance")}
    result = subprocess.run([sys.executable, "-c", "from app.cli import main; main()", "plugins",
                             "list"], env=env, cwd=tmp_path, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 2
    assert "SECRET_KEY" in result.stderr and "Traceback" not in result.stderr
