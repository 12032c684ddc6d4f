"""The nota van beantwoording: the job writes HTML, PDF and DOCX; the files hold numbers,
summaries, answers and organisations — never a private person's name or an original text —
grouped by theme; nothing remote is fetched; downloads and who may do what; a fixed number of
queries at any size."""

from __future__ import annotations

import io
import re
import threading
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from docx import Document
from flask_babel import force_locale
from pypdf import PdfReader
from sqlalchemy import func, select

from app.consultations import services
from app.consultations.inputs import answers
from app.consultations.inputs import services as input_services
from app.consultations.inputs.services import InputData
from app.consultations.nota import content as nota_content
from app.consultations.nota import jobs as nota_jobs
from app.consultations.nota import render as nota_render
from app.consultations.nota.models import Nota
from app.consultations.services import ConsultationData
from app.jobs.models import Job, JobStatus
from app.plans import services as plans
from app.plans.programme import services as programme
from app.plans.services import PlanData
from app.stakeholders import services as register
from app.stakeholders.services import StakeholderData
from app.storage import storage

PERSONS = ("Pietje Privé-Persoon", "Anna de Vries-Geheim", "Mevrouw Mede-Ondertekenaar")
ORGANISATIONS = ("Stichting Welzijn Oost", "Zorggroep De Linde")
THEMES = ("Meedoen", "Armoede", "Eenzaamheid")
ANSWERED = 48  # of 50 reactions; two stay open


@pytest.fixture(autouse=True)
def english(client):
    client.set_cookie("koers_language", "en")


def summary(n: int) -> str:
    return f"Samenvatting {n}: de indiener vraagt om meer steun in de wijk."


def original(n: int) -> str:
    return f"ORIGINEEL-{n} ik ben {PERSONS[n % 2]} en woon op de Dorpsstraat {n}."


@pytest.fixture
def world(app, db):
    """A plan with three themes and a ter-inzage period with 50 reactions: from private
    persons (named in the register), organisations (one letter co-signed by a person and an
    organisation) and anonymous; some late, some without summary, some without theme; 48
    answered — reactions 1, 2 and 3 by one answer — with decisions and changed sections."""
    plan = plans.create_plan(PlanData(title="Samen Krachtig", kind="beleidsplan"))
    themes = [programme.add_theme(plan, name) for name in THEMES]
    section = plans.add_section(plan, "Hoofdstuk 3 Armoedebeleid")
    period = services.create_consultation(plan, ConsultationData(
        title="Ontwerpbeleidsplan ter inzage", format="ter_inzage",
        published_on=date(2017, 5, 31), legal_basis="Inspraakverordening, art. 3"))
    persons = [register.create(StakeholderData(name=name, kind="person")) for name in PERSONS]
    organisations = [register.create(StakeholderData(name=name, kind="organisation"))
                     for name in ORGANISATIONS]
    db.session.flush()
    items = []
    for n in range(1, 51):
        sender = (organisations[n % 2] if n % 5 == 0 else persons[n % 2] if n % 5 in (1, 2)
                  else None)
        items.append(InputData(
            original_text=original(n), kind="zienswijze", channel="brief",
            stakeholder_id=sender.id if sender else None,
            participant_group=None if sender else "inwoner",
            summary=None if n % 7 == 0 else summary(n),
            received_on=date(2017, 7, 20) if n % 9 == 0 else date(2017, 6, 15),
            theme_ids=[] if n % 4 == 0 else [themes[n % 3].id],
            co_signatory_ids=[persons[2].id, organisations[1].id] if n == 10 else []))
    inputs = input_services.add_inputs(period, items)
    decisions = list(answers.DECISIONS)
    answers.answer(inputs[0:3], "Antwoord A: de steun wordt uitgebreid.", "overgenomen",
                   changed_section=section)
    for index in range(3, ANSWERED):
        decision = decisions[index % len(decisions)]
        answers.answer([inputs[index]], f"Antwoord {index + 1}: zo doen we het.", decision,
                       changed_section=section if decision in answers.CHANGES_PLAN else None)
    db.session.commit()
    return {"plan": plan, "period": period, "inputs": inputs, "themes": themes,
            "section": section}


def pdf_text(data: bytes) -> str:
    return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
                    .split())


def docx_text(data: bytes) -> str:
    document = Document(io.BytesIO(data))
    parts = [paragraph.text for paragraph in document.paragraphs]
    parts += [cell.text for table in document.tables for row in table.rows
              for cell in row.cells]
    parts += [paragraph.text for section in document.sections
              for paragraph in section.header.paragraphs]
    return " ".join(" ".join(parts).split())


def nl_labels() -> dict[str, str]:
    with force_locale("nl"):
        return nota_content.labels()


