"""Amounts in euro as Dutch users type them: what is accepted, what is refused and why, and the
form field that shows a refused amount back as typed."""

from __future__ import annotations

from decimal import Decimal

import pytest
from flask_babel import force_locale
from flask_wtf import FlaskForm
from wtforms.validators import InputRequired, NumberRange, Optional

from app.errors import DomainError
from app.forms import EuroField
from app.i18n import euro
from app.money import format_euro_input, parse_euro

NBSP = "\N{NO-BREAK SPACE}"
NNBSP = "\N{NARROW NO-BREAK SPACE}"

@pytest.fixture(autouse=True)
def english(app):
    """Messages are checked by their English ids here; test_i18n checks every one has its
    Dutch translation, and one test below reads a Dutch message."""
    with force_locale("en"):
        yield


def test_refusals_are_in_dutch_by_default(app):
    with force_locale("nl"), pytest.raises(DomainError) as refused:
        parse_euro("twaalf euro")
    assert refused.value.message == "“twaalf euro” is geen bedrag in euro."


NOT_AN_AMOUNT = "“{}” is not an amount in euro."
NEGATIVE = "An amount cannot be negative."
DECIMALS = "Use at most two decimals (cents)."
MISPLACED = "“{}” has a thousands separator in the wrong place; write for example 1.250,50."
TOO_LARGE = "The amount is too large."


@pytest.mark.parametrize(("text", "amount"), [
    ("€ 1.250,50", "1250.50"),
    ("1.250,50", "1250.50"),
    ("1250,5", "1250.50"),
    ("1250", "1250.00"),
    ("€1.250", "1250.00"),
    ("1 250,50", "1250.50"),
    (f"1{NBSP}250,50", "1250.50"),
    (f"1{NNBSP}250{NNBSP}000", "1250000.00"),
    (f"€{NBSP}1.250,50", "1250.50"),  # as app.i18n.euro writes it
    ("1.250.000", "1250000.00"),
    ("1.250.000,00", "1250000.00"),
    ("1250.50", "1250.50"),  # the dot cannot separate thousands here: a decimal point
    ("1250.5", "1250.50"),
    ("1.5", "1.50"),
    ("1.250", "1250.00"),  # Dutch: the dot separates thousands
    ("12.345", "12345.00"),
    ("0,5", "0.50"),
    (",50", "0.50"),
    ("12,", "12.00"),
    ("€ 25,-", "25.00"),
    ("25,--", "25.00"),
    ("12,50 €", "12.50"),
    ("  € 7  ", "7.00"),
    ("0", "0.00"),
    ("007", "7.00"),
    ("-0", "0.00"),
    ("9999999999,99", "9999999999.99"),
    ("9.999.999.999,99", "9999999999.99"),
])
def test_accepted_amounts(text, amount):
    parsed = parse_euro(text)
    assert parsed == Decimal(amount)
    assert str(parsed) == amount  # always exactly two decimals


@pytest.mark.parametrize(("text", "amount"), [
    ("-12,50", "-12.50"),
    ("\N{MINUS SIGN}12,50", "-12.50"),
    ("- 12,50", "-12.50"),
    ("€ -1.250,50", "-1250.50"),
    ("-€ 1.250,50", "-1250.50"),
    (f"€{NBSP}-12,50", "-12.50"),  # as app.i18n.euro writes it
    ("-9999999999,99", "-9999999999.99"),
    ("12,50", "12.50"),
])
def test_negative_amounts_when_allowed(text, amount):
    assert str(parse_euro(text, allow_negative=True)) == amount


@pytest.mark.parametrize("text", ["", "   ", "\t\n", NBSP])
def test_nothing_typed_is_none(text):
    assert parse_euro(text) is None
    assert parse_euro(text, allow_negative=True) is None


@pytest.mark.parametrize(("text", "message"), [
    ("abc", NOT_AN_AMOUNT.format("abc")),
    ("twaalf", NOT_AN_AMOUNT.format("twaalf")),
    ("€", NOT_AN_AMOUNT.format("€")),
    ("-", NOT_AN_AMOUNT.format("-")),
    (",", NOT_AN_AMOUNT.format(",")),
    (".", NOT_AN_AMOUNT.format(".")),
    (",-", NOT_AN_AMOUNT.format(",-")),
    ("12a", NOT_AN_AMOUNT.format("12a")),
    ("1e5", NOT_AN_AMOUNT.format("1e5")),
    ("NaN", NOT_AN_AMOUNT.format("NaN")),
    ("Infinity", NOT_AN_AMOUNT.format("Infinity")),
    ("+5", NOT_AN_AMOUNT.format("+5")),
    ("--5", NOT_AN_AMOUNT.format("--5")),
    ("١٢", NOT_AN_AMOUNT.format("١٢")),  # Arabic-Indic digits: isdigit() but not an amount
    ("12²", NOT_AN_AMOUNT.format("12²")),
    ("  $ 12  ", NOT_AN_AMOUNT.format("$ 12")),  # the message shows the text trimmed
    ("-12,50", NEGATIVE),
    ("€ -5", NEGATIVE),
    ("-€ 5", NEGATIVE),
    ("\N{MINUS SIGN}5", NEGATIVE),
    ("12,505", DECIMALS),
    ("12,500", DECIMALS),  # 12.500 is not twelve thousand five hundred with a comma
    ("1,250", DECIMALS),
    ("1250.505", DECIMALS),
    ("1234.567", DECIMALS),  # four digits before the dot: not a thousands separator
    ("0.250", DECIMALS),
    ("1.2345", DECIMALS),
    ("1.25,00", MISPLACED.format("1.25,00")),
    ("12.34.5", MISPLACED.format("12.34.5")),
    ("1.250.50", MISPLACED.format("1.250.50")),
    ("1,250.50", MISPLACED.format("1,250.50")),  # English notation
    ("1,250,000", MISPLACED.format("1,250,000")),
    ("12 50", MISPLACED.format("12 50")),
    ("1.250 000", MISPLACED.format("1.250 000")),
    ("1 250.000,00", MISPLACED.format("1 250.000,00")),
    ("1250.000,00", MISPLACED.format("1250.000,00")),
    ("0.250,00", MISPLACED.format("0.250,00")),
    ("12,5 0", MISPLACED.format("12,5 0")),
    ("10000000000", TOO_LARGE),
    ("10.000.000.000,00", TOO_LARGE),
    ("9999999999,995", DECIMALS),
    ("9" * 40, TOO_LARGE),  # beyond Decimal's precision, still a plain refusal
])
def test_refused_amounts(app, text, message):
    with pytest.raises(DomainError) as refused:
        parse_euro(text)
    assert refused.value.message == message
    assert refused.value.field is None


