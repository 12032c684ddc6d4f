"""Pages of a meeting's sign-in list (presentielijst): upload it, see every row with what the
register says about it and the table it names, and register the ticked ones — with attendance
and their table, people registered in advance marked attended — in one submission.

The rules live in :mod:`app.consultations.signin`; these views only read the upload and the
posted ticks. Both routes load the meeting with ``editing=True``: a read-only plan answers 409.
"""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, request, url_for

from app.consultations import signin
from app.consultations.blueprint import bp
from app.consultations.forms import SignInConfirmForm, SignInUploadForm
from app.consultations.inputs.senders import contact_line
from app.consultations.models import Consultation
from app.consultations.pages import consultation_or_404, form_status, page
from app.edits import current_actor, form_errors, posted_ids, posted_versions, versions_value
from app.errors import DomainError
from app.permissions import Permission, require
from app.plans.models import Plan
from app.translate import gettext as _
from app.translate import lazy_gettext as _l

#: What each column of :data:`signin.COLUMNS` gives, for the upload page's table.
COLUMN_TEXTS = {
    "name": _l("The person's name (required)."),
    "email": _l("Finds the person in the register."),
    "postcode": _l("Tells namesakes apart."),
    "organisation": _l("Shown on the check page."),
    "table": _l("The table they sat at: its topic (with or without “Tafel”) or its number "
                "below."),
}


def _meeting(consultation_id: int) -> tuple[Consultation, Plan]:
    consultation, plan = consultation_or_404(consultation_id, editing=True)
    if consultation.is_comment_period:
        abort(404)  # a comment period has no registrations
    return consultation, plan


def _check_page(consultation: Consultation, plan: Plan, rows: list[signin.SignInRow],
                form: SignInConfirmForm, *, status: int = 200) -> tuple[str, int]:
    checked = signin.check(consultation, rows)
    return page("consultations/signin.html", plan, status=status, consultation=consultation,
                checked=checked, rows_value=signin.encode(rows),
                # the registrations shown: one changed before confirming is a conflict
                registration_versions=versions_value(checked.registered.values()),
                confirm_form=form, outcomes=signin.Outcome, contact_line=contact_line)


@bp.route("/<int:consultation_id>/signin", methods=["GET", "POST"], endpoint="signin")
@require(Permission.EDIT)
def signin_upload(consultation_id: int) -> Any:
    """The upload form; a readable list answers with its check page (nothing saved yet)."""
    consultation, plan = _meeting(consultation_id)
    form = SignInUploadForm()
    if form.validate_on_submit():
        upload = form.file.data
        try:
            rows = signin.read(upload.stream, upload.filename or "")
        except DomainError as error:
            form.add_error(error)
        else:
            return _check_page(consultation, plan, rows, SignInConfirmForm(formdata=None))
    return page("consultations/signin.html", plan, status=form_status(),
                consultation=consultation, upload_form=form, columns=signin.COLUMNS,
                column_texts=COLUMN_TEXTS, tables=signin.meeting_tables(consultation))


@bp.route("/<int:consultation_id>/signin/confirm", methods=["POST"],
          endpoint="signin_confirm")
@require(Permission.EDIT)
def signin_confirm(consultation_id: int) -> Any:
    """Register the ticked ones; a refusal shows the list checked again, nothing saved."""
    consultation, plan = _meeting(consultation_id)
    form = SignInConfirmForm()
    try:
        rows = signin.decode(request.form.get("rows", ""))
    except ValueError:
        abort(400)
    if not form.validate_on_submit():
        abort(400)
    versions = posted_versions()
    with form_errors(form) as saved:
        result = signin.register_signin(
            consultation, rows, posted_ids("stakeholder"), posted_ids("new"),
            attended=bool(form.attended.data), versions=versions, actor=current_actor())
    if not saved:
        return _check_page(consultation, plan, rows, form, status=400)
    flash(_("Registered: %(count)d, of whom added to the register: %(added)d. Registered in "
            "advance and now marked as attended: %(marked)d. Already registered, so skipped: "
            "%(skipped)d.", count=result.registered, added=result.added,
            marked=result.marked_attended, skipped=result.skipped), "success")
    return redirect(url_for("consultations.show", consultation_id=consultation.id,
                            _anchor="registrations"))
