"""Terminology: one list of replaceable phrases, shown in the docs, found in the code, and a
catalogue entry outside it reported."""

from __future__ import annotations

import re
from pathlib import Path

from app.config import PROJECT_HOME
from app.terms import (
    CONTEXT,
    TERM_LIST,
    TERMS,
    catalogue_phrases,
    catalogue_problems,
    markdown_table,
    occurrences,
)

DOCS = PROJECT_HOME / "docs" / "municipalities.md"


def write_po(folder: Path, language: str, entries: str) -> Path:
    path = folder / "translations" / language / "LC_MESSAGES" / "messages.po"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=utf-8\\n"\n\n'
                    + entries, encoding="utf-8")
    return path


def test_each_term_is_one_lazy_phrase_in_the_term_context():
    assert len({entry.key for entry in TERM_LIST}) == len(TERM_LIST) == len(TERMS)
    for entry in TERM_LIST:
        # The literal call (for extraction) and the listed msgid say the same phrase.
        assert entry.text._args == (CONTEXT, entry.msgid)
        assert entry.meaning and TERMS[entry.key] is entry.text


def test_the_docs_show_the_list_of_the_code():
    text = DOCS.read_text(encoding="utf-8")
    shown = text.split("<!-- terms:start -->\n")[1].split("<!-- terms:end -->")[0]
    expected = markdown_table(catalogue_phrases(PROJECT_HOME / "translations", "nl"))
    assert shown == expected, "regenerate it with: koers terms --markdown"
    assert "| `new_theme` | New theme | Nieuw thema |" in shown


def test_every_phrase_the_code_uses_is_on_the_list():
    places = occurrences([PROJECT_HOME / "app", PROJECT_HOME / "plugins"], PROJECT_HOME)
    assert set(places) == set(TERMS), "term(...) of a key that TERM_LIST does not have"
    assert any(place.startswith("app/templates/plans/programme/") for place in
               places["new_theme"])
    assert all(re.fullmatch(r"[\w/.\-]+:\d+", place) for found in places.values()
               for place in found)


def test_the_core_catalogues_translate_every_phrase():
    for language in ("nl", "en"):
        phrases = catalogue_phrases(PROJECT_HOME / "translations", language)
        assert {entry.msgid for entry in TERM_LIST} <= set(phrases), language


def test_the_repositorys_municipalities_replace_only_known_phrases():
    folders = [*PROJECT_HOME.glob("municipalities/*/translations"),
               *PROJECT_HOME.glob("tests/fixtures/municipalities/*/translations")]
    assert folders
    for folder in folders:
        assert catalogue_problems(folder) == []


def test_an_unknown_phrase_is_reported_with_file_line_and_the_nearest_phrase(tmp_path):
    path = write_po(tmp_path, "nl", 'msgctxt "term"\nmsgid "New theme"\nmsgstr "Nieuwe pijler"\n\n'
                    'msgctxt "term"\nmsgid "New thema"\nmsgstr "Nieuwe pijler"\n\n'
                    'msgid "Themes"\nmsgstr "Pijlers"\n\n'
                    'msgid "Sign in"\nmsgstr "Aanmelden"\n')
    problems = catalogue_problems(tmp_path / "translations")
    assert len(problems) == 3
    typo, no_context, not_a_term = problems
    assert typo.startswith(f"{path}:10:") and '"New thema"' in typo
    assert 'did you mean "New theme"' in typo
    assert "no msgctxt" in no_context and '"Themes"' in no_context
    assert '"Sign in"' in not_a_term and "koers terms" in not_a_term


def test_a_folder_without_catalogues_has_no_problems(tmp_path):
    assert catalogue_problems(tmp_path / "translations") == []
