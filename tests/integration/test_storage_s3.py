"""The same stories on S3-compatible object storage: attachments, the nota, reaction imports
and stakeholder imports run against moto's S3 server over HTTP (KOERS_STORAGE_URL), and not a
byte lands in the local storage folder. The tests are those of the folder back-end, imported
here with the S3 back-end in their app."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from tests import s3
from tests.faults.test_stakeholder_import_steps import (  # noqa: F401  (collected here too)
    STEP,
    test_an_interrupted_import_goes_on_from_its_checkpoint,
)
from tests.integration.test_input_attachments import (  # noqa: F401
    english,
    test_a_file_that_is_no_pdf_or_image_records_nothing_and_keeps_the_rest,
    test_a_written_reaction_with_a_scanned_letter_and_co_signatories,
    test_an_editor_adds_and_removes_attachments_on_the_input_page,
    test_an_erased_senders_attachments_stay_and_the_export_lists_them,
    test_downloads_are_attachments_with_the_checked_type_and_never_sniffed,
)
from tests.integration.test_nota import (  # noqa: F401
    test_a_retried_job_returns_the_nota_it_made,
    test_downloads_and_the_html_view,
    test_the_job_writes_three_files_and_records_the_nota,
    world,
)
from tests.integration.test_reaction_import import (  # noqa: F401
    test_a_spreadsheet_is_imported_with_themes_co_signatories_and_matched_senders,
    test_an_upload_is_only_for_whoever_uploaded_it_and_can_be_discarded,
    test_emails_are_checked_then_imported_in_one_go,
)
from tests.integration.test_stakeholder_import_pages import (  # noqa: F401
    test_a_clean_file_is_checked_then_imported_once_confirmed,
    test_a_file_with_bad_rows_is_reported_and_nothing_is_imported,
    test_an_oversized_file_is_refused_with_the_limit,
)


@pytest.fixture(scope="module")
def s3_endpoint():
    with s3.s3_server() as endpoint:
        s3.create_bucket(endpoint)
        yield endpoint


@pytest.fixture
def storage_prefix() -> str:
    return f"instance-{uuid.uuid4().hex[:8]}"


@pytest.fixture
def app_overrides(s3_endpoint, storage_prefix, monkeypatch):
    for name, value in s3.environment(s3_endpoint).items():
        monkeypatch.setenv(name, value)
    return {"KOERS_STORAGE_URL": f"s3://{s3.BUCKET}/{storage_prefix}",
            "KOERS_IMPORT_STEP_ROWS": STEP}


@pytest.fixture(autouse=True)
def nothing_stored_locally(app):
    """Every file went through the storage interface: the local folder stays empty."""
    yield
    folder = Path(app.config["KOERS_STORAGE_DIR"])
    assert [path for path in folder.rglob("*") if path.is_file()] == []


def test_the_files_are_in_the_bucket_under_the_instances_prefix(
        app, client, login_as, db, world, s3_endpoint, storage_prefix):  # noqa: F811
    login_as("editor")
    period = world["period"]
    assert client.submit(f"/consultations/{period.id}/nota").status_code == 302
    keys = s3.object_keys(s3_endpoint, prefix=f"{storage_prefix}/")
    assert len(keys) == 3
    assert {key.rsplit(".", 1)[1] for key in keys} == {"html", "pdf", "docx"}
    assert all(key.startswith(f"{storage_prefix}/notas/") for key in keys)


def test_storage_check_writes_reads_and_removes_a_file(app, s3_endpoint, storage_prefix):
    result = app.test_cli_runner().invoke(args=["storage", "check"])
    assert result.exit_code == 0, result.output
    assert f"bucket 'koers-test', prefix '{storage_prefix}/'" in result.output
    assert "write, read and remove: ok" in result.output
    assert s3.object_keys(s3_endpoint, prefix=f"{storage_prefix}/") == []


def test_storage_check_fails_with_the_reason_when_the_bucket_is_missing(app, s3_endpoint,
                                                                         monkeypatch):
    from app.storage import EXTENSION, open_storage

    app.extensions[EXTENSION] = open_storage("s3://no-such-bucket/x", Path("/nonexistent"))
    result = app.test_cli_runner().invoke(args=["storage", "check"])
    assert result.exit_code == 1
    assert "the storage cannot be used" in result.output and "NoSuchBucket" in result.output


def test_files_are_copied_from_a_folder_to_a_bucket_once(app, s3_endpoint, tmp_path):
    from app.storage import EXTENSION
    from app.storage.local import LocalStorage

    folder = LocalStorage(tmp_path / "old-storage")
    folder.write("attachments/a.pdf", b"%PDF-1.7")
    folder.write("reaction-imports/0123/meta.json", b"{}")
    app.extensions[EXTENSION] = folder
    target = f"s3://{s3.BUCKET}/moved-{uuid.uuid4().hex[:6]}"
    runner = app.test_cli_runner()
    dry = runner.invoke(args=["storage", "copy", "--to", target, "--dry-run"])
    assert dry.exit_code == 0 and "would copy 2 files, 0 already there" in dry.output
    prefix = target.rsplit("/", 1)[1]
    assert s3.object_keys(s3_endpoint, prefix=prefix) == []
    done = runner.invoke(args=["storage", "copy", "--to", target])
    assert done.exit_code == 0 and "copied 2 files, 0 already there" in done.output
    assert s3.object_keys(s3_endpoint, prefix=prefix) == [
        f"{prefix}/attachments/a.pdf", f"{prefix}/reaction-imports/0123/meta.json"]
    again = runner.invoke(args=["storage", "copy", "--to", target])
    assert "copied 0 files, 2 already there" in again.output
