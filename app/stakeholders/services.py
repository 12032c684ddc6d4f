"""Rules of the stakeholder register: validation, search, duplicates, merge, AVG export/erase.

References to a stakeholder are found by inspecting the foreign keys in the SQLAlchemy
metadata, so a merge, an export or an erasure covers tables that later core features or
plugins add, without code here knowing them.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_babel import force_locale
from sqlalchemy import Column, Select, and_, delete, func, insert, select, text, update
from sqlalchemy.orm import joinedload, lazyload, selectinload

from app import references
from app.audit.models import AuditEvent
from app.audit.services import audit, audit_many, recorded_changes
from app.database import db, utcnow
from app.errors import DomainError, check_version
from app.stakeholders.models import (
    Kind,
    LegalGround,
    Membership,
    SearchTerm,
    Stakeholder,
    StakeholderCategory,
    StakeholderTag,
)
from app.translate import lazy_gettext as _l

PHONE = re.compile(r"^\+?[0-9 ()\-]{6,20}$")
MAX_TAGS = 20


@dataclass(frozen=True)
class Category:
    """A stakeholder category. ``group`` is the participant group input defaults to:
    inwoner, partner, adviesraad, bestuur, medewerker or onbekend."""

    code: str
    label: Any
    group: str = "onbekend"


# --- categories -----------------------------------------------------------------------------

def categories() -> dict[str, Category]:
    """Every category: the core's and the enabled plugins' (``stakeholder_categories`` hook);
    where two define the same code, the earlier (first enabled plugin, core last) wins."""
    found: dict[str, Category] = {}
    manager = current_app.extensions["koers_plugins"]
    for _plugin, result in reversed(manager.call_each("stakeholder_categories")):
        for category in result or []:
            found[category.code] = category
    return dict(sorted(found.items(), key=lambda item: str(item[1].label).lower()))


# --- normalisation and validation -----------------------------------------------------------

def normalise(text: str | None) -> str:
    """Lower case, accents removed, spaces collapsed: 'Zoë  Çelik' -> 'zoe celik'."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(plain.lower().split())


def clean_email(email: str | None) -> str | None:
    email = (email or "").strip()
    if not email:
        return None
    try:
        return validate_email(email, check_deliverability=False).normalized.lower()
    except EmailNotValidError as error:
        raise DomainError(str(_l("“%(value)s” is not a valid e-mail address.", value=email)),
                          field="email") from error


def clean_phone(phone: str | None) -> str | None:
    phone = " ".join((phone or "").split())
    if not phone:
        return None
    digits = re.sub(r"\D", "", phone)
    if not PHONE.match(phone) or not 9 <= len(digits) <= 15:
        raise DomainError(str(_l("“%(value)s” is not a valid phone number.", value=phone)),
                          field="phone")
    return phone


def clean_tags(tags: Iterable[str]) -> list[str]:
    cleaned = sorted({" ".join(tag.split()).lower()[:64] for tag in tags if tag.strip()})
    if len(cleaned) > MAX_TAGS:
        raise DomainError(str(_l("Use at most %(count)d tags.", count=MAX_TAGS)), field="tags")
    return cleaned


def check_categories(codes: Iterable[str], known: Collection[str] | None = None) -> list[str]:
    """``known``: the category codes, when the caller looked them up once for many checks."""
    known = categories() if known is None else known
    codes = sorted(set(codes))
    unknown = [code for code in codes if code not in known]
    if unknown:
        raise DomainError(str(_l("Unknown category: %(codes)s.", codes=", ".join(unknown))),
                          field="categories")
    return codes


