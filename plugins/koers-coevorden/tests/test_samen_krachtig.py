"""The workflow Samen Krachtig: laying the ontwerp open opens the comment period with its
computed last day and kennisgeving; it cannot be left before that day, nor while a reaction
is unanswered."""

from __future__ import annotations

import re
from datetime import date

from coevorden_helpers import beleidsplan, period_of, step, text
from sqlalchemy import select

from app.plugin_api import Input, Plan


def test_a_beleidsplan_follows_samen_krachtig(client, login_as, db):
    login_as("editor")
    plan = beleidsplan(client, db)
    assert (plan.workflow, plan.state) == ("coevorden.samen_krachtig", "coevorden.concept")


def test_the_procedure_from_ontwerp_to_adoption(client, login_as, db):
    client.set_cookie("koers_language", "en")
    login_as("editor")
    plan = beleidsplan(client, db)
    assert step(client, plan, "coevorden.adopt_draft", "2017-05-16").status_code == 302
    assert step(client, plan, "coevorden.lay_open", "2017-05-31").status_code == 302

    period = period_of(db, plan)
    assert (period.published_on, period.last_day) == (date(2017, 5, 31), date(2017, 7, 11))
    assert "11 juli 2017" in (period.notice or "")  # the kennisgeving, in Dutch words
    assert period.legal_basis.startswith("Inspraakverordening gemeente Coevorden")

    # a reaction, not yet answered
    response = client.submit(f"/consultations/{period.id}/inputs/new", {
        "original_text": "Maak preventie concreet.", "kind": "zienswijze", "channel": "brief",
        "received_on": "2017-07-03", "participant_group": "adviesraad"})
    assert response.status_code == 302, text(response)

    early = step(client, plan, "coevorden.answer_reactions", "2017-07-11")
    assert early.status_code == 409
    assert "runs until 11-07-2017" in text(early)
    assert "1 reaction is still without an answer" in text(early)

    late = step(client, plan, "coevorden.answer_reactions", "2017-09-05")
    assert late.status_code == 409
    assert "runs until" not in text(late) and "still without an answer" in text(late)

    reaction = db.session.scalars(select(Input).where(Input.consultation_id == period.id)).one()
    form = text(client.get(f"/consultations/{period.id}/answer"))
    versions = re.search(r'name="versions"[^>]*value="([^"]*)"', form).group(1)
    response = client.submit(f"/consultations/{period.id}/answer", {
        "input_ids": [str(reaction.id)], "text": "Het plan werkt preventie uit.",
        "decision": "overgenomen", "versions": versions})
    assert response.status_code == 302, text(response)
    assert step(client, plan, "coevorden.answer_reactions", "2017-09-05").status_code == 302
    assert step(client, plan, "coevorden.adopt", "2017-11-07").status_code == 302
    db.session.expire_all()
    assert db.session.get(Plan, plan.id).state == "coevorden.vastgesteld"


def test_a_refused_lay_open_leaves_no_period_behind(client, login_as, db):
    login_as("editor")
    plan = beleidsplan(client, db)
    # not yet adopted as ontwerp: the step is refused and nothing is opened
    assert step(client, plan, "coevorden.lay_open", "2017-05-31").status_code == 409
    assert db.session.scalar(select(Input.id)) is None
    from app.plugin_api import Consultation

    assert db.session.scalar(select(Consultation.id)) is None
