"""`koers plugins new`: the scaffold writes a distribution that follows the plugin contract."""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from app.plugins.names import RESERVED
from app.plugins.scaffold import ScaffoldError, scaffold
from tests.unit.test_architecture import core_imports_outside_the_api

KEYWORDS = {"_": None, "_l": None, "gettext": None, "ngettext": (1, 2)}


@pytest.fixture(scope="module")
def dist(tmp_path_factory) -> Path:
    return scaffold("sample", tmp_path_factory.mktemp("scaffold"))


def test_writes_the_distribution_folder(dist):
    assert dist.name == "koers-sample"
    files = {p.relative_to(dist).as_posix() for p in dist.rglob("*") if p.is_file()}
    assert {
        "pyproject.toml", "README.md", "babel.cfg", ".gitignore",
        "koers_sample/__init__.py", "koers_sample/translations.py", "koers_sample/models.py",
        "koers_sample/views.py", "koers_sample/templates/sample/index.html",
        "koers_sample/templates/sample/widget.html",
        "koers_sample/translations/nl/LC_MESSAGES/sample.po",
        "koers_sample/translations/nl/LC_MESSAGES/sample.mo",
        "koers_sample/translations/en/LC_MESSAGES/sample.po",
        "koers_sample/translations/en/LC_MESSAGES/sample.mo",
        "koers_sample/migrations/versions/sample_0001_items.py",
        "tests/conftest.py", "tests/test_sample.py",
    } <= files
    for path in dist.rglob("*"):
        if path.is_file() and path.suffix != ".mo":
            text = path.read_text(encoding="utf-8")
            assert "$name" not in text and "${" not in text, path


def test_pyproject_declares_the_entry_point_and_package_data(dist):
    project = tomllib.loads((dist / "pyproject.toml").read_text(encoding="utf-8"))
    assert project["project"]["name"] == "koers-sample"
    assert project["project"]["entry-points"]["koers.plugins"] == {"sample": "koers_sample"}
    assert project["project"]["requires-python"] == ">=3.11"
    assert project["project"]["dependencies"] == []
    data = project["tool"]["setuptools"]["package-data"]["koers_sample"]
    assert {"templates/**/*", "translations/**/*", "migrations/**/*"} <= set(data)


def test_python_files_parse_and_import_only_the_plugin_api(dist):
    for path in dist.rglob("*.py"):
        ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    assert core_imports_outside_the_api(dist) == []


def test_migration_is_the_first_of_the_plugins_branch(dist):
    path = dist / "koers_sample" / "migrations" / "versions" / "sample_0001_items.py"
    source = path.read_text(encoding="utf-8")
    values = {node.targets[0].id: ast.literal_eval(node.value)
              for node in ast.parse(source).body
              if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name)}
    assert values["branch_labels"] == ("sample",)
    assert values["down_revision"] is None
    assert values["depends_on"] == "0001_foundation"
    assert 0 < len(values["revision"]) <= 32  # alembic_version.version_num is a VARCHAR(32)
    assert '"sample_items"' in source and 'op.f("pk_sample_items")' in source


def test_every_string_is_translated_in_both_catalogues(dist):
    package = dist / "koers_sample"
    method_map = [("**.py", "python"), ("templates/**.html", "jinja2")]
    used = {message if isinstance(message, str) else message[0]
            for _file, _line, message, _comments, _context
            in extract_from_dir(str(package), method_map, keywords=KEYWORDS)}
    assert "Latest items" in used and "Items" in used
    for language in ("nl", "en"):
        with (package / "translations" / language / "LC_MESSAGES" / "sample.po").open("rb") as f:
            catalogue = read_po(f)
        translated = {m.id if isinstance(m.id, str) else m.id[0] for m in catalogue
                      if m.id and m.string and all(m.string if isinstance(m.string, tuple)
                                                   else [m.string])}
        assert used - translated == set(), language
    with (package / "translations" / "nl" / "LC_MESSAGES" / "sample.po").open("rb") as f:
        assert read_po(f)["Latest items"].string == "Nieuwste items"


@pytest.mark.parametrize("name", ["", "a", "Sample", "9lives", "with-dash", "sample.x",
                                  "x" * 32, "sample plugin"])
def test_refuses_invalid_names(tmp_path, name):
    with pytest.raises(ScaffoldError, match="not a valid plugin name"):
        scaffold(name, tmp_path)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("name", sorted(RESERVED))
def test_refuses_reserved_names(tmp_path, name):
    with pytest.raises(ScaffoldError, match="reserved"):
        scaffold(name, tmp_path)


def test_accepts_the_longest_valid_name(tmp_path):
    assert scaffold("x" * 31, tmp_path).name == "koers-" + "x" * 31


def test_refuses_an_existing_folder(tmp_path):
    (tmp_path / "koers-sample").mkdir()
    with pytest.raises(ScaffoldError, match="already exists"):
        scaffold("sample", tmp_path)


def test_refuses_a_file_as_parent(tmp_path):
    parent = tmp_path / "file"
    parent.write_text("")
    with pytest.raises(ScaffoldError, match="not a folder"):
        scaffold("sample", parent)


def test_creates_missing_parent_folders(tmp_path):
    assert scaffold("sample", tmp_path / "a" / "b").is_dir()
