"""While an import writes its steps, the list and import pages say so; a failed import job
leaves no personal data behind (its upload and staged rows are removed)."""

from __future__ import annotations

import io

import pytest

from app.database import db
from app.jobs import services as jobs
from app.jobs.models import Job, JobStatus
from app.stakeholders import transfer
from app.storage import storage


@pytest.fixture(autouse=True)
def english(client):
    client.set_cookie("koers_language", "en")


def import_job(user, status: str, checkpoint: dict | None) -> Job:
    record = Job(kind="stakeholders.import", params={"path": "imports/x.csv"},
                 created_by_id=user.id, status=status, checkpoint=checkpoint)
    db.session.add(record)
    db.session.commit()
    return record


def test_the_list_and_import_pages_show_an_import_in_progress(client, login_as, make_user):
    editor = login_as("editor")
    page = client.get("/stakeholders/").get_data(as_text=True)
    assert "data-import-state" not in page
    mine = import_job(editor, JobStatus.RUNNING.value, {"done": 400, "total": 1000})
    for url in ("/stakeholders/", "/stakeholders/import"):
        page = client.get(url).get_data(as_text=True)
        assert 'data-import-state="importing"' in page
        assert "Importing stakeholders: 400 of 1000 rows are in the register" in page
        assert f"/stakeholders/import/{mine.id}" in page
    db.session.delete(mine)
    theirs = import_job(make_user("editor"), JobStatus.INTERRUPTED.value,
                        {"done": 250, "total": 1000})
    page = client.get("/stakeholders/").get_data(as_text=True)
    assert 'data-import-state="interrupted"' in page
    assert "stopped after 250 of 1000 rows" in page
    assert f"/stakeholders/import/{theirs.id}" not in page  # someone else's job


def test_a_failed_import_job_removes_its_upload_and_staged_rows(app):
    path = transfer.store_upload(io.BytesIO(b"naam\r\nJan\r\n"), "lijst.csv")
    staged = transfer.staged_key(path)
    storage().write(staged, b"{}\n")
    for kind in ("stakeholders.import_check", "stakeholders.import"):
        assert jobs._on_failure[kind] is transfer.discard_upload
    transfer.discard_upload({"path": path})
    assert not storage().exists(transfer.stored_key(path)) and not storage().exists(staged)
    assert list(storage().entries(transfer.UPLOAD_FOLDER)) == []
