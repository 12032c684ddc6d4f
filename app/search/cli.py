"""``koers search reindex``: rebuild the search index from the records."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from app.search.documents import KINDS


@click.group("search", cls=AppGroup, help="The search index.")
def search() -> None:
    pass


@search.command("reindex")
@click.option("--kind", "kinds", multiple=True, type=click.Choice(KINDS),
              help="Rebuild only these kinds (repeatable); default: everything.")
@click.option("--batch", default=2000, show_default=True, help="Records read per query.")
def reindex(kinds: tuple[str, ...], batch: int) -> None:
    """Rebuild the index (after upgrading, or if it ever drifts); one transaction."""
    from app.database import db
    from app.search import indexing

    counts = indexing.reindex(db.session.connection(), kinds or KINDS, batch=batch)
    db.session.commit()
    for kind, count in counts.items():
        click.echo(f"{kind}: {count}")
    click.echo(f"indexed {sum(counts.values())} documents")