@dataclass
class StakeholderData:
    """What a form or an import row says about a stakeholder."""

    name: str
    kind: str = Kind.PERSON.value
    email: str | None = None
    phone: str | None = None
    address: str | None = None
    postcode: str | None = None
    place: str | None = None
    website: str | None = None
    notes: str | None = None
    categories: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    legal_ground: str = LegalGround.PUBLIC_TASK.value
    consent_purpose: str | None = None
    consent_date: date | None = None
    consent_source: str | None = None
    retention_until: date | None = None

    def cleaned(self, known_categories: Collection[str] | None = None) -> StakeholderData:
        """A validated copy; raises DomainError naming the field."""
        name = " ".join((self.name or "").split())
        if not name:
            raise DomainError(str(_l("Enter a name.")), field="name")
        if self.kind not in (Kind.PERSON, Kind.ORGANISATION):
            raise DomainError(str(_l("Choose person or organisation.")), field="kind")
        if self.legal_ground == LegalGround.CONSENT and not (
                self.consent_purpose and self.consent_date and self.consent_source):
            raise DomainError(str(_l("Consent needs its purpose, date and source.")),
                              field="consent_purpose")
        if self.legal_ground not in (LegalGround.PUBLIC_TASK, LegalGround.CONSENT):
            raise DomainError(str(_l("Choose a legal ground.")), field="legal_ground")
        return StakeholderData(
            name=name[:200], kind=self.kind, email=clean_email(self.email),
            phone=clean_phone(self.phone), address=_text(self.address, 200),
            postcode=_text(self.postcode, 10), place=_text(self.place, 100),
            website=_text(self.website, 300), notes=_text(self.notes, 10000),
            categories=check_categories(self.categories, known_categories),
            tags=clean_tags(self.tags),
            legal_ground=self.legal_ground, consent_purpose=_text(self.consent_purpose, 300),
            consent_date=self.consent_date, consent_source=_text(self.consent_source, 300),
            retention_until=self.retention_until)


def _text(value: str | None, limit: int) -> str | None:
    value = (value or "").strip()
    return value[:limit] or None


# --- create and update ----------------------------------------------------------------------

_PLAIN_FIELDS = ("name", "kind", "email", "phone", "address", "postcode", "place", "website",
                 "notes", "legal_ground", "consent_purpose", "consent_date", "consent_source",
                 "retention_until")


def _apply(stakeholder: Stakeholder, data: StakeholderData) -> None:
    for name in _PLAIN_FIELDS:
        setattr(stakeholder, name, getattr(data, name))
    stakeholder.sort_name = normalise(data.name)
    if sorted(stakeholder.category_codes) != data.categories:
        stakeholder.categories = [StakeholderCategory(code=code) for code in data.categories]
    if stakeholder.tag_names != data.tags:
        stakeholder.tags = [StakeholderTag(tag=tag) for tag in data.tags]


def create(data: StakeholderData, *, actor: Any = None) -> Stakeholder:
    data = data.cleaned()
    stakeholder = Stakeholder(kind=data.kind, name=data.name, sort_name=normalise(data.name))
    _apply(stakeholder, data)
    db.session.add(stakeholder)
    db.session.flush()
    refresh_search_terms(stakeholder)
    audit("create", stakeholder, actor=actor, changes=_creation_changes(data))
    return stakeholder


def _creation_changes(data: StakeholderData) -> dict[str, Any]:
    return {key: {} for key in _PLAIN_FIELDS if getattr(data, key) is not None} | {
        "categories": {"old": None, "new": ", ".join(data.categories)}}


BATCH = 500


def create_many(items: Sequence[StakeholderData], *, actor: Any = None) -> list[Stakeholder]:
    """Create many stakeholders as :func:`create` creates one — validated, findable, each
    audited — with one category lookup and one flush per :data:`BATCH` (for imports)."""
    known = set(categories())
    cleaned = [item.cleaned(known) for item in items]
    created: list[Stakeholder] = []
    for start in range(0, len(cleaned), BATCH):
        chunk = cleaned[start:start + BATCH]
        stakeholders = [Stakeholder(sort_name=normalise(data.name),
                                    **{name: getattr(data, name) for name in _PLAIN_FIELDS})
                        for data in chunk]
        db.session.add_all(stakeholders)
        db.session.flush()
        # Categories, tags and search terms as plain rows: far faster than ORM objects.
        for model, rows in (
                (StakeholderCategory, [{"stakeholder_id": s.id, "code": code}
                                       for s, data in zip(stakeholders, chunk, strict=True)
                                       for code in data.categories]),
                (StakeholderTag, [{"stakeholder_id": s.id, "tag": tag}
                                  for s, data in zip(stakeholders, chunk, strict=True)
                                  for tag in data.tags]),
                (SearchTerm, [{"stakeholder_id": s.id, "term": term}
                              for s in stakeholders for term in _own_terms(s)])):
            _insert_rows(model, rows)
        audit_many("create", [(stakeholder, _creation_changes(data)) for stakeholder, data
                              in zip(stakeholders, chunk, strict=True)], actor=actor)
        created += stakeholders
    db.session.flush()
    return created


