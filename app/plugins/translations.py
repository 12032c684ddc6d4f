"""Each plugin's own gettext domain, named after the plugin.

A plugin's domain looks up, in this order of precedence (later wins): the core catalogue, the
municipality's terminology, the plugin's ``translations/<lang>/LC_MESSAGES/<name>.po`` and the
municipality's ``<name>.po`` (so a municipality may reword a plugin's phrases too). Core strings
in the base layout therefore still translate while a plugin page renders in the plugin's domain.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from flask import current_app, has_request_context
from flask_babel import Domain, LazyString, get_babel


def make_domain(plugin: str, plugin_translations: Path | None, core_dirs: list[str],
                municipality_dir: Path) -> Domain:
    directories = list(core_dirs)
    domains = ["messages"] * len(directories)
    if plugin_translations is not None:
        directories.append(str(plugin_translations))
        domains.append(plugin)
    directories.append(str(municipality_dir))
    domains.append(plugin)
    return Domain(translation_directories=directories, domain=";".join(domains))


def domain_of(plugin: str) -> Domain:
    return current_app.extensions["koers_plugin_domains"][plugin]


@contextmanager
def plugin_domain(plugin: str) -> Iterator[None]:
    """Translate with ``plugin``'s domain for the duration (templates' ``_`` included)."""
    if not has_request_context() or plugin not in current_app.extensions.get(
            "koers_plugin_domains", {}):
        # No catalogue of its own (the core, or a test's throwaway hook implementation).
        yield
        return
    from flask_babel import get_domain

    previous = get_domain()
    domain_of(plugin).as_default()
    try:
        yield
    finally:
        previous.as_default()


class PluginTranslations:
    """``_``, ``ngettext`` and lazy variants bound to one plugin's domain::

        translations = PluginTranslations("oldambt")
        _ = translations.gettext
    """

    def __init__(self, plugin: str) -> None:
        self.plugin = plugin

    def gettext(self, text: str, **variables: Any) -> str:
        return domain_of(self.plugin).gettext(text, **variables)

    def ngettext(self, singular: str, plural: str, num: int, **variables: Any) -> str:
        return domain_of(self.plugin).ngettext(singular, plural, num, **variables)

    def lazy_gettext(self, text: str, **variables: Any) -> LazyString:
        return LazyString(self.gettext, text, **variables)

    def pgettext(self, context: str, text: str, **variables: Any) -> str:
        return domain_of(self.plugin).pgettext(context, text, **variables)


def core_directories() -> list[str]:
    return list(get_babel().translation_directories)
