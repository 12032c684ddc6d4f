"""Koers' own ``koers`` commands (users, demo, db, plugins, privacy, terms, check-db).

They are registered on every app's command group (:func:`register_commands`, called by the
factory), for ``flask --app`` and tests' CLI runners, and on the ``koers`` command itself
(:mod:`app.cli`), so those that need no app — ``plugins new``, ``terms`` — run without one.
Commands that need the app build it when they run (``AppGroup`` / ``with_appcontext``).
"""

from __future__ import annotations

import sys

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext


def database_group() -> click.Group:
    """Flask-Migrate's ``db`` commands, with ``upgrade`` defaulting to the core's head and the
    head of every enabled plugin's branch (plain ``head`` cannot work with plugin branches)."""
    from flask.cli import with_appcontext
    from flask_migrate.cli import db as migrate_db

    # Flask-Migrate's own options and callback (-d/--directory, -x/--x-arg): its commands read
    # them from ``g``, so without the callback every command but ``upgrade`` fails.
    group = click.Group("db", help=migrate_db.help, params=list(migrate_db.params),
                        callback=migrate_db.callback)  # which builds the app (with_appcontext)
    for name, command in migrate_db.commands.items():
        if name != "upgrade":
            group.add_command(command, name)

    @group.command("upgrade")
    @click.argument("revision", required=False)
    @click.option("--sql", is_flag=True, help="Print the SQL instead of running it.")
    @with_appcontext
    def upgrade(revision: str | None, sql: bool) -> None:
        """Upgrade the core and every enabled plugin (or to REVISION)."""
        from flask_migrate import upgrade as migrate_upgrade

        from app.plugins.migrations import upgrade_enabled

        if revision:
            migrate_upgrade(revision=revision, sql=sql)
        else:
            for target in upgrade_enabled(sql=sql):
                click.echo(f"upgraded {target}")

    return group


def _user_by_email(email: str):
    from app.auth import services

    user = services.get_by_email(email)
    if user is None:
        raise click.ClickException(f"no account with e-mail address {email}")
    return user


@click.group("users", cls=AppGroup, help="Staff accounts.")
def users() -> None:
    pass


@users.command("create")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--role", type=click.Choice(["admin", "editor", "viewer"]), default="viewer",
              show_default=True)
@click.option("--password-stdin", is_flag=True,
              help="Read the password from standard input instead of generating one.")
def users_create(email: str, name: str, role: str, password_stdin: bool) -> None:
    """Create an account; a generated password is printed once and must be changed."""
    from app.auth import services
    from app.database import db
    from app.errors import DomainError

    password = sys.stdin.readline().rstrip("\n") if password_stdin else None
    try:
        created = services.create_user(email, name, role, password=password)
    except DomainError as error:
        raise click.ClickException(error.message) from error
    db.session.commit()
    click.echo(f"Created {created.user.email} ({created.user.role}).")
    if created.password:
        click.echo(f"One-time password (shown once, must be changed at first sign-in): "
                   f"{created.password}")


@users.command("list")
def users_list() -> None:
    from app.auth.services import list_users
    from app.database import db

    for user in db.session.scalars(list_users()):
        state = "active" if user.active else "deactivated"
        click.echo(f"{user.email}\t{user.name}\t{user.role}\t{state}")


@users.command("set-role")
@click.argument("email")
@click.argument("role", type=click.Choice(["admin", "editor", "viewer"]))
def users_set_role(email: str, role: str) -> None:
    from app.auth import services
    from app.database import db
    from app.errors import DomainError

    user = _user_by_email(email)
    try:
        services.update_user(user, actor=None, role=role)
    except DomainError as error:
        raise click.ClickException(error.message) from error
    db.session.commit()
    click.echo(f"{user.email} is now {role}.")


@users.command("deactivate")
@click.argument("email")
def users_deactivate(email: str) -> None:
    from app.auth import services
    from app.database import db
    from app.errors import DomainError

    user = _user_by_email(email)
    try:
        services.set_active(user, False, actor=None)
    except DomainError as error:
        raise click.ClickException(error.message) from error
    db.session.commit()
    click.echo(f"{user.email} is deactivated.")


