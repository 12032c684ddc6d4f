"""Compiling translation catalogues (.po → .mo): the core's, each municipality's and each
plugin's. ``python -m app.catalogues`` compiles those that are missing or out of date; the
Makefile, the Docker build and the test suite use it, so compiled catalogues are never missing.

Municipalities are found in the repository's ``municipalities/`` and in the instance's
``municipalities_dir`` (``KOERS_MUNICIPALITIES_DIR`` or the instance file), wherever that is.
Their catalogues hold terminology only: an entry that replaces no known phrase is reported and
makes the command fail (exit status 1), after everything has been compiled.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Mapping
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from app.config import PROJECT_HOME, read_settings
from app.errors import ConfigError
from app.terms import catalogue_problems


def municipality_folders(home: Path = PROJECT_HOME,
                         environ: Mapping[str, str] | None = None) -> list[Path]:
    """The translations folders of the repository's municipalities and of those in the
    configured ``municipalities_dir``. Unreadable settings leave the latter out, with a note:
    compiling needs no valid instance."""
    folders = sorted(home.glob("municipalities/*/translations"))
    try:
        configured = read_settings(environ).municipalities_dir
    except ConfigError as error:
        print(f"note: municipalities_dir not read ({error})", file=sys.stderr)
    else:
        folders += sorted(configured.glob("*/translations"))
    return _unique(folders)


def catalogue_folders(home: Path = PROJECT_HOME,
                      environ: Mapping[str, str] | None = None) -> list[Path]:
    """Every translations folder: core, municipalities, in-repo and installed plugins."""
    from app.plugins.manager import discover
    from app.plugins.migrations import package_folders

    folders = [home / "translations", *municipality_folders(home, environ),
               *sorted(home.glob("plugins/*/*/translations"))]
    folders += [folder / "translations" for folder in package_folders(discover()).values()]
    return _unique(folders)


def _unique(folders: Iterable[Path]) -> list[Path]:
    unique: list[Path] = []
    for folder in folders:
        if folder.is_dir() and folder.resolve() not in [f.resolve() for f in unique]:
            unique.append(folder)
    return unique


def compile_catalogues(folders: Iterable[Path], force: bool = False) -> list[Path]:
    """Compile each .po whose .mo is missing or older; returns the .mo files written."""
    written = []
    for folder in folders:
        for po_path in sorted(folder.glob("*/LC_MESSAGES/*.po")):
            mo_path = po_path.with_suffix(".mo")
            if not force and mo_path.exists() and mo_path.stat().st_mtime >= \
                    po_path.stat().st_mtime:
                continue
            with po_path.open("rb") as handle:
                catalogue = read_po(handle)
            with mo_path.open("wb") as handle:
                write_mo(handle, catalogue)
            written.append(mo_path)
    return written


def main(argv: list[str] | None = None) -> int:
    """``python -m app.catalogues [--force] [FOLDER …]``: extra FOLDERs are translations
    folders to compile as well."""
    args = sys.argv[1:] if argv is None else argv
    extra = [Path(arg) for arg in args if arg != "--force"]
    written = compile_catalogues([*catalogue_folders(), *extra], force="--force" in args)
    for path in written:
        print(f"compiled {path}")
    problems = [problem for folder in municipality_folders()
                for problem in catalogue_problems(folder)]
    for problem in problems:
        print(f"error: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
