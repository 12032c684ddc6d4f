"""A generated nota van beantwoording, recorded with its stored files."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    ForeignKey,
    Index,
    Integer,
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
