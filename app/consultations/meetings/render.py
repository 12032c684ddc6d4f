"""The meeting report as a standalone HTML page, a PDF and a DOCX, in the house style of the
nota van beantwoording — the same letterhead, colours, logo, styles and footer, by reusing
its rendering (:mod:`app.consultations.nota.render`), which also keeps ReportLab from ever
fetching anything remote. Its helpers take the report where they take the nota's content:
both carry the branding, the labels ``title``, ``page``, ``count`` and ``total``, and the
plan's and the consultation's titles.
Texts are escaped before ReportLab's paragraph markup sees them.
"""

from __future__ import annotations

import io
from typing import Any

from app.consultations.meetings.report import MeetingReport, TableReport, attendance_line
from app.consultations.nota.render import (
    _css,
    _Flow,
    _text,
    docx_counts,
    docx_start,
    html_page,
    pdf_counts,
    pdf_file,
    pdf_start,
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
    return html_page("consultations/meetings/document.html", report, _css(report) + HIDDEN,
                     report=report, facts=facts(report), table_facts=table_facts)


# --- PDF ------------------------------------------------------------------------------------

def _pdf_facts(rows: list[tuple[str, str]], styles: dict[str, Any]) -> list[Any]:
    from reportlab.platypus import Paragraph

    return [Paragraph(f"<b>{_text(label)}:</b> {_text(value)}", styles["body"])
            for label, value in rows]


def _pdf_table(report: MeetingReport, table: TableReport, styles: dict[str, Any],
               primary: Any, accent: Any) -> list[Any]:
    """A table's part: its heading and facts, the input per kind with what was done with
    each, and its counts."""
    from reportlab.platypus import HRFlowable, Paragraph

    labels = report.labels
    story: list[Any] = [Paragraph(_text(f"{labels['table']}: {table.topic}"),
                                  styles["heading"])]
    story += _pdf_facts(table_facts(report, table), styles)
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
    return [*story, *pdf_counts(report, labels["outcomes"], table.counts, table.total,
                                styles, primary, accent)]


def pdf(report: MeetingReport) -> bytes:
    from reportlab.platypus import Paragraph

    primary, accent, styles, story = pdf_start(report)
    labels = report.labels
    story += [
        *_pdf_facts(facts(report), styles),
        Paragraph(_text(labels["summary"]), styles["heading"]),
        *pdf_counts(report, labels["outcomes"], report.counts, report.total, styles, primary,
                    accent)]
    for table in report.tables:
        story += _pdf_table(report, table, styles, primary, accent)
    return pdf_file(report, story, primary, accent)


# --- DOCX -----------------------------------------------------------------------------------

def _docx_facts(document: Any, rows: list[tuple[str, str]]) -> None:
    for label, value in rows:
        line = document.add_paragraph()
        line.add_run(f"{label}: ").bold = True
        line.add_run(value)


def _docx_table(document: Any, report: MeetingReport, table: TableReport,
                colours: tuple[str, str]) -> None:
    labels = report.labels
    document.add_paragraph(f"{labels['table']}: {table.topic}", style="Heading 1")
    _docx_facts(document, table_facts(report, table))
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
    docx_counts(document, report, labels["outcomes"], table.counts, table.total, *colours)


def docx(report: MeetingReport) -> bytes:
    document, primary_hex, accent_hex = docx_start(report)
    labels = report.labels
    _docx_facts(document, facts(report))
    document.add_paragraph(labels["summary"], style="Heading 1")
    docx_counts(document, report, labels["outcomes"], report.counts, report.total,
                primary_hex, accent_hex)
    for table in report.tables:
        _docx_table(document, report, table, (primary_hex, accent_hex))
    output = io.BytesIO()
    document.save(output)
    return output.getvalue()
