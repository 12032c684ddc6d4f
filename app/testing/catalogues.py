"""Translations in tests: catalogues compiled before the session starts, and
:func:`untranslated` for a plugin's test that its catalogues are complete."""

from __future__ import annotations

import json
import tempfile
from importlib import metadata
from pathlib import Path
from typing import Any

import pytest


def pytest_sessionstart(session: pytest.Session) -> None:
    """Compile catalogues whose .po is newer than their .mo, so tests never run on stale
    translations — the core's, the municipalities', installed plugins' and test plugins'."""
    from app.catalogues import catalogue_folders, compile_catalogues

    root = Path(session.config.rootpath)
    compile_catalogues([*catalogue_folders(), *root.glob("tests/plugins/*/translations"),
                        *root.glob("tests/fixtures/municipalities/*/translations")])


def distribution_folder(distribution: Path | str) -> Path:
    """The source folder of a plugin's distribution: a path as given, or the folder of an
    installed distribution's ``pyproject.toml`` found by its name (``"koers-oldambt"``)."""
    if isinstance(distribution, Path) or Path(str(distribution)).is_dir():
        return Path(distribution)
    try:
        origin = metadata.distribution(str(distribution)).read_text("direct_url.json")
    except metadata.PackageNotFoundError:
        origin = None
    url = json.loads(origin).get("url", "") if origin else ""
    if not url.startswith("file://"):
        raise LookupError(f"{distribution!r} is neither a folder nor a distribution installed "
                          "from a source folder (pip install -e); pass the folder instead")
    return Path(url.removeprefix("file://"))


def _ids(messages: Any) -> set[str]:
    return {m.id if isinstance(m.id, str) else m.id[0] for m in messages if m.id}


def _extracted(folder: Path, package: str) -> set[str]:
    from babel.messages.frontend import CommandLineInterface
    from babel.messages.pofile import read_po

    with tempfile.TemporaryDirectory() as work:
        pot = Path(work) / "messages.pot"
        CommandLineInterface().run([
            "pybabel", "--quiet", "extract", "--no-location", "-F",
            str(folder / "babel.cfg"), "-k", "_l", "-k", "lazy_gettext", "-o", str(pot),
            str(folder / package)])
        with pot.open("rb") as handle:
            return _ids(read_po(handle))


def untranslated(distribution: Path | str, package: str, domain: str,
                 languages: tuple[str, ...] = ("nl", "en")) -> dict[str, list[str]]:
    """For a plugin's tests: language -> the strings of its code and templates (extracted as
    its README says, with ``babel.cfg``) that its catalogue does not translate. A plugin with
    complete catalogues gets ``{"nl": [], "en": []}``. ``distribution`` is the plugin's
    source folder or the name of its distribution installed with ``pip install -e``."""
    from babel.messages.pofile import read_po

    folder = distribution_folder(distribution)
    extracted = _extracted(folder, package)
    if not extracted:
        raise AssertionError(f"no translatable strings found in {folder / package}")
    missing: dict[str, list[str]] = {}
    for language in languages:
        path = folder / package / "translations" / language / "LC_MESSAGES" / f"{domain}.po"
        with path.open("rb") as handle:
            catalogue = read_po(handle, locale=language)
        translated = _ids(m for m in catalogue if m.string and not m.fuzzy and (
            all(m.string) if isinstance(m.string, tuple) else True))
        missing[language] = sorted(extracted - translated)
    return missing
