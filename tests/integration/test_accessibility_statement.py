"""The toegankelijkheidsverklaring at /toegankelijkheid: public, the municipality's own statement
from ``[accessibility]`` in municipality.toml (status A-E with its meaning, evaluation,
limitations, measures, contact, date), status E with guidance when the table is missing, linked
from every page's footer, in both languages, for each shipped municipality."""

from __future__ import annotations

import dataclasses
import html
from pathlib import Path

import pytest
from flask import Flask
from flask_babel import gettext

from app.config import PROJECT_HOME
from app.main.accessibility import STATUSES
from app.municipality import load_municipality

URL = "/toegankelijkheid"
ORGANISATION = "Gemeente Testdorp"
MISSING_TABLE_GUIDANCE = (
    "For the administrator: add an [accessibility] table to municipality.toml in the "
    "municipality folder, with the status (A to E), the evaluation done, when and by whom, the "
    "address of its report, the known limitations and the measures (each a list of sentences), "
    "an e-mail address or telephone number for questions, and the date of the statement. Koers "
    "reads the file when it starts, so restart it afterwards.")
NO_CONTACT = ("%(organisation)s has not named a contact for accessibility questions yet. Please "
              "ask the functional administrator of Koers at %(organisation)s.")
FULL_TABLE = """
status = "B"
statement_date = 2026-12-01
evaluation = "WCAG-EM-onderzoek van de kernpagina's"
evaluated_on = 2026-11-20
evaluated_by = "Bureau Drempelloos"
report_url = "https://rapporten.testdorp.example/koers-2026.pdf"
limitations = ["De PDF-versie van de nota is niet getagd.",
               "Het organogram heeft geen tekstalternatief."]
measures = ["Een getagde PDF-versie volgt in 2027."]
contact_email = "toegankelijkheid@testdorp.example"
contact_phone = "0599 12 34 56"
"""


def use_statement(app: Flask, tmp_path: Path, table: str | None) -> None:
    """Run ``app`` as a municipality whose municipality.toml has ``[accessibility]`` with
    ``table`` as its content (``None``: no such table at all), read as start-up reads it."""
    folder = tmp_path / "testdorp"
    folder.mkdir()
    text = f'[municipality]\nname = "{ORGANISATION}"\n'
    if table is not None:
        text += f"\n[accessibility]\n{table}\n"
    (folder / "municipality.toml").write_text(text, encoding="utf-8")
    statement = load_municipality(folder).accessibility
    app.config["KOERS_MUNICIPALITY"] = dataclasses.replace(
        app.config["KOERS_MUNICIPALITY"], name=ORGANISATION, accessibility=statement)


def text_of(response) -> str:
    assert response.status_code == 200
    return html.unescape(response.get_data(as_text=True))


def translated(app: Flask, message: str, **values: str) -> str:
    """``message`` as the Dutch page shows it (whatever the catalogue holds today)."""
    with app.test_request_context():
        return str(gettext(message, **values))


def status_line(app: Flask, letter: str) -> str:
    return translated(app, "Status %(letter)s: %(label)s", letter=letter,
                      label=str(STATUSES[letter][0]))


def test_anyone_may_read_the_statement_without_signing_in(app, client):
    response = client.get(URL)
    page = text_of(response)
    assert '<html lang="nl"' in page
    assert f"<h1>{translated(app, 'Accessibility statement')}</h1>" in page
    assert "Gemeente Koersdam" in page.split("<main")[1]


@pytest.mark.parametrize("letter", ["A", "B", "C", "D", "E"])
def test_the_status_letter_is_shown_with_its_meaning(app, client, tmp_path, letter):
    use_statement(app, tmp_path, f'status = "{letter}"')
    page = text_of(client.get(URL))
    assert status_line(app, letter) in page
    assert translated(app, str(STATUSES[letter][1])) in page
    others = [other for other in STATUSES if other != letter]
    assert not any(status_line(app, other) in page for other in others)
    # The administrator wrote a table: no guidance, but no contact named either.
    assert translated(app, MISSING_TABLE_GUIDANCE) not in page
    assert translated(app, NO_CONTACT, organisation=ORGANISATION) in page
    assert translated(app, "This statement has no date yet.") in page


