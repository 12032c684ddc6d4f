"""The nota van beantwoording as HTML, PDF (ReportLab platypus) and DOCX (python-docx), in the
municipality's house style: its name, primary and accent colours, and its logo where the
format can show it (PNG or JPEG in all three; SVG in HTML only).

**Nothing remote is ever read.** Texts are escaped before ReportLab's paragraph markup sees
them (so a reaction cannot smuggle in ``<img src="http://…">``), images are read by us from
local files only and handed over as bytes, and ReportLab's own URL reader is replaced by one
that refuses everything — for every use of ReportLab in the process: Koers never lets it
fetch. ReportLab was chosen by measurement: for 2,000 reactions it took about 6 s where
WeasyPrint took 33 s and fpdf2 15 s (docs/consultations.md).
"""

from __future__ import annotations

import base64
import hashlib
import io
import logging
import re
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from flask import render_template
from flask_babel import get_locale

from app.consultations.nota.content import (
    Entry,
    Group,
    NotaContent,
    Reaction,
    answer_label,
    introduction,
)
from app.consultations.nota.navigation import (
    Bookmarks,
    NotaDocTemplate,
    ReactionIndex,
    SteadyParagraph,
    contents_mark,
    contents_table,
    field,
    field_begin,
    field_end,
    group_key,
    index_mark,
    index_rows,
    link,
    marked,
    reaction_key,
    update_fields_on_open,
)
from app.markdown import markdown_to_text, render_markdown
from app.municipality import HEX_COLOUR
from app.translate import gettext as _
from app.translate import ngettext

log = logging.getLogger(__name__)

#: The largest logo read at all.
LOGO_LIMIT = 2 * 1024 * 1024
#: What each format can show, by the file's first bytes (not its name).
RASTER = {b"\x89PNG\r\n\x1a\n": "image/png", b"\xff\xd8\xff": "image/jpeg"}
DEFAULT_PRIMARY, DEFAULT_ACCENT = "#154273", "#ffb612"
#: The keys (PDF and DOCX bookmarks) of the introduction and the index.
INTRODUCTION_KEY, INDEX_KEY = "inleiding", "register"


class RemoteResourceRefused(OSError):
    """A renderer was asked to read something that is not a local file."""


def _refuse_url(url: str, headers: Any = None) -> Any:
    log.warning("nota: refused to fetch %r", url)
    raise RemoteResourceRefused(f"remote resources are not read: {url!r}")


def _reportlab() -> None:
    """Make ReportLab's URL reader refuse everything (ours is the only use in Koers)."""
    from reportlab import rl_config
    from reportlab.lib import utils

    utils.rlUrlRead = _refuse_url
    rl_config.trustedHosts = None


_reportlab()


def local_image(source: Path | str | None) -> tuple[bytes, str] | None:
    """The bytes and media type of a logo that is a regular local file of a known kind, or
    None. A URL of any scheme is refused without being opened."""
    if source is None:
        return None
    if isinstance(source, str):
        if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", source) or source.startswith("//"):
            log.warning("nota: the logo %r is not a local file; left out", source)
            return None
        source = Path(source)
    try:
        path = source.resolve(strict=True)
        if not path.is_file() or path.stat().st_size > LOGO_LIMIT:
            return None
        data = path.read_bytes()
    except OSError:
        return None
    for magic, media_type in RASTER.items():
        if data.startswith(magic):
            return data, media_type
    if path.suffix.lower() == ".svg" and b"<svg" in data[:4096]:
        return data, "image/svg+xml"
    return None


def _colour(value: str, default: str) -> str:
    return value if HEX_COLOUR.match(value or "") else default


def _numbers(entry: Entry) -> str:
    numbers = [str(reaction.number) for reaction in entry.reactions]
    return ngettext("Reaction %(numbers)s", "Reactions %(numbers)s", len(numbers),
                    numbers=", ".join(numbers))


def _who(reaction: Reaction) -> str:
    """'Stichting X, with Y and 2 others' — persons among the co-signatories only counted."""
    parts = [*reaction.co_signatories]
    if reaction.private_co_signatories:
        parts.append(ngettext("%(num)d co-signatory", "%(num)d co-signatories",
                              reaction.private_co_signatories))
    if not parts:
        return reaction.who
    return _("%(who)s, co-signed by %(others)s", who=reaction.who, others=", ".join(parts))


