"""Municipal terminology: the words a municipality uses for the parts of a plan.

Each term is a whole phrase in the gettext context ``term``, so a municipality's catalogue in
``municipalities/<slug>/translations/`` can replace it — "Nieuwe pijler" in Coevorden,
"Nieuw focuspunt" in Wassenaar — with its own grammar intact. Code and templates use
``term("new_theme")`` instead of writing the phrase, so every page follows the municipality.

:data:`TERM_LIST` is the one list of replaceable phrases: ``koers terms`` prints it with where
each phrase appears, docs/municipalities.md shows it (a test keeps the two equal), and a
municipality catalogue entry that is not on it is reported (:func:`catalogue_problems`) by
``python -m app.catalogues``, ``koers terms --check`` and at start-up.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from babel.messages.pofile import read_po
from flask_babel import LazyString

from app.translate import lazy_pgettext

#: The gettext context of every replaceable phrase.
CONTEXT = "term"


@dataclass(frozen=True)
class Term:
    """One replaceable phrase: its key in code, its msgid (the core's English phrase), what
    it names and where a reader meets it, and the lazily translated phrase."""

    key: str
    msgid: str
    meaning: str
    text: LazyString


# The msgid is written twice on each line: once for this list, once literally for extraction.
TERM_LIST: tuple[Term, ...] = (
    Term("theme", "Theme", "one theme of a plan: column and field labels for the theme of a "
         "goal, an action, a consultation table or an input",
         lazy_pgettext("term", "Theme")),
    Term("themes", "Themes", "the themes of a plan: the programme's heading, the themes of "
         "an input", lazy_pgettext("term", "Themes")),
    Term("new_theme", "New theme", "the button and page heading that add a theme",
         lazy_pgettext("term", "New theme")),
    Term("all_themes", "All themes", "the choice for every theme in a filter (for plugin "
         "templates; the core shows no such filter)",
         lazy_pgettext("term", "All themes")),
    Term("plan", "Policy plan", "one plan: the dashboard's terminology widget",
         lazy_pgettext("term", "Policy plan")),
    Term("plans", "Policy plans", "the plans: the main menu item, the plan list and "
         "its links, a stakeholder's plans",
         lazy_pgettext("term", "Policy plans")),
    Term("new_plan", "New policy plan", "the button and page heading that add a plan",
         lazy_pgettext("term", "New policy plan")),
    Term("goal", "Goal", "one goal of a theme: the goal field of an action",
         lazy_pgettext("term", "Goal")),
    Term("goals", "Goals", "the goals of a theme in the programme",
         lazy_pgettext("term", "Goals")),
)

TERMS: dict[str, LazyString] = {entry.key: entry.text for entry in TERM_LIST}


def term(key: str) -> str:
    """The municipality's phrase for ``key`` in the current language."""
    return str(TERMS[key])


# term("key") in code and templates, TERMS["key"] in forms and hooks.
_USE = re.compile(r"""\b(?:term\(|TERMS\[)\s*["'](\w+)["']""")


def occurrences(roots: Iterable[Path], base: Path) -> dict[str, list[str]]:
    """key -> the places (``path:line`` relative to ``base``) that show the phrase, found in
    the Python files and templates under ``roots``."""
    found: dict[str, list[str]] = {entry.key: [] for entry in TERM_LIST}
    for root in roots:
        files = sorted(p for p in root.rglob("*") if p.suffix in {".py", ".html"})
        for path in files:
            if path.name == "terms.py":
                continue
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                for key in _USE.findall(line):
                    place = f"{path.relative_to(base).as_posix()}:{number}"
                    found.setdefault(key, []).append(place)
    return found


def catalogue_problems(translations_dir: Path) -> list[str]:
    """What is wrong in a municipality's terminology catalogues: every entry must replace one
    of the phrases of :data:`TERM_LIST` (context ``term``); anything else would silently do
    nothing, or change a core text that is not meant to vary."""
    known = {entry.msgid for entry in TERM_LIST}
    problems = []
    for po_path in sorted(translations_dir.glob("*/LC_MESSAGES/messages.po")):
        with po_path.open("rb") as handle:
            catalogue = read_po(handle)
        for message in catalogue:
            if not message.id:
                continue  # the header
            msgid = message.id if isinstance(message.id, str) else message.id[0]
            line = message.lineno
            if message.context == CONTEXT and msgid in known:
                continue
            close = difflib.get_close_matches(msgid, sorted(known), n=1)
            hint = f' (did you mean "{close[0]}"?)' if close else ""
            where = f'msgctxt "{message.context}"' if message.context else "no msgctxt"
            problems.append(
                f'{po_path}:{line}: "{msgid}" ({where}) is not a replaceable phrase{hint}; '
                f'a terminology catalogue replaces only the phrases with msgctxt "{CONTEXT}" '
                "that koers terms lists")
    return problems


def catalogue_phrases(translations_dir: Path, language: str,
                      domain: str = "messages") -> dict[str, str]:
    """msgid -> the translated phrase, for the terms a catalogue translates."""
    po_path = translations_dir / language / "LC_MESSAGES" / f"{domain}.po"
    if not po_path.is_file():
        return {}
    with po_path.open("rb") as handle:
        catalogue = read_po(handle)
    return {str(message.id): str(message.string) for message in catalogue
            if message.context == CONTEXT and message.id and message.string}


def markdown_table(core_dutch: dict[str, str]) -> str:
    """The list of phrases as docs/municipalities.md shows it (``koers terms --markdown``)."""
    lines = [f"| key | msgid (msgctxt `{CONTEXT}`) | Dutch in the core | what it names |",
             "|---|---|---|---|"]
    lines += [f"| `{entry.key}` | {entry.msgid} | {core_dutch.get(entry.msgid, '')} | "
              f"{entry.meaning} |" for entry in TERM_LIST]
    return "\n".join(lines) + "\n"
