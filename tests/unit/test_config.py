"""Configuration: every mistake names the file, the key and the fix."""

from pathlib import Path

import pytest

from app.config import build_settings
from app.errors import ConfigError
from app.municipality import load_municipality

DEMO_DIR = Path(__file__).resolve().parents[2] / "municipalities"


def write_municipality(tmp_path: Path, body: str, slug: str = "testdorp") -> Path:
    folder = tmp_path / "municipalities" / slug
    folder.mkdir(parents=True)
    (folder / "municipality.toml").write_text(body, encoding="utf-8")
    return folder


def environ(tmp_path: Path, **extra: str) -> dict[str, str]:
    values = {"KOERS_INSTANCE_DIR": str(tmp_path / "instance"), "SECRET_KEY": "x" * 32}
    values.update(extra)
    return values


def test_demo_municipality_is_valid():
    municipality = load_municipality(DEMO_DIR / "demo")
    assert municipality.name == "Gemeente Koersdam"
    assert municipality.locale == "nl"
    assert municipality.inspection_weeks == 6
    assert municipality.logo is not None and municipality.logo.name == "logo.svg"


def test_settings_from_environment_and_defaults(tmp_path):
    config = build_settings(environ(tmp_path, REDIS_URL="redis://127.0.0.1:6379/3",
                                    KOERS_STORAGE_DIR=str(tmp_path / "files")))
    assert config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'instance' / 'demo.sqlite'}"
    assert config["REDIS_URL"] == "redis://127.0.0.1:6379/3"
    assert config["KOERS_STORAGE_DIR"] == tmp_path / "files"
    assert config["BABEL_DEFAULT_LOCALE"] == "nl"
    assert config["SESSION_COOKIE_HTTPONLY"] is True
    assert config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert config["SESSION_COOKIE_SECURE"] is False


def test_the_attachment_limit_is_a_setting_and_requests_admit_it(tmp_path):
    assert build_settings(environ(tmp_path))["KOERS_MAX_ATTACHMENT_MB"] == 10
    config = build_settings(environ(tmp_path, KOERS_MAX_ATTACHMENT_MB="100"))
    assert config["KOERS_MAX_ATTACHMENT_MB"] == 100
    # a file over the limit must reach the form (a field error), not stop at a bare 413
    assert config["MAX_CONTENT_LENGTH"] > 100 * 1024 * 1024


def test_postgres_urls_use_psycopg3(tmp_path):
    config = build_settings(environ(tmp_path, DATABASE_URL="postgres://u@db/koers"))
    assert config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@db/koers"


def test_instance_file_is_read_and_environment_wins(tmp_path):
    (tmp_path / "koers.toml").write_text('secure_cookies = true\nlogin_max_failures = 3\n')
    config = build_settings(environ(tmp_path, KOERS_CONFIG=str(tmp_path / "koers.toml"),
                                    KOERS_LOGIN_MAX_FAILURES="7"))
    assert config["SESSION_COOKIE_SECURE"] is True
    assert config["KOERS_LOGIN_MAX_FAILURES"] == 7


def test_secret_key_is_required_outside_demo_mode(tmp_path):
    values = environ(tmp_path)
    del values["SECRET_KEY"]
    with pytest.raises(ConfigError) as error:
        build_settings(values)
    assert error.value.key == "SECRET_KEY"
    assert "secrets.token_hex" in error.value.fix


def test_demo_mode_keeps_one_generated_secret(tmp_path):
    values = environ(tmp_path, KOERS_DEMO="1")
    del values["SECRET_KEY"]
    first = build_settings(values)["SECRET_KEY"]
    assert len(first) >= 32
    assert build_settings(values)["SECRET_KEY"] == first


@pytest.mark.parametrize(("body", "key", "fix_part"), [
    ('[municipality]\nname = "X"\ncolour = "red"\n', "municipality.colour", "remove it"),
    ('[municipality]\nname = "X"\nlocale = "fr"\n', "municipality.locale", "nl, en"),
    ('[municipality]\nname = "X"\n[branding]\nprimary_colour = "blue"\n',
     "branding.primary_colour", "#rrggbb"),
    ('[municipality]\nname = "X"\n[procedure]\ninspection_weeks = "six"\n',
     "procedure.inspection_weeks", "whole number"),
    ('[municipality]\nname = "X"\n[procedure]\ninspection_weeks = 60\n',
     "procedure.inspection_weeks", "between 1 and 26"),
    ('[municipality]\nlocale = "nl"\n', "municipality.name", "name ="),
    ('[gemeente]\nname = "X"\n', "gemeente", "[municipality]"),
    ('[municipality]\nname = "X"\n[plugins]\nenabled = ["a", "a"]\n', "plugins.enabled",
     "without repeats"),
    ('[municipality]\nname = "X"\n[branding]\nlogo = "../../etc/passwd"\n', "branding.logo",
     "next to municipality.toml"),
    ('[municipality\nname = "X"\n', "(file)", "syntax"),
])
def test_invalid_municipality_file_names_file_key_and_fix(tmp_path, body, key, fix_part):
    folder = write_municipality(tmp_path, body)
    with pytest.raises(ConfigError) as error:
        load_municipality(folder)
    assert error.value.source == str(folder / "municipality.toml")
    assert error.value.key == key
    assert fix_part in error.value.fix
    assert str(folder / "municipality.toml") in str(error.value)


def test_unknown_municipality_is_refused(tmp_path):
    with pytest.raises(ConfigError) as error:
        build_settings(environ(tmp_path, KOERS_MUNICIPALITY="atlantis"))
    assert error.value.key == "KOERS_MUNICIPALITY"
    assert "atlantis" in error.value.problem


def test_unknown_plugin_stops_start_up(tmp_path):
    from app import create_app

    write_municipality(tmp_path, '[municipality]\nname = "X"\n[plugins]\nenabled = ["nope"]\n')
    with pytest.raises(ConfigError) as error:
        create_app(environ=environ(tmp_path, KOERS_MUNICIPALITIES_DIR=str(
            tmp_path / "municipalities"), KOERS_MUNICIPALITY="testdorp"))
    assert error.value.key == "plugins.enabled"
    assert "'nope'" in error.value.problem
    assert "pip install" in error.value.fix


@pytest.mark.parametrize(("variable", "value"), [
    ("KOERS_SECURE_COOKIES", "maybe"), ("KOERS_LOGIN_MAX_FAILURES", "many"),
    ("KOERS_LOGIN_WINDOW_MINUTES", "0")])
def test_malformed_environment_values_are_refused(tmp_path, variable, value):
    with pytest.raises(ConfigError) as error:
        build_settings(environ(tmp_path, **{variable: value}))
    assert error.value.key == variable


def test_unknown_instance_file_key_is_refused(tmp_path):
    (tmp_path / "koers.toml").write_text('secret = "x"\n')
    with pytest.raises(ConfigError) as error:
        build_settings(environ(tmp_path, KOERS_CONFIG=str(tmp_path / "koers.toml")))
    assert error.value.key == "secret"
    assert "secret_key" in error.value.fix


def test_cli_reports_configuration_errors_without_traceback(tmp_path):
    import subprocess
    import sys

    values = environ(tmp_path)
    del values["SECRET_KEY"]
    result = subprocess.run([sys.executable, "-c", "from app.cli import main; main()",
                             "users", "list"], env={**values, "PATH": "/usr/bin:/bin"},
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert "SECRET_KEY" in result.stderr and "Traceback" not in result.stderr
