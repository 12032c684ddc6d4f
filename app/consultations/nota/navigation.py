"""Finding one's way in a long nota: the table of contents, the index from reaction number to
the answer (and its page), and the anchors, bookmarks and fields both need — per format.

- **PDF**: headings and reaction lines carry *marks*; while ReportLab lays the pages out,
  :class:`NotaDocTemplate` records the page of every marked flowable (``afterFlowable``),
  bookmarks it and tells the contents and the index (both ``TableOfContents``); ``multiBuild``
  repeats the layout until no page number moves, so the numbers printed are the real ones.
- **DOCX**: Word cannot know pages until it lays the document out, so the contents is a TOC
  field whose stored result is a static list of links (readable without updating anything),
  and the index gives each reaction's answer number as text and its page as a PAGEREF field
  to a bookmark on the reaction. The document asks Word to update its fields when opened.
- **HTML**: anchors (``#reaction-7``, ``#answer-3``, ``#group-2``) and links to them.
"""

from __future__ import annotations

from typing import Any
from xml.sax.saxutils import escape

from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle
from reportlab.platypus.tableofcontents import IndexingFlowable, TableOfContents

from app.consultations.nota.content import Entry, NotaContent, Reaction

#: What a PDF mark notifies: a line of the contents, or a line of the index.
CONTENTS, INDEX = "TOCEntry", "ReactionEntry"


def index_rows(content: NotaContent) -> list[tuple[Reaction, Entry]]:
    """Every reaction in the nota with the answer that answers it, by reaction number."""
    rows = [(reaction, entry) for group in content.groups for entry in group.entries
            for reaction in entry.reactions]
    return sorted(rows, key=lambda row: row[0].number)


def reaction_key(reaction: Reaction) -> str:
    return f"reactie_{reaction.number}"


def group_key(position: int) -> str:
    return f"thema_{position}"


# --- PDF ------------------------------------------------------------------------------------

class SteadyParagraph(Paragraph):
    """A paragraph that breaks its lines once per width. ReportLab wraps a paragraph each
    time it considers placing it — more than once per layout pass, and ``multiBuild`` lays
    the whole nota out twice; the lines only depend on the width, so they are kept."""

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        kept = self.__dict__.get("_kept")
        if kept is not None and kept[0] == availWidth:
            _width, self.width, self.height, self.blPara, self._wrapWidths = kept
            return self.width, self.height
        size = super().wrap(availWidth, availHeight)
        if getattr(self, "blPara", None) is not None:
            self._kept = (availWidth, self.width, self.height, self.blPara, self._wrapWidths)
        return size


class MarkedParagraph(SteadyParagraph):
    """A paragraph whose page is wanted: ``marks`` holds (kind, level, markup, key, title)
    per thing it stands for. A split keeps the marks on its first part."""

    marks: tuple[tuple[str, int, str, str, str], ...] = ()

    def split(self, availWidth: float, availHeight: float) -> list[Any]:
        parts = super().split(availWidth, availHeight)
        if parts:
            parts[0].marks = self.marks
        return parts


def marked(text: str, style: Any, *marks: tuple[str, int, str, str, str]) -> MarkedParagraph:
    paragraph = MarkedParagraph(text, style)
    paragraph.marks = marks
    return paragraph


def contents_mark(level: int, title: str, key: str) -> tuple[str, int, str, str, str]:
    return CONTENTS, level, escape(title), key, title


def index_mark(text: str, key: str) -> tuple[str, int, str, str, str]:
    return INDEX, 0, escape(text), key, text


class NotaDocTemplate(SimpleDocTemplate):
    """Records where each marked paragraph landed: a bookmark (and, for the contents, an
    outline entry the PDF reader shows), and the page for the contents and the index."""

    def afterFlowable(self, flowable: Any) -> None:
        for kind, level, markup, key, title in getattr(flowable, "marks", ()):
            self.canv.bookmarkPage(key)
            if kind == CONTENTS:
                self.canv.addOutlineEntry(title, key, level=level)
            self.notify(kind, (level, markup, self.page, key))


def contents_table(style: Any, seed: list[tuple[int, str, str]]) -> TableOfContents:
    """The table of contents, seeded with its lines (page 0) so the first pass already
    takes the room the final one will."""
    table = TableOfContents(levelStyles=[style], dotsMinLevel=0)
    table.addEntries([(level, escape(title), 0, key) for level, title, key in seed])
    return table