def _insert_rows(model: Any, rows: list[dict[str, Any]]) -> None:
    """Many plain rows (all with the same keys) in as few statements as the database allows:
    on PostgreSQL one ``INSERT … SELECT FROM unnest(arrays)``, elsewhere an executemany."""
    if not rows:
        return
    dialect = db.session.get_bind().dialect
    if dialect.name != "postgresql":
        db.session.execute(insert(model.__table__), rows)
        return
    table = model.__table__
    columns = [table.c[key] for key in rows[0]]
    arrays = ", ".join(f"CAST(:{column.key} AS {column.type.compile(dialect)}[])"
                       for column in columns)
    names = ", ".join(column.name for column in columns)
    db.session.execute(text(f"INSERT INTO {table.name} ({names}) "  # noqa: S608 - metadata
                            f"SELECT * FROM unnest({arrays})"),
                       {column.key: [row[column.key] for row in rows] for column in columns})


def update_stakeholder(stakeholder: Stakeholder, data: StakeholderData, *,
                       expected_version: int | None = None, actor: Any = None) -> None:
    """Save changes; a stale ``expected_version`` raises :class:`~app.errors.EditConflict`."""
    if stakeholder.is_erased:
        raise DomainError(str(_l("This person has been erased and cannot be changed.")))
    check_version(stakeholder, expected_version)
    data = data.cleaned()
    old_categories = ", ".join(stakeholder.category_codes)
    old_tags = ", ".join(stakeholder.tag_names)
    with recorded_changes(stakeholder, Stakeholder.personal_fields,
                          {"version", "updated_at"}) as changes:
        _apply(stakeholder, data)
    if old_categories != ", ".join(data.categories):
        changes["categories"] = {"old": old_categories, "new": ", ".join(data.categories)}
    if old_tags != ", ".join(data.tags):
        changes["tags"] = {}  # tags can say something about a person: no values
    if changes:
        db.session.flush()
        refresh_search_terms(stakeholder)
        audit("update", stakeholder, actor=actor, changes=changes)


def set_archived(stakeholder: Stakeholder, archived: bool, *, actor: Any = None) -> None:
    if stakeholder.archived != archived:
        stakeholder.archived = archived
        audit("archive" if archived else "unarchive", stakeholder, actor=actor,
              changes={"archived": {"old": not archived, "new": archived}})


def add_membership(person: Stakeholder, organisation: Stakeholder, *, function: str | None = None,
                   is_contact: bool = False, actor: Any = None) -> Membership:
    if not person.is_person or organisation.is_person:
        raise DomainError(str(_l("Only a person can be a member of an organisation.")),
                          field="organisation")
    existing = db.session.scalar(select(Membership).where(
        Membership.person_id == person.id, Membership.organisation_id == organisation.id))
    if existing is not None:
        existing.function, existing.is_contact = _text(function, 200), is_contact
        membership = existing
    else:
        membership = Membership(person_id=person.id, organisation_id=organisation.id,
                                function=_text(function, 200), is_contact=is_contact)
        db.session.add(membership)
    db.session.flush()
    refresh_search_terms(person)
    audit("add_membership", person, actor=actor,
          changes={"organisation": {"old": None, "new": organisation.id}})
    return membership


