"""Benchmark of the nota van beantwoording (run by hand, not by pytest).

Seeds a plan with six themes and a ter-inzage period with 2,000 answered reactions — each
with a staff summary of three sentences, from residents, anonymous senders and 40
organisations, some late, some covered by one answer together — then generates the nota as
the job does and reports the seconds for collecting, for each format and in total.

    .venv/bin/python -m tests.benchmarks.nota
    .venv/bin/python -m tests.benchmarks.nota --database-url postgresql://postgres@127.0.0.1:5432/test
    .venv/bin/python -m tests.benchmarks.nota --keep /tmp/nota   # keep the files to look at

Figures are for the machine at hand; compare runs on the same machine.
"""

from __future__ import annotations

import argparse
import random
import shutil
import time
from datetime import date
from pathlib import Path

import sqlalchemy as sa

from app.consultations import services
from app.consultations.inputs.answers import DECISIONS
from app.consultations.inputs.models import Answer, Input, InputAnswer, InputTheme
from app.consultations.models import Consultation
from app.consultations.nota import jobs as nota_jobs
from app.consultations.services import ConsultationData
from app.database import db, utcnow
from app.plans import services as plans
from app.plans.programme import services as programme
from app.plans.services import PlanData
from app.stakeholders import services as register
from app.stakeholders.services import StakeholderData
from tests.benchmarks import migrated_app

THEMES = ("Meedoen en meetellen", "Armoede en schulden", "Eenzaamheid", "Jeugd en gezin",
          "Wonen en zorg", "Vrijwilligers en mantelzorg")
WORDS = (
    "de gemeente wil samen met inwoners en partners de zorg dichtbij organiseren zodat niemand "
    "buiten de boot valt het budget voor mantelzorg blijft gelijk eenzaamheid onder ouderen "
    "vraagt meer inzet van vrijwilligers in de wijk en het sociaal team moet beter bereikbaar "
    "zijn voor gezinnen met schulden")
VOCABULARY = WORDS.split()


def sentence(chance: random.Random, words: int) -> str:
    return " ".join(chance.choice(VOCABULARY) for _ in range(words)).capitalize() + "."


def seed(reactions: int) -> int:
    """A plan and a comment period with ``reactions`` answered reactions; returns its id."""
    chance = random.Random(2017)
    plan = plans.create_plan(PlanData(title="Beleidsplan Samen Krachtig", kind="beleidsplan"))
    themes = [programme.add_theme(plan, name).id for name in THEMES]
    sections = [plans.add_section(plan, f"Hoofdstuk {n} {name}").id
                for n, name in enumerate(THEMES, start=1)]
    period = services.create_consultation(plan, ConsultationData(
        title="Ontwerpbeleidsplan ter inzage", format="ter_inzage",
        published_on=date(2017, 5, 31), legal_basis="Inspraakverordening, art. 3"))
    organisations = [register.create(StakeholderData(name=f"Stichting Welzijn {n}",
                                                     kind="organisation")).id
                     for n in range(40)]
    persons = [register.create(StakeholderData(name=f"Inwoner Privé {n}", kind="person")).id
               for n in range(200)]
    db.session.flush()
    now = utcnow()
    rows = []
    for n in range(1, reactions + 1):
        sender = (chance.choice(organisations) if n % 5 == 0 else
                  chance.choice(persons) if n % 5 in (1, 2, 3) else None)
        rows.append({
            "consultation_id": period.id, "number": n, "stakeholder_id": sender,
            "participant_group": "partner" if n % 5 == 0 else "inwoner",
            "kind": "zienswijze", "channel": "brief",
            "original_text": " ".join(sentence(chance, 20) for _ in range(6)),
            "summary": " ".join(sentence(chance, 14) for _ in range(3)),
            "received_on": date(2017, 7, 20) if n % 23 == 0 else date(2017, 6, 15),
            "late": n % 23 == 0, "processed": True, "used": True, "version": 1,
            "created_at": now})
    db.session.execute(sa.insert(Input.__table__), rows)
    ids = db.session.scalars(sa.select(Input.id).where(Input.consultation_id == period.id)
                             .order_by(Input.number)).all()
    db.session.execute(sa.insert(InputTheme.__table__), [
        {"input_id": input_id, "theme_id": themes[index % len(themes)]}
        for index, input_id in enumerate(ids) if index % 11])  # every eleventh: no theme
    decisions = list(DECISIONS)
    # Every tenth answer covers three reactions; the others one.
    batches, index = [], 0
    while index < len(ids):
        size = 3 if len(batches) % 10 == 0 else 1
        batches.append(ids[index:index + size])
        index += size
    answers = [{"consultation_id": period.id, "number": n + 1,
                "decision": decisions[n % len(decisions)],
                "text": " ".join(sentence(chance, 16) for _ in range(3)),
                "changed_section_id": sections[n % len(sections)] if n % 5 < 2 else None,
                "answered_at": now, "version": 1} for n in range(len(batches))]
    db.session.execute(sa.insert(Answer.__table__), answers)
    answer_ids = db.session.scalars(sa.select(Answer.id).where(
        Answer.consultation_id == period.id).order_by(Answer.id)).all()
    db.session.execute(sa.insert(InputAnswer.__table__), [
        {"input_id": input_id, "answer_id": answer_id}
        for answer_id, batch in zip(answer_ids, batches, strict=True) for input_id in batch])
    db.session.commit()
    return period.id


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default="", help="a PostgreSQL server database")
    parser.add_argument("--reactions", type=int, default=2000)
    parser.add_argument("--keep", default="", help="copy the generated files to this folder")
    args = parser.parse_args()
    with migrated_app(args.database_url) as app, app.app_context():
        consultation_id = seed(args.reactions)
        db.session.remove()
        consultation = db.session.get(Consultation, consultation_id)
        started, cpu = time.perf_counter(), time.process_time()
        nota, seconds = nota_jobs.generate(consultation)
        db.session.commit()
        total, cpu = time.perf_counter() - started, time.process_time() - cpu
        storage = Path(app.config["KOERS_STORAGE_DIR"]) / nota_jobs.FOLDER
        sizes = {fmt: (storage / name).stat().st_size for fmt, name in nota.files.items()}
        if args.keep:
            target = Path(args.keep)
            target.mkdir(parents=True, exist_ok=True)
            for fmt, name in nota.files.items():
                shutil.copyfile(storage / name, target / f"nota.{fmt}")
        print(f"database: {db.engine.dialect.name}, "
              f"{nota.reactions} answered reactions")
        print(f"{'collect (queries)':20} {seconds['collect']:7.2f} s")
        for fmt in nota_jobs.FORMATS:
            print(f"{fmt:20} {seconds[fmt]:7.2f} s  {sizes[fmt] / 1e6:6.2f} MB")
        print(f"{'total':20} {total:7.2f} s  (CPU time of this process: {cpu:.2f} s)")
        db.session.remove()
        db.engine.dispose()


if __name__ == "__main__":
    main()
