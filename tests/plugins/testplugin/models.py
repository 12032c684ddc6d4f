from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from app.plugin_api import Model


class Note(Model):
    __tablename__ = "testplugin_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    text: Mapped[str] = mapped_column(String(200))


class Mention(Model):
    """A plugin table that refers to stakeholders: merges, exports and erasures must follow
    it without the core knowing it."""

    __tablename__ = "testplugin_mentions"

    id: Mapped[int] = mapped_column(primary_key=True)
    stakeholder_id: Mapped[int] = mapped_column(ForeignKey("stakeholders.id"), index=True)
    remark: Mapped[str] = mapped_column(String(200))
