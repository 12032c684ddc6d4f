"""What the consultations area contributes through the hooks plugins use: the core's meeting
formats and kinds of input, and the calendar feed panel on the profile page."""

from __future__ import annotations

from typing import Any

from app.consultations.feeds import feed_of
from app.consultations.inputs.services import CORE_KINDS
from app.consultations.services import CORE_FORMATS
from app.plugins.hookspecs import hookimpl
from app.plugins.types import SlotContent
from app.plugins.ui import render_partial


@hookimpl
def consultation_formats() -> list[Any]:
    return list(CORE_FORMATS)


@hookimpl
def input_kinds() -> list[Any]:
    return list(CORE_KINDS)


@hookimpl
def template_slot(slot: str, context: dict[str, Any]) -> Any:
    if slot == "profile.after":
        user = context["user"]
        return SlotContent(lambda: render_partial("consultations/calendar_feed_panel.html",
                                                  feed=feed_of(user)), priority=10)
    return None
