"""The meeting report as a standalone HTML page, a PDF and a DOCX, in the house style of the
nota van beantwoording — the same letterhead, colours, logo, styles and footer, by reusing
its rendering (:mod:`app.consultations.nota.render`), which also keeps ReportLab from ever
fetching anything remote. Its helpers take the report where they take the nota's content:
both carry the branding, the labels ``title`` and ``page`` and the consultation's title.
Texts are escaped before ReportLab's paragraph markup sees them.
"""

from __future__ import annotations

import base64
import io
from typing import Any

from flask import render_template
from flask_babel import get_locale

from app.consultations.meetings.report import MeetingReport, TableReport, attendance_line
from app.consultations.nota.render import (
    DEFAULT_ACCENT,
    DEFAULT_PRIMARY,
    _colour,
    _css,
    _docx_setup,
    _Flow,
    _pdf_house_style,
    _pdf_styles,
    _shade,
    _text,
    local_image,
)
from app.i18n import long_date

#: The standalone page has no Koers style sheet: captions for screen readers only.
HIDDEN = (".visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; "
          "clip: rect(0 0 0 0); white-space: nowrap; }\n")


def facts(report: MeetingReport) -> list[tuple[str, str]]:
    """The report's opening facts: date, place and who came (persons only counted)."""
    labels = report.labels
    rows = [(labels["date"], long_date(report.held_on) if report.held_on else "—"),
            (labels["place"], report.place or "—"),
            (labels["attendees"], attendance_line(report))]
    if report.organisations:
        rows.append((labels["organisations"], ", ".join(report.organisations)))
    return rows


def table_facts(report: MeetingReport, table: TableReport) -> list[tuple[str, str]]:
    labels = report.labels
    rows = []
    if table.theme:
        rows.append((labels["theme"], table.theme))
    if table.facilitator:
        rows.append((labels["facilitator"], table.facilitator))
    return rows


# --- HTML -----------------------------------------------------------------------------------

def html(report: MeetingReport) -> bytes:
    """A standalone page: its style inside, its logo as a data URI, nothing to fetch."""
    logo = local_image(report.branding.logo)
    logo_uri = (f"data:{logo[1]};base64,{base64.b64encode(logo[0]).decode()}"
                if logo else None)
    locale = get_locale()
    page = render_template("consultations/meetings/document.html", report=report,
                           labels=report.labels,
                           css=_css(report) + HIDDEN,
                           logo=logo_uri, facts=facts(report), table_facts=table_facts,
                           lang=locale.language if locale else "nl")
    return page.encode("utf-8")


# --- PDF ------------------------------------------------------------------------------------

