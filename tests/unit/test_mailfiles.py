"""Reading e-mailed reactions: .eml (plain and HTML bodies, attachments, Message-ID or a hash),
Outlook .msg (a real fixture), zip files of them with their bounds, and what is refused."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from flask import Flask

from app.consultations.inputs import mailfiles
from tests.mail import PDF, eml, zipped

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "reactions"


@pytest.fixture(autouse=True)
def context():
    app = Flask(__name__)
    app.config.update(KOERS_MAX_IMPORT_MB=1, KOERS_IMPORT_MAX_UNPACKED_MB=2)
    with app.app_context():
        yield


def codes(message: mailfiles.Message) -> list[str]:
    return [code for code, _params in message.problems]


def test_an_eml_gives_sender_amsterdam_date_text_attachment_and_message_id():
    raw = eml(date_header="Tue, 04 Jul 2017 23:30:00 +0000", body="Ik ben tegen.",
              message_id="abc@example.nl", attachment=("brief.pdf", PDF))
    message = mailfiles.read_eml(raw, "a.eml")
    assert message.problems == []
    assert (message.sender_name, message.sender_email) == ("Jan de Vries", "jan@example.nl")
    assert message.received_on == date(2017, 7, 5)  # 23:30 UTC is 01:30 the next day here
    assert message.text == "Ik ben tegen."
    assert message.ref == "mid:abc@example.nl"
    assert [(a.name, a.data) for a in message.attachments] == [("brief.pdf", PDF)]


def test_an_html_body_is_reduced_to_text_and_without_message_id_the_raw_hash_counts():
    raw = eml(html="<html><body><p>Geen <b>windmolens</b></p><p>bij de school</p></body></html>")
    message = mailfiles.read_eml(raw, "b.eml")
    assert "<" not in message.text and "windmolens" in message.text
    assert "bij de school" in message.text
    assert message.ref.startswith("sha256:") and message.ref == mailfiles.raw_ref(raw)


def test_an_eml_without_sender_or_date_is_reported():
    assert codes(mailfiles.read_eml(eml(sender=None), "c.eml")) == ["no_sender"]
    assert codes(mailfiles.read_eml(eml(date_header=None), "d.eml")) == ["no_date"]
    assert codes(mailfiles.read_eml(eml(date_header="gisteren"), "e.eml")) == ["no_date"]


def test_a_real_outlook_msg_is_read():
    data = (FIXTURES / "zienswijze.msg").read_bytes()
    message = mailfiles.read_msg(data, "zienswijze.msg")
    assert message.problems == []
    assert (message.sender_name, message.sender_email) == ("Karin Visser",
                                                           "karin.visser@example.nl")
    assert message.received_on == date(2017, 7, 4)
    assert "bibliotheek in Scheemda" in message.text
    assert message.ref == "mid:outlook-zienswijze-1@example.nl"
    assert [a.name for a in message.attachments] == ["brief.pdf"]
    assert message.attachments[0].data.startswith(b"%PDF-")


@pytest.mark.parametrize("data", [b"", b"/etc/passwd", eml(), b"\xd0\xcf\x11\xe0" * 1000,
                                  b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 4000])
def test_a_msg_that_is_not_one_is_refused_never_parsed_as_a_path(data):
    assert codes(mailfiles.read_msg(data, "x.msg")) == ["not_msg"]


def test_a_zip_of_messages_is_read_member_by_member():
    msg = (FIXTURES / "zienswijze.msg").read_bytes()
    messages, problems = mailfiles.read_zip(zipped({
        "inbox/1.eml": eml(), "inbox/2.msg": msg, "__MACOSX/._1.eml": b"junk",
        "notes.txt": b"hallo"}), "post.zip")
    assert problems == []
    assert [m.label for m in messages] == ["post.zip: inbox/1.eml", "post.zip: inbox/2.msg",
                                           "post.zip: notes.txt"]
    assert [codes(m) for m in messages] == [[], [], ["member_type"]]


@pytest.mark.parametrize(("members", "code"), [
    ({"../../etc/evil.eml": b"x"}, "zip_paths"),
    ({"/abs.eml": b"x"}, "zip_paths"),
    ({"C:/windows.eml": b"x"}, "zip_paths"),
    ({"inner.zip": b"x"}, "zip_nested"),
    ({"disguised.eml": zipped({"a.eml": b"x"})}, "zip_nested"),
])
def test_a_zip_with_paths_or_nested_zips_is_refused(members, code):
    messages, problems = mailfiles.read_zip(zipped(members), "post.zip")
    assert messages == [] and [c for c, _p in problems] == [code]


def test_a_zip_bomb_and_too_many_members_are_refused_without_unpacking():
    bomb = zipped({"bomb.eml": b"\0" * (3 * 1024 * 1024)})  # 3 MB of zeros: a few KB zipped
    assert len(bomb) < 20_000
    assert mailfiles.read_zip(bomb, "b.zip") == ([], [("zip_too_large", {"limit": 2})])
    many = zipped({f"{n}.eml": b"x" for n in range(mailfiles.MAX_MESSAGES + 1)})
    assert mailfiles.read_zip(many, "m.zip")[1] == [("too_many_messages",
                                                    {"limit": mailfiles.MAX_MESSAGES})]
    assert mailfiles.read_zip(b"PK\x03\x04 broken", "x.zip") == ([], [("not_zip", {})])