class ReactionIndex(IndexingFlowable):
    """The index at the end of the PDF, in columns: per reaction (by number) a link to it,
    its answer and the page where it is answered ('Reactie 7 — Antwoord 3  p. 4'). It shows
    the pages the previous layout pass recorded; ``multiBuild`` lays out again until they
    no longer change."""

    def __init__(self, lines: list[tuple[str, str]], style: Any, page_short: str,
                 columns: int = 2) -> None:
        super().__init__()
        self.lines = [(escape(text), key) for text, key in lines]
        self.style, self.page_short, self.columns = style, page_short, columns
        self.pages: dict[str, int] = {}
        self.shown: dict[str, int] = {}
        self.table: Any = None

    def beforeBuild(self) -> None:
        self.shown, self.pages = self.pages, {}

    def isSatisfied(self) -> bool:
        return self.pages == self.shown

    def notify(self, kind: str, stuff: Any) -> None:
        if kind == INDEX:
            _level, _markup, page, key = stuff
            self.pages.setdefault(key, page)

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        cells = [[Paragraph(f'<a href="#{key}">{markup}</a>', self.style),
                  f"{self.page_short} {self.shown.get(key, 0)}"] for markup, key in self.lines]
        rows = [[part for cell in cells[start:start + self.columns] for part in cell]
                for start in range(0, len(cells), self.columns)]
        rows[-1] += [""] * (2 * self.columns - len(rows[-1]))
        number_width = 40
        text_width = availWidth / self.columns - number_width
        self.table = Table(rows, colWidths=[text_width, number_width] * self.columns,
                           style=TableStyle([
                               ("VALIGN", (0, 0), (-1, -1), "TOP"),
                               ("FONT", (0, 0), (-1, -1), self.style.fontName,
                                self.style.fontSize),
                               ("TOPPADDING", (0, 0), (-1, -1), 0),
                               ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
                               ("LEFTPADDING", (0, 0), (-1, -1), 0)]))
        width, height = self.table.wrapOn(self.canv, availWidth, availHeight)
        return width, height

    def split(self, availWidth: float, availHeight: float) -> list[Any]:
        return self.table.splitOn(self.canv, availWidth, availHeight)

    def drawOn(self, canvas: Any, x: float, y: float, _sW: float = 0) -> None:
        self.table.drawOn(canvas, x, y, _sW)


# --- DOCX -----------------------------------------------------------------------------------

class Bookmarks:
    """Numbers the bookmarks of one document (Word wants a unique id per bookmark)."""

    def __init__(self) -> None:
        self.next_id = 0

    def add(self, paragraph: Any, name: str) -> None:
        """Bookmark the whole of ``paragraph`` under ``name``."""
        start, end = OxmlElement("w:bookmarkStart"), OxmlElement("w:bookmarkEnd")
        start.set(qn("w:id"), str(self.next_id))
        start.set(qn("w:name"), name)
        end.set(qn("w:id"), str(self.next_id))
        self.next_id += 1
        element = paragraph._p
        properties = element.pPr
        if properties is not None:
            properties.addnext(start)
        else:
            element.insert(0, start)
        element.append(end)


def _field_char(kind: str) -> Any:
    run = OxmlElement("w:r")
    char = OxmlElement("w:fldChar")
    char.set(qn("w:fldCharType"), kind)
    run.append(char)
    return run


def _instruction(text: str) -> Any:
    run = OxmlElement("w:r")
    instruction = OxmlElement("w:instrText")
    instruction.set(qn("xml:space"), "preserve")
    instruction.text = f" {text} "
    run.append(instruction)
    return run


def field_begin(paragraph: Any, instruction: str) -> None:
    """Open a field in ``paragraph``: what follows until :func:`field_end` is its stored
    result, which Word shows until the field is updated."""
    paragraph._p.append(_field_char("begin"))
    paragraph._p.append(_instruction(instruction))
    paragraph._p.append(_field_char("separate"))


def field_end(paragraph: Any) -> None:
    paragraph._p.append(_field_char("end"))


def field(paragraph: Any, instruction: str, shown: str) -> None:
    """A whole field in one paragraph, showing ``shown`` until updated."""
    field_begin(paragraph, instruction)
    paragraph.add_run(shown)
    field_end(paragraph)


def link(paragraph: Any, anchor: str, text: str) -> None:
    """A link inside the document to the bookmark ``anchor``."""
    hyperlink = OxmlElement("w:hyperlink")
    hyperlink.set(qn("w:anchor"), anchor)
    hyperlink.set(qn("w:history"), "1")
    run = OxmlElement("w:r")
    text_element = OxmlElement("w:t")
    text_element.set(qn("xml:space"), "preserve")
    text_element.text = text
    run.append(text_element)
    hyperlink.append(run)
    paragraph._p.append(hyperlink)


def update_fields_on_open(document: Any) -> None:
    """Ask Word to update the fields (contents, page references) when it opens the file."""
    settings = document.settings.element
    found = settings.find(qn("w:updateFields"))
    if found is None:
        found = OxmlElement("w:updateFields")
        later = next((child for child in settings if child.tag in _AFTER_UPDATE_FIELDS), None)
        if later is not None:
            later.addprevious(found)  # the schema fixes the order of the settings
        else:
            settings.append(found)
    found.set(qn("w:val"), "true")


#: The settings that come after ``w:updateFields`` in the schema (CT_Settings).
_AFTER_UPDATE_FIELDS = frozenset(qn(f"w:{name}") for name in (
    "hdrShapeDefaults", "footnotePr", "endnotePr", "compat", "docVars", "rsids", "mathPr",
    "attachedSchema", "themeFontLang", "clrSchemeMapping", "doNotIncludeSubdocsInStats",
    "doNotAutoCompressPictures", "forceUpgrade", "captions", "readModeInkLockDown",
    "smartTagType", "schemaLibrary", "shapeDefaults", "doNotEmbedSmartTags", "decimalSymbol",
    "listSeparator"))
