"""Benchmark of search everywhere at 100,000 inputs (run by hand, not by pytest): p50 and p95
of one search (count, one ranked page of 20, snippets) over ~200 varied queries — common and
rare words, plurals, accents, two and three words, filters by kind and plan. Target: p95 under
50 ms on both databases.

    .venv/bin/python -m tests.benchmarks.search                  # SQLite
    .venv/bin/python -m tests.benchmarks.search --database-url postgresql://postgres@127.0.0.1:5432/test
    .venv/bin/python -m tests.benchmarks.search --repeat 3     # time the 200 searches 3 times

The inputs are written as plain rows (Core executemany, as tests.benchmarks.inputs seeds) and
indexed with ``koers search reindex``'s function, whose time is printed too. The texts are
Dutch-like: words of the social domain in several forms plus a long tail of rare words, drawn
with a Zipf distribution as in real text. With a PostgreSQL URL the benchmark works in a
throwaway database next to the one named.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time

from sqlalchemy import insert

from app.consultations import services
from app.consultations.inputs.models import Input
from app.consultations.services import ConsultationData
from app.database import db
from app.plans import services as plans
from app.plans.services import PlanData
from app.search import indexing
from app.search import services as search
from tests.benchmarks import migrated_app

_WORDS = """
zienswijze zienswijzen idee ideeën fietspad fietspaden buurthuis buurthuizen wijkteam
wijkteams jongere jongeren oudere ouderen mantelzorger mantelzorgers vrijwilliger
vrijwilligers schuld schulden armoede eenzaamheid ontmoeting ontmoetingen gezondheid
zorg wonen woning woningen huurder huurders gemeente gemeenten bibliotheek speeltuin
speeltuinen bankje bankjes verlichting parkeren parkeerplaats parkeerplaatsen verkeer
veiligheid school scholen sportclub sportclubs café cafés dorpshuis dorpshuizen bus
bussen vervoer taxi regiotaxi inkomen uitkering bijstand werk werkgever werkgevers
stage stages opleiding cursus cursussen taal taalles huisarts huisartsen wachtlijst
wachtlijsten jeugdzorg participatie inclusie toegankelijk toegankelijkheid rolstoel
drempel drempels stoep stoepen groen bomen boom park parken afval containers geluid
overlast buren buurt buurten wijk wijken dorp dorpen plan plannen beleid uitvoering
budget subsidie subsidies aanvraag aanvragen loket formulier brief brieven reactie
reacties vraag vragen zorgen advies adviezen raad adviesraad cliëntenraad bewoners
"""
_COMMON = "de het een en van in is dat op te voor met niet zijn er maar ook bij om"
STEMS = _WORDS.split()
COMMON = _COMMON.split()


def vocabulary(rng: random.Random, rare: int = 20_000) -> list[str]:
    syllables = ["ka", "lo", "mi", "ve", "dor", "ten", "sch", "aa", "ui", "rij", "bel", "gro",
                 "wen", "pa", "zo", "kri", "ste", "ne", "ho", "lu", "ér", "ië"]
    tail = {"".join(rng.choice(syllables) for _ in range(rng.randint(2, 4)))
            for _ in range(rare)}
    return COMMON + STEMS + sorted(tail)


def texts(count: int, rng: random.Random) -> list[str]:
    words = vocabulary(rng)
    weights = [1 / (rank + 1) for rank in range(len(words))]
    out = []
    for _ in range(count):
        chosen = rng.choices(words, weights, k=rng.randint(15, 80))
        out.append(" ".join(chosen).capitalize() + ".")
    return out


def seed(total: int, rng: random.Random) -> list[int]:
    """Two plans, each with consultations of 10,000 inputs; returns the plan ids."""
    plan_ids = []
    for title in ("Koersplan Sociaal Domein", "Woonvisie"):
        plan = plans.create_plan(PlanData(title=title, kind="beleidsplan"))
        for section in range(20):
            plans.add_section(plan, f"Hoofdstuk {section}", " ".join(texts(5, rng)))
        plan_ids.append(plan.id)
    db.session.commit()
    number = 0
    while number < total:
        plan_id = plan_ids[(number // 10_000) % 2]
        consultation = services.create_consultation(
            db.session.get(plans.Plan, plan_id),
            ConsultationData(title=f"Bijeenkomst {number}", format="bijeenkomst"))
        db.session.commit()
        size = min(10_000, total - number)
        db.session.execute(insert(Input.__table__), [
            {"consultation_id": consultation.id, "number": n + 1, "kind": "zienswijze",
             "participant_group": "inwoner", "channel": "brief", "original_text": text,
             "summary": text[:80], "late": False}
            for n, text in enumerate(texts(size, rng))])
        db.session.commit()
        number += size
    return plan_ids


def queries(rng: random.Random, plan_ids: list[int]) -> list[search.Query]:
    singles = [*STEMS, "zienswijzen", "ideeen", "cafe", "Cafés", "fietspad", "gemeentelijk"]
    found: list[search.Query] = []
    for index in range(200):
        words = rng.sample(singles, k=1 + index % 3)
        text = " ".join(words)
        if index % 10 == 0:
            text = rng.choice(["de zienswijze", "\"buurthuis\"", "wijk*", "NEAR speeltuin",
                               "zorg OR wonen", "xyzzy", "stoep -drempel"])
        kind = "input" if index % 4 == 1 else ""
        plan_id = plan_ids[index % 2] if index % 5 == 2 else None
        found.append(search.Query(text=text, kind=kind, plan_id=plan_id))
    return found


def run(total: int, repeat: int = 1) -> None:
    rng = random.Random(14)
    started = time.perf_counter()
    plan_ids = seed(total, rng)
    print(f"seeding {total} inputs: {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    counts = indexing.reindex(db.session.connection())
    db.session.commit()
    print(f"reindex {sum(counts.values())} documents: {time.perf_counter() - started:.1f} s")
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect() as connection:
            connection.exec_driver_sql("ANALYZE search_documents")
            connection.commit()
    asked = queries(rng, plan_ids)
    for query in asked[:20]:  # warm up caches
        search.search(query)
    for _ in range(repeat):
        measure(asked)


def measure(asked: list[search.Query]) -> None:
    """Time every search once and print p50 and p95 (a broad search counts up to 1,000)."""
    times, totals = [], []
    for query in asked:
        started = time.perf_counter()
        page = search.search(query)
        if page is not None:
            list(page.items)
            totals.append(page.total)
        times.append(time.perf_counter() - started)
        db.session.rollback()
    times.sort()
    p50 = statistics.median(times) * 1000
    p95 = times[int(len(times) * 0.95) - 1] * 1000
    print(f"{len(times)} queries, results per query: median {statistics.median(totals):.0f}, "
          f"max {max(totals)}")
    print(f"p50 {p50:.1f} ms, p95 {p95:.1f} ms, max {times[-1] * 1000:.1f} ms "
          f"(target p95 < 50 ms: {'met' if p95 < 50 else 'NOT met'})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default="", help="a PostgreSQL server database")
    parser.add_argument("--inputs", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=1,
                        help="time the searches this many times (the machine may be busy)")
    args = parser.parse_args()
    with migrated_app(args.database_url) as app, app.app_context(), app.test_request_context():
        print(f"database: {db.engine.dialect.name}")
        run(args.inputs, args.repeat)
        db.session.remove()
        db.engine.dispose()


if __name__ == "__main__":
    main()