@users.command("reset-password")
@click.argument("email")
def users_reset_password(email: str) -> None:
    """Print a new one-time password for an account (e.g. a locked-out administrator)."""
    from app.auth import services
    from app.database import db

    user = _user_by_email(email)
    password = services.reset_password(user, actor=None)
    db.session.commit()
    click.echo(f"One-time password for {user.email} (shown once): {password}")


@click.group("demo", cls=AppGroup, help="The demonstration instance.")
def demo() -> None:
    pass


@demo.command("setup")
@click.option("--plugins-only", is_flag=True,
              help="Add only the enabled plugins' demo data, to an instance that already has "
                   "its own data: no demo municipality, no demo accounts.")
def demo_setup(plugins_only: bool) -> None:
    """Migrate the database, load the demo data and create the demo administrator."""
    from app.demo import load_demo, load_plugin_demo
    from app.plugins.migrations import upgrade_enabled

    upgrade_enabled()
    municipality = current_app.config["KOERS_MUNICIPALITY"]
    if plugins_only:
        names = load_plugin_demo(municipality)
        click.echo(f"Demo data of the plugins added: {', '.join(names)}." if names
                   else "No plugins are enabled; nothing added.")
        return
    result = load_demo(municipality)
    click.echo(f"Demo instance of {municipality.name} is ready.")
    if result.admin_password:
        click.echo("Demo administrator (this password is shown only once):")
        click.echo(f"  e-mail:   {result.admin_email}")
        click.echo(f"  password: {result.admin_password}")
    else:
        click.echo(f"Demo administrator {result.admin_email} already exists; its password is "
                   f"unchanged (new one: koers users reset-password {result.admin_email}).")


@click.command("check-db", help="Exit non-zero when the database is unreachable or behind.")
@with_appcontext
def check_db() -> None:
    from alembic.script import ScriptDirectory
    from flask_migrate import Migrate
    from sqlalchemy import text
    from sqlalchemy.exc import SQLAlchemyError

    from app.database import db

    migrate: Migrate = current_app.extensions["migrate"].migrate
    script = ScriptDirectory.from_config(migrate.get_config())
    heads = set(script.get_heads())

    try:
        with db.engine.connect() as connection:
            current = {row[0] for row in connection.execute(text(
                "SELECT version_num FROM alembic_version"))}
    except SQLAlchemyError as error:
        raise click.ClickException(f"database unreachable or never migrated "
                                   f"({error.__class__.__name__}): run koers db upgrade") from error
    if current != heads:
        raise click.ClickException(f"database at {sorted(current)}, code at {sorted(heads)}: "
                                   "run koers db upgrade")
    click.echo("database is up to date")


@click.group("plugins", cls=AppGroup, help="Municipality plugins.")
def plugins() -> None:
    pass


@plugins.command("list")
def plugins_list() -> None:
    """Installed plugins: name, version, enabled here, hooks implemented."""
    manager = current_app.extensions["koers_plugins"]
    if not manager.installed:
        click.echo("No plugins installed.")
    for name, (module, distribution, version) in sorted(manager.installed.items()):
        enabled = name in manager.plugins
        hooks = ", ".join(manager.implemented_hooks(name)) if enabled else "-"
        position = manager.enabled.index(name) + 1 if enabled else None
        state = f"enabled (#{position})" if position else "installed, not enabled"
        click.echo(f"{name}\t{version}\t{distribution or module}\t{state}\t{hooks}")


@plugins.command("new", with_appcontext=False)
@click.argument("name")
@click.option("--path", type=click.Path(file_okay=False), default="plugins",
              show_default=True, help="Folder in which the distribution folder is created.")
@click.option("--references", "tables", multiple=True, metavar="TABLE",
              help="A core table the plugin's tables will point to (e.g. plans, "
                   "consultation_inputs): the first migration depends on the core revision "
                   "that creates it. Repeatable.")
