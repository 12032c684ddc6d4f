"""A form field for amounts in euro, typed the Dutch way; kept apart from :mod:`app.money` so
services can parse amounts without depending on WTForms."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from wtforms import Form, StringField
from wtforms.validators import ValidationError

from app.errors import DomainError
from app.money import format_euro_input, parse_euro

#: A numeric keyboard with a comma on phones; no suggestions of other people's amounts.
RENDER_KW = {"inputmode": "decimal", "autocomplete": "off"}


class EuroField(StringField):
    """A text input whose ``data`` is a ``Decimal`` in euro (or None when left empty).

    Not ``type="number"``: browsers would refuse or silently change "1.250,50". The typed text
    is parsed during validation, so ``data`` is None until the form is validated; after a
    refusal the input shows what the user typed, so they can correct it.
    """

    data: Decimal | None

    def __init__(self, label: Any = None, validators: Sequence[Any] | None = None, *,
                 allow_negative: bool = False, **kwargs: Any) -> None:
        kwargs["render_kw"] = {**RENDER_KW, **(kwargs.get("render_kw") or {})}
        super().__init__(label, validators, **kwargs)
        self.allow_negative = allow_negative
        self.raw_text: str | None = None

    def process_formdata(self, valuelist: list[Any]) -> None:
        if valuelist:
            self.raw_text = valuelist[0]
            self.data = None

    def pre_validate(self, form: Form) -> None:
        if self.raw_text is None:
            return
        try:
            self.data = parse_euro(self.raw_text, allow_negative=self.allow_negative)
        except DomainError as error:
            raise ValidationError(error.message) from error

    def _value(self) -> str:
        if self.raw_text is not None and (self.errors or self.data is None):
            return self.raw_text
        return format_euro_input(self.data)