def add_memberships(links: Sequence[tuple[Stakeholder, Stakeholder, str | None]], *,
                    actor: Any = None) -> int:
    """:func:`add_membership` for many (person, organisation, function) links at once, with a
    bounded number of queries per :data:`BATCH` (for imports); returns how many were added
    or updated."""
    for person, organisation, _function in links:
        if not person.is_person or organisation.is_person:
            raise DomainError(str(_l("Only a person can be a member of an organisation.")),
                              field="organisation")
    for start in range(0, len(links), BATCH):
        chunk = links[start:start + BATCH]
        person_ids = sorted({person.id for person, _organisation, _function in chunk})
        existing = {(m.person_id, m.organisation_id): m for m in db.session.scalars(
            select(Membership).where(Membership.person_id.in_(person_ids)))}
        new: dict[tuple[int, int], dict[str, Any]] = {}
        for person, organisation, function in chunk:
            key = (person.id, organisation.id)
            if key in existing:
                existing[key].function, existing[key].is_contact = _text(function, 200), False
            else:
                new[key] = {"person_id": person.id, "organisation_id": organisation.id,
                            "function": _text(function, 200), "is_contact": False}
        _insert_rows(Membership, list(new.values()))
        db.session.flush()
        people = {person.id: person for person, _organisation, _function in chunk}
        organisation_names: dict[int, list[str]] = {pid: [] for pid in people}
        for person_id, sort_name in db.session.execute(
                select(Membership.person_id, Stakeholder.sort_name)
                .join(Stakeholder, Membership.organisation_id == Stakeholder.id)
                .where(Membership.person_id.in_(person_ids))):
            organisation_names[person_id].append(sort_name)
        db.session.execute(delete(SearchTerm).where(SearchTerm.stakeholder_id.in_(person_ids)))
        terms = []
        for person_id, person in people.items():
            words = _own_terms(person) if not person.is_erased else set()
            for name in organisation_names[person_id] if words else []:
                words |= set(name.split()) | {name}
            terms += [{"stakeholder_id": person_id, "term": word[:254]} for word in words if word]
        _insert_rows(SearchTerm, terms)
        audit_many("add_membership", [
            (person, {"organisation": {"old": None, "new": organisation.id}})
            for person, organisation, _function in chunk], actor=actor)
    return len(links)


def remove_membership(membership: Membership, *, actor: Any = None) -> None:
    person = membership.person
    organisation_id = membership.organisation_id
    db.session.delete(membership)
    db.session.flush()
    refresh_search_terms(person)
    audit("remove_membership", person, actor=actor,
          changes={"organisation": {"old": organisation_id, "new": None}})


# --- search and lists -----------------------------------------------------------------------

def _own_terms(stakeholder: Stakeholder) -> set[str]:
    """The words of the stakeholder's own name and e-mail address."""
    words = set(stakeholder.sort_name.split())
    if stakeholder.sort_name:
        words.add(stakeholder.sort_name)
    if stakeholder.email:
        words.add(stakeholder.email.lower())
    return {word[:254] for word in words if word}


def _terms_for(stakeholder: Stakeholder) -> set[str]:
    words = _own_terms(stakeholder)
    if stakeholder.is_person and stakeholder.id is not None:
        organisations = db.session.scalars(
            select(Stakeholder.sort_name).join(Membership, Membership.organisation_id ==
                                               Stakeholder.id)
            .where(Membership.person_id == stakeholder.id)).all()
        for organisation in organisations:
            words |= set(organisation.split()) | {organisation}
    return {word[:254] for word in words if word}


def refresh_search_terms(stakeholder: Stakeholder) -> None:
    db.session.execute(delete(SearchTerm).where(SearchTerm.stakeholder_id == stakeholder.id))
    if not stakeholder.is_erased:
        db.session.add_all(SearchTerm(stakeholder_id=stakeholder.id, term=term)
                           for term in _terms_for(stakeholder))
    if not stakeholder.is_person and stakeholder.id is not None:
        # Members are found by their organisation's name: refresh them too.
        members = db.session.scalars(select(Stakeholder).join(
            Membership, Membership.person_id == Stakeholder.id).where(
            Membership.organisation_id == stakeholder.id)).all()
        for member in members:
            db.session.execute(delete(SearchTerm).where(SearchTerm.stakeholder_id == member.id))
            db.session.add_all(SearchTerm(stakeholder_id=member.id, term=term)
                               for term in _terms_for(member))


def _prefix_range(column: Column[str] | Any, prefix: str) -> Any:
    """``column`` starts with ``prefix``, as a range an ordinary B-tree index serves."""
    return and_(column >= prefix, column < prefix + "\uffff")


#: Options for lists of stakeholders that show names only: categories and tags not loaded.
BARE = (lazyload(Stakeholder.categories), lazyload(Stakeholder.tags))
#: What :func:`display_name` reads: for long lists that show names and link to the record
#: (a programme's trekkers and partners), with ``BARE``. Other columns load when first read.
NAME_COLUMNS = (Stakeholder.id, Stakeholder.kind, Stakeholder.name, Stakeholder.sort_name,
                Stakeholder.anonymised_at)