def test_the_statement_lists_evaluation_limitations_measures_and_contact(app, client,
                                                                        tmp_path):
    use_statement(app, tmp_path, FULL_TABLE)
    page = text_of(client.get(URL))
    main = page.split("<main")[1].split("</main>")[0]
    assert ORGANISATION in main
    assert status_line(app, "B") in main
    assert "<li>De PDF-versie van de nota is niet getagd.</li>" in main
    assert "<li>Het organogram heeft geen tekstalternatief.</li>" in main
    assert "<li>Een getagde PDF-versie volgt in 2027.</li>" in main
    assert "WCAG-EM-onderzoek van de kernpagina's" in main and "Bureau Drempelloos" in main
    # Dates the Dutch way: the statement's and the evaluation's.
    assert "1 december 2026" in main and "20 november 2026" in main
    assert '<a href="https://rapporten.testdorp.example/koers-2026.pdf">' in main
    assert '<a href="mailto:toegankelijkheid@testdorp.example">' in main
    assert '<a href="tel:0599123456">0599 12 34 56</a>' in main
    assert translated(app, NO_CONTACT, organisation=ORGANISATION) not in main
    assert translated(app, "This statement has no date yet.") not in main


def test_a_report_address_that_is_no_web_address_is_shown_but_not_linked(app, client,
                                                                        tmp_path):
    use_statement(app, tmp_path, 'status = "B"\nreport_url = "javascript:alert(1)"')
    page = text_of(client.get(URL))
    assert "javascript:alert(1)" in page and 'href="javascript:' not in page


def test_without_the_table_the_page_shows_status_e_and_what_to_add(app, client, tmp_path):
    use_statement(app, tmp_path, None)
    assert app.config["KOERS_MUNICIPALITY"].accessibility == {}
    page = text_of(client.get(URL))
    assert status_line(app, "E") in page
    assert translated(app, str(STATUSES["E"][1])) in page
    assert translated(app, MISSING_TABLE_GUIDANCE) in page
    assert "<pre><code>[accessibility]\nstatus = \"B\"" in page  # an example to copy
    assert translated(app, "No evaluation has been recorded yet.") in page
    assert translated(app, "No limitations have been recorded.") in page
    assert translated(app, "No measures have been recorded.") in page
    assert translated(app, NO_CONTACT, organisation=ORGANISATION) in page
    assert translated(app, "This statement has no date yet.") in page


def footer(page: str) -> str:
    return page.split("<footer")[1].split("</footer>")[0]


def test_the_footer_links_to_the_statement_signed_out_and_signed_in(app, client, login_as):
    link = f'<a href="{URL}">{translated(app, "Accessibility statement")}</a>'
    assert link in footer(text_of(client.get("/login")))
    login_as("viewer")
    assert link in footer(text_of(client.get("/")))


def test_the_statement_in_english(app, client, tmp_path):
    use_statement(app, tmp_path, FULL_TABLE)
    response = client.submit(f"/language?next={URL}", {"locale": "en"})
    assert response.status_code == 302 and response.location == URL
    page = text_of(client.get(URL))
    assert '<html lang="en"' in page
    assert "<h1>Accessibility statement</h1>" in page
    assert "Status B: partially compliant" in page
    assert "What Koers itself does" in page and "1 December 2026" in page
    assert "<li>De PDF-versie van de nota is niet getagd.</li>" in page  # as written


#: slug -> (its plugins, the example domain of its contact address)
SHIPPED = {"demo": ([], "koersdam.example"), "oldambt": (["oldambt"], "oldambt.example"),
           "coevorden": (["coevorden"], "coevorden.example")}


# The municipality folder and its plugins replace the fixtures of those names, so the app is
# that instance (as tests/instances runs it).
@pytest.mark.parametrize(("municipality_dir", "enabled_plugins", "domain"), [
    pytest.param(PROJECT_HOME / "municipalities" / slug, plugins, domain, id=slug)
    for slug, (plugins, domain) in SHIPPED.items()])
def test_each_shipped_municipality_shows_its_own_statement(app, client, municipality_dir,
                                                           enabled_plugins, domain):
    municipality = app.config["KOERS_MUNICIPALITY"]
    assert municipality.slug == municipality_dir.name
    statement = municipality.accessibility
    assert statement["limitations"] and statement["contact_email"]
    main = text_of(client.get(URL)).split("<main")[1].split("</main>")[0]
    assert municipality.name in main
    assert status_line(app, statement["status"]) in main
    for sentence in (*statement["limitations"], *statement["measures"]):
        assert f"<li>{sentence}</li>" in main
    assert f'<a href="mailto:{statement["contact_email"]}">' in main
    assert statement["contact_email"].endswith(f"@{domain}")
    assert translated(app, MISSING_TABLE_GUIDANCE) not in main
