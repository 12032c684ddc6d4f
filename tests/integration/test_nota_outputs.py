"""Finding one's way in the nota: the table of contents (with the real pages in the PDF), the
index from reaction number to the answer and its page, numbered answers, and the summary per
theme that staff write — saved with versions, shown in all three formats, sanitised."""

from __future__ import annotations

import dataclasses
import html
import io
import re
import zipfile
from pathlib import Path

import pytest
from docx import Document
from flask_babel import force_locale
from pypdf import PdfReader
from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.consultations.inputs.models import Answer
from app.consultations.nota import content as nota_content
from app.consultations.nota import jobs as nota_jobs
from app.consultations.nota import render as nota_render
from app.consultations.nota import summaries
from app.consultations.nota.models import ThemeSummary
from app.errors import EditConflict
from tests.integration import test_nota as base
from tests.integration.test_nota import ANSWERED, PERSONS, THEMES

#: The fixtures of test_nota.py: its plan, themes and 50 reactions (48 answered), in English.
world, english = base.world, base.english

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def labels() -> dict[str, str]:
    with force_locale("nl"):
        return nota_content.labels()


def generated(app, period) -> dict[str, bytes]:
    nota, _seconds = nota_jobs.generate(period)
    return {fmt: (Path(app.config["KOERS_STORAGE_DIR"]) / "notas" / name).read_bytes()
            for fmt, name in nota.files.items()}


def pdf_pages(data: bytes) -> list[str]:
    return [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(data)).pages]


def collected(period) -> nota_content.NotaContent:
    with force_locale("nl"):
        return nota_content.collect(period)


def who_lines(content) -> dict[int, str]:
    """Per reaction the line that names it in the nota: 'Reactie 7 — Inwoner'."""
    return {reaction.number: f"Reactie {reaction.number} — {reaction.who}"
            for group in content.groups for entry in group.entries
            for reaction in entry.reactions}


# --- the PDF: contents and index with real pages --------------------------------------------

def test_the_pdf_contents_names_the_page_of_each_theme(app, world):
    data = generated(app, world["period"])["pdf"]
    pages = pdf_pages(data)
    words = labels()
    assert words["contents"] in pages[0]
    # Laid out as printed: 'Meedoen . . . . . 2', one line each.
    first = PdfReader(io.BytesIO(data)).pages[0].extract_text(extraction_mode="layout")
    lines = dict(re.findall(r"^\s*(\S.*?)\s*(?:\.\s+)+(\d+)\s*$", first, re.M))
    titles = [words["introduction"], *THEMES, "Algemeen", words["index"]]
    assert list(lines) == titles
    found = {title: int(lines[title]) for title in titles}
    assert list(found.values()) == sorted(found.values())  # in the document's order
    assert found[words["index"]] > found[THEMES[0]] >= found[words["introduction"]] == 1
    lines = who_lines(content := collected(world["period"]))
    for title, page in found.items():
        assert title in pages[page - 1], (title, page)  # the heading is on that page
    for group in content.groups:  # and its first answer follows on it (or the next)
        first = lines[group.entries[0].reactions[0].number]
        assert first in " ".join(pages[found[group.title] - 1:found[group.title] + 1])
        assert all(first not in text for text in pages[:found[group.title] - 1])


def test_the_pdf_index_names_the_page_where_each_reaction_is_answered(app, world):
    period = world["period"]
    content = collected(period)
    pages = pdf_pages(generated(app, period)["pdf"])
    words = labels()
    start = max(index for index, text in enumerate(pages)
                if f"{words['index']} {words['index_intro']}" in text)
    index = " ".join(pages[start:])
    listed = re.findall(r"Reactie (\d+)(?: — Antwoord \d+)? p\. (\d+)", index)
    lines = who_lines(content)
    assert [int(number) for number, _page in listed] == sorted(lines)  # every one, in order
    assert len({page for _number, page in listed}) >= 4  # spread over several pages
    heading = f"{words['index']} {words['index_intro']}"
    for number, page in listed:
        on_page = pages[int(page) - 1].split(heading)[0]  # not in the index itself
        assert lines[int(number)] in on_page, (number, page)
    # The reactions an answer covers together are found on the page of their own line.
    assert lines[2] in pages[int(dict(listed)["2"]) - 1]


