"""Language choice and Dutch formatting of dates and money.

Users choose Dutch or English; both are rendered with Dutch conventions (``nl_NL`` and
``en_NL``): 23-11-2026, € 1.250,50. The municipality's terminology catalogue is merged over the
core catalogue (see ``BABEL_TRANSLATION_DIRECTORIES`` in :mod:`app.config`); an entry in it
that replaces no known phrase is logged as a warning at start-up.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import ROUND_HALF_EVEN, Decimal

from flask import Flask, current_app, has_request_context, request
from flask_babel import Babel, format_date, format_datetime, get_locale
from flask_login import current_user

from app.terms import catalogue_problems
from app.translate import request_translations

LANGUAGES = {"nl": "nl_NL", "en": "en_NL"}
LANGUAGE_COOKIE = "koers_language"


def select_locale() -> str:
    language = None
    if has_request_context():
        if current_user.is_authenticated and current_user.locale:
            language = current_user.locale
        elif request.cookies.get(LANGUAGE_COOKIE) in LANGUAGES:
            language = request.cookies[LANGUAGE_COOKIE]
    if language not in LANGUAGES:
        language = current_app.config["KOERS_MUNICIPALITY"].locale
    return LANGUAGES.get(language, "nl_NL")


def current_language() -> str:
    """The two-letter language for ``<html lang>``."""
    return get_locale().language if get_locale() else "nl"


EURO_QUANTUM = Decimal("0.01")


def euro(amount: Decimal | int | float | None) -> str:
    """€ 1.250,50 (with a no-break space), exactly as Babel writes euros for ``nl_NL`` —
    written out because a programme page shows thousands of amounts and Babel's general
    formatter costs a quarter millisecond each. A test compares the two."""
    if amount is None:
        return ""
    value = Decimal(str(amount)).quantize(EURO_QUANTUM, rounding=ROUND_HALF_EVEN)
    digits = f"{abs(value):,.2f}".replace(",", " ").replace(".", ",").replace(" ", ".")
    return f"€\xa0-{digits}" if value.is_signed() else f"€\xa0{digits}"


def short_date(value: date | datetime | None) -> str:
    """31-05-2017 in both languages (Dutch conventions); a moment in the municipality's
    time zone."""
    if not value:
        return ""
    if isinstance(value, datetime):
        return format_date(value, "short")
    return f"{value.day:02d}-{value.month:02d}-{value.year:04d}"


def long_date(value: date | datetime | None) -> str:
    return format_date(value, "long") if value else ""


def moment(value: datetime | None) -> str:
    """A moment in the municipality's time zone, e.g. 23-11-2026 14:05."""
    return format_datetime(value, "short") if value else ""


def init_app(app: Flask) -> None:
    Babel(app, locale_selector=select_locale)
    app.jinja_env.install_gettext_callables(
        gettext=lambda string: request_translations().ugettext(string),
        ngettext=lambda singular, plural, n: request_translations().ungettext(
            singular, plural, n),
        pgettext=lambda context, string: request_translations().upgettext(context, string),
        npgettext=lambda context, singular, plural, n: request_translations().unpgettext(
            context, singular, plural, n),
        newstyle=True)
    # A terminology entry Koers does not know would silently change nothing: say so.
    for problem in catalogue_problems(app.config["KOERS_MUNICIPALITY"].translations_dir):
        app.logger.warning("terminology: %s", problem)
    app.jinja_env.filters.update(euro=euro, short_date=short_date, long_date=long_date,
                                 moment=moment)
    app.jinja_env.globals.update(current_language=current_language)
