"""``koers plugins new NAME``: a new plugin distribution that works right after ``pip install -e``.

The files come from ``scaffold_template/``: every file there is a ``string.Template`` (``$name``
is the plugin name, ``$title`` a readable form of it) and so is every path, with the ``.tmpl``
suffix dropped (and ``gitignore`` written as ``.gitignore``). The result follows every rule the
loader checks (one name everywhere, the ``koers_api`` range, namespaced templates, a catalogue
per language, a migration branch) and holds a passing test. Its catalogues are compiled right
away. The first migration ``depends_on`` the core revision that creates the core tables the
plugin will reference (``--references plans``), so ``koers db upgrade NAME@head`` works alone.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable
from pathlib import Path
from string import Template

from app.plugins.migrations import UnknownTable, revision_creating
from app.plugins.names import NAME_PATTERN, RESERVED

TEMPLATE_DIR = Path(__file__).resolve().parent / "scaffold_template"
SUFFIX = ".tmpl"
#: Template files kept under another name: package data globs skip hidden files.
RENAMED = {"gitignore": ".gitignore"}


class ScaffoldError(Exception):
    """A plugin cannot be created with this name or in this place; the message says why."""


def check_name(name: str) -> None:
    """Raise :class:`ScaffoldError` unless ``name`` is a usable plugin name."""
    if not NAME_PATTERN.match(name):
        raise ScaffoldError(
            f"{name!r} is not a valid plugin name: use 2 to 31 lower case letters, digits and "
            "underscores, starting with a letter (e.g. oldambt or social_map)")
    if name in RESERVED:
        raise ScaffoldError(
            f"{name!r} is reserved by Koers (it would collide with a core blueprint, command or "
            "table): choose another name, e.g. the municipality's or the feature's name")


def scaffold(name: str, parent: Path, references: Iterable[str] = ()) -> Path:
    """Write the distribution ``parent/koers-<name>/`` and return its folder. ``references``:
    core tables the plugin's tables will point to (e.g. ``plans``, ``consultation_inputs``)."""
    check_name(name)
    references = sorted(set(references))
    try:
        depends_on = revision_creating(references)
    except UnknownTable as error:
        raise ScaffoldError(f"--references {error}") from error
    parent = Path(parent)
    if parent.exists() and not parent.is_dir():
        raise ScaffoldError(f"{parent} is a file, not a folder: give --path a folder")
    target = parent / f"koers-{name}"
    if target.exists():
        raise ScaffoldError(f"{target} already exists: choose another name or --path, "
                            "or remove the folder first")
    values = {
        "name": name,
        "title": name.replace("_", " ").capitalize(),
        # Alembic keeps revision ids in a VARCHAR(32): a short random id, as Alembic makes.
        "revision": uuid.uuid4().hex[:12],
        "date": datetime.date.today().isoformat(),
        "depends_on": depends_on,
        "depends_note": ("the core revision that creates " + ", ".join(references))
                        if references else "the core's first revision (no core table needed)",
    }
    files = sorted(path for path in TEMPLATE_DIR.rglob("*" + SUFFIX) if path.is_file())
    if not files:
        raise ScaffoldError(f"the plugin template is missing ({TEMPLATE_DIR}): reinstall Koers")
    try:
        target.mkdir(parents=True)
    except OSError as error:
        raise ScaffoldError(f"cannot create {target}: {error.strerror}") from error
    for source in files:
        relative = source.relative_to(TEMPLATE_DIR).as_posix().removesuffix(SUFFIX)
        relative = RENAMED.get(relative, relative)
        destination = target / Template(relative).substitute(values)
        destination.parent.mkdir(parents=True, exist_ok=True)
        text = source.read_text(encoding="utf-8")
        destination.write_text(Template(text).substitute(values), encoding="utf-8")
    # Compiled catalogues, so the plugin speaks Dutch right after ``pip install -e``.
    from app.catalogues import compile_catalogues

    compile_catalogues([target / f"koers_{name}" / "translations"])
    return target
