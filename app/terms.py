"""Municipal terminology: the words a municipality uses for the parts of a plan.

Each term is a whole phrase in the gettext context ``term``, so a municipality's catalogue in
``municipalities/<slug>/translations/`` can replace it — "Nieuwe pijler" in Coevorden,
"Nieuw focuspunt" in Wassenaar — with its own grammar intact. Code and templates use
``term("new_theme")`` instead of writing the phrase, so every page follows the municipality.
"""

from __future__ import annotations

from flask_babel import LazyString, lazy_pgettext

TERMS: dict[str, LazyString] = {
    "theme": lazy_pgettext("term", "Theme"),
    "themes": lazy_pgettext("term", "Themes"),
    "new_theme": lazy_pgettext("term", "New theme"),
    "all_themes": lazy_pgettext("term", "All themes"),
    "plan": lazy_pgettext("term", "Policy plan"),
    "plans": lazy_pgettext("term", "Policy plans"),
    "new_plan": lazy_pgettext("term", "New policy plan"),
    "goal": lazy_pgettext("term", "Goal"),
    "goals": lazy_pgettext("term", "Goals"),
}


def term(key: str) -> str:
    """The municipality's phrase for ``key`` in the current language."""
    return str(TERMS[key])
