"""The instance file accepts exactly the settings README documents, and every municipality
folder of the repository loads."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from app.config import ENVIRONMENT_ONLY, INSTANCE_KEYS, PROJECT_HOME, build_settings, read_settings
from app.errors import ConfigError
from app.municipality import load_municipality

README = PROJECT_HOME / "README.md"


def readme_settings() -> list[tuple[list[str], list[str]]]:
    """(variables, instance-file keys) per row of README's configuration table."""
    text = README.read_text(encoding="utf-8")
    section = text[text.index("## Configuration"):]
    section = section[:section.index("\n## ", 1)]
    rows = []
    for line in section.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) == 4 and cells[0].startswith("`"):
            rows.append((re.findall(r"`([A-Z_]+)`", cells[0]),
                         re.findall(r"`([a-z_]+)`", cells[1])))
    return rows


def environ(tmp_path: Path, **extra: str) -> dict[str, str]:
    return {"KOERS_INSTANCE_DIR": str(tmp_path / "instance"), "SECRET_KEY": "x" * 32, **extra}


def test_readme_table_lists_exactly_the_accepted_settings():
    rows = readme_settings()
    documented_variables = {variable for variables, _keys in rows for variable in variables}
    documented_keys = {key for _variables, keys in rows for key in keys}
    assert documented_keys == set(INSTANCE_KEYS)
    assert documented_variables == {variable for variable, _kind in INSTANCE_KEYS.values()} | \
        set(ENVIRONMENT_ONLY)
    for variables, keys in rows:  # each file key sits beside its own variable
        assert [INSTANCE_KEYS[key][0] for key in keys] == (variables if keys else []), variables


def test_municipalities_dir_and_its_variable_are_documented():
    rows = readme_settings()
    assert (["KOERS_MUNICIPALITIES_DIR"], ["municipalities_dir"]) in rows


def test_an_instance_file_with_every_documented_setting_loads(tmp_path):
    values = {"str": '"x"', "int": "3", "bool": "false"}
    special = {"municipality": '"demo"',
               "municipalities_dir": f'"{PROJECT_HOME / "municipalities"}"',
               "database_url": '"sqlite:///x.sqlite"', "log_level": '"INFO"',
               "extra_plugins": '""', "mail_transport": '"file"', "mail_from": '"a@b.nl"',
               "smtp_security": '"starttls"', "smtp_port": "587"}
    lines = [f"{key} = {special.get(key, values[kind.__name__])}"
             for key, (_variable, kind) in INSTANCE_KEYS.items()]
    (tmp_path / "koers.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    config = build_settings({"KOERS_INSTANCE_DIR": str(tmp_path / "instance"),
                             "KOERS_CONFIG": str(tmp_path / "koers.toml")})
    assert config["SECRET_KEY"] == "x"
    assert config["KOERS_LOGIN_MAX_FAILURES"] == 3


@pytest.mark.parametrize("key", ["municipality_dir", "smtp_password", "KOERS_DEMO"])
def test_an_unknown_instance_file_key_stops_start_up_naming_it(tmp_path, key):
    from app import create_app

    (tmp_path / "koers.toml").write_text(f'{key} = "x"\n', encoding="utf-8")
    with pytest.raises(ConfigError) as error:
        create_app(environ=environ(tmp_path, KOERS_CONFIG=str(tmp_path / "koers.toml")))
    assert error.value.key == key
    assert error.value.source == str(tmp_path / "koers.toml")
    assert key in str(error.value)


def test_settings_are_read_without_a_secret_key(tmp_path):
    """What commands that need no app read: no SECRET_KEY, no municipality check."""
    settings = read_settings({"KOERS_INSTANCE_DIR": str(tmp_path),
                              "KOERS_MUNICIPALITIES_DIR": str(tmp_path / "elsewhere"),
                              "KOERS_MUNICIPALITY": "wijkdorp"})
    assert settings.municipality_folder == tmp_path / "elsewhere" / "wijkdorp"
    assert settings.values["demo"] is False


@pytest.mark.parametrize("folder", sorted([
    *PROJECT_HOME.glob("municipalities/*/"),
    *PROJECT_HOME.glob("tests/fixtures/municipalities/*/")]), ids=lambda folder: folder.name)
def test_every_municipality_folder_of_the_repository_loads(folder):
    municipality = load_municipality(folder)
    assert municipality.slug == folder.name and municipality.name.startswith("Gemeente ")


def test_every_municipality_folder_starts_an_instance(tmp_path):
    for folder in PROJECT_HOME.glob("municipalities/*/"):
        config = build_settings(environ(tmp_path, KOERS_MUNICIPALITY=folder.name))
        assert config["KOERS_MUNICIPALITY"].slug == folder.name
