"""Similar inputs (app/consultations/inputs/similarity.py): Dutch stems weighted by TF-IDF and
compared by cosine, so reactions about the same thing find each other whatever their wording."""

from __future__ import annotations

import time

import pytest

from app.consultations.inputs.services import InputData, add_inputs
from app.consultations.inputs.similarity import (
    SIMILAR_FROM,
    Corpus,
    cosine,
    similar_input_ids,
    terms,
)
from app.testing.factories import make_consultation, make_plan

TEXTS = {
    1: "De regiotaxi komt vaak te laat, ik wacht soms een uur op de taxi.",
    2: "Regiotaxi's rijden te laat en ouderen wachten lang op vervoer.",
    3: "De wachtlijsten in de jeugdzorg zijn veel te lang voor ons kind.",
    4: "Ons kind staat al een jaar op een wachtlijst voor jeugdhulp.",
    5: "Graag meer bankjes in het park.",
}


def test_terms_fold_stem_and_leave_out_stop_and_generic_words_numbers_and_short_words():
    assert [term for term, _ in terms("De Regiotaxi's komen te laat, 12 keer! Café")] == [
        "regiotaxi", "caf"]
    assert terms("wachtlijsten") == [("wachtlijst", "wachtlijsten")]
    assert terms("wachtlijsten", stemming=False) == [("wachtlijsten", "wachtlijsten")]
    assert terms("De gemeente moet meer doen, graag") == []


def test_vectors_are_unit_length_and_rare_terms_weigh_more():
    corpus = Corpus.of(TEXTS)
    for vector in corpus.vectors.values():
        assert sum(w * w for w in vector.values()) == pytest.approx(1.0)
    assert corpus.idf["park"] > corpus.idf["kind"]  # one text against two
    assert cosine(corpus.vectors[1], corpus.vectors[1]) == pytest.approx(1.0)


def test_texts_on_one_topic_are_most_alike_whatever_their_wording():
    corpus = Corpus.of(TEXTS)
    assert [key for key, _ in corpus.similar(1)] == [2]
    assert [key for key, _ in corpus.similar(3)] == [4]
    assert corpus.similar(5) == []
    assert corpus.similar(99) == []
    assert set(corpus.pairs(SIMILAR_FROM)) == {(1, 2), (3, 4)}


def test_stems_and_pieces_of_words_let_plurals_and_compounds_meet():
    texts = {1: "wachtlijsten kinderen", 2: "wachtlijst kind", 3: "jeugdzorg", 4: "jeugdhulp",
             5: "park"}
    bare = Corpus.of(texts, stemming=False, pieces=0)
    assert bare.similar(1, threshold=0.01) == [] and bare.similar(3, threshold=0.01) == []
    stemmed = Corpus.of(texts, pieces=0)
    assert [key for key, _ in stemmed.similar(1, threshold=0.01)] == [2]
    assert stemmed.similar(3, threshold=0.01) == []  # compounds share no stem
    pieces = Corpus.of(texts)
    assert [key for key, _ in pieces.similar(3, threshold=0.01)] == [4]  # "jeug", "eugd"
    assert pieces.similar(5, threshold=0.01) == []


def test_a_group_is_named_by_its_heaviest_terms_as_readable_words():
    corpus = Corpus.of(TEXTS)
    assert corpus.top_terms([3, 4], count=2)[0] in {"kind", "wachtlijsten", "wachtlijst"}
    assert "regiotaxi" in corpus.top_terms([1, 2])
    assert not any(word.startswith("#") for word in corpus.top_terms([1, 2], count=20))
    # one word is not named twice in two forms
    named = Corpus.of({1: "mantelzorgers mantelzorg", 2: "mantelzorger mantelzorg"}).top_terms(
        [1, 2])
    assert len(named) == 1 and named[0].startswith("mantelzorg")


def test_similar_input_ids_of_a_consultation_best_first(app, db):
    plan = make_plan()
    consultation = make_consultation(plan, inputs=list(TEXTS.values()))
    other = make_consultation(plan, "Ander gesprek", inputs=[TEXTS[2]])
    ids = sorted(i.id for i in consultation_inputs(db, consultation))
    taxi, taxi2, youth, youth2, park = ids
    summarised = add_inputs(consultation, [InputData(
        original_text="Over het vervoer", kind="idee", summary="Regiotaxi te laat")])[0]
    db.session.commit()
    found = similar_input_ids(consultation.id, taxi)
    assert set(found) == {taxi2, summarised.id}  # the summary counts too
    assert similar_input_ids(consultation.id, youth) == [youth2]
    assert similar_input_ids(consultation.id, park) == []
    assert similar_input_ids(consultation.id, taxi, limit=1) == found[:1]
    other_id = consultation_inputs(db, other)[0].id
    assert similar_input_ids(consultation.id, other_id) == []


def test_three_thousand_inputs_are_compared_within_a_second():
    texts = {n: f"{TEXTS[n % 5 + 1]} Woord{n % 97} variant{n % 13} extra{n}" for n in range(3000)}
    started = time.perf_counter()
    corpus = Corpus.of(texts)
    corpus.similar(7, limit=50)
    assert time.perf_counter() - started < 1.5


def consultation_inputs(db, consultation):
    from sqlalchemy import select

    from app.consultations.inputs.models import Input
    return list(db.session.scalars(select(Input).where(Input.consultation_id == consultation.id)
                                   .order_by(Input.id)))
