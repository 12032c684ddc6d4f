"""Benchmarks of the stakeholder register at municipal scale (run by hand, not by pytest):

* importing a 10,000-row CSV file: reading, the dry run, and the import in one transaction,
  through the same functions the import jobs call;
* the list page at 50,000 stakeholders: time and number of queries per request, plain,
  searched and filtered.

    .venv/bin/python -m tests.benchmarks.stakeholders                  # SQLite
    .venv/bin/python -m tests.benchmarks.stakeholders --database-url postgresql://postgres@127.0.0.1:5432/test

With a PostgreSQL URL the benchmark works in a throwaway database next to the one named.
Figures are wall-clock seconds on the machine at hand; compare runs on the same machine.
"""

from __future__ import annotations

import argparse
import contextlib
import time
from collections.abc import Iterator

from sqlalchemy import func, select

from app.database import db
from app.stakeholders import transfer
from app.stakeholders.models import Stakeholder
from tests.benchmarks import migrated_app
from tests.benchmarks.pages import signed_in_viewer, time_pages

FIRST = ["Anna", "Bram", "Chantal", "Daan", "Esra", "Fenna", "Gerrit", "Hatice", "Ivo",
         "Jolien", "Kees", "Lotte", "Mohamed", "Noor", "Petra", "Roos", "Sem", "Yara"]
LAST = ["de Vries", "Jansen", "Bakker", "Visser", "Smit", "Meijer", "de Boer", "Mulder",
        "Bos", "Yilmaz", "El Amrani", "Dijkstra", "Hoekstra", "Postma"]
HEADER = "naam;soort;organisatie;functie;e-mail;telefoon;plaats;categorieën;labels"


def import_file(rows: int, offset: int = 0) -> bytes:
    """``rows`` rows as Excel writes them: one in fifty an organisation further up the file,
    every person a member of one, with e-mail, phone, place, a category and a tag."""
    lines = [HEADER]
    organisation = ""
    for n in range(offset, offset + rows):
        if n % 50 == 0:
            organisation = f"Stichting {LAST[n % len(LAST)]} {n:06d}"
            lines.append(f"{organisation};organisatie;;;info{n}@stichting.example;;Koersdam;"
                         "maatschappelijke partner;")
        else:
            name = f"{FIRST[n % len(FIRST)]} {LAST[(n // len(FIRST)) % len(LAST)]} {n:06d}"
            lines.append(f"{name};persoon;{organisation};vrijwilliger;persoon{n}@example.nl;"
                         f"06 {n:08d};Koersdam;inwoner;wijk {n % 7}")
    return ("\r\n".join(lines) + "\r\n").encode("cp1252")


@contextlib.contextmanager
def timed(label: str, results: dict[str, float]) -> Iterator[None]:
    started = time.perf_counter()
    yield
    results[label] = time.perf_counter() - started


def bench_import(rows: int) -> dict[str, float]:
    results: dict[str, float] = {}
    content = import_file(rows)
    with timed("read", results):
        sheet = transfer.read(content, "betrokkenen.csv")
    with timed("check (dry run)", results):
        report = transfer.check(sheet)
    assert not report.issues, report.issues[:5]
    with timed("import", results):
        transfer.import_rows(report)
        db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(Stakeholder)) >= rows
    return results


def bench_list(app, total: int, repeat: int) -> list[tuple[str, int, float]]:
    """Fill the register up to ``total`` with import-sized batches, then time the list."""
    present = db.session.scalar(select(func.count()).select_from(Stakeholder)) or 0
    while present < total:
        batch = min(10_000, total - present)
        transfer.import_rows(transfer.check(transfer.read(
            import_file(batch, offset=present + 1_000_000), "vulling.csv")))
        db.session.commit()
        present += batch
    client = signed_in_viewer(app)
    urls = ("/stakeholders/", "/stakeholders/?q=jansen", "/stakeholders/?q=anna+bakker",
            "/stakeholders/?category=inwoner&kind=person", "/stakeholders/?tag=wijk+3",
            "/stakeholders/?page=1500", "/stakeholders/duplicates")
    return time_pages(client, {url: url for url in urls}, repeat)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default="", help="a PostgreSQL server database")
    parser.add_argument("--rows", type=int, default=10_000, help="rows in the import file")
    parser.add_argument("--register", type=int, default=50_000,
                        help="stakeholders in the register for the list benchmark")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with migrated_app(args.database_url) as app, app.app_context():
        print(f"database: {db.engine.dialect.name}")
        for label, seconds in bench_import(args.rows).items():
            print(f"import of {args.rows} rows — {label}: {seconds:.2f} s")
        for url_, queries, seconds in bench_list(app, args.register, args.repeat):
            print(f"list at {args.register} — {url_}: {queries} queries, "
                  f"{seconds * 1000:.0f} ms (median of {args.repeat})")
        db.session.remove()
        db.engine.dispose()


if __name__ == "__main__":
    main()
