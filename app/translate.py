"""The core's gettext functions, through the request's catalogue looked up once.

Flask-Babel's ``gettext`` finds the domain, the locale and the merged catalogue again on
every call: half a dozen context look-ups for each of the two hundred strings a page
translates, lazy labels of forms and tables included. These functions behave as Flask-Babel's
(``%(name)s`` variables, ``num`` for plurals, :class:`~flask_babel.LazyString` for the lazy
ones) but take the catalogue of :func:`request_translations`. Plugins translate through their
own domains (:mod:`app.plugins.translations`).
"""

from __future__ import annotations

from typing import Any

from babel.support import NullTranslations
from flask import g
from flask_babel import LazyString, get_translations


def request_translations() -> NullTranslations:
    """The translations of this request (or app context) in the domain in force, looked up
    once per domain.

    They are kept, per domain, in the slot Flask-Babel's own ``force_locale`` and ``refresh``
    clear and restore, so a letter rendered in another language still gets that language, and
    a plugin's part of a page (:func:`app.plugins.translations.plugin_domain`) its catalogue."""
    if not g:
        return get_translations()
    context = g.get("_flask_babel")
    kept = getattr(context, "babel_translations", None)
    domain = getattr(context, "babel_domain", None)
    found = kept.get(domain) if isinstance(kept, dict) else None
    if found is None:
        found = get_translations()
        context = g.get("_flask_babel")  # get_translations made it when it was missing
        if context is not None:
            if not isinstance(getattr(context, "babel_translations", None), dict):
                context.babel_translations = {}
            context.babel_translations[getattr(context, "babel_domain", None)] = found
    return found


def gettext(string: str, **variables: Any) -> str:
    text = request_translations().ugettext(string)
    return text % variables if variables else text


def ngettext(singular: str, plural: str, num: int, **variables: Any) -> str:
    variables.setdefault("num", num)
    return request_translations().ungettext(singular, plural, num) % variables


def pgettext(context: str, string: str, **variables: Any) -> str:
    text = request_translations().upgettext(context, string)
    return text % variables if variables else text


def npgettext(context: str, singular: str, plural: str, num: int, **variables: Any) -> str:
    variables.setdefault("num", num)
    return request_translations().unpgettext(context, singular, plural, num) % variables


def lazy_gettext(string: str, **variables: Any) -> LazyString:
    return LazyString(gettext, string, **variables)


def lazy_pgettext(context: str, string: str, **variables: Any) -> LazyString:
    return LazyString(pgettext, context, string, **variables)


def lazy_ngettext(singular: str, plural: str, num: int, **variables: Any) -> LazyString:
    return LazyString(ngettext, singular, plural, num, **variables)
