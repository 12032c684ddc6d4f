from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.database import UTCDateTime, db, utcnow


class Kind(StrEnum):
    PERSON = "person"
    ORGANISATION = "organisation"


class LegalGround(StrEnum):
    PUBLIC_TASK = "public_task"  # AVG art. 6(1)(e): the inspraak procedure itself
    CONSENT = "consent"  # optional extras such as a topic mailing list


class Stakeholder(db.Model):
    """A person or an organisation that takes part in the municipality's policy work.

    Never deleted while others refer to it: archived instead. A person can be erased (AVG):
    name and contact details are removed and ``anonymised_at`` is set; what refers to the
    record stays, without attribution.
    """

    __tablename__ = "stakeholders"
    __table_args__ = (
        CheckConstraint("kind in ('person', 'organisation')", name="kind_known"),
        CheckConstraint("legal_ground in ('public_task', 'consent')", name="legal_ground_known"),
        Index("ix_stakeholders_sort_name", "sort_name", "id"),
        Index("ix_stakeholders_email", "email"),
        Index("ix_stakeholders_retention_until", "retention_until"),
    )
    __mapper_args__ = {"version_id_col": "version"}
    #: Personal data and free text: the audit trail records that these changed, not values.
    #: (A person's own website usually carries their name; the trail cannot be erased.)
    personal_fields = frozenset({"name", "sort_name", "email", "phone", "address", "postcode",
                                 "place", "website", "notes", "consent_purpose",
                                 "consent_source"})

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), default=Kind.PERSON.value)
    name: Mapped[str] = mapped_column(String(200))
    # lower case, accents removed: for sorting and duplicate detection
    sort_name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(40))
    address: Mapped[str | None] = mapped_column(String(200))
    postcode: Mapped[str | None] = mapped_column(String(10))
    place: Mapped[str | None] = mapped_column(String(100))
    website: Mapped[str | None] = mapped_column(String(300))
    notes: Mapped[str | None] = mapped_column(Text)
    legal_ground: Mapped[str] = mapped_column(String(16), default=LegalGround.PUBLIC_TASK.value)
    consent_purpose: Mapped[str | None] = mapped_column(String(300))
    consent_date: Mapped[date | None] = mapped_column(Date)
    consent_source: Mapped[str | None] = mapped_column(String(300))
    retention_until: Mapped[date | None] = mapped_column(Date)
    archived: Mapped[bool] = mapped_column(Boolean, default=False)
    anonymised_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer, default=1)
    # Optimistic locking: an UPDATE for a stale version fails instead of overwriting.
    __mapper_args__ = {"version_id_col": version}
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    categories: Mapped[list[StakeholderCategory]] = relationship(
        back_populates="stakeholder", cascade="all, delete-orphan", lazy="selectin",
        order_by="StakeholderCategory.code")
    tags: Mapped[list[StakeholderTag]] = relationship(
        back_populates="stakeholder", cascade="all, delete-orphan", lazy="selectin",
        order_by="StakeholderTag.tag")

    @property
    def is_person(self) -> bool:
        return self.kind == Kind.PERSON

    @property
    def is_erased(self) -> bool:
        return self.anonymised_at is not None

    @property
    def category_codes(self) -> list[str]:
        return [category.code for category in self.categories]

    @property
    def tag_names(self) -> list[str]:
        return [tag.tag for tag in self.tags]


class StakeholderCategory(db.Model):
    __tablename__ = "stakeholder_categories"
    __table_args__ = (Index("ix_stakeholder_categories_code", "code", "stakeholder_id"),)

    stakeholder_id: Mapped[int] = mapped_column(
        ForeignKey("stakeholders.id", ondelete="CASCADE"), primary_key=True)
    code: Mapped[str] = mapped_column(String(64), primary_key=True)

    stakeholder: Mapped[Stakeholder] = relationship(back_populates="categories")


class StakeholderTag(db.Model):
    __tablename__ = "stakeholder_tags"
    __table_args__ = (Index("ix_stakeholder_tags_tag", "tag", "stakeholder_id"),)

    stakeholder_id: Mapped[int] = mapped_column(
        ForeignKey("stakeholders.id", ondelete="CASCADE"), primary_key=True)
    tag: Mapped[str] = mapped_column(String(64), primary_key=True)

    stakeholder: Mapped[Stakeholder] = relationship(back_populates="tags")


class Membership(db.Model):
    """A person as member or contact of an organisation."""

    __tablename__ = "stakeholder_memberships"
    __table_args__ = (
        UniqueConstraint("person_id", "organisation_id", name="uq_membership_person_org"),
        Index("ix_stakeholder_memberships_organisation_id", "organisation_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("stakeholders.id"))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("stakeholders.id"))
    function: Mapped[str | None] = mapped_column(String(200))
    is_contact: Mapped[bool] = mapped_column(Boolean, default=False)

    person: Mapped[Stakeholder] = relationship(foreign_keys=[person_id], lazy="joined")
    organisation: Mapped[Stakeholder] = relationship(foreign_keys=[organisation_id],
                                                     lazy="joined")


class SearchTerm(db.Model):
    """Words a stakeholder is found by (name, its organisations' names, e-mail), normalised:
    a prefix search on this index stays fast at 50,000 stakeholders on both databases."""

    __tablename__ = "stakeholder_search_terms"
    __table_args__ = (Index("ix_stakeholder_search_terms_term", "term", "stakeholder_id"),)

    stakeholder_id: Mapped[int] = mapped_column(
        ForeignKey("stakeholders.id", ondelete="CASCADE"), primary_key=True)
    term: Mapped[str] = mapped_column(String(254), primary_key=True)