def _line(labels: dict[str, str], reaction: Reaction) -> str:
    """'Reaction 7 — Inwoner (received late)'."""
    line = f"{labels['reaction']} {reaction.number} — {_who(reaction)}"
    return f"{line} ({labels['late']})" if reaction.late else line


def _heading(labels: dict[str, str], entry: Entry) -> str:
    """An answer's heading: its number, then the reaction itself when it is one, else the
    numbers it covers ('Antwoord 12: Reactie 7 — Inwoner')."""
    text = _line(labels, entry.reactions[0]) if len(entry.reactions) == 1 else _numbers(entry)
    return f"{answer_label(entry.number)}: {text}" if entry.number else text


def _index_text(labels: dict[str, str], reaction: Reaction, entry: Entry) -> str:
    """A line of the index: 'Reactie 7 — Antwoord 12' (the page follows in PDF and DOCX)."""
    text = f"{labels['reaction']} {reaction.number}"
    return f"{text} — {answer_label(entry.number)}" if entry.number else text


def _summary_lines(group: Group) -> list[str]:
    """A theme's summary as the lines a reader sees (PDF and DOCX show no Markdown)."""
    return markdown_to_text(group.summary).splitlines() if group.summary else []


def _change(content: NotaContent, entry: Entry) -> str:
    return entry.changed_section or content.labels["no_change"]


# --- HTML -----------------------------------------------------------------------------------

def _css(content: NotaContent) -> str:
    primary = _colour(content.branding.primary_colour, DEFAULT_PRIMARY)
    accent = _colour(content.branding.accent_colour, DEFAULT_ACCENT)
    return render_template("consultations/nota/document.css", primary=primary, accent=accent)


def html_page(template: str, content: Any, css: str, **values: Any) -> bytes:
    """A standalone page of the nota or the meeting report: its style inside, its logo as a
    data URI, nothing to fetch."""
    logo = local_image(content.branding.logo)
    logo_uri = (f"data:{logo[1]};base64,{base64.b64encode(logo[0]).decode()}"
                if logo else None)
    locale = get_locale()
    page = render_template(template, labels=content.labels, css=css, logo=logo_uri,
                           lang=locale.language if locale else "nl", **values)
    return page.encode("utf-8")


def html(content: NotaContent) -> bytes:
    return html_page("consultations/nota/document.html", content, _css(content),
                     nota=content, intro=introduction(content),
                     heading=lambda entry: _heading(content.labels, entry),
                     line=lambda reaction: _line(content.labels, reaction),
                     change=lambda entry: _change(content, entry),
                     markdown=render_markdown, index=index_rows(content),
                     index_text=lambda reaction, entry: _index_text(
                         content.labels, reaction, entry))


STYLE_ELEMENT = re.compile(rb"<style>(.*?)</style>", re.S)


def style_hash(document: bytes) -> str | None:
    """The CSP source for the style element of a stored HTML nota, so it can be shown with a
    policy that allows that style and nothing else."""
    found = STYLE_ELEMENT.search(document)
    if found is None:
        return None
    return "'sha256-" + base64.b64encode(hashlib.sha256(found.group(1)).digest()).decode() + "'"


# --- PDF ------------------------------------------------------------------------------------

def _text(value: str | None) -> str:
    """Plain text for a ReportLab paragraph: escaped, line breaks kept."""
    return escape(value or "").replace("\n", "<br/>")


def _pdf_styles(primary: Any) -> dict[str, Any]:
    """The paragraph styles of the PDF, in the municipality's primary colour."""
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_RIGHT
    from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet

    sheet = getSampleStyleSheet()
    body = ParagraphStyle("NotaBody", parent=sheet["BodyText"], fontName="Helvetica",
                          fontSize=10, leading=13.5, spaceAfter=3)
    return {
        "body": body,
        "muted": ParagraphStyle("NotaMuted", parent=body, fontName="Helvetica-Oblique",
                                textColor=colors.HexColor("#555555")),
        "who": ParagraphStyle("NotaWho", parent=body, fontName="Helvetica-Bold",
                              spaceBefore=4, spaceAfter=1, keepWithNext=True),
        "title": ParagraphStyle("NotaTitle", parent=sheet["Title"], textColor=primary,
                                alignment=0, fontSize=22, leading=26),
        "subtitle": ParagraphStyle("NotaSubtitle", parent=body, fontSize=12, leading=16,
                                   spaceAfter=10),
        "heading": ParagraphStyle("NotaHeading", parent=sheet["Heading2"], textColor=primary,
                                  keepWithNext=True, spaceBefore=14),
        "entry": ParagraphStyle("NotaEntry", parent=sheet["Heading4"], textColor=primary,
                                keepWithNext=True, spaceBefore=6, spaceAfter=2),
        "number": ParagraphStyle("NotaNumber", parent=body, alignment=TA_RIGHT),
        "summary": ParagraphStyle("NotaThemeSummary", parent=body, leftIndent=12),
        "contents": ParagraphStyle("NotaContents", parent=body, spaceAfter=1),
    }


