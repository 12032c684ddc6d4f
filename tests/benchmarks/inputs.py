"""Benchmark of a consultation's input list at 20,000 inputs (run by hand, not by pytest):
time and number of queries per request, unfiltered, with each filter and on a late page.

    .venv/bin/python -m tests.benchmarks.inputs                  # SQLite
    .venv/bin/python -m tests.benchmarks.inputs --database-url postgresql://postgres@127.0.0.1:5432/test

With a PostgreSQL URL the benchmark works in a throwaway database next to the one named.
Figures are wall-clock seconds on the machine at hand; compare runs on the same machine.
"""

from __future__ import annotations

import argparse
import time

from app.consultations import services
from app.consultations.inputs import answers
from app.consultations.inputs import services as input_services
from app.consultations.inputs.services import InputData
from app.consultations.services import ConsultationData
from app.database import db
from app.plans import services as plans
from app.plans.programme import services as programme
from app.plans.services import PlanData
from app.stakeholders import services as register
from app.stakeholders.services import StakeholderData
from tests.benchmarks import migrated_app
from tests.benchmarks.pages import signed_in_viewer, time_pages
from tests.integration.test_input_pages import list_filters, seed_inputs


def bench(app, inputs: int, repeat: int) -> list[tuple[str, int, float]]:
    plan = plans.create_plan(PlanData(title="Samen Krachtig", kind="beleidsplan"))
    theme = programme.add_theme(plan, "Meedoen")
    meeting = services.create_consultation(plan, ConsultationData(
        title="Werkconferentie", format="werkconferentie"))
    person = register.create(StakeholderData(name="Jan de Vries"))
    first = input_services.add_inputs(meeting, [InputData(original_text="Inbreng", kind="idee")])
    answer = answers.answer(first, "Zo doen we het.", "al_voorzien")
    db.session.commit()
    started = time.perf_counter()
    seed_inputs(db, meeting, inputs, first_number=2, theme_id=theme.id, answer_id=answer.id,
                stakeholder_id=person.id)
    print(f"seeding {inputs} inputs: {time.perf_counter() - started:.2f} s")
    client = signed_in_viewer(app)
    base = f"/consultations/{meeting.id}/inputs"
    urls = {name: f"{base}?{query}" for name, query in list_filters(theme.id).items()}
    urls["page 400"] = f"{base}?page=400"
    return time_pages(client, urls, repeat)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default="", help="a PostgreSQL server database")
    parser.add_argument("--inputs", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with migrated_app(args.database_url) as app, app.app_context(), app.test_request_context():
        print(f"database: {db.engine.dialect.name}")
        for name, queries, seconds in bench(app, args.inputs, args.repeat):
            print(f"input list at {args.inputs} — {name}: {queries} queries, "
                  f"{seconds * 1000:.0f} ms (median of {args.repeat})")
        db.session.remove()
        db.engine.dispose()


if __name__ == "__main__":
    main()
