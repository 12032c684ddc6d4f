"""The job glue the areas share: starting a job from a page and following it on the area's
own job page (:func:`app.jobs.views.start_job`, :func:`app.jobs.views.job_or_404`), and the
account a job function acts for (:func:`app.jobs.services.started_by`)."""

from __future__ import annotations

import pytest
from flask_login import login_user
from werkzeug.exceptions import NotFound

from app.jobs.models import Job
from app.jobs.services import JobContext, enqueue, job, started_by
from app.jobs.views import job_or_404, start_job

KIND = "tests.job_helpers"
OTHER_KIND = "tests.job_helpers_other"


@job(KIND)
def helper_job(context: JobContext, consultation_id: int = 0) -> dict[str, int | None]:
    actor = started_by(context.job_id)
    return {"actor_id": actor.id if actor is not None else None}


@job(OTHER_KIND)
def other_job(context: JobContext, consultation_id: int = 0) -> None:
    return None


def test_job_or_404_shows_a_job_of_its_kind_and_parameters_to_its_starter_and_admins(
        app, make_user):
    owner, colleague, admin = make_user("editor"), make_user("editor"), make_user("admin")
    started = enqueue(KIND, {"consultation_id": 7}, user=owner)
    other = enqueue(OTHER_KIND, {"consultation_id": 7}, user=owner)
    for viewer in (owner, admin):
        with app.test_request_context():
            login_user(viewer)
            assert job_or_404(started.id, KIND, consultation_id=7).id == started.id
    with app.test_request_context():
        login_user(owner)
        for job_id, kind, params in ((started.id, KIND, {"consultation_id": 8}),
                                     (other.id, KIND, {"consultation_id": 7}),
                                     ("no-such-job", KIND, {})):
            with pytest.raises(NotFound):
                job_or_404(job_id, kind, **params)
    with app.test_request_context():
        login_user(colleague)
        with pytest.raises(NotFound):
            job_or_404(started.id, KIND, consultation_id=7)


def test_start_job_enqueues_as_the_signed_in_account_and_follows_the_job(app, db, make_user):
    editor = make_user("editor")
    with app.test_request_context():
        login_user(editor)
        response = start_job(KIND, {"consultation_id": 7}, "consultations.nota_job",
                             consultation_id=7)
    record = db.session.scalar(db.select(Job).where(Job.kind == KIND))
    assert response.status_code == 302
    assert response.location == f"/consultations/7/nota/jobs/{record.id}"
    assert record.params == {"consultation_id": 7} and record.created_by_id == editor.id


def test_a_job_function_acts_for_whoever_started_the_job(app, db, make_user):
    editor = make_user("editor")
    by_editor = enqueue(KIND, {}, user=editor)
    by_the_system = enqueue(KIND, {})
    db.session.expire_all()
    assert db.session.get(Job, by_editor.id).result == {"actor_id": editor.id}
    assert db.session.get(Job, by_the_system.id).result == {"actor_id": None}
