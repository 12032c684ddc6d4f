"""Dutch text for the index: accents folded, words stemmed (the same on both databases).

PostgreSQL's ``dutch`` text-search configuration uses the Porter-style Dutch Snowball stemmer;
``snowballstemmer.stemmer("dutch_porter")`` is the same algorithm, so SQLite (which stems in
Python) finds what PostgreSQL finds. Accents are folded in Python before either sees the text
(production databases may not allow ``CREATE EXTENSION unaccent``)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import snowballstemmer

#: A word: letters and digits (after folding), as PostgreSQL's parser splits them roughly.
WORD = re.compile(r"[^\W_]+", re.UNICODE)
#: Longest query we read; the rest is ignored (a search box, not a document).
MAX_QUERY_LENGTH = 200
#: At most this many words of a query count.
MAX_QUERY_WORDS = 12
#: A word this long or longer also matches words it begins (idee → ideeën, fiets → fietspad).
PREFIX_FROM = 4

_stemmer = snowballstemmer.stemmer("dutch_porter")

#: PostgreSQL's ``dutch`` stop words (tsearch_data/dutch.stop, Snowball's list): neither
#: database indexes them, so a query of stop words alone finds nothing on both.
_STOP_LIST = """
de en van ik te dat die in een hij het niet zijn is was op aan met als voor had er maar om hem
dan zou of wat mijn men dit zo door over ze zich bij ook tot je mij uit der daar haar naar heb
hoe heeft hebben deze u want nog zal me zij nu ge geen omdat iets worden toch al waren veel meer
doen toen moet ben zonder kan hun dus alles onder ja eens hier wie werd altijd doch wordt wezen
kunnen ons zelf tegen na reeds wil kon niets uw iemand geweest andere
"""
STOP_WORDS = frozenset(_STOP_LIST.split())


def fold(text: str) -> str:
    """Lower case without accents: "Ideeën Café" → "ideeen cafe"."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


@lru_cache(maxsize=20000)
def stem(word: str) -> str:
    """The Dutch stem of one folded word: "zienswijzen" → "zienswijz"."""
    return _stemmer.stemWord(word)


def words(text: str) -> list[str]:
    """The folded words of a text, in order."""
    return WORD.findall(fold(text))


def stemmed(text: str) -> str:
    """A text as the SQLite index stores it: folded, stemmed words separated by spaces (stop
    words left out)."""
    return " ".join(stem(w) for w in words(text) if w not in STOP_WORDS)


@dataclass(frozen=True)
class Term:
    """One word of a query: as typed (folded), its stem, and whether it also matches longer
    words that begin with its stem."""

    word: str
    stem: str
    prefix: bool


def query_terms(query: str) -> list[Term]:
    """The words a search query asks for (all must match), in order, without repeats and stop
    words; quotes, operators and other punctuation are ignored, so no query is malformed."""
    terms: list[Term] = []
    for word in words(query[:MAX_QUERY_LENGTH]):
        if word in STOP_WORDS:
            continue
        term = stem(word)
        if term and all(term != seen.stem for seen in terms):
            terms.append(Term(word, term, len(term) >= PREFIX_FROM))
    return terms[:MAX_QUERY_WORDS]


def matches(word: str, terms: list[Term]) -> bool:
    """Whether a (folded) word of a text is one the query asked for (for highlighting)."""
    if word in STOP_WORDS:
        return False
    found = stem(word)
    return any(found == t.stem or (t.prefix and found.startswith(t.stem)) for t in terms)
