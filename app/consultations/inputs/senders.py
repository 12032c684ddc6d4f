"""Senders of written reactions: a sender typed in on the reaction's form becomes a
stakeholder in the register (legal ground "public task", audited by the register) in the same
transaction as the reaction — unless the register already knows someone with the same e-mail
address, or the same name and postcode: then nothing is created and the matches are named, so
the adviser picks the existing one instead of making a second.

How a sender is worded in the sender search (:func:`name_and_contact`) lives here too: name,
kind, address and e-mail, to tell namesakes apart.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from sqlalchemy import func, or_, select

from app.consultations.inputs.models import Input
from app.consultations.inputs.services import InputData, add_input
from app.consultations.models import Consultation
from app.consultations.rules import refuse_read_only_plan
from app.database import db
from app.errors import DomainError
from app.labels import label
from app.stakeholders import services as register
from app.stakeholders.models import LegalGround, Stakeholder
from app.stakeholders.services import StakeholderData
from app.translate import lazy_gettext as _l

#: The register's fields a new sender may give, and the form fields that hold them.
SENDER_FIELDS = {"name": "new_name", "kind": "new_kind", "email": "new_email",
                 "address": "new_address", "postcode": "new_postcode", "place": "new_place"}


def _postcode_key(column: Any) -> Any:
    return func.upper(func.replace(column, " ", ""))


def sender_matches(data: StakeholderData) -> list[Stakeholder]:
    """Stakeholders in the register (not erased, not archived) with the e-mail address of
    ``data`` (cleaned), or with its name and postcode (case, accents and spaces ignored)."""
    conditions = []
    if data.email:
        conditions.append(func.lower(Stakeholder.email) == data.email.lower())
    if data.postcode:
        conditions.append((Stakeholder.sort_name == register.normalise(data.name))
                          & (_postcode_key(Stakeholder.postcode)
                             == data.postcode.replace(" ", "").upper()))
    if not conditions:
        return []
    return list(db.session.scalars(
        select(Stakeholder).where(or_(*conditions), Stakeholder.anonymised_at.is_(None),
                                  Stakeholder.archived.is_(False))
        .options(*register.BARE).order_by(Stakeholder.sort_name, Stakeholder.id)))


def contact_line(stakeholder: Stakeholder) -> str:
    """Address and e-mail in one line ("Dorpsstraat 1, 9679 AB Scheemda, jan@example.nl");
    empty for an erased person."""
    if stakeholder.is_erased:
        return ""
    place = " ".join(part for part in (stakeholder.postcode, stakeholder.place) if part)
    return ", ".join(part for part in (stakeholder.address, place, stakeholder.email) if part)


def name_and_contact(stakeholder: Stakeholder) -> str:
    """A choice in the sender search: "Jan de Vries (person) — Dorpsstraat 1, 9679 AB
    Scheemda, jan@example.nl". An erased person shows as erased, nothing more."""
    name = f"{register.display_name(stakeholder)} ({label('kind', stakeholder.kind)})"
    contact = contact_line(stakeholder)
    return f"{name} — {contact}" if contact else name


def _cleaned_sender(sender: StakeholderData) -> StakeholderData:
    """The typed sender validated by the register, its refusals placed on the form's fields;
    always with the legal ground "public task" (the inspraak procedure itself)."""
    try:
        return replace(sender, legal_ground=LegalGround.PUBLIC_TASK.value,
                       categories=[], tags=[]).cleaned()
    except DomainError as error:
        raise DomainError(error.message, field=SENDER_FIELDS.get(error.field or "", "new_name")) \
            from error


def add_input_from_new_sender(consultation: Consultation, data: InputData,
                              sender: StakeholderData, *, actor: Any = None) -> Input:
    """Record ``data`` from a sender not yet in the register: the sender is added to the
    register and the input recorded in one go (the caller commits both, or neither). A likely
    duplicate — same e-mail, or same name and postcode — refuses, naming the matches."""
    refuse_read_only_plan(consultation)
    cleaned = _cleaned_sender(sender)
    matches = sender_matches(cleaned)
    if matches:
        raise DomainError(_l(
            "The register already has %(names)s. Choose the sender from the list instead of "
            "adding them again.",
            names="; ".join(name_and_contact(match) for match in matches)), field="new_name")
    stakeholder = register.create(cleaned, actor=actor)
    return add_input(consultation, replace(data, stakeholder_id=stakeholder.id), actor=actor)


def postcode_key(postcode: str | None) -> str:
    return (postcode or "").replace(" ", "").upper()


def candidates_for(senders: list[StakeholderData], batch: int = 500) -> list[Stakeholder]:
    """Everyone in the register (not erased, not archived) who may match one of ``senders``
    (cleaned) by :func:`sender_matches`'s rules — the same e-mail address or the same name —
    read with one query per ``batch`` addresses and names, for an import of many reactions.
    Which candidate matches which sender is :func:`match_in`'s work."""
    emails = sorted({s.email.lower() for s in senders if s.email})
    names = sorted({register.normalise(s.name) for s in senders if s.name})
    found: dict[int, Stakeholder] = {}
    for column, values in ((func.lower(Stakeholder.email), emails),
                           (Stakeholder.sort_name, names)):
        for start in range(0, len(values), batch):
            found.update((s.id, s) for s in db.session.scalars(
                select(Stakeholder).where(column.in_(values[start:start + batch]),
                                          Stakeholder.anonymised_at.is_(None),
                                          Stakeholder.archived.is_(False))
                .options(*register.BARE)))
    return sorted(found.values(), key=lambda s: (s.sort_name, s.id))


def match_in(sender: StakeholderData, candidates: list[Stakeholder]
             ) -> tuple[Stakeholder | None, list[Stakeholder]]:
    """The register's stakeholder ``sender`` (cleaned) is — by e-mail address, then by name and
    postcode — or None with its namesakes: people of the same name with another or no address,
    likely the same person, whom a new sender must not silently duplicate."""
    if sender.email:
        for candidate in candidates:
            if (candidate.email or "").lower() == sender.email.lower():
                return candidate, []
    name = register.normalise(sender.name)
    namesakes = [c for c in candidates if c.sort_name == name]
    if sender.postcode:
        for candidate in namesakes:
            if postcode_key(candidate.postcode) == postcode_key(sender.postcode):
                return candidate, []
    return None, namesakes
