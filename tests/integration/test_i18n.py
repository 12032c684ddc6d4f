"""Dutch first, English complete; Dutch formats; municipal terminology layered on top."""

from __future__ import annotations

import shutil
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from babel.messages.frontend import CommandLineInterface
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from tests.conftest import make_app

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "municipalities"


@pytest.fixture(scope="module")
def extracted(tmp_path_factory) -> set[tuple[str | None, str]]:
    """Every translatable string in the core's code and templates, as (context, id)."""
    pot = tmp_path_factory.mktemp("pot") / "messages.pot"
    CommandLineInterface().run([
        "pybabel", "--quiet", "extract", "--no-location", "-F", str(ROOT / "babel.cfg"),
        "-k", "_l", "-k", "lazy_gettext", "-k", "lazy_pgettext:1c,2", "-o", str(pot),
        str(ROOT / "app")])
    with pot.open("rb") as handle:
        return {(m.context, m.id if isinstance(m.id, str) else m.id[0])
                for m in read_po(handle) if m.id}


@pytest.mark.parametrize("language", ["nl", "en"])
def test_catalogue_has_every_string_translated(extracted, language):
    path = ROOT / "translations" / language / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as handle:
        catalogue = read_po(handle)
    translated = {(m.context, m.id if isinstance(m.id, str) else m.id[0])
                  for m in catalogue
                  if m.id and m.string and (all(m.string) if isinstance(m.string, tuple)
                                            else True) and not m.fuzzy}
    missing = sorted(str(key) for key in extracted - translated)
    assert missing == [], f"{language} catalogue lacks (run make translations): {missing}"


def test_extraction_finds_code_and_template_strings(extracted):
    assert (None, "Skip to main content") in extracted  # a template
    assert (None, "The e-mail address or password is not correct.") in extracted  # code
    assert ("term", "New theme") in extracted  # terminology


def test_dutch_is_the_default_language(client):
    page = client.get("/login").get_data(as_text=True)
    assert '<html lang="nl" ' in page
    assert "Inloggen" in page and "Direct naar de inhoud" in page


def test_dates_and_euros_in_dutch_format(app):
    from flask_babel import force_locale

    from app.i18n import euro, long_date, moment, short_date

    with app.test_request_context():
        assert euro(Decimal("1250.5")) == "€\xa01.250,50"
        assert euro(-3) == "€\xa0-3,00"
        assert short_date(date(2017, 7, 11)) == "11-07-2017"
        assert long_date(date(2017, 5, 31)) == "31 mei 2017"
        # 12:30 UTC is 14:30 in Amsterdam in summer
        assert moment(datetime(2017, 6, 21, 12, 30, tzinfo=UTC)) == "21-06-2017, 14:30"
        with force_locale("en_NL"):
            assert long_date(date(2017, 5, 31)) == "31 May 2017"
            assert euro(Decimal("1250.5")) == "€\xa01.250,50"
            assert short_date(date(2017, 7, 11)) == "11-07-2017"


@pytest.mark.parametrize("amount", ["0", "0.005", "0.015", "1", "-1", "999.999", "1000",
                                    "1250.5", "-1250.5", "1234567.89", "9999999999.99",
                                    "-0.004", "12.345"])
def test_euro_matches_babels_own_formatting(amount):
    from babel.numbers import format_currency

    from app.i18n import euro

    assert euro(Decimal(amount)) == format_currency(Decimal(amount), "EUR", locale="nl_NL")


def compiled_fixture(tmp_path: Path, slug: str) -> Path:
    folder = tmp_path / "municipalities"
    shutil.copytree(FIXTURES / slug, folder / slug)
    for po_path in (folder / slug / "translations").rglob("*.po"):
        with po_path.open("rb") as handle:
            catalogue = read_po(handle)
        with po_path.with_suffix(".mo").open("wb") as handle:
            write_mo(handle, catalogue)
    return folder


def test_municipal_terminology_overrides_whole_phrases(tmp_path, database_url):
    from flask_babel import force_locale

    from app.terms import term

    folder = compiled_fixture(tmp_path, "pijlerdorp")
    app = make_app(tmp_path / "instance", database_url, KOERS_MUNICIPALITY="pijlerdorp",
                   KOERS_MUNICIPALITIES_DIR=str(folder))
    with app.test_request_context():
        assert term("new_theme") == "Nieuwe pijler"
        assert term("themes") == "Pijlers"
        assert term("plan") == "Beleidsplan"  # not overridden: the core's phrase
        with force_locale("en_NL"):
            assert term("new_theme") == "New pillar"
    # the core's catalogue still serves everything else
    page = app.test_client().get("/login").get_data(as_text=True)
    assert "Inloggen" in page and "Gemeente Pijlerdorp" in page


def test_terminology_of_one_app_does_not_leak_into_another(tmp_path, database_url, app):
    from app.terms import term

    folder = compiled_fixture(tmp_path, "pijlerdorp")
    other = make_app(tmp_path / "other", database_url, KOERS_MUNICIPALITY="pijlerdorp",
                     KOERS_MUNICIPALITIES_DIR=str(folder))
    with other.test_request_context():
        assert term("new_theme") == "Nieuwe pijler"
    with app.test_request_context():
        assert term("new_theme") == "Nieuw thema"


def test_language_cookie_for_visitors_who_are_not_signed_in(client):
    response = client.submit("/language?next=/login", {"locale": "en"})
    assert response.status_code == 302 and response.location == "/login"
    page = client.get("/login").get_data(as_text=True)
    assert '<html lang="en" ' in page and "Sign in" in page
    assert client.submit("/language?next=//evil.example", {"locale": "nl"}).location == "/login"


def test_templates_translate_once_per_request_and_follow_force_locale(app):
    from flask import render_template_string
    from flask_babel import force_locale

    from app.translate import request_translations

    source = '{{ _("Stakeholders") }}|{{ ngettext("%(num)d plan", "%(num)d plans", 2) }}'
    with app.test_request_context("/", headers={"Cookie": "koers_language=en"}):
        assert render_template_string(source).startswith("Stakeholders|")
        assert request_translations() is request_translations()  # looked up once
        # A letter in the municipality's language, inside a page in the user's language.
        with force_locale("nl_NL"):
            assert render_template_string(source).startswith("Betrokkenen|")
        assert render_template_string(source).startswith("Stakeholders|")
    with app.app_context():  # a job or a command: no request, still translated
        assert render_template_string(source).startswith("Betrokkenen|")