def _pdf_house_style(content: NotaContent, primary: Any, accent: Any) -> Any:
    """What every PDF page carries: the municipality's name and logo, a line in its accent
    colour, and the footer with the page number."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.lib.utils import ImageReader

    logo = local_image(content.branding.logo)
    logo_reader = ImageReader(io.BytesIO(logo[0])) if logo and logo[1] != "image/svg+xml" \
        else None
    municipality = content.branding.municipality
    footer = f"{content.labels['title']} — {content.consultation_title}"

    def house_style(canvas: Any, document: Any) -> None:
        width, height = A4
        canvas.saveState()
        canvas.setFillColor(primary)
        canvas.setFont("Helvetica-Bold", 12)
        canvas.drawString(20 * mm, height - 16 * mm, municipality)
        if logo_reader is not None:
            image_width, image_height = logo_reader.getSize()
            scale = 12 * mm / max(image_height, 1)
            canvas.drawImage(logo_reader, width - 20 * mm - image_width * scale,
                             height - 19 * mm, image_width * scale, 12 * mm, mask="auto")
        canvas.setStrokeColor(accent)
        canvas.setLineWidth(2)
        canvas.line(20 * mm, height - 21 * mm, width - 20 * mm, height - 21 * mm)
        canvas.setFont("Helvetica", 8)
        canvas.setFillColor(colors.HexColor("#555555"))
        canvas.drawString(20 * mm, 12 * mm, footer[:110])
        canvas.drawRightString(width - 20 * mm, 12 * mm,
                               f"{content.labels['page']} {document.page}")
        canvas.restoreState()

    return house_style


def pdf_start(content: Any) -> tuple[Any, Any, dict[str, Any], list[Any]]:
    """How the nota and the meeting report begin: the primary and accent colours, the
    paragraph styles, and the title with the plan and the consultation under it."""
    from reportlab.lib import colors

    primary = colors.HexColor(_colour(content.branding.primary_colour, DEFAULT_PRIMARY))
    accent = colors.HexColor(_colour(content.branding.accent_colour, DEFAULT_ACCENT))
    styles = _pdf_styles(primary)
    return primary, accent, styles, [
        SteadyParagraph(_text(content.labels["title"]), styles["title"]),
        SteadyParagraph(_text(f"{content.plan_title} — {content.consultation_title}"),
                        styles["subtitle"])]


def pdf_counts(content: Any, head: str, counts: Any, total: int, styles: dict[str, Any],
               primary: Any, accent: Any) -> list[Any]:
    """A table of ``counts`` (label, count) under ``head`` — the nota's decisions, the
    report's outcomes — and the total."""
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, Spacer, Table, TableStyle

    labels, body, number_style = content.labels, styles["body"], styles["number"]
    rows = [[Paragraph(f"<b>{_text(head)}</b>", body),
             Paragraph(f"<b>{_text(labels['count'])}</b>", number_style)]]
    rows += [[Paragraph(_text(label), body), Paragraph(str(count), number_style)]
             for label, count in counts]
    rows.append([Paragraph(f"<b>{_text(labels['total'])}</b>", body),
                 Paragraph(f"<b>{total}</b>", number_style)])
    table = Table(rows, colWidths=[110 * mm, 30 * mm], hAlign="LEFT")
    table.setStyle(TableStyle([
        ("LINEBELOW", (0, 0), (-1, 0), 1.5, accent),
        ("LINEABOVE", (0, -1), (-1, -1), 0.5, primary),
        ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    return [Spacer(1, 4), table]


def pdf_file(content: Any, story: list[Any], primary: Any, accent: Any) -> bytes:
    """The story on A4 pages in the house style, laid out until the pages named by a
    contents or an index hold still (ReportLab's ``multiBuild``: a story without them is
    laid out once)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm

    output = io.BytesIO()
    document = NotaDocTemplate(
        output, pagesize=A4, leftMargin=20 * mm, rightMargin=20 * mm, topMargin=28 * mm,
        bottomMargin=20 * mm, title=f"{content.labels['title']} — {content.consultation_title}",
        author=content.branding.municipality)
    house_style = _pdf_house_style(content, primary, accent)
    document.multiBuild(story, onFirstPage=house_style, onLaterPages=house_style)
    return output.getvalue()


def _pdf_entry(content: NotaContent, entry: Entry, styles: dict[str, Any],
               accent: Any) -> list[Any]:
    """One answer: its heading, the reactions' summaries, the answer and the decision. The
    line naming each reaction is marked, so the index gets the page it lands on."""
    from reportlab.platypus import HRFlowable


    labels, body, muted = content.labels, styles["body"], styles["muted"]
    single = len(entry.reactions) == 1
    story: list[Any] = [
        HRFlowable(width="100%", thickness=0.75, color=accent, spaceBefore=4, spaceAfter=2),
        marked(_text(_heading(labels, entry)), styles["entry"], *(
            [index_mark(_index_text(labels, entry.reactions[0], entry),
                        reaction_key(entry.reactions[0]))] if single else []))]
    for reaction in entry.reactions:
        if not single:
            story.append(marked(_text(_line(labels, reaction)), styles["who"], index_mark(
                _index_text(labels, reaction, entry), reaction_key(reaction))))
        story.append(SteadyParagraph(_text(reaction.summary), body) if reaction.summary
                     else SteadyParagraph(_text(labels["no_summary"]), muted))
    story.append(SteadyParagraph(f"<b>{_text(labels['answer'])}</b><br/>"
                           f"{_text(entry.answer)}", body))
    story.append(SteadyParagraph(
        f"<b>{_text(labels['decision'])}:</b> {_text(entry.decision)}"
        f" &nbsp;·&nbsp; <b>{_text(labels['change'])}:</b> "
        f"{_text(_change(content, entry))}", body))
    if len(entry.themes) > 1:
        story.append(SteadyParagraph(f"<b>{_text(labels['themes'])}:</b> "
                               f"{_text(', '.join(entry.themes))}", muted))
    return story


def _pdf_entries(content: NotaContent, styles: dict[str, Any], accent: Any) -> list[Any]:
    """Per group, its heading (a line of the contents), the theme's summary and its
    answers with the reactions they cover."""


    story: list[Any] = []
    for position, group in enumerate(content.groups, start=1):
        story.append(marked(_text(group.title), styles["heading"],
                            contents_mark(0, group.title, group_key(position))))
        story += [SteadyParagraph(_text(line), styles["summary"]) for line in _summary_lines(group)]
        for entry in group.entries:
            story += _pdf_entry(content, entry, styles, accent)
    return story


def _pdf_contents(content: NotaContent, styles: dict[str, Any]) -> list[Any]:
    """The table of contents: the introduction, each theme and the index, with pages."""


    labels = content.labels
    seed = [(0, labels["introduction"], INTRODUCTION_KEY),
            *[(0, group.title, group_key(position))
              for position, group in enumerate(content.groups, start=1)]]
    if index_rows(content):
        seed.append((0, labels["index"], INDEX_KEY))
    return [SteadyParagraph(_text(labels["contents"]), styles["heading"]),
            contents_table(styles["contents"], seed)]


def _pdf_index(content: NotaContent, styles: dict[str, Any]) -> list[Any]:
    """The index at the end: per reaction its answer and the page where it is answered."""


    labels = content.labels
    rows = index_rows(content)
    if not rows:
        return []
    return [marked(_text(labels["index"]), styles["heading"],
                   contents_mark(0, labels["index"], INDEX_KEY)),
            SteadyParagraph(_text(labels["index_intro"]), styles["body"]),
            ReactionIndex([(_index_text(labels, reaction, entry), reaction_key(reaction))
                           for reaction, entry in rows], styles["contents"],
                          labels["page_short"])]


def pdf(content: NotaContent) -> bytes:
    """The PDF, laid out until the pages named by the contents and the index hold still
    (ReportLab's ``multiBuild``; two passes, as both are seeded with their lines)."""
    primary, accent, styles, story = pdf_start(content)
    labels = content.labels
    story += [
        *_pdf_contents(content, styles),
        marked(_text(labels["introduction"]), styles["heading"],
               contents_mark(0, labels["introduction"], INTRODUCTION_KEY)),
        *[SteadyParagraph(_text(line), styles["body"]) for line in introduction(content)],
        *(pdf_counts(content, labels["decision"], content.decisions, content.reactions,
                     styles, primary, accent) if content.decisions else []),
        *_pdf_entries(content, styles, accent),
        *_pdf_index(content, styles),
    ]
    return pdf_file(content, story, primary, accent)


# --- DOCX -----------------------------------------------------------------------------------

def _shade(cell: Any, colour: str) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), colour.lstrip("#"))
    cell._tc.get_or_add_tcPr().append(shading)


def _page_number(paragraph: Any) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    paragraph._p.append(field)


class _Flow:
    """Appends paragraphs after the last one. python-docx's own ``add_paragraph`` searches
    the whole body for its end and every style among all styles on each call — quadratic
    for a nota of thousands of paragraphs (9 s instead of under 2 s for 2,000 reactions)."""

    def __init__(self, document: Any) -> None:
        self.body = document._body
        self.last = document.add_paragraph()._p

    def paragraph(self, text: str = "", style_id: str | None = None) -> Any:
        from docx.oxml import OxmlElement
        from docx.text.paragraph import Paragraph

        element = OxmlElement("w:p")
        self.last.addnext(element)
        self.last = element
        paragraph = Paragraph(element, self.body)
        if style_id:
            element.style = style_id
        if text:
            paragraph.add_run(text)
        return paragraph


def docx_counts(document: Any, content: Any, head: str, counts: Any, total: int,
                primary_hex: str, accent_hex: str) -> None:
    """A table of ``counts`` (label, count) under ``head`` — the nota's decisions, the
    report's outcomes — its head in the primary colour and the total in the accent colour."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import RGBColor

    labels = content.labels
    table = document.add_table(rows=1, cols=2)
    table.style = document.styles["Table Grid"]
    for cell, text in zip(table.rows[0].cells, (head, labels["count"]), strict=True):
        run = cell.paragraphs[0].add_run(text)
        run.bold, run.font.color.rgb = True, RGBColor(0xFF, 0xFF, 0xFF)
        _shade(cell, primary_hex)
    for label, count in [*counts, (labels["total"], total)]:
        cells = table.add_row().cells
        cells[0].text, cells[1].text = label, str(count)
        cells[1].paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
    for cell in table.rows[-1].cells:
        _shade(cell, accent_hex)


def docx_start(content: Any) -> tuple[Any, str, str]:
    """How the nota and the meeting report begin: a document in the house style with the
    title and the plan and the consultation under it; with the primary and accent colours
    (hex) for what follows."""
    from docx import Document
    from docx.shared import RGBColor

    primary_hex = _colour(content.branding.primary_colour, DEFAULT_PRIMARY)
    accent_hex = _colour(content.branding.accent_colour, DEFAULT_ACCENT)
    document = Document()
    _docx_setup(document, content, RGBColor.from_string(primary_hex.lstrip("#").upper()))
    document.add_paragraph(content.labels["title"], style="Title")
    document.add_paragraph(f"{content.plan_title} — {content.consultation_title}")
    return document, primary_hex, accent_hex


def _docx_setup(document: Any, content: NotaContent, primary: Any) -> None:
    """Styles, margins, the header with the municipality and the footer with the page."""
    from docx.shared import Mm, Pt

    labels = content.labels
    document.core_properties.title = f"{labels['title']} — {content.consultation_title}"
    document.core_properties.author = content.branding.municipality
    styles = document.styles
    normal = styles["Normal"]
    normal.font.name, normal.font.size = "Arial", Pt(10)
    for name in ("Title", "Heading 1", "Heading 2", "Heading 3"):
        styles[name].font.color.rgb = primary
        styles[name].font.name = "Arial"
    section = document.sections[0]
    section.left_margin = section.right_margin = Mm(20)
    header = section.header.paragraphs[0]
    logo = local_image(content.branding.logo)
    if logo is not None and logo[1] != "image/svg+xml":
        header.add_run().add_picture(io.BytesIO(logo[0]), height=Mm(12))
        header.add_run("  ")
    name_run = header.add_run(content.branding.municipality)
    name_run.bold, name_run.font.color.rgb = True, primary
    footer = section.footer.paragraphs[0]
    footer.text = f"{labels['title']} — {content.consultation_title} · {labels['page']} "
    _page_number(footer)


def _docx_contents(document: Any, content: NotaContent, primary: Any) -> None:
    """The contents: a TOC field over the Heading 1 paragraphs, whose stored result is the
    list of headings as links — readable before Word has updated anything."""
    from docx.shared import Pt


    labels = content.labels
    lines = [(labels["introduction"], INTRODUCTION_KEY),
             *[(group.title, group_key(position))
               for position, group in enumerate(content.groups, start=1)]]
    if index_rows(content):
        lines.append((labels["index"], INDEX_KEY))
    heading = document.add_paragraph().add_run(labels["contents"])
    heading.bold, heading.font.size, heading.font.color.rgb = True, Pt(14), primary
    for number, (title, key) in enumerate(lines):
        paragraph = document.add_paragraph()
        if number == 0:
            field_begin(paragraph, 'TOC \\o "1-1" \\h \\z \\u')
        link(paragraph, key, title)
        if number == len(lines) - 1:
            field_end(paragraph)


def _docx_entry(flow: _Flow, content: NotaContent, entry: Entry, marks: Bookmarks,
                styles: tuple[str, str]) -> None:
    """One answer; the paragraph naming each reaction carries the reaction's bookmark."""
    labels, (h2, h3) = content.labels, styles
    heading = flow.paragraph(_heading(labels, entry), h2)
    if len(entry.reactions) == 1:
        marks.add(heading, reaction_key(entry.reactions[0]))
    for reaction in entry.reactions:
        if len(entry.reactions) > 1:
            paragraph = flow.paragraph()
            paragraph.add_run(_line(labels, reaction)).bold = True
            paragraph.paragraph_format.keep_with_next = True
            marks.add(paragraph, reaction_key(reaction))
        if reaction.summary:
            flow.paragraph(reaction.summary)
        else:
            flow.paragraph().add_run(labels["no_summary"]).italic = True
    flow.paragraph(labels["answer"], h3)
    flow.paragraph(entry.answer)
    facts = flow.paragraph()
    facts.add_run(f"{labels['decision']}: ").bold = True
    facts.add_run(entry.decision)
    facts.add_run(f"   {labels['change']}: ").bold = True
    facts.add_run(_change(content, entry))
    if len(entry.themes) > 1:
        themes = flow.paragraph()
        themes.add_run(f"{labels['themes']}: ").bold = True
        themes.add_run(", ".join(entry.themes))


def _docx_index(flow: _Flow, content: NotaContent, marks: Bookmarks, h1: str) -> None:
    """Per reaction: a link to it, its answer's number and a PAGEREF to its bookmark."""

    labels = content.labels
    rows = index_rows(content)
    if not rows:
        return
    marks.add(flow.paragraph(labels["index"], h1), INDEX_KEY)
    flow.paragraph(labels["index_intro"])
    for reaction, entry in rows:
        paragraph = flow.paragraph()
        link(paragraph, reaction_key(reaction), f"{labels['reaction']} {reaction.number}")
        if entry.number:
            paragraph.add_run(f" — {answer_label(entry.number)}")
        paragraph.add_run(f", {labels['page_short']} ")
        field(paragraph, f"PAGEREF {reaction_key(reaction)} \\h", "—")


def docx(content: NotaContent) -> bytes:
    from docx.shared import RGBColor

    document, primary_hex, accent_hex = docx_start(content)
    labels = content.labels
    styles = document.styles
    h1, h2, h3 = (styles[name].style_id for name in ("Heading 1", "Heading 2", "Heading 3"))
    marks = Bookmarks()
    _docx_contents(document, content, RGBColor.from_string(primary_hex.lstrip("#").upper()))
    marks.add(document.add_paragraph(labels["introduction"], style=styles["Heading 1"]),
              INTRODUCTION_KEY)
    for line in introduction(content):
        document.add_paragraph(line)
    if content.decisions:
        docx_counts(document, content, labels["decision"], content.decisions,
                    content.reactions, primary_hex, accent_hex)
    flow = _Flow(document)
    for position, group in enumerate(content.groups, start=1):
        marks.add(flow.paragraph(group.title, h1), group_key(position))
        for line in _summary_lines(group):
            flow.paragraph(line)
        for entry in group.entries:
            _docx_entry(flow, content, entry, marks, (h2, h3))
    _docx_index(flow, content, marks, h1)
    update_fields_on_open(document)
    output = io.BytesIO()
    document.save(output)
    return output.getvalue()