@dataclass
class Filters:
    q: str = ""
    kind: str = ""
    category: str = ""
    tag: str = ""
    organisation_id: int | None = None
    include_archived: bool = False


def list_query(filters: Filters) -> Select[tuple[Stakeholder]]:
    """Stakeholders matching ``filters``, by name; erased persons never appear."""
    query = select(Stakeholder).where(Stakeholder.anonymised_at.is_(None))
    if not filters.include_archived:
        query = query.where(Stakeholder.archived.is_(False))
    if filters.kind in (Kind.PERSON, Kind.ORGANISATION):
        query = query.where(Stakeholder.kind == filters.kind)
    if filters.category:
        query = query.where(Stakeholder.id.in_(select(StakeholderCategory.stakeholder_id).where(
            StakeholderCategory.code == filters.category)))
    if filters.tag:
        query = query.where(Stakeholder.id.in_(select(StakeholderTag.stakeholder_id).where(
            StakeholderTag.tag == filters.tag.strip().lower())))
    if filters.organisation_id:
        query = query.where(Stakeholder.id.in_(select(Membership.person_id).where(
            Membership.organisation_id == filters.organisation_id)))
    for word in normalise(filters.q).split()[:5]:
        query = query.where(Stakeholder.id.in_(select(SearchTerm.stakeholder_id).where(
            _prefix_range(SearchTerm.term, word))))
    return query.order_by(Stakeholder.sort_name, Stakeholder.id)


def memberships_of(stakeholder_ids: Sequence[int]) -> dict[int, list[Membership]]:
    """Memberships of many persons in one query (for list pages): with the persons and the
    organisations, but not their categories and tags (those would add queries)."""
    result: dict[int, list[Membership]] = {sid: [] for sid in stakeholder_ids}
    if stakeholder_ids:
        bare = (lazyload(Stakeholder.categories), lazyload(Stakeholder.tags))
        for membership in db.session.scalars(select(Membership).where(
                Membership.person_id.in_(stakeholder_ids)).options(
                joinedload(Membership.person).options(*bare),
                joinedload(Membership.organisation).options(*bare))):
            result[membership.person_id].append(membership)
    return result


def get(stakeholder_id: int) -> Stakeholder | None:
    return db.session.get(Stakeholder, stakeholder_id)


def members(organisation: Stakeholder) -> list[Membership]:
    return list(db.session.scalars(
        select(Membership).join(Membership.person)
        .where(Membership.organisation_id == organisation.id,
               Stakeholder.anonymised_at.is_(None))
        .order_by(Stakeholder.sort_name)))


# --- duplicates and merging -----------------------------------------------------------------

@dataclass(frozen=True)
class DuplicatePair:
    first: Stakeholder
    second: Stakeholder
    reason: str


#: How alike two names in one organisation must be (difflib's ratio) to be flagged.
SIMILAR_NAME = 0.85


def likely_duplicates(limit: int = 100) -> list[DuplicatePair]:
    """Same e-mail address; or a similar name within the same organisation.

    Works on (id, name) tuples, not loaded records, and compares two names only when they
    share a word ("J. Bakker" and "Jan Bakker" share "bakker"), so a register of 50,000 with
    organisations of hundreds of members is searched in well under a second. Three queries,
    whatever the register's size."""
    active = and_(Stakeholder.anonymised_at.is_(None), Stakeholder.archived.is_(False))
    found: dict[tuple[int, int], str] = {}
    reason_email = str(_l("same e-mail address"))
    emails = select(Stakeholder.email).where(active, Stakeholder.email.is_not(None)) \
        .group_by(Stakeholder.email).having(func.count() > 1).limit(limit)
    by_email: dict[str, list[int]] = {}
    for stakeholder_id, email in db.session.execute(
            select(Stakeholder.id, Stakeholder.email)
            .where(active, Stakeholder.email.in_(emails))
            .order_by(Stakeholder.email, Stakeholder.id)):
        by_email.setdefault(email, []).append(stakeholder_id)
    for ids in by_email.values():
        for other in ids[1:]:
            found.setdefault((ids[0], other), reason_email)

    reason_name = str(_l("similar name in the same organisation"))
    members: dict[int, list[tuple[int, str]]] = {}
    for organisation_id, person_id, sort_name in db.session.execute(
            select(Membership.organisation_id, Stakeholder.id, Stakeholder.sort_name)
            .join(Stakeholder, Membership.person_id == Stakeholder.id).where(active)
            .order_by(Membership.organisation_id, Stakeholder.id)):
        members.setdefault(organisation_id, []).append((person_id, sort_name))
    for people in members.values():
        if len(found) >= limit:
            break
        for first, second in _similar_names(people):
            found.setdefault((first, second), reason_name)

    pairs = list(found.items())[:limit]
    wanted = {stakeholder_id for pair, _reason in pairs for stakeholder_id in pair}
    records = {s.id: s for s in db.session.scalars(
        select(Stakeholder).where(Stakeholder.id.in_(wanted))
        .options(lazyload(Stakeholder.categories), lazyload(Stakeholder.tags)))}
    return [DuplicatePair(records[first], records[second], reason)
            for (first, second), reason in pairs]


