"""Which inputs of a consultation match a Dutch full-text query (for the answer workspace and
every other list that filters inputs by text)."""

from __future__ import annotations

from sqlalchemy import Select, false, select

from app.consultations.inputs.models import Input
from app.database import db
from app.search.backends import DOCS, Filters, backend_for
from app.search.text import query_terms


def input_ids_matching(consultation_id: int, text: str) -> Select:
    """A SELECT of ``consultation_inputs.id`` for the inputs of the consultation whose number,
    original text or summary match ``text``: every word must match, Dutch stems ("zienswijzen"
    finds "zienswijze"), accents ignored, words of four letters or more also match longer
    words (the search index, :mod:`app.search`).

    Use it as a subquery: ``select(Input).where(Input.id.in_(input_ids_matching(c.id, q)))``.
    A query without words (empty, only punctuation or stop words) matches nothing."""
    terms = query_terms(text)
    query = select(Input.id).where(Input.consultation_id == consultation_id)
    if not terms:
        return query.where(false())
    backend = backend_for(db.session.get_bind().dialect.name)
    documents = select(DOCS.c.record_id).where(backend.matching(
        terms, Filters(kinds=["input"], consultation_id=consultation_id)))
    return query.where(Input.id.in_(documents))
