"""Which inputs say much the same thing: Dutch text vectors compared by cosine.

Each input's original text and summary become a bag of Dutch stems (accents folded, stop words
left out, the same stemmer as search, :mod:`app.search.text`), weighted by TF-IDF over the
consultation's inputs, so words every reaction uses ("plan", "gemeente") count little and the
words that set a reaction apart count much. Vectors are sparse dicts: a consultation of a few
thousand inputs is compared in pure Python in well under a second.

The threshold and the weighting were chosen by measurement on a labelled set of Dutch
reactions (``python -m tests.benchmarks.grouping``)."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from sqlalchemy import select

from app.consultations.inputs.models import Input
from app.database import db
from app.search.text import STOP_WORDS, stem, words

#: Below this cosine two inputs are not "similar" (chosen on the labelled set).
SIMILAR_FROM = 0.2
#: Besides its stem, each word counts its pieces of this many letters, so compounds meet their
#: parts ("jeugdzorg" and "jeugdhulp" share "jeug", "eugd"; "huurschulden" and "schulden"
#: share "schu", "chul", "huld"…). Dutch writes compounds as one word; without the pieces two
#: reactions on one topic often share no term at all. 0: stems only.
PIECE_LENGTH = 4
#: A piece is marked so it never equals a stem.
PIECE = "#"
#: Words this short say little about a topic ("nr", "ca") and are left out.
MIN_WORD_LENGTH = 3
#: Beyond the search stop words: words any reaction on any plan may use, which say nothing
#: about its topic (tuned on the labelled set; folded, before stemming).
_GENERIC_LIST = """
aan alleen als andere bijvoorbeeld daardoor daarom dan elke erg even gaan gaat geef geen
gemeente gemeentes gemeenten goed graag heel hele iedere iedereen keer komen komt krijg
krijgen krijgt laat laten maak maakt maken meer mensen minder moeten mogelijk mag mogen nodig
nooit ondertussen ook plan plannen soms staat staan steeds terwijl vaak veel vind vinden
vooral waar waarom weinig wel welke wij willen wordt worden zeer zien zijn zodat zou zouden
"""
GENERIC_WORDS = frozenset(_GENERIC_LIST.split())

Vector = dict[str, float]


def terms(text: str, *, stemming: bool = True) -> list[tuple[str, str]]:
    """The terms of a text, each with the word it came from: folded words without stop
    words, generic words, numbers and very short words, stemmed ("Regiotaxi's te duur" →
    [("regiotaxi", "regiotaxi"), ("dur", "duur")])."""
    found = []
    for word in words(text):
        if len(word) < MIN_WORD_LENGTH or word in STOP_WORDS or word in GENERIC_WORDS \
                or word.isdigit():
            continue
        found.append((stem(word) if stemming else word, word))
    return found


def text_of(original_text: str | None, summary: str | None) -> str:
    """What an input says: its original text and its summary."""
    return f"{original_text or ''}\n{summary or ''}"


@dataclass
class Corpus:
    """TF-IDF vectors (unit length) of a set of texts, and per term the word it most often
    came from, to name it readably."""

    vectors: dict[int, Vector]
    idf: dict[str, float]
    surface: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, texts: Mapping[int, str], *, stemming: bool = True,
           pieces: int = PIECE_LENGTH) -> Corpus:
        counts: dict[int, Counter[str]] = {}
        seen: dict[str, Counter[str]] = defaultdict(Counter)
        document_frequency: Counter[str] = Counter()
        for key, text in texts.items():
            found: Counter[str] = Counter()
            for term, word in terms(text, stemming=stemming):
                found[term] += 1
                seen[term][word] += 1
                if pieces and len(term) > pieces:
                    found.update(PIECE + term[i:i + pieces]
                                 for i in range(len(term) - pieces + 1))
            counts[key] = found
            document_frequency.update(found.keys())
        total = len(texts)
        # Smoothed IDF: a term in every text still weighs a little, never zero or negative.
        idf = {term: math.log((1 + total) / (1 + df)) + 1.0
               for term, df in document_frequency.items()}
        vectors = {key: _unit({term: (1.0 + math.log(n)) * idf[term]
                               for term, n in found.items()})
                   for key, found in counts.items()}
        surface = {term: max(sorted(forms), key=forms.__getitem__)
                   for term, forms in seen.items()}
        return cls(vectors, idf, surface)

    def similar(self, key: int, *, threshold: float = SIMILAR_FROM,
                limit: int | None = None) -> list[tuple[int, float]]:
        """The other texts whose cosine with ``key`` is at least ``threshold``, best first
        (ties by key, so the order is stable)."""
        target = self.vectors.get(key)
        if not target:
            return []
        scores: dict[int, float] = defaultdict(float)
        for other, vector in self.vectors.items():
            if other == key:
                continue
            score = 0.0
            for term, weight in target.items():
                if term in vector:
                    score += weight * vector[term]
            if score >= threshold:
                scores[other] = score
        ranked = sorted(scores.items(), key=lambda pair: (-pair[1], pair[0]))
        return ranked if limit is None else ranked[:limit]

    def pairs(self, threshold: float) -> dict[tuple[int, int], float]:
        """Every pair (lower key first) whose cosine is at least ``threshold``, through an
        inverted index: only texts that share a term are compared."""
        postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
        for key, vector in self.vectors.items():
            for term, weight in vector.items():
                postings[term].append((key, weight))
        dots: dict[tuple[int, int], float] = defaultdict(float)
        for posting in postings.values():
            if len(posting) < 2:
                continue
            posting.sort()
            for i, (a, wa) in enumerate(posting):
                for b, wb in posting[i + 1:]:
                    dots[(a, b)] += wa * wb
        return {pair: score for pair, score in dots.items() if score >= threshold}

    def top_terms(self, keys: Iterable[int], count: int = 3) -> list[str]:
        """The terms that weigh most in a set of texts together (by summed weight, ties by
        term), as readable words (pieces of words left out)."""
        summed: dict[str, float] = defaultdict(float)
        for key in keys:
            for term, weight in self.vectors.get(key, {}).items():
                if not term.startswith(PIECE):
                    summed[term] += weight
        chosen: list[str] = []
        for term, _ in sorted(summed.items(), key=lambda pair: (-pair[1], pair[0])):
            word = self.surface.get(term, term)
            # "mantelzorgers, mantelzorg" says one thing twice
            if not any(word in other or other in word for other in chosen):
                chosen.append(word)
            if len(chosen) == count:
                break
        return chosen


def cosine(a: Vector, b: Vector) -> float:
    """The cosine of two unit vectors."""
    if len(a) > len(b):
        a, b = b, a
    return sum(weight * b[term] for term, weight in a.items() if term in b)


def _unit(vector: Vector) -> Vector:
    norm = math.sqrt(sum(weight * weight for weight in vector.values()))
    return {term: weight / norm for term, weight in vector.items()} if norm else {}


def consultation_texts(consultation_id: int) -> dict[int, str]:
    """The text of every input of a consultation, with one query."""
    return {input_id: text_of(original, summary) for input_id, original, summary in
            db.session.execute(select(Input.id, Input.original_text, Input.summary)
                               .where(Input.consultation_id == consultation_id))}


def similar_input_ids(consultation_id: int, input_id: int, limit: int = 50) -> list[int]:
    """The consultation's inputs most similar to ``input_id`` (not itself), best first, only
    those at least :data:`SIMILAR_FROM` alike. An input of another consultation, or none,
    has no similar inputs."""
    texts = consultation_texts(consultation_id)
    if input_id not in texts:
        return []
    corpus = Corpus.of(texts)
    return [key for key, _ in corpus.similar(input_id, limit=limit)]
