"""The stakeholder picker: one form field, used wherever a form chooses stakeholders from the
register (a membership's organisation, an action's trekker and partners, an input's sender
and co-signatories, an involvement).

It offers the register's stakeholders matching a search (:func:`services.list_query`, so
erased persons never appear), at most ``limit`` at once, *plus* the ones already chosen —
stored on the record or just submitted — so a choice beyond the first page survives a
redisplay. Validation never trusts the offered list: every chosen id is checked against the
register (it exists, is not erased and is of the wanted kind) and refused with an error
beside the field. Rendered by ``macros/picker.html``; works without JavaScript (the search is
a plain form).

A view needs nothing but the form::

    class MembershipForm(DomainForm):
        organisation = StakeholderPicker(_l("Organisation"), kind=Kind.ORGANISATION, ...)

    form = MembershipForm()
    if form.validate_on_submit():          # the chosen ids are checked here
        services.add_membership(person, form.organisation.chosen[0], ...)
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from flask import request
from sqlalchemy import select
from wtforms import Field, Form
from wtforms.validators import StopValidation

from app.database import db
from app.labels import label
from app.stakeholders import services
from app.stakeholders.models import Stakeholder
from app.translate import lazy_gettext as _l

#: Longest search text taken from a request (as the list page).
SEARCH_LENGTH = 200


class StakeholderPicker(Field):
    """Choose one stakeholder (``multiple=False``: ``data`` is an id or None) or several
    (``multiple=True``: ``data`` is a list of ids) from the register.

    ``kind`` limits the choice to persons or organisations; ``search`` names the request
    parameter with the search text (the search form's input); ``limit`` is how many matches
    are offered at once; with ``browse=False`` nothing but the chosen is offered until
    something is searched; ``describe`` words a choice (default: the name); ``refusal`` is
    the error for an id the register does not offer (unknown, erased, wrong kind). With
    ``keep_erased`` a stakeholder already stored on the record (the form's data) stays a
    valid choice — erased (shown as erased) or not of ``kind`` (set by a service or an
    import) — so editing a record does not force dropping it."""

    def __init__(self, label: Any = None, validators: Sequence[Any] | None = None, *,
                 multiple: bool = False, kind: str = "", search: str | None = None,
                 limit: int = 20, browse: bool = True, include_archived: bool = False,
                 describe: Callable[[Stakeholder], str] | None = None,
                 refusal: Any = None, keep_erased: bool = False, **kwargs: Any) -> None:
        super().__init__(label, validators, **kwargs)
        self.multiple, self.kind, self.limit, self.browse = multiple, kind, limit, browse
        self.search_name = search or f"{self.name}-q"
        self.include_archived = include_archived
        self.describe = describe or services.display_name
        self.refusal = refusal or _l("Choose a stakeholder from the register.")
        self.keep_erased = keep_erased
        self.ids: list[int] = []
        self.stored: set[int] = set()
        self.malformed = False
        self._offered: list[Stakeholder] | None = None
        self._valid: dict[int, Stakeholder] | None = None

    # --- data -------------------------------------------------------------------------

    def _take(self, values: Iterable[Any]) -> None:
        ids: list[int] = []
        self.malformed = False
        for value in values:
            text = str(value).strip()
            if text.isdigit():
                if int(text) not in ids:
                    ids.append(int(text))
            elif text:
                self.malformed = True
        self.ids = ids if self.multiple else ids[:1]
        self.data = list(self.ids) if self.multiple else (self.ids[0] if self.ids else None)
        self._offered = self._valid = None

    def process_data(self, value: Any) -> None:
        if value is None:
            self._take([])
        elif isinstance(value, list | tuple | set):
            self._take(value)
        else:
            self._take([getattr(value, "id", value)])
        self.stored = set(self.ids)  # what the record holds, before anything is submitted

    def process_formdata(self, valuelist: list[Any]) -> None:
        self._take(valuelist)

    # --- the register -----------------------------------------------------------------

    @property
    def search(self) -> str:
        """The search text of this request ('' outside a request or when none was given)."""
        return request.values.get(self.search_name, "").strip()[:SEARCH_LENGTH]

    def _fits(self, stakeholder: Stakeholder) -> bool:
        if self.keep_erased and stakeholder.id in self.stored:
            return True  # the record's own choice (erased since, or set outside this form)
        return not stakeholder.is_erased and (not self.kind or stakeholder.kind == self.kind)

    def valid(self) -> dict[int, Stakeholder]:
        """The chosen ids the register knows and offers here: id → stakeholder."""
        if self._valid is None:
            found = db.session.scalars(select(Stakeholder).where(
                Stakeholder.id.in_(self.ids)).options(*services.BARE)) if self.ids else []
            self._valid = {item.id: item for item in found if self._fits(item)}
        return self._valid

    @property
    def chosen(self) -> list[Stakeholder]:
        """The chosen stakeholders, in the order chosen (after validation: all of them)."""
        valid = self.valid()
        return [valid[i] for i in self.ids if i in valid]

    @property
    def offered(self) -> list[Stakeholder]:
        """What the form offers: the chosen first, then up to ``limit`` matches by name."""
        if self._offered is None:
            matches: list[Stakeholder] = []
            if self.browse or self.search:
                filters = services.Filters(q=self.search, kind=self.kind,
                                           include_archived=self.include_archived)
                matches = list(db.session.scalars(services.list_query(filters)
                                                  .options(*services.BARE).limit(self.limit)))
            chosen = sorted(self.chosen, key=lambda item: (item.sort_name, item.id))
            self._offered = [*chosen, *(item for item in matches if item not in chosen)]
            self.more = len(matches) >= self.limit
        return self._offered

    more = False  # True when the search found more than ``limit`` (set by ``offered``)

    @property
    def choices(self) -> list[tuple[int, str]]:
        """The offered stakeholders as (id, words), for templates and tests."""
        return [(item.id, self.describe(item)) for item in self.offered]

    def is_chosen(self, stakeholder_id: int) -> bool:
        return stakeholder_id in self.ids

    # --- validation -------------------------------------------------------------------

    def pre_validate(self, form: Form) -> None:
        if self.malformed or set(self.ids) - self.valid().keys():
            raise StopValidation(str(self.refusal))

    def _value(self) -> str:
        return " ".join(str(i) for i in self.ids)


def name_and_kind(stakeholder: Stakeholder) -> str:
    """A choice worded with its kind, for pickers that offer persons and organisations:
    "Welzijn Koersdam (organisation)"."""
    return f"{services.display_name(stakeholder)} ({label('kind', stakeholder.kind)})"
