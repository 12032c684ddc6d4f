"""The ``koers`` command: Flask's commands (run, shell, routes, db …) plus Koers' own
(:mod:`app.commands`) and ``koers worker``.

Koers' commands belong to the command group itself, not only to the app, so ``koers --help``
and the commands that need no app (``koers plugins new``, ``koers terms``) work on a machine
without settings; the others build the app when they run, and a configuration error stops them
with its message (exit status 2), never a traceback. Plugins' commands come with the app.
This module builds the app; the app never imports it.
"""

from __future__ import annotations

import sys
import traceback

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, ScriptInfo, with_appcontext

from app import create_app
from app.commands import commands
from app.errors import ConfigError


def _make_app() -> Flask:
    return create_app()


def _configuration_failed(error: ConfigError) -> None:
    click.secho(f"Configuration error — {error}", fg="red", err=True)
    sys.exit(2)


class KoersGroup(FlaskGroup):
    """Flask's command group, with Koers' commands its own and configuration errors explained
    instead of shown as tracebacks."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        names = set(click.Group.list_commands(self, ctx))  # Flask's and Koers' own
        try:
            names.update(ctx.ensure_object(ScriptInfo).load_app().cli.list_commands(ctx))
        except ConfigError as error:
            click.secho(f"(Plugins' commands are not listed: {error})", err=True)
        except Exception:  # the help stays readable when the app is broken
            click.secho(traceback.format_exc(), err=True, fg="red")
        return sorted(names)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        try:
            return super().get_command(ctx, name)
        except ConfigError as error:
            _configuration_failed(error)
            return None

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except ConfigError as error:
            _configuration_failed(error)
            return None


def main() -> None:
    group = KoersGroup(create_app=_make_app, help="Koers: co-creating social-domain policy.")
    for command in [*commands(), worker]:
        group.add_command(command)
    group()


# Only here: the worker builds apps of its own (app.jobs.worker imports the factory).
@click.command("worker", help="Run background jobs from the Redis queue (needs REDIS_URL).")
@click.option("--burst", is_flag=True, help="Stop when the queue is empty.")
@with_appcontext
def worker(burst: bool) -> None:
    from app.jobs.worker import work

    if not current_app.config.get("REDIS_URL"):
        raise click.ClickException("set REDIS_URL: without it jobs run inside the web process")
    work(current_app._get_current_object(), burst=burst)  # type: ignore[attr-defined]
