from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from app.plugin_api import Model


class Note(Model):
    __tablename__ = "testplugin_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    text: Mapped[str] = mapped_column(String(200))
