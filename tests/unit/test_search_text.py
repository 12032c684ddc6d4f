"""Folding and stemming for search (app/search/text.py): the same words as PostgreSQL's
``dutch`` configuration sees them, accents ignored, queries that cannot be malformed, and
snippets that escape what they show."""

from __future__ import annotations

import pytest
from markupsafe import Markup

from app.search.services import highlight, snippet
from app.search.text import fold, matches, query_terms, stem, stemmed, words


def test_fold_removes_accents_and_case():
    assert fold("Ideeën Café CRÈCHE naïef") == "ideeen cafe creche naief"
    assert fold("Straße") == "strasse"  # casefold, as a German visitor would type it


@pytest.mark.parametrize(("word", "expected"), [
    ("zienswijzen", "zienswijz"), ("zienswijze", "zienswijz"), ("fietspaden", "fietspad"),
    ("fietspad", "fietspad"), ("bomen", "bom"), ("gemeenten", "gemeent"),
    ("gemeente", "gemeent"), ("ontmoeten", "ontmoet")])
def test_stems_are_postgresql_dutch_stems(word, expected):
    # Checked against PostgreSQL 15: SELECT to_tsvector('dutch', word)
    assert stem(word) == expected


def test_stemmed_text_leaves_out_stop_words_and_punctuation():
    assert stemmed("De zienswijzen, van het café!") == "zienswijz caf"
    assert words("e-mail: a@b.nl") == ["e", "mail", "a", "b", "nl"]


def test_query_terms_ignore_operators_quotes_and_stop_words():
    terms = query_terms('"zienswijzen" OR café* NEAR(de het) -x')
    assert [t.stem for t in terms] == ["zienswijz", "or", "caf", "near", "x"]
    assert [t.prefix for t in terms] == [True, False, False, True, False]
    assert query_terms('" * ( ) : ^ -') == []
    assert query_terms("de het een") == []
    assert query_terms("fietspad fietspaden") == query_terms("fietspad")  # no repeats


def test_a_query_word_matches_longer_words_beginning_with_its_stem():
    terms = query_terms("idee")
    assert matches("ideeen", terms) and matches("idee", terms)
    assert not matches("ide", terms)
    assert not matches("de", query_terms("de"))


def test_snippets_escape_the_text_and_mark_the_matches():
    terms = query_terms("zienswijzen")
    shown = snippet('<script>alert("x")</script> een zienswijze & <b>meer</b>', terms)
    assert isinstance(shown, Markup)
    assert str(shown) == ("&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; een "
                          "<mark>zienswijze</mark> &amp; &lt;b&gt;meer&lt;/b&gt;")
    assert str(highlight("Zienswijzen <i>", terms)) == "<mark>Zienswijzen</mark> &lt;i&gt;"


def test_a_long_snippet_shows_the_passage_with_the_matches():
    text = " ".join(["woord"] * 100 + ["Ideeën", "over", "de", "ideeën"] + ["tekst"] * 100)
    shown = str(snippet(text, query_terms("idee"), words=12))
    assert shown.startswith("… ") and shown.endswith(" …")
    assert shown.count("<mark>Ideeën</mark>") == 1 and shown.count("<mark>ideeën</mark>") == 1
    assert len(shown.split()) <= 12 + 2 + 2  # words, marks' halves, ellipses
