"""A generated nota van beantwoording, recorded with its stored files; and the staff-written
summary per theme that opens each theme's part of it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    ForeignKey,
    Index,
    Integer,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.database import UTCDateTime, db, utcnow


class Nota(db.Model):
    """A generated nota van beantwoording: the files (HTML, PDF, DOCX) in storage."""

    __tablename__ = "consultation_notas"
    __table_args__ = (Index("ix_consultation_notas_consultation_id", "consultation_id",
                            "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id"))
    job_id: Mapped[str | None] = mapped_column(ForeignKey("jobs.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    reactions: Mapped[int] = mapped_column(Integer, default=0)
    # format ("html", "pdf", "docx") -> stored file name under KOERS_STORAGE_DIR/notas
    files: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)


class ThemeSummary(db.Model):
    """What staff wrote to open one theme's part of a consultation's nota (sanitised Markdown,
    as plan texts are). One per consultation and theme; versioned against lost updates."""

    __tablename__ = "consultation_theme_summaries"
    __table_args__ = (UniqueConstraint("consultation_id", "theme_id",
                                       name="uq_consultation_theme_summaries"),
                      Index("ix_consultation_theme_summaries_theme_id", "theme_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id"))
    theme_id: Mapped[int] = mapped_column(ForeignKey("plan_themes.id"))
    text: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    __mapper_args__ = {"version_id_col": version}