def generated(app, world) -> dict[str, bytes]:
    nota, _seconds = nota_jobs.generate(world["period"])
    return {fmt: storage().read(f"notas/{name}") for fmt, name in nota.files.items()}


# --- the job --------------------------------------------------------------------------------

def test_the_job_writes_three_files_and_records_the_nota(app, client, login_as, db, world):
    user = login_as("editor")
    period = world["period"]
    response = client.submit(f"/consultations/{period.id}/nota")
    assert response.status_code == 302
    assert f"/consultations/{period.id}/nota/jobs/" in response.location
    job = db.session.scalar(select(Job).where(Job.kind == "consultations.nota"))
    assert job.status == JobStatus.FINISHED and job.progress == 100
    nota = db.session.scalar(select(Nota))
    assert job.result["nota_id"] == nota.id and job.result["reactions"] == ANSWERED
    assert (nota.consultation_id, nota.job_id, nota.created_by_id, nota.reactions) == (
        period.id, job.id, user.id, ANSWERED)
    assert sorted(nota.files) == ["docx", "html", "pdf"]
    for file_format, name in nota.files.items():
        assert re.fullmatch(rf"[0-9a-f]{{32}}\.{file_format}", name)
        assert storage().size(f"notas/{name}") > 1000
    assert storage().read(f"notas/{nota.files['pdf']}").startswith(b"%PDF")
    assert storage().read(f"notas/{nota.files['docx']}").startswith(b"PK")
    page = client.get(response.location).get_data(as_text=True)
    assert f"/consultations/{period.id}/nota/{nota.id}.pdf" in page
    assert f"/consultations/{period.id}/nota/{nota.id}.docx" in page
    assert "The nota is ready: 48 reactions." in page


def test_a_retried_job_returns_the_nota_it_made(app, db, world, make_user):
    from app.jobs.services import enqueue, run_job

    job = enqueue("consultations.nota", {"consultation_id": world["period"].id},
                  user=make_user("editor"))
    run_job(job.id)
    assert db.session.scalar(select(func.count()).select_from(Nota)) == 1


# --- what the files say ---------------------------------------------------------------------

@pytest.mark.parametrize("file_format", ["pdf", "docx", "html"])
def test_the_files_hold_numbers_summaries_answers_and_organisations_never_persons(
        app, world, file_format):
    data = generated(app, world)[file_format]
    text = {"pdf": pdf_text, "docx": docx_text,
            "html": lambda raw: " ".join(re.sub(r"<[^>]+>", " ", raw.decode()).split())
            }[file_format](data)
    labels = nl_labels()
    for n in range(1, ANSWERED + 1):
        assert re.search(rf"{labels['reaction']} {n} — ", text), n
        if n % 7:
            assert summary(n) in text, n
        assert f"ORIGINEEL-{n} " not in text
    assert f"{labels['reaction']} {ANSWERED + 1} — " not in text  # unanswered: not in it
    assert "Antwoord A: de steun wordt uitgebreid." in text
    assert "Antwoord 20: zo doen we het." in text
    assert labels["no_summary"] in text  # reactions 7, 14, … have no summary yet
    for name in ORGANISATIONS:
        assert name in text
    for name in PERSONS:
        assert name not in text
    assert "Dorpsstraat" not in text
    assert "Hoofdstuk 3 Armoedebeleid" in text  # the changed section
    assert f"{labels['reaction']} 9 — " in text and labels["late"] in text
    assert "Gemeente Koersdam" in text  # the house style names the municipality
    assert "31 mei 2017" in text and "11 juli 2017" in text  # the period, computed


def test_reactions_are_grouped_by_theme_with_one_answer_shown_once(app, world):
    with force_locale("nl"):
        content = nota_content.collect(world["period"])
    titles = [group.title for group in content.groups]
    assert titles[:3] == list(THEMES)
    assert len(titles) == 4  # the general group last
    by_group = {group.title: [r.number for entry in group.entries for r in entry.reactions]
                for group in content.groups}
    general = by_group[titles[3]]
    assert general and all(n % 4 == 0 for n in general)
    for title, theme_index in zip(THEMES, range(3), strict=True):
        assert by_group[title] and all(n % 3 == theme_index for n in by_group[title]
                                       if n > 3), title
    first = next(entry for group in content.groups for entry in group.entries
                 if entry.reactions[0].number == 1)
    assert [r.number for r in first.reactions] == [1, 2, 3]
    assert sum(len(group.entries) for group in content.groups) == ANSWERED - 2
    assert sum(count for _label, count in content.decisions) == ANSWERED
    anonymous = next(r for group in content.groups for entry in group.entries
                     for r in entry.reactions if r.number == 3)
    assert anonymous.who == "Inwoner"
    signed = next(r for group in content.groups for entry in group.entries
                  for r in entry.reactions if r.number == 10)
    assert signed.co_signatories == ("Zorggroep De Linde",)
    assert signed.private_co_signatories == 1
    # The same order in the Word file: each theme's heading, then its reactions.
    labels = nl_labels()
    document = Document(io.BytesIO(generated(app, world)["docx"]))
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert headings[1:-1] == titles  # after the introduction, before the index
    paragraphs = [p.text for p in document.paragraphs]
    heading = {p.text: index for index, p in enumerate(document.paragraphs)
               if p.style.name == "Heading 1"}
    thirteenth = next(index for index, line in enumerate(paragraphs)
                  if re.match(rf"(?:\S+ \d+: )?{labels['reaction']} 13 — ", line))
    assert heading[THEMES[1]] < thirteenth < heading[THEMES[2]]