def _pdf_counts(report: MeetingReport, counts: tuple[tuple[str, int], ...], total: int,
                styles: dict[str, Any], primary: Any, accent: Any) -> list[Any]:
    """A table of outcomes with their counts and the total."""
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, Spacer, Table, TableStyle

    labels, body, number = report.labels, styles["body"], styles["number"]
    rows = [[Paragraph(f"<b>{_text(labels['outcomes'])}</b>", body),
             Paragraph(f"<b>{_text(labels['count'])}</b>", number)]]
    rows += [[Paragraph(_text(label), body), Paragraph(str(count), number)]
             for label, count in counts]
    rows.append([Paragraph(f"<b>{_text(labels['total'])}</b>", body),
                 Paragraph(f"<b>{total}</b>", number)])
    table = Table(rows, colWidths=[110 * mm, 30 * mm], hAlign="LEFT")
    table.setStyle(TableStyle([("LINEBELOW", (0, 0), (-1, 0), 1.5, accent),
                               ("LINEABOVE", (0, -1), (-1, -1), 0.5, primary),
                               ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    return [Spacer(1, 4), table]


def _pdf_table(report: MeetingReport, table: TableReport, styles: dict[str, Any],
               primary: Any, accent: Any) -> list[Any]:
    """A table's part: its heading and facts, the input per kind with what was done with
    each, and its counts."""
    from reportlab.platypus import HRFlowable, Paragraph

    labels = report.labels
    story: list[Any] = [Paragraph(_text(f"{labels['table']}: {table.topic}"),
                                  styles["heading"])]
    story += [Paragraph(f"<b>{_text(label)}:</b> {_text(value)}", styles["body"])
              for label, value in table_facts(report, table)]
    if not table.total:
        return [*story, Paragraph(_text(labels["no_input"]), styles["muted"])]
    for group in table.kinds:
        story += [HRFlowable(width="100%", thickness=0.75, color=accent, spaceBefore=4,
                             spaceAfter=2), Paragraph(_text(group.label), styles["entry"])]
        for item in group.items:
            who = f" — {item.who}" if item.who else ""
            story += [Paragraph(f"<b>{item.number}.</b> {_text(item.text)}"
                                f"{_text(who)}", styles["body"]),
                      Paragraph(_text(item.done), styles["muted"])]
    return [*story, *_pdf_counts(report, table.counts, table.total, styles, primary, accent)]


def pdf(report: MeetingReport) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate

    primary = colors.HexColor(_colour(report.branding.primary_colour, DEFAULT_PRIMARY))
    accent = colors.HexColor(_colour(report.branding.accent_colour, DEFAULT_ACCENT))
    labels = report.labels
    styles = _pdf_styles(primary)
    story: list[Any] = [
        Paragraph(_text(labels["title"]), styles["title"]),
        Paragraph(_text(f"{report.plan_title} — {report.consultation_title}"),
                  styles["subtitle"]),
        *[Paragraph(f"<b>{_text(label)}:</b> {_text(value)}", styles["body"])
          for label, value in facts(report)],
        Paragraph(_text(labels["summary"]), styles["heading"]),
        *_pdf_counts(report, report.counts, report.total, styles, primary, accent)]
    for table in report.tables:
        story += _pdf_table(report, table, styles, primary, accent)
    output = io.BytesIO()
    document = SimpleDocTemplate(
        output, pagesize=A4, leftMargin=20 * mm, rightMargin=20 * mm, topMargin=28 * mm,
        bottomMargin=20 * mm, title=f"{labels['title']} — {report.consultation_title}",
        author=report.branding.municipality)
    house_style = _pdf_house_style(report, primary, accent)
    document.build(story, onFirstPage=house_style, onLaterPages=house_style)
    return output.getvalue()


# --- DOCX -----------------------------------------------------------------------------------

def _docx_counts(document: Any, report: MeetingReport, counts: tuple[tuple[str, int], ...],
                 total: int, primary_hex: str, accent_hex: str) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import RGBColor

    labels = report.labels
    table = document.add_table(rows=1, cols=2)
    table.style = document.styles["Table Grid"]
    for cell, text in zip(table.rows[0].cells, (labels["outcomes"], labels["count"]),
                          strict=True):
        run = cell.paragraphs[0].add_run(text)
        run.bold, run.font.color.rgb = True, RGBColor(0xFF, 0xFF, 0xFF)
        _shade(cell, primary_hex)
    for label, count in [*counts, (labels["total"], total)]:
        cells = table.add_row().cells
        cells[0].text, cells[1].text = label, str(count)
        cells[1].paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
    for cell in table.rows[-1].cells:
        _shade(cell, accent_hex)


def _docx_table(document: Any, report: MeetingReport, table: TableReport,
                colours: tuple[str, str]) -> None:
    labels = report.labels
    document.add_paragraph(f"{labels['table']}: {table.topic}", style="Heading 1")
    for label, value in table_facts(report, table):
        facts_line = document.add_paragraph()
        facts_line.add_run(f"{label}: ").bold = True
        facts_line.add_run(value)
    if not table.total:
        document.add_paragraph().add_run(labels["no_input"]).italic = True
        return
    flow = _Flow(document)
    for group in table.kinds:
        flow.paragraph(group.label, document.styles["Heading 2"].style_id)
        for item in group.items:
            line = flow.paragraph()
            line.add_run(f"{item.number}. ").bold = True
            line.add_run(item.text + (f" — {item.who}" if item.who else ""))
            flow.paragraph().add_run(item.done).italic = True
    _docx_counts(document, report, table.counts, table.total, *colours)


def docx(report: MeetingReport) -> bytes:
    from docx import Document
    from docx.shared import RGBColor

    primary_hex = _colour(report.branding.primary_colour, DEFAULT_PRIMARY)
    accent_hex = _colour(report.branding.accent_colour, DEFAULT_ACCENT)
    primary = RGBColor.from_string(primary_hex.lstrip("#").upper())
    labels = report.labels
    document = Document()
    _docx_setup(document, report, primary)
    document.add_paragraph(labels["title"], style="Title")
    document.add_paragraph(f"{report.plan_title} — {report.consultation_title}")
    for label, value in facts(report):
        line = document.add_paragraph()
        line.add_run(f"{label}: ").bold = True
        line.add_run(value)
    document.add_paragraph(labels["summary"], style="Heading 1")
    _docx_counts(document, report, report.counts, report.total, primary_hex, accent_hex)
    for table in report.tables:
        _docx_table(document, report, table, (primary_hex, accent_hex))
    output = io.BytesIO()
    document.save(output)
    return output.getvalue()