def test_the_pdf_has_bookmarks_for_the_reader(app, world):
    reader = PdfReader(io.BytesIO(generated(app, world["period"])["pdf"]))
    outline = [item.title for item in reader.outline if not isinstance(item, list)]
    assert outline == [labels()["introduction"], *THEMES, "Algemeen", labels()["index"]]
    # The index's lines link to the pages of their reactions.
    last = reader.pages[-1]
    links = [annotation.get_object() for annotation in last.get("/Annots", [])]
    assert links and all(link["/Subtype"] == "/Link" and "/Dest" in link for link in links)


# --- DOCX -----------------------------------------------------------------------------------

def docx_xml(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return archive.read("word/document.xml").decode()


def test_the_word_file_has_a_contents_field_with_a_static_list_and_an_index(app, world):
    content = collected(world["period"])
    data = generated(app, world["period"])["docx"]
    xml = docx_xml(data)
    document = Document(io.BytesIO(data))
    words = labels()
    # The contents: a TOC field over the Heading 1 paragraphs ...
    assert re.search(r'<w:instrText[^>]*> TOC \\o "1-1" \\h \\z \\u </w:instrText>', xml)
    headings = [p for p in document.paragraphs if p.style.name == "Heading 1"]
    assert [p.text for p in headings] == [words["introduction"], *THEMES, "Algemeen",
                                          words["index"]]
    bookmarks = dict(re.findall(r'<w:bookmarkStart w:id="(\d+)" w:name="([^"]+)"/>', xml))
    names = set(bookmarks.values())
    assert len(names) == len(bookmarks)  # unique ids and names
    # ... whose stored result is the list of headings, as links to their bookmarks.
    paragraphs = [p.text for p in document.paragraphs]
    contents = paragraphs.index(words["contents"])
    assert paragraphs[contents + 1:contents + 1 + len(headings)] == [p.text for p in headings]
    anchors = re.findall(r'<w:hyperlink w:anchor="([^"]+)"', xml)
    assert anchors[:len(headings)] == ["inleiding", "thema_1", "thema_2", "thema_3",
                                       "thema_4", "register"]
    assert set(anchors) <= names
    # The index: per reaction a link to its bookmark, and a PAGEREF to it.
    lines = who_lines(content)
    refs = re.findall(r"PAGEREF (reactie_\d+) \\h", xml)
    assert refs == [f"reactie_{n}" for n in sorted(lines)]
    assert set(refs) <= names
    for paragraph in document.paragraphs:
        starts = paragraph._p.findall(f"{W}bookmarkStart")
        for start in starts:
            name = start.get(f"{W}name")
            if name.startswith("reactie_"):
                number = int(name.removeprefix("reactie_"))
                assert lines[number] in paragraph.text, (name, paragraph.text)
    settings = document.settings.element
    assert settings.find(f"{W}updateFields").get(f"{W}val") == "true"


# --- HTML -----------------------------------------------------------------------------------

def test_the_web_page_has_contents_and_an_index_with_anchors(app, world):
    content = collected(world["period"])
    page = generated(app, world["period"])["html"].decode()
    ids = set(re.findall(r' id="([^"]+)"', page))
    nav = page[page.index('<nav'):page.index('</nav>')]
    targets = re.findall(r'href="#([^"]+)"', nav)
    assert targets == ["introduction", "group-1", "group-2", "group-3", "group-4", "index"]
    assert set(targets) <= ids
    index = page[page.index('<h2 id="index">'):]
    links = re.findall(r'<a href="#reaction-(\d+)">Reactie (\d+)', index)
    lines = who_lines(content)
    assert [int(a) for a, _b in links] == sorted(lines)
    assert all(a == b for a, b in links)
    for number in lines:
        element = re.search(rf'id="reaction-{number}">([^<]+)<', page)
        assert element and element.group(1).split(": ", 1)[-1].startswith(lines[number]), \
            number  # a single reaction's heading names its answer: "Antwoord 4: Reactie 6 — …"


# --- numbered answers -----------------------------------------------------------------------

def test_answers_are_numbered_in_every_format(app, db, world):
    period = world["period"]
    answers = list(db.session.scalars(select(Answer).where(
        Answer.consultation_id == period.id)))
    assert answers and all(answer.number for answer in answers)
    content = collected(period)
    entries = [entry for group in content.groups for entry in group.entries]
    assert sorted(entry.number for entry in entries) == sorted(a.number for a in answers)
    first = next(entry for entry in entries if entry.reactions[0].number == 1)
    files = generated(app, period)
    with force_locale("nl"):
        expected = f"{nota_content.answer_label(first.number)}: Reacties 1, 2, 3"
    assert expected in " ".join(pdf_pages(files["pdf"]))
    assert expected in [p.text for p in Document(io.BytesIO(files["docx"])).paragraphs]
    assert expected in files["html"].decode()
    assert f"Reactie 2 — {expected.split(':')[0]}" in files["html"].decode()


def test_numbered_answers_are_named_in_headings_and_the_index(app, world):
    """Rendering alone: whatever numbers the answers carry, every format shows them."""
    content = collected(world["period"])
    numbered = dataclasses.replace(content, groups=tuple(
        dataclasses.replace(group, entries=tuple(
            dataclasses.replace(entry, number=100 + entry.key) for entry in group.entries))
        for group in content.groups))
    first = next(entry for group in numbered.groups for entry in group.entries
                 if entry.reactions[0].number == 1)
    single = next(entry for group in numbered.groups for entry in group.entries
                  if entry.reactions[0].number == 4)
    with force_locale("nl"):
        files = {"html": nota_render.html(numbered).decode(),
                 "pdf": " ".join(pdf_pages(nota_render.pdf(numbered))),
                 "docx": " ".join(p.text for p in Document(io.BytesIO(
                     nota_render.docx(numbered))).paragraphs)}
        one, four = (nota_content.answer_label(entry.number) for entry in (first, single))
    assert one == f"Antwoord {first.number}" or one == f"Answer {first.number}"  # (catalogue)
    for file_format, text in files.items():
        assert f"{one}: Reacties 1, 2, 3" in text, file_format
        assert f"{four}: Reactie 4 — " in text, file_format
        for number in (1, 2, 3):  # the index names the answer of each reaction
            assert f"Reactie {number} — {one}" in text, file_format
        assert f"Reactie 4 — {four}" in text, file_format


# --- the summary per theme ------------------------------------------------------------------

SUMMARY = ("**Kern**: meer steun in de wijk.\n\n- eerste punt\n- tweede punt\n\n"
           "<script>alert(1)</script> [klik](javascript:alert(2)) "
           "<img src=\"http://example.org/x.png\">")


def hidden_inputs(page: str) -> dict[str, str]:
    found = {}
    for tag in re.findall(r'<input [^>]*type="hidden"[^>]*>', page):
        name, value = re.search(r'name="([^"]+)"', tag), re.search(r'value="([^"]*)"', tag)
        found[name.group(1)] = html.unescape(value.group(1)) if value else ""
    return found


def form_values(page: str) -> dict[str, str]:
    """What the summaries form would post as it is shown."""
    found = {key: value for key, value in hidden_inputs(page).items()
             if key in ("versions", "csrf_token")}
    found.update((name, html.unescape(text)) for name, text in re.findall(
        r'name="(summary_\d+)"[^>]*>([^<]*)</textarea>', page))
    return found


def test_an_editor_writes_the_summaries_and_they_are_audited(app, client, login_as, db,
                                                             world):
    period, themes = world["period"], world["themes"]
    user = login_as("editor")
    index = client.get(f"/consultations/{period.id}/nota").get_data(as_text=True)
    url = f"/consultations/{period.id}/nota/summaries"
    assert f'href="{url}"' in index
    page = client.get(url)
    assert page.status_code == 200
    values = form_values(page.get_data(as_text=True))
    assert values["versions"] == " ".join(f"{theme.id}:0" for theme in themes)
    values[f"summary_{themes[0].id}"] = SUMMARY
    values[f"summary_{themes[2].id}"] = "  Eenzaamheid vraagt om buurtkamers.  "
    response = client.post(url, data=values)
    assert response.status_code == 302 and response.location.endswith(
        f"/consultations/{period.id}/nota")
    saved = summaries.summaries_of(period)
    assert sorted(saved) == [themes[0].id, themes[2].id]
    assert saved[themes[2].id].text == "Eenzaamheid vraagt om buurtkamers."
    assert saved[themes[0].id].updated_by_id == user.id and saved[themes[0].id].version == 1
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "nota_summaries"))
    assert event.actor_id == user.id and event.entity_id == str(period.id)
    assert event.changes["theme_summaries"]["new"] == f"{THEMES[0]}, {THEMES[2]}"
    # The form shows them again, with their versions; saving unchanged changes nothing.
    again = form_values(client.get(url).get_data(as_text=True))
    assert f"{themes[0].id}:1" in again["versions"] and f"{themes[1].id}:0" in again[
        "versions"]
    assert "Eenzaamheid vraagt om buurtkamers." in again[f"summary_{themes[2].id}"]
    client.post(url, data=again)
    assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "nota_summaries")) == 1