def plugins_new(name: str, path: str, tables: tuple[str, ...]) -> None:
    """Scaffold a plugin distribution koers-NAME that works after pip install -e."""
    from pathlib import Path

    from app.plugins.scaffold import ScaffoldError, scaffold

    try:
        target = scaffold(name, Path(path), references=tables)
    except ScaffoldError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Created {target}. Next steps:")
    click.echo(f"  pip install -e {target}")
    click.echo(f'  add "{name}" to [plugins] enabled in municipalities/<slug>/municipality.toml')
    click.echo("  koers db upgrade")


@click.group("privacy", cls=AppGroup, help="Personal data (AVG).")
def privacy() -> None:
    pass


@privacy.command("retention")
@click.option("--dry-run", is_flag=True, help="Only list the persons; erase nothing.")
def privacy_retention(dry_run: bool) -> None:
    """Erase persons whose retention date has passed (run daily, e.g. from cron).

    Lists record numbers and retention dates only, never names."""
    from app.database import checkpoint_erasure, db
    from app.stakeholders import services

    due = services.past_retention()
    for person in due:
        click.echo(f"{person.id}\t{person.retention_until.isoformat()}")
    if dry_run:
        click.echo(f"{len(due)} person(s) past retention; nothing erased (dry run).")
        return
    erased = services.apply_retention()
    db.session.commit()
    checkpoint_erasure()
    click.echo(f"{len(erased)} person(s) erased.")


@click.command("terms")
@click.option("--check", is_flag=True,
              help="Only check the municipality's terminology catalogues: exit status 1 when "
                   "one holds a phrase Koers does not know.")
@click.option("--municipality", "folder", type=click.Path(file_okay=False, exists=True),
              help="A municipality folder to use instead of the configured one.")
@click.option("--markdown", is_flag=True, help="Print the table docs/municipalities.md shows.")
def terms(check: bool, folder: str | None, markdown: bool) -> None:
    """Every phrase a municipality's terminology catalogue can replace: its msgctxt and msgid,
    what it names, the core's and this municipality's wording, and where it appears."""
    from pathlib import Path

    from app.config import PROJECT_HOME, read_settings
    from app.terms import (
        CONTEXT,
        TERM_LIST,
        catalogue_phrases,
        catalogue_problems,
        markdown_table,
        occurrences,
    )

    if markdown:
        click.echo(markdown_table(catalogue_phrases(PROJECT_HOME / "translations", "nl")), nl=False)
        return
    municipality = Path(folder) if folder else read_settings().municipality_folder
    problems = catalogue_problems(municipality / "translations")
    for problem in problems:
        click.secho(f"error: {problem}", fg="red", err=True)
    if check:
        if problems:
            sys.exit(1)
        click.echo(f"{municipality}: every terminology entry replaces a known phrase")
        return
    package = Path(__file__).resolve().parent
    places = occurrences([package, package.parent / "plugins"], package.parent)
    wording = {(source, language): catalogue_phrases(folder / "translations", language)
               for source, folder in (("core", PROJECT_HOME), ("here", municipality))
               for language in ("nl", "en")}
    for entry in TERM_LIST:
        click.echo(f'{entry.key}: msgctxt "{CONTEXT}", msgid "{entry.msgid}"')
        click.echo(f"  names:       {entry.meaning}")
        for source, label in (("core", "core"), ("here", municipality.name)):
            said = [f'{lang} "{wording[source, lang][entry.msgid]}"' for lang in ("nl", "en")
                    if entry.msgid in wording[source, lang]]
            if said:
                click.echo(f"  {label + ':':12} {', '.join(said)}")
        click.echo("  appears in:  " + (", ".join(places[entry.key]) or "(no core page)"))
    if problems:
        sys.exit(1)


def commands() -> list[click.Command]:
    from app.search.cli import search
    from app.storage.cli import storage_group
    from app.theming.cli import theme

    return [database_group(), users, demo, check_db, plugins, privacy, terms, search,
            storage_group, theme]


def register_commands(app: Flask) -> None:
    """The commands on the app's own group (``flask --app``, tests' CLI runners). Replaces the
    `db` group Flask-Migrate added, keeping all its other commands."""
    for command in commands():
        app.cli.add_command(command)