# --- nothing remote -------------------------------------------------------------------------

class CountingServer:
    """A web server on 127.0.0.1 that counts the requests it gets."""

    def __init__(self) -> None:
        self.requests: list[str] = []
        seen = self.requests

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                seen.append(self.path)
                self.send_response(200)
                self.send_header("Content-Type", "image/png")
                self.end_headers()
                self.wfile.write(PNG)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> CountingServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()


def png() -> bytes:
    from PIL import Image

    output = io.BytesIO()
    Image.new("RGB", (40, 20), "#154273").save(output, "PNG")
    return output.getvalue()


PNG = png()


def test_no_renderer_fetches_a_remote_logo_or_image(app, db, world):
    with CountingServer() as server:
        # The server answers: a renderer that asked would get an image.
        import urllib.request

        with urllib.request.urlopen(f"{server.url}/probe.png") as response:
            assert response.read() == PNG
        server.requests.clear()
        tag = f'<img src="{server.url}/tracker.png" width="10" height="10"/>'
        item = world["inputs"][3]
        item.summary = f"Zie {tag} hier."
        db.session.commit()
        style = nota_content.Branding("Gemeente Koersdam", "#154273", "#ffb612",
                                      f"{server.url}/logo.png")
        with force_locale("nl"):
            content = nota_content.collect(world["period"], house_style=style)
            files = {"html": nota_render.html(content), "pdf": nota_render.pdf(content),
                     "docx": nota_render.docx(content)}
        assert nota_render.local_image(f"{server.url}/logo.png") is None
        assert nota_render.local_image(f"file://{Path(__file__)}") is None
        from reportlab.lib.utils import ImageReader

        with pytest.raises(OSError):
            ImageReader(f"{server.url}/direct.png")
        assert server.requests == []
    assert tag in pdf_text(files["pdf"])  # shown as text, not followed
    assert "&lt;img src=" in files["html"].decode() and "<img src=\"http" not in \
        files["html"].decode()
    assert tag in docx_text(files["docx"])


def test_a_local_png_logo_and_the_colours_make_the_house_style(app, world, tmp_path):
    logo = tmp_path / "logo.png"
    logo.write_bytes(PNG)
    style = nota_content.Branding("Gemeente Oldambt", "#7a1e48", "#00a19a", logo)
    with force_locale("nl"):
        content = nota_content.collect(world["period"], house_style=style)
        page = nota_render.html(content).decode()
        document = nota_render.pdf(content)
        word = Document(io.BytesIO(nota_render.docx(content)))
    assert "#7a1e48" in page and "#00a19a" in page and "data:image/png;base64," in page
    assert "Gemeente Oldambt" in page
    first = PdfReader(io.BytesIO(document)).pages[0]
    assert len(first.images) == 1 and "Gemeente Oldambt" in first.extract_text()
    assert any(part.partname.endswith(".png") for part in word.part.package.parts)
    assert str(word.styles["Heading 1"].font.color.rgb) == "7A1E48"
    # The demo's SVG logo: in the web page only (PDF and Word cannot show SVG).
    with force_locale("nl"):
        demo = nota_content.collect(world["period"])
    assert "data:image/svg+xml;base64," in nota_render.html(demo).decode()
    assert len(PdfReader(io.BytesIO(nota_render.pdf(demo))).pages[0].images) == 0


# --- pages and permissions ------------------------------------------------------------------