#: Words many names share without making them alike ("de" in "Anna de Vries").
_PARTICLES = frozenset({"de", "van", "der", "den", "het", "ter", "ten", "te", "op", "in",
                        "la", "le", "du", "von", "jr", "sr"})


def _similar_names(people: Sequence[tuple[int, str]]) -> Iterator[tuple[int, int]]:
    """Pairs (lower id first) of people whose names share a word and are alike."""
    by_word: dict[str, list[tuple[int, str]]] = {}
    for person in people:
        for word in set(person[1].replace(".", " ").split()):
            if len(word) > 1 and word not in _PARTICLES:
                by_word.setdefault(word, []).append(person)
    compared: set[tuple[int, int]] = set()
    for group in by_word.values():
        for index, (first_id, first_name) in enumerate(group):
            matcher = difflib.SequenceMatcher(None, "", first_name)  # caches its 2nd
            for second_id, second_name in group[index + 1:]:
                key = (min(first_id, second_id), max(first_id, second_id))
                if key in compared:
                    continue
                compared.add(key)
                matcher.set_seq1(second_name)
                if matcher.real_quick_ratio() >= SIMILAR_NAME and \
                        matcher.quick_ratio() >= SIMILAR_NAME and \
                        matcher.ratio() >= SIMILAR_NAME:
                    yield key


def referencing_columns() -> list[Column[Any]]:
    """Every column in the metadata (core and plugins) with a foreign key to a stakeholder."""
    return references.referencing_columns("stakeholders")


_existing_tables = references.existing_tables


@dataclass
class MergePreview:
    source: Stakeholder
    target: Stakeholder
    references: list[tuple[str, str, int]]  # (table, column, rows)
    filled_fields: list[str]


def _check_merge(source: Stakeholder, target: Stakeholder) -> None:
    if source.id == target.id:
        raise DomainError(str(_l("A stakeholder cannot be merged into itself.")))
    if source.is_erased or target.is_erased:
        raise DomainError(str(_l("An erased person cannot be merged.")))
    if source.kind != target.kind:
        raise DomainError(str(_l("A person and an organisation cannot be merged.")))


def merge_preview(source: Stakeholder, target: Stakeholder) -> MergePreview:
    _check_merge(source, target)
    found = references.references("stakeholders", source.id)
    filled = [name for name in ("email", "phone", "address", "postcode", "place", "website",
                                "notes", "retention_until")
              if getattr(target, name) in (None, "") and getattr(source, name) not in (None, "")]
    return MergePreview(source, target, found, filled)


