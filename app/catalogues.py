"""Compiling translation catalogues (.po → .mo): the core's, each municipality's and each
plugin's. ``python -m app.catalogues`` compiles those that are missing or out of date; the
Makefile, the Docker build and the test suite use it, so compiled catalogues are never missing.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from app.config import PROJECT_HOME


def catalogue_folders(home: Path = PROJECT_HOME) -> list[Path]:
    """Every translations folder: core, municipalities, in-repo and installed plugins."""
    from app.plugins.manager import discover
    from app.plugins.migrations import package_folders

    folders = [home / "translations", *sorted(home.glob("municipalities/*/translations")),
               *sorted(home.glob("plugins/*/*/translations"))]
    folders += [folder / "translations" for folder in package_folders(discover()).values()]
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
    args = sys.argv[1:] if argv is None else argv
    extra = [Path(arg) for arg in args if arg != "--force"]
    written = compile_catalogues([*catalogue_folders(), *extra], force="--force" in args)
    for path in written:
        print(f"compiled {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