def test_a_stale_form_is_a_conflict_and_nothing_is_overwritten(app, client, login_as, db,
                                                               world, make_user):
    period, themes = world["period"], world["themes"]
    login_as("editor")
    url = f"/consultations/{period.id}/nota/summaries"
    mine = form_values(client.get(url).get_data(as_text=True))
    # A colleague writes the first theme's summary meanwhile.
    summaries.save_summaries(period, {themes[0].id: "Van de collega."},
                             actor=make_user("editor"))
    db.session.commit()
    mine[f"summary_{themes[0].id}"] = "Van mij."
    response = client.post(url, data=mine)
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "Van de collega." in page and "Van mij." in page
    db.session.expire_all()
    assert summaries.summaries_of(period)[themes[0].id].text == "Van de collega."
    # The conflict page re-posts my text with the current versions: a deliberate overwrite.
    again = hidden_inputs(page)
    assert f"{themes[0].id}:1" in again["versions"]
    assert client.post(url, data=again).status_code == 302
    db.session.expire_all()
    assert summaries.summaries_of(period)[themes[0].id].text == "Van mij."


def test_the_service_refuses_a_stale_version_and_a_foreign_theme(app, db, world):
    period, themes = world["period"], world["themes"]
    summaries.save_summaries(period, {themes[1].id: "Eerste."})
    db.session.commit()
    with pytest.raises(EditConflict):
        summaries.save_summaries(period, {themes[1].id: "Tweede."},
                                 expected_versions={themes[1].id: 0})
    db.session.rollback()
    from app.errors import DomainError
    from app.plans import services as plans
    from app.plans.programme import services as programme
    from app.plans.services import PlanData

    other = programme.add_theme(plans.create_plan(PlanData(title="Ander", kind="nota")),
                                "Elders")
    with pytest.raises(DomainError):
        summaries.save_summaries(period, {other.id: "Niet van dit plan."})
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(ThemeSummary)) == 1