def test_too_large_also_when_negative(app):
    with pytest.raises(DomainError, match="too large"):
        parse_euro("-10.000.000.000", allow_negative=True)


@pytest.mark.parametrize(("amount", "shown"), [
    (None, ""),
    (Decimal("1250.50"), "1.250,50"),
    (Decimal("1250.5"), "1.250,50"),
    (Decimal(1250), "1.250,00"),
    (Decimal("0"), "0,00"),
    (Decimal("0.05"), "0,05"),
    (Decimal("999.99"), "999,99"),
    (Decimal("1250000"), "1.250.000,00"),
    (Decimal("-12.5"), "-12,50"),
    (Decimal("9999999999.99"), "9.999.999.999,99"),
])
def test_format_euro_input(amount, shown):
    assert format_euro_input(amount) == shown


@pytest.mark.parametrize("amount", ["0.00", "0.05", "12.50", "1250.00", "1250000.99",
                                    "-1250.50", "9999999999.99"])
def test_formatted_amounts_parse_back_and_match_the_displayed_euro(amount):
    value = Decimal(amount)
    assert parse_euro(format_euro_input(value), allow_negative=True) == value
    assert parse_euro(euro(value), allow_negative=True) == value
    assert euro(abs(value)).endswith(format_euro_input(abs(value)))


# --- the form field ------------------------------------------------------------------------

class BudgetForm(FlaskForm):
    class Meta:
        csrf = False

    amount = EuroField("Budget", validators=[Optional()])
    needed = EuroField("Needed", validators=[InputRequired()])
    correction = EuroField("Correction", validators=[Optional()], allow_negative=True)
    capped = EuroField("Capped", validators=[Optional(), NumberRange(max=Decimal(100))],
                       render_kw={"placeholder": "0,00", "autocomplete": "transaction-amount"})


def submit(app, **data):
    return app.test_request_context(method="POST", data={"needed": "1", **data})


def test_the_field_parses_a_dutch_amount(app):
    with submit(app, amount="€ 1.250,5", correction="-12,50"):
        form = BudgetForm()
        assert form.validate(), form.errors
        assert form.amount.data == Decimal("1250.50")
        assert form.needed.data == Decimal("1.00")
        assert form.correction.data == Decimal("-12.50")
        assert form.capped.data is None  # not sent
        # Shown back normalised, e.g. when another part of the page refuses the submit.
        assert form.amount._value() == "1.250,50"
        assert 'value="1.250,50"' in form.amount()


def test_an_empty_field_is_none(app):
    with submit(app, amount="  ", correction=""):
        form = BudgetForm()
        assert form.validate(), form.errors
        assert form.amount.data is None
        assert form.correction.data is None
        assert form.amount._value() == "  "


def test_a_refused_amount_is_shown_back_as_typed(app):
    with submit(app, amount="1.25,00", correction="abc"):
        form = BudgetForm()
        assert not form.validate()
        assert form.amount.errors == [MISPLACED.format("1.25,00")]
        assert form.correction.errors == [NOT_AN_AMOUNT.format("abc")]
        assert form.amount.data is None
        assert form.amount._value() == "1.25,00"
        assert 'value="1.25,00"' in form.amount()


def test_negative_amounts_only_where_allowed(app):
    with submit(app, amount="-5", correction="-5"):
        form = BudgetForm()
        assert not form.validate()
        assert form.amount.errors == [NEGATIVE]
        assert form.correction.errors == []
        assert form.correction.data == Decimal("-5.00")


def test_other_validators_see_the_decimal(app):
    with submit(app, capped="100,01"):
        form = BudgetForm()
        assert not form.validate()
        assert len(form.capped.errors) == 1
        assert form.capped.data == Decimal("100.01")
    with submit(app, capped="100"):
        assert BudgetForm().validate()
    with submit(app, needed=""):
        form = BudgetForm()
        assert not form.validate()
        assert form.needed.errors and form.needed.data is None


def test_the_field_shows_its_initial_amount(app):
    with app.test_request_context():
        form = BudgetForm(data={"amount": Decimal("1250000")})
        assert form.amount.data == Decimal("1250000")
        assert form.amount._value() == "1.250.000,00"
        assert form.correction._value() == ""


def test_the_input_asks_phones_for_a_decimal_keyboard(app):
    with app.test_request_context():
        form = BudgetForm()
        html = form.amount()
        assert 'inputmode="decimal"' in html and 'autocomplete="off"' in html
        assert 'type="text"' in html
        capped = form.capped()
        assert 'inputmode="decimal"' in capped and 'placeholder="0,00"' in capped
        assert 'autocomplete="transaction-amount"' in capped  # the form's own choice wins