def merge(source: Stakeholder, target: Stakeholder, *, actor: Any = None) -> MergePreview:
    """Merge ``source`` into ``target``: every reference to ``source`` points to ``target``,
    empty fields of ``target`` are filled from ``source``, and ``source`` is removed."""
    preview = merge_preview(source, target)
    existing = _existing_tables()
    for column in referencing_columns():
        table = column.table
        if table.name not in existing or table.name == "stakeholder_search_terms":
            continue
        _repoint(table, column, source.id, target.id)
    with recorded_changes(target, Stakeholder.personal_fields, {"version", "updated_at"}) \
            as changes:
        for name in preview.filled_fields:
            setattr(target, name, getattr(source, name))
    source_id = source.id
    db.session.expire(target, ["categories", "tags"])
    db.session.execute(delete(SearchTerm).where(SearchTerm.stakeholder_id == source_id))
    db.session.flush()
    db.session.expunge(source)
    db.session.execute(delete(Stakeholder).where(Stakeholder.id == source_id))
    db.session.flush()
    db.session.refresh(target)
    refresh_search_terms(target)
    changes["merged_from"] = {"old": None, "new": source_id}
    audit("merge", target, actor=actor, changes=changes)
    audit("merged_into", ("stakeholders", source_id), actor=actor,
          changes={"merged_into": {"old": None, "new": target.id}})
    return preview


def _repoint(table: Any, column: Column[Any], source_id: int, target_id: int) -> None:
    """Point ``column`` from source to target; rows that would then collide with a row the
    target already has (same key) are dropped, since the target already carries that link."""
    keys = [set(c.name for c in constraint.columns) for constraint in table.constraints
            if constraint.__class__.__name__ in ("PrimaryKeyConstraint", "UniqueConstraint")]
    keys = [key for key in keys if column.name in key and len(key) > 1]
    for key in keys:
        others = [table.c[name] for name in key if name != column.name]
        target_rows = select(*others).where(column == target_id)
        rows = db.session.execute(target_rows).all()
        for row in rows:
            db.session.execute(delete(table).where(
                column == source_id, *[other == value for other, value in zip(others, row,
                                                                               strict=True)]))
    db.session.execute(update(table).where(column == source_id).values({column.name: target_id}))
    self_links = [c for c in table.columns if c is not column and any(
        fk.column.table.name == "stakeholders" for fk in c.foreign_keys)]
    for other in self_links:  # e.g. a membership of the target in itself after merging
        db.session.execute(delete(table).where(column == target_id, other == target_id))


# --- personal data (AVG) --------------------------------------------------------------------

def _json(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)


def export_person(stakeholder: Stakeholder) -> dict[str, Any]:
    """Everything the register holds about one stakeholder, following the foreign keys."""
    if stakeholder.is_erased:
        raise DomainError(str(_l("This person has been erased; nothing is left to export.")))
    record = {column.name: _json(getattr(stakeholder, column.key))
              for column in Stakeholder.__table__.columns}
    linked: dict[str, list[dict[str, Any]]] = {}
    existing = _existing_tables()
    for column in referencing_columns():
        if column.table.name not in existing or column.table.name == "stakeholder_search_terms":
            continue
        rows = db.session.execute(select(column.table).where(column == stakeholder.id)).all()
        if rows:
            linked.setdefault(f"{column.table.name}.{column.name}", []).extend(
                {key: _json(value) for key, value in row._mapping.items()} for row in rows)
            _export_children(column.table, rows, linked, existing)
    events = db.session.scalars(select(AuditEvent).where(
        AuditEvent.entity_type == "stakeholders",
        AuditEvent.entity_id == str(stakeholder.id)).order_by(AuditEvent.id)).all()
    return {
        "exported_at": utcnow().isoformat(),
        "stakeholder": record,
        "linked": linked,
        "history": [{"at": e.occurred_at.isoformat(), "action": e.action,
                     "fields": sorted(e.changes)} for e in events],
    }


def _export_children(parent: Any, rows: Any, linked: dict[str, list[dict[str, Any]]],
                     existing: set[str]) -> None:
    """Rows of tables flagged ``info={"export_with_parent": True}`` (such as the attachments
    of a person's input) that refer to the exported ``rows``: found through the metadata, so
    this area imports no other."""
    keys = [column for column in parent.primary_key.columns]
    if len(keys) != 1:
        return
    ids = [row._mapping[keys[0].name] for row in rows]
    for column in references.referencing_columns(parent.name):
        table = column.table
        if not table.info.get("export_with_parent") or table.name not in existing:
            continue
        for row in db.session.execute(select(table).where(column.in_(ids))):
            linked.setdefault(table.name, []).append(
                {key: _json(value) for key, value in row._mapping.items()})


ERASED_FIELDS = ("email", "phone", "address", "postcode", "place", "website", "notes",
                 "consent_purpose", "consent_source", "consent_date")