def test_too_long_a_summary_is_refused_beside_its_field(app, client, login_as, world):
    period, themes = world["period"], world["themes"]
    login_as("editor")
    url = f"/consultations/{period.id}/nota/summaries"
    values = form_values(client.get(url).get_data(as_text=True))
    values[f"summary_{themes[1].id}"] = "x" * (summaries.MAX_LENGTH + 1)
    response = client.post(url, data=values)
    assert response.status_code == 400
    assert f'href="#summary_{themes[1].id}"' in response.get_data(as_text=True)
    assert summaries.summaries_of(period) == {}


def test_who_may_write_summaries(app, client, login_as, db, world):
    period = world["period"]
    url = f"/consultations/{period.id}/nota/summaries"
    login_as("viewer")
    assert client.get(url).status_code == 403
    assert url not in client.get(f"/consultations/{period.id}/nota").get_data(as_text=True)
    world["plan"].archived = True
    db.session.commit()
    login_as("editor")
    assert client.get(url).status_code == 409
    assert client.submit(url, {"versions": ""}).status_code == 409


def test_the_summaries_open_their_themes_in_every_format_sanitised(app, db, world):
    period, themes = world["period"], world["themes"]
    summaries.save_summaries(period, {themes[0].id: SUMMARY,
                                      themes[2].id: "Eenzaamheid vraagt om buurtkamers."})
    db.session.commit()
    files = generated(app, period)
    # HTML: rendered Markdown, sanitised, right after the theme's heading.
    page = files["html"].decode()
    part = page[page.index(f">{THEMES[0]}</h2>"):page.index(f">{THEMES[1]}</h2>")]
    assert "<strong>Kern</strong>" in part and "<li>eerste punt</li>" in part
    assert part.index("<strong>Kern</strong>") < part.index("<article")
    # What staff typed as HTML is shown as text; no script, no unsafe link, no image.
    assert "<script>" not in page and 'href="javascript' not in page
    assert "&lt;script&gt;" in part
    assert "<img" not in page.split("</header>")[1]
    assert "Eenzaamheid vraagt om buurtkamers." in page
    # PDF: the text after the theme's heading, before its first reaction.
    text = " ".join(pdf_pages(files["pdf"]))
    body = text[text.index(labels()["introduction"] + " Deze"):]
    theme = body.index(THEMES[0])
    assert theme < body.index("Kern: meer steun in de wijk.") < body.index("Reactie", theme)
    assert "eerste punt" in body and "**" not in body
    # DOCX: the paragraphs after the theme's heading.
    paragraphs = [p.text for p in Document(io.BytesIO(files["docx"])).paragraphs]
    heading = max(i for i, line in enumerate(paragraphs) if line == THEMES[2])
    assert paragraphs[heading + 1] == "Eenzaamheid vraagt om buurtkamers."
    assert "Kern: meer steun in de wijk." in paragraphs
    assert not any("**" in line for line in paragraphs)
    for data in (text, page, " ".join(paragraphs)):
        for name in PERSONS:
            assert name not in data


