"""Post letters at volume: every letter still to be posted in one PDF, each starting on a new
page with the address placed for a window envelope, in the municipality's house style.

Rendered with ReportLab like the nota van beantwoording (:mod:`app.consultations.nota.render`,
which also makes ReportLab refuse every remote resource): texts are escaped before its
paragraph markup sees them and the logo is read from a local file only.

**The address window.** Koers places the address block where a Dutch window envelope (a C5/6
or EA5/6 envelope with the window on the left, the A4 letter folded in three, after NEN 1026)
shows it: :data:`WINDOW_LEFT` from the left edge and :data:`WINDOW_TOP` from the top of the
sheet, :data:`WINDOW_WIDTH` by :data:`WINDOW_HEIGHT`. The municipality's house style
(``[branding]`` in ``municipality.toml``) gives the name, colours and logo; it has no
window position, so these defaults hold for every municipality.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any
from xml.sax.saxutils import escape

from flask import current_app
from flask_babel import force_locale, format_date
from reportlab.platypus import Flowable

from app.consultations.nota.render import DEFAULT_ACCENT, DEFAULT_PRIMARY, local_image
from app.municipality import HEX_COLOUR
from app.translate import gettext as _

#: The address block, in millimetres from the sheet's left and top edges, and its size.
WINDOW_LEFT, WINDOW_TOP, WINDOW_WIDTH, WINDOW_HEIGHT = 22, 50, 85, 40
#: Where the letter's text starts on its first page and on the pages after it (mm from top).
BODY_TOP, LATER_TOP, MARGIN = 100, 28, 20


@dataclass(frozen=True)
class PrintedLetter:
    """What one printed letter shows: its number, the address lines and the text."""

    number: int
    address: tuple[str, ...]
    subject: str
    body: str


def address_lines(name: str, stakeholder: Any) -> tuple[str, ...]:
    """Name, street and 'postcode place' from the register (empty lines left out)."""
    place = " ".join(part for part in (getattr(stakeholder, "postcode", None),
                                       getattr(stakeholder, "place", None)) if part)
    return tuple(line for line in (name, getattr(stakeholder, "address", None), place)
                 if line)


def _text(value: str | None) -> str:
    return escape(value or "").replace("\n", "<br/>")


def _colour(value: str, default: str) -> str:
    return value if HEX_COLOUR.match(value or "") else default


class _LetterStart(Flowable):
    """A flowable of no size that tells the page footer which letter it is on."""

    def __init__(self, reference: str) -> None:
        super().__init__()
        self.reference = reference

    def wrap(self, *_args: Any) -> tuple[int, int]:
        return 0, 0

    def draw(self) -> None:
        self.canv._koers_letter = self.reference  # type: ignore[attr-defined]


def _house_style(municipality: Any, primary: Any, accent: Any, footer: str) -> Any:
    """The letterhead (name, logo, a rule in the accent colour) and the footer with the
    letter's reference, on every page."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.lib.utils import ImageReader

    logo = local_image(municipality.logo)
    reader = ImageReader(io.BytesIO(logo[0])) if logo and logo[1] != "image/svg+xml" else None

    def draw(canvas: Any, document: Any) -> None:
        width, height = A4
        canvas.saveState()
        canvas.setFillColor(primary)
        canvas.setFont("Helvetica-Bold", 12)
        canvas.drawString(MARGIN * mm, height - 16 * mm, municipality.name)
        if reader is not None:
            image_width, image_height = reader.getSize()
            scale = 12 * mm / max(image_height, 1)
            canvas.drawImage(reader, width - MARGIN * mm - image_width * scale,
                             height - 19 * mm, image_width * scale, 12 * mm, mask="auto")
        canvas.setStrokeColor(accent)
        canvas.setLineWidth(2)
        canvas.line(MARGIN * mm, height - 21 * mm, width - MARGIN * mm, height - 21 * mm)
        canvas.setFont("Helvetica", 8)
        canvas.setFillColor(colors.HexColor("#555555"))
        reference = getattr(canvas, "_koers_letter", "")
        canvas.drawString(MARGIN * mm, 12 * mm, f"{footer} · {reference}"[:120])
        canvas.restoreState()

    return draw


def _templates(draw: Any) -> list[Any]:
    """A letter's first page (the address window and the text below it) and the pages after
    it (the text only)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.platypus import Frame, PageTemplate

    width, height = A4
    window = Frame(WINDOW_LEFT * mm, height - (WINDOW_TOP + WINDOW_HEIGHT) * mm,
                   WINDOW_WIDTH * mm, WINDOW_HEIGHT * mm, leftPadding=0, rightPadding=0,
                   topPadding=0, bottomPadding=0, id="window")
    text_width = width - (WINDOW_LEFT + MARGIN) * mm
    body = Frame(WINDOW_LEFT * mm, 20 * mm, text_width, height - (BODY_TOP + 20) * mm,
                 leftPadding=0, rightPadding=0, id="body")
    later = Frame(WINDOW_LEFT * mm, 20 * mm, text_width, height - (LATER_TOP + 20) * mm,
                  leftPadding=0, rightPadding=0, id="later")
    return [PageTemplate("letter", [window, body], onPageEnd=draw, autoNextPageTemplate="later"),
            PageTemplate("later", [later], onPageEnd=draw)]


def _story(letters: Sequence[PrintedLetter], labels: dict[str, str]) -> list[Any]:
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import (
        FrameBreak,
        NextPageTemplate,
        PageBreak,
        Paragraph,
        Spacer,
    )

    body = ParagraphStyle("LetterBody", fontName="Helvetica", fontSize=10, leading=13.5,
                          spaceAfter=6)
    address = ParagraphStyle("LetterAddress", parent=body, fontSize=11, leading=14,
                             spaceAfter=0)
    bold = ParagraphStyle("LetterSubject", parent=body, fontName="Helvetica-Bold",
                          spaceAfter=12)
    story: list[Any] = []
    for index, letter in enumerate(letters):
        if index:
            story += [NextPageTemplate("letter"), PageBreak()]
        story.append(_LetterStart(labels[f"letter-{letter.number}"]))
        story.append(Paragraph("<br/>".join(_text(line) for line in letter.address), address))
        story += [FrameBreak(), Paragraph(_text(f"{labels['date']}: {labels['day']}"), body),
                  Spacer(1, 6), Paragraph(_text(letter.subject), bold)]
        story += [Paragraph(_text(part.strip("\n")), body)
                  for part in letter.body.split("\n\n") if part.strip()]
    return story


def letters_pdf(letters: Sequence[PrintedLetter], *, title: str, day: date) -> bytes:
    """One PDF with every letter, each from a new page, in the municipality's language and
    house style."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.platypus import BaseDocTemplate

    municipality = current_app.config["KOERS_MUNICIPALITY"]
    with force_locale(municipality.locale):
        labels = {"date": _("Date"), "day": format_date(day, "long"),
                  "footer": _("Feedback to participants")}
        labels.update({f"letter-{letter.number}": _("Letter %(number)d", number=letter.number)
                       for letter in letters})
    primary = colors.HexColor(_colour(municipality.primary_colour, DEFAULT_PRIMARY))
    accent = colors.HexColor(_colour(municipality.accent_colour, DEFAULT_ACCENT))
    output = io.BytesIO()
    document = BaseDocTemplate(output, pagesize=A4, title=title, author=municipality.name)
    draw = _house_style(municipality, primary, accent, f"{labels['footer']} — {title}")
    document.addPageTemplates(_templates(draw))
    document.build(_story(letters, labels))
    return output.getvalue()