def test_downloads_and_the_html_view(app, client, login_as, db, world, make_user):
    period = world["period"]
    nota, _seconds = nota_jobs.generate(period, actor=make_user("editor", name="Beleidsadviseur"))
    db.session.commit()
    login_as("viewer")
    listing = client.get(f"/consultations/{period.id}/nota")
    page = listing.get_data(as_text=True)
    assert listing.status_code == 200
    assert "Beleidsadviseur" in page and "Generate nota van beantwoording" not in page
    for file_format, media_type in (("pdf", "application/pdf"), (
            "docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
            ("html", "text/html; charset=utf-8")):
        url = f"/consultations/{period.id}/nota/{nota.id}.{file_format}"
        assert url in page
        response = client.get(url)
        assert response.status_code == 200
        assert response.headers["Content-Type"] == media_type
        disposition = response.headers["Content-Disposition"]
        assert disposition.startswith("attachment;")
        assert (f'nota-van-beantwoording-ontwerpbeleidsplan-ter-inzage-'
                f'{nota.created_at:%Y-%m-%d}.{file_format}') in disposition
        assert "no-store" in response.headers["Cache-Control"]
    view = client.get(f"/consultations/{period.id}/nota/{nota.id}")
    assert view.status_code == 200 and "Content-Disposition" not in view.headers
    policy = view.headers["Content-Security-Policy"]
    assert re.search(r"style-src 'sha256-[A-Za-z0-9+/=]+';", policy)
    assert "default-src 'none'" in policy and "unsafe" not in policy
    assert "Samenvatting 4:" in view.get_data(as_text=True)
    show = client.get(f"/consultations/{period.id}").get_data(as_text=True)
    assert f'href="/consultations/{period.id}/nota"' in show


def test_viewers_cannot_generate_and_other_consultations_notas_are_not_found(
        app, client, login_as, db, world):
    period = world["period"]
    other = services.create_consultation(world["plan"], ConsultationData(
        title="Werkconferentie", format="werkconferentie"))
    nota, _seconds = nota_jobs.generate(period)
    db.session.commit()
    login_as("viewer")
    assert client.submit(f"/consultations/{period.id}/nota").status_code == 403
    assert client.get(f"/consultations/{other.id}/nota/{nota.id}.pdf").status_code == 404
    assert client.get(f"/consultations/{other.id}/nota/{nota.id}").status_code == 404
    assert client.get(f"/consultations/{period.id}/nota/{nota.id}.exe").status_code == 404
    assert db.session.scalar(select(func.count()).select_from(Job)) == 0


def test_an_archived_plan_generates_no_nota(app, client, login_as, db, world):
    world["plan"].archived = True
    db.session.commit()
    login_as("editor")
    period = world["period"]
    assert "Generate nota van beantwoording" not in client.get(
        f"/consultations/{period.id}/nota").get_data(as_text=True)
    assert client.submit(f"/consultations/{period.id}/nota").status_code == 409
    assert db.session.scalar(select(func.count()).select_from(Nota)) == 0


def test_someone_elses_job_page_is_not_shown(app, client, login_as, db, world, make_user):
    from app.jobs.services import enqueue

    job = enqueue("consultations.nota", {"consultation_id": world["period"].id},
                  user=make_user("editor"))
    login_as("editor")
    assert client.get(f"/consultations/{world['period'].id}/nota/jobs/{job.id}"
                      ).status_code == 404


# --- queries --------------------------------------------------------------------------------

def test_collecting_costs_the_same_queries_for_few_and_many_reactions(app, db, world,
                                                                      count_queries):
    period = world["period"]
    plan = world["plan"]
    small = services.create_consultation(plan, ConsultationData(
        title="Klein", format="ter_inzage", published_on=date(2017, 5, 31)))
    few = input_services.add_inputs(small, [InputData(
        original_text="x", kind="zienswijze", channel="brief", summary="s",
        received_on=date(2017, 6, 1), theme_ids=[world["themes"][0].id])])
    answers.answer(few, "Antwoord", "al_voorzien")
    db.session.commit()
    counts = []
    for consultation in (small, period):
        db.session.expire_all()
        with count_queries() as counter:
            nota_content.collect(consultation)
        counts.append(counter.count)
    assert counts[0] == counts[1] <= 8, counts


def test_a_meetings_nota_names_its_local_day(app, db, world):
    from datetime import UTC, datetime

    meeting = services.create_consultation(world["plan"], ConsultationData(
        title="Werkconferentie", format="werkconferentie",
        starts_at=datetime(2026, 3, 23, 23, 30, tzinfo=UTC)))  # 00:30 on 24 March in NL
    ideas = input_services.add_inputs(meeting, [InputData(original_text="Een buurtkamer",
                                                          kind="idee", summary="Buurtkamer")])
    answers.answer(ideas, "Komt er.", "overgenomen")
    db.session.commit()
    with force_locale("nl"):
        content = nota_content.collect(meeting)
        intro = " ".join(nota_content.introduction(content))
    assert content.held_on == date(2026, 3, 24) and "24 maart 2026" in intro
    assert "(Awb)" not in intro