#: What other areas clear when a person is erased — copies of the person's data they keep
#: (letters with a name and address, say). The register cannot know them and must not import
#: those areas, so they register here: ``@on_erase`` on a function taking the stakeholder,
#: called inside the erasure's transaction before the register clears its own fields, so a
#: handler can still find the person's name and address in its text (see :func:`redact`).
ErasureHandler = Callable[[Stakeholder], None]
_erasure_handlers: list[ErasureHandler] = []

#: Parts of a name too common to be removed from a text on their own.
_NAME_PARTICLES = frozenset({"van", "der", "den", "het", "ter", "ten", "von", "del", "dos",
                             "das", "bin", "ben", "les"})


def on_erase(handler: ErasureHandler) -> ErasureHandler:
    if handler not in _erasure_handlers:
        _erasure_handlers.append(handler)
    return handler


def erased_marker() -> str:
    """What stands in a text where an erased person's name was, in the municipality's
    language (the text is stored, whoever reads it later)."""
    with force_locale(current_app.config["KOERS_MUNICIPALITY"].locale):
        return str(_l("[erased]"))


def redact(text: str | None, stakeholder: Stakeholder) -> str | None:
    """``text`` with the person's name, the words of that name, e-mail address, phone number
    and address replaced by :func:`erased_marker` (for erasure handlers: the person's own
    words in a letter, say, are kept without what identifies them)."""
    if not text:
        return text
    values = [stakeholder.name, stakeholder.email, stakeholder.phone, stakeholder.address]
    values += [word for word in (stakeholder.name or "").split()
               if len(word.strip(".,'")) >= 3 and word.lower() not in _NAME_PARTICLES]
    found = sorted({value.strip() for value in values if value and value.strip()},
                   key=len, reverse=True)
    if not found:
        return text
    pattern = re.compile(r"(?<!\w)(?:" + "|".join(re.escape(value) for value in found) +
                         r")(?!\w)", re.IGNORECASE)
    return pattern.sub(erased_marker(), text)


def erase(stakeholder: Stakeholder, *, actor: Any = None, reason: str = "request") -> None:
    """Remove name and contact details; what refers to the person stays, unattributed."""
    if stakeholder.is_erased:
        raise DomainError(str(_l("This person has already been erased.")))
    if not stakeholder.is_person:
        raise DomainError(str(_l("Only persons are erased; archive an organisation instead.")))
    for handler in _erasure_handlers:
        handler(stakeholder)
    # A function at an organisation is free text that often carries the name ("Secretaris
    # Dijkstra"); the membership itself stays, as the organisation's record of it.
    for membership in db.session.scalars(select(Membership).where(
            Membership.person_id == stakeholder.id)):
        membership.function = None
    stakeholder.name = ""
    stakeholder.sort_name = ""
    for name in ERASED_FIELDS:
        setattr(stakeholder, name, None)
    stakeholder.tags = []
    stakeholder.anonymised_at = utcnow()
    db.session.execute(delete(SearchTerm).where(SearchTerm.stakeholder_id == stakeholder.id))
    db.session.flush()
    # The event says that, when and why — never what was erased.
    audit("erase", stakeholder, actor=actor,
          changes={"reason": {"old": None, "new": reason}})


def past_retention(today: date | None = None) -> list[Stakeholder]:
    today = today or date.today()
    return list(db.session.scalars(select(Stakeholder).where(
        Stakeholder.kind == Kind.PERSON, Stakeholder.anonymised_at.is_(None),
        Stakeholder.retention_until.is_not(None), Stakeholder.retention_until < today)
        .order_by(Stakeholder.retention_until, Stakeholder.id)))


def apply_retention(today: date | None = None) -> list[int]:
    erased = []
    for stakeholder in past_retention(today):
        erase(stakeholder, reason="retention")
        erased.append(stakeholder.id)
    return erased


def display_name(stakeholder: Stakeholder) -> str:
    if stakeholder.is_erased:
        return str(_l("Erased person"))
    return stakeholder.name


def load_with_details(stakeholder_id: int) -> Stakeholder | None:
    return db.session.get(Stakeholder, stakeholder_id, options=[
        selectinload(Stakeholder.categories), selectinload(Stakeholder.tags)])
