"""The feitenblad as a one-page PDF, drawn with ReportLab from the figures (not from HTML):
fast, and it reads nothing but its own arguments and ReportLab's built-in fonts — no file or
network resource is ever fetched."""

from __future__ import annotations

import io
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from .conference import FactSheet

HEX = re.compile(r"^#[0-9a-fA-F]{6}$")


@dataclass(frozen=True)
class Texts:
    """Every label the sheet prints, translated by the caller."""

    title: str
    subtitle: str
    participants: str
    group: str
    number: str
    total: str
    per_table: str
    table: str
    insights: str
    connections: str
    advice: str
    key_advice: str
    no_key_advice: str
    no_table: str
    footer: str


def render(sheet: FactSheet, texts: Texts, *, groups: Mapping[str, Any], colour: str,
           author: str) -> bytes:
    primary = colors.HexColor(colour if HEX.match(colour) else "#154273")
    heading = ParagraphStyle("heading", fontName="Helvetica-Bold", fontSize=16, leading=20,
                             textColor=primary, alignment=TA_LEFT, spaceAfter=2)
    subheading = ParagraphStyle("subheading", fontName="Helvetica-Bold", fontSize=11,
                                leading=14, textColor=primary, spaceBefore=8, spaceAfter=4)
    body = ParagraphStyle("body", fontName="Helvetica", fontSize=9, leading=11.5)
    small = ParagraphStyle("small", parent=body, fontSize=7.5, leading=9,
                           textColor=colors.HexColor("#4f4f4f"))

    def para(text: str, style: ParagraphStyle = body) -> Paragraph:
        return Paragraph(escape(text), style)

    def table(rows: list[list[Any]], widths: list[float]) -> Table:
        grid = Table(rows, colWidths=widths, repeatRows=1)
        grid.setStyle(TableStyle([
            ("FONT", (0, 0), (-1, 0), "Helvetica-Bold", 8.5),
            ("FONT", (0, 1), (-1, -1), "Helvetica", 8.5),
            ("LINEBELOW", (0, 0), (-1, 0), 0.8, primary),
            ("LINEBELOW", (0, 1), (-1, -1), 0.25, colors.HexColor("#8c8c8c")),
            ("ALIGN", (1, 0), (-1, -1), "RIGHT"),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("TOPPADDING", (0, 0), (-1, -1), 2), ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
        ]))
        return grid

    story: list[Any] = [para(texts.title, heading), para(texts.subtitle, small),
                        para(texts.participants, subheading)]
    rows: list[list[Any]] = [[texts.group, texts.number]]
    rows += [[str(groups.get(code, code)), str(count)]
             for code, count in sorted(sheet.participants.items())]
    rows.append([texts.total, str(sheet.participant_total)])
    story.append(table(rows, [70 * mm, 25 * mm]))

    story.append(para(texts.per_table, subheading))
    rows = [[texts.table, texts.insights, texts.connections, texts.advice, texts.total]]
    for item in sheet.tables:
        rows.append([para(item.table.topic if item.table else texts.no_table),
                     str(len(item.insights)), str(len(item.connections)),
                     str(len(item.advice)), str(item.total)])
    story.append(table(rows, [80 * mm, 22 * mm, 25 * mm, 20 * mm, 18 * mm]))

    story.append(para(texts.key_advice, subheading))
    chosen = [(item.table.topic if item.table else texts.no_table, advice.original_text)
              for item in sheet.tables for advice in (*item.advice, *item.insights,
                                                       *item.connections, *item.other)
              if advice.id in sheet.key_advice]
    if chosen:
        for topic, text in chosen:
            story.append(Paragraph(f"<b>{escape(topic)}</b>: {escape(text)}", body))
            story.append(Spacer(1, 1.5 * mm))
    else:
        story.append(para(texts.no_key_advice))
    story += [Spacer(1, 4 * mm), para(texts.footer, small)]

    buffer = io.BytesIO()
    document = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=18 * mm,
                                 rightMargin=18 * mm, topMargin=16 * mm, bottomMargin=14 * mm,
                                 title=texts.title, author=author)
    document.build(story)
    return buffer.getvalue()