def test_a_theme_without_answers_is_shown_when_it_has_a_summary(app, db, world):
    from app.plans.programme import services as programme

    period = world["period"]
    quiet = programme.add_theme(world["plan"], "Wonen")
    db.session.flush()
    assert "Wonen" not in [group.title for group in collected(period).groups]
    summaries.save_summaries(period, {quiet.id: "Geen reacties op dit thema."})
    db.session.commit()
    groups = {group.title: group for group in collected(period).groups}
    assert groups["Wonen"].entries == () and groups["Wonen"].summary
    assert "Geen reacties op dit thema." in " ".join(pdf_pages(generated(app, period)["pdf"]))


def test_collecting_still_costs_a_fixed_number_of_queries(app, db, world, count_queries):
    period = world["period"]
    db.session.expire_all()
    with count_queries() as before:
        nota_content.collect(period)
    summaries.save_summaries(period, {theme.id: f"Samenvatting {theme.name}"
                                      for theme in world["themes"]})
    db.session.commit()
    db.session.expire_all()
    with count_queries() as after:
        content = nota_content.collect(period)
    assert after.count == before.count <= 8
    assert [group.summary for group in content.groups][:3] == [
        f"Samenvatting {name}" for name in THEMES]
    assert sum(len(entry.reactions) for group in content.groups
               for entry in group.entries) == ANSWERED


def test_a_nota_without_answers_has_contents_but_no_index(app, db, world):
    from app.consultations import services
    from app.consultations.services import ConsultationData

    empty = services.create_consultation(world["plan"], ConsultationData(
        title="Nog niets", format="werkconferentie"))
    db.session.commit()
    files = generated(app, empty)
    words = labels()
    pages = pdf_pages(files["pdf"])
    assert words["contents"] in pages[0] and words["index"] not in " ".join(pages)
    document = Document(io.BytesIO(files["docx"]))
    paragraphs = [p.text for p in document.paragraphs]
    assert paragraphs[paragraphs.index(words["contents"]) + 1] == words["introduction"]
    xml = docx_xml(files["docx"])
    assert xml.count('w:fldCharType="begin"') == xml.count('w:fldCharType="end"') == 1  # TOC
    assert 'href="#index"' not in files["html"].decode()
