"""Amounts in euro as typed by Dutch users, and shown back to them.

Users type amounts the Dutch way (€ 1.250,50), so the dot is a thousands separator unless it
cannot be one ("1250.50"): "1.250" is one thousand two hundred and fifty, never 1,25. Anything
ambiguous or malformed is refused with a message instead of guessed, because a wrong amount in
a budget is worse than asking again. Amounts are ``Decimal`` with two decimals, fitting the
``Numeric(12, 2)`` columns they are stored in.
"""

from __future__ import annotations

import re
from decimal import Decimal

from babel.numbers import format_decimal

from app.errors import DomainError
from app.translate import lazy_gettext as _l

#: The largest amount a ``Numeric(12, 2)`` column holds is 9.999.999.999,99.
LIMIT = Decimal(10) ** 10
CENTS = Decimal("0.01")

_MINUS = ("-", "\N{MINUS SIGN}")
_WHITESPACE = re.compile(r"\s+")  # also the (narrow) no-break and thin spaces
_ROUND_EUROS = re.compile(r",[-\N{EN DASH}]{1,2}$")  # "€ 25,-" is Dutch for € 25,00
_NUMBER = re.compile(r"[0-9., ]+")
_DIGITS = re.compile(r"[0-9]*")
#: Digits in groups of three, all separated by the same dot or space: 1.250.000, 1 250.
_GROUPED = re.compile(r"[1-9][0-9]{0,2}(?P<sep>[. ])[0-9]{3}(?:(?P=sep)[0-9]{3})*")


def parse_euro(text: str, *, allow_negative: bool = False) -> Decimal | None:
    """The amount in ``text`` rounded to cents, or None when nothing was typed.

    Raises :class:`DomainError` with a message for the user when ``text`` is not an amount.
    """
    shown = text.strip()
    body = _WHITESPACE.sub(" ", text).strip()
    if not body:
        return None
    negative, body = _strip_sign_and_symbol(body)
    body = _ROUND_EUROS.sub(",", body)
    if not _NUMBER.fullmatch(body) or not any(char.isdigit() for char in body):
        raise _refused(_l("“%(value)s” is not an amount in euro.", value=shown))
    integer, fraction = _split_decimals(body, shown)
    if _DIGITS.fullmatch(integer) is None:
        if _GROUPED.fullmatch(integer) is None:
            raise _misplaced(shown)
        integer = integer.replace(".", "").replace(" ", "")
    amount = Decimal(f"{integer or 0}.{fraction or 0}")
    if negative and amount:
        if not allow_negative:
            raise _refused(_l("An amount cannot be negative."))
        amount = -amount
    if abs(amount) >= LIMIT:
        raise _refused(_l("The amount is too large."))
    return amount.quantize(CENTS)


def format_euro_input(amount: Decimal | None) -> str:
    """``amount`` as a user would type it (1.250,50), to show it back in an input field.

    Without the euro sign of :func:`app.i18n.euro`, which the field's label carries.
    """
    if amount is None:
        return ""
    return format_decimal(amount, format="#,##0.00", locale="nl_NL")


def _strip_sign_and_symbol(body: str) -> tuple[bool, str]:
    """Whether a minus was typed, and the number without it and without the euro sign, which
    may come before or after the number, and before or after the minus (-€ 5, € -5, 5 €)."""
    negative = False
    body = body.removesuffix("€").rstrip()
    if body.startswith(_MINUS):
        negative, body = True, body[1:].lstrip()
    if body.startswith("€"):
        body = body[1:].lstrip()
    if not negative and body.startswith(_MINUS):
        negative, body = True, body[1:].lstrip()
    return negative, body


def _split_decimals(body: str, shown: str) -> tuple[str, str]:
    """The integer part (maybe with thousands separators) and the cents of ``body``."""
    if "," in body:
        integer, _, fraction = body.rpartition(",")
        if "," in integer:
            raise _misplaced(shown)
    elif body.count(".") == 1 and _GROUPED.fullmatch(body) is None:
        integer, _, fraction = body.partition(".")  # a dot that cannot separate thousands
    else:
        integer, fraction = body, ""
    if _DIGITS.fullmatch(fraction) is None:
        raise _misplaced(shown)
    if len(fraction) > 2:
        raise _refused(_l("Use at most two decimals (cents)."))
    return integer, fraction


def _misplaced(shown: str) -> DomainError:
    return _refused(_l("“%(value)s” has a thousands separator in the wrong place; "
                       "write for example 1.250,50.", value=shown))


def _refused(message: object) -> DomainError:
    return DomainError(str(message))
