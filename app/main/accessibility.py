"""The toegankelijkheidsverklaring (accessibility statement) of this instance, open to anyone.

It follows the model statement of toegankelijkheidsverklaring.nl (Besluit digitale
toegankelijkheid overheid): the municipality states its part — status, evaluation, limitations,
measures, contact, date — in the ``[accessibility]`` table of ``municipality.toml``; Koers adds
what its own tests check. Without the table the page still exists, with status E and what the
administrator should add.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from flask import current_app, render_template
from flask_babel import LazyString

from app.main.views import bp
from app.permissions import public
from app.translate import lazy_gettext as _l

#: The model's own status letters: (short label, what it means).
STATUSES: dict[str, tuple[LazyString, LazyString]] = {
    "A": (_l("fully compliant"),
          _l("A complete evaluation, less than three years old, shows that Koers meets all "
             "accessibility requirements.")),
    "B": (_l("partially compliant"),
          _l("A complete evaluation, less than three years old, shows that Koers does not yet "
             "meet all requirements. The limitations are known, and the measures to remove "
             "them are described below.")),
    "C": (_l("first measures taken"),
          _l("There is no complete evaluation yet. The first measures have been taken and a "
             "complete evaluation is planned within six months.")),
    "D": (_l("not compliant"),
          _l("Koers does not meet the requirements of the Besluit: there is no complete "
             "evaluation, and none is planned.")),
    "E": (_l("no insight"),
          _l("Accessibility has not been evaluated yet and the statement is not complete, so "
             "there is no insight into how accessible Koers is.")),
}
#: The status when the table or its ``status`` is missing: nothing is known yet.
UNKNOWN_STATUS = "E"


@bp.route("/toegankelijkheid")
@public
def accessibility_statement() -> str:
    statement: Mapping[str, Any] = current_app.config["KOERS_MUNICIPALITY"].accessibility
    letter = statement.get("status", UNKNOWN_STATUS)
    label, meaning = STATUSES[letter]
    return render_template(
        "main/accessibility.html", statement=statement, configured=bool(statement),
        letter=letter, status_label=label, status_meaning=meaning,
        report_url=_web_address(statement.get("report_url")))


def _web_address(url: str | None) -> str | None:
    """The report's address as a link target only when it is a web address (never
    ``javascript:``); anything else is shown as text."""
    if url and urlsplit(url.strip()).scheme in ("http", "https"):
        return url.strip()
    return None
