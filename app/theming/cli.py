"""``koers theme check``: the contrast of the instance's theme, pair by pair."""

from __future__ import annotations

import sys

import click
from flask import current_app
from flask.cli import AppGroup

from app.theming.tokens import check, layers


@click.group("theme", cls=AppGroup, help="The look: NL Design System tokens.")
def theme() -> None:
    pass


@theme.command("check")
@click.option("--all", "show_all", is_flag=True, help="Show the pairs that pass as well.")
def check_contrast(show_all: bool) -> None:
    """Measure the theme's colours against WCAG 2.1 AA; exit 1 when a pair fails."""
    from app.theming.themes import plugin_css

    municipality = current_app.config["KOERS_MUNICIPALITY"]
    with current_app.test_request_context("/"):
        findings = check(layers(municipality, plugin_css()))
    failures = [finding for finding in findings if not finding.passes]
    for finding in findings if show_all else failures:
        click.echo(("ok    " if finding.passes else "FAIL  ") + str(finding))
    click.echo(f"{municipality.name}: {len(findings) - len(failures)} of {len(findings)} "
               "colour pairs meet WCAG 2.1 AA")
    if failures:
        sys.exit(1)
