"""Demo data from the municipality's ``demo/coevorden.toml`` (beside the core's
``demo/story.toml``): the main pillar, pillar budgets and indicators, by the pillars' names.
Idempotent: running it again adds nothing twice."""

from __future__ import annotations

import tomllib
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from app.plugin_api import Theme, db

from . import services
from .models import Pillar


def load_demo(municipality: Any) -> None:
    path = municipality.folder / "demo" / "coevorden.toml"
    if not path.is_file() or db.session.scalar(select(Pillar.id).limit(1)) is not None:
        return
    with path.open("rb") as handle:
        data = tomllib.load(handle)
    themes = {theme.name: theme for theme in db.session.scalars(select(Theme))}
    for entry in data.get("pillars", []):
        theme = themes.get(entry["name"])
        if theme is None:
            continue
        budget = entry.get("budget")
        services.save_pillar(theme, is_main=bool(entry.get("main")),
                             budget=Decimal(str(budget)) if budget is not None else None,
                             expected_version=0)
        for indicator in entry.get("indicators", []):
            services.add_indicator(theme, name=indicator["name"],
                                   baseline=indicator.get("baseline"),
                                   target=indicator.get("target"),
                                   current=indicator.get("current"),
                                   source=indicator.get("source"))
    db.session.flush()
