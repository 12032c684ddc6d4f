"""Werkconferentie pages on the plugin's blueprint: the panel on a conference's page with the
tables' yield and the kernadviezen, and the feitenblad as HTML and PDF."""

from __future__ import annotations

from typing import Any

from flask import Response, abort, flash, redirect, request, url_for

from app.plugin_api import (
    PARTICIPANT_GROUPS,
    ConfirmForm,
    Consultation,
    DomainForm,
    Permission,
    current_actor,
    current_municipality,
    db,
    form_errors,
    has_permission,
    input_kinds,
    render_template,
    require,
)

from . import conference, feitenblad_pdf
from .translations import _
from .views import blueprint


def _conference_or_404(consultation_id: int) -> Consultation:
    consultation = db.session.get(Consultation, consultation_id)
    if consultation is None or not conference.is_conference(consultation):
        abort(404)
    return consultation


def render_conference_panel(consultation: Consultation, user: Any) -> str:
    """The panel at the end of a conference's page (slot consultation.overview)."""
    return render_template(
        "oldambt/conference_panel.html", consultation=consultation,
        tables=conference.tables_with_yield(consultation),
        key_advice=conference.key_advice_ids(consultation),
        editable=has_permission(user, Permission.EDIT) and not consultation.archived,
        form=ConfirmForm())


@blueprint.route("/consultations/<int:consultation_id>/kernadviezen", methods=["POST"])
@require(Permission.EDIT)
def key_advice(consultation_id: int):
    consultation = _conference_or_404(consultation_id)
    form = DomainForm()  # a button: CSRF only, and the refusal if there is one
    if not form.validate_on_submit():
        abort(400)
    chosen = [int(value) for value in request.form.getlist("kernadvies") if value.isdigit()]
    with form_errors(form) as saved:
        added, removed = conference.set_key_advice(consultation, chosen, actor=current_actor())
    if not saved:
        flash(" ".join(form.form_errors), "error")
    else:
        flash(_("The kernadviezen have been saved: %(added)d marked, %(removed)d unmarked.",
                added=len(added), removed=len(removed)), "success")
    return redirect(url_for("consultations.show", consultation_id=consultation.id,
                            _anchor="kernadviezen"))


def _texts(consultation: Consultation) -> feitenblad_pdf.Texts:
    municipality = current_municipality()
    starts = consultation.starts_at
    when = starts.astimezone(_zone()).strftime("%d-%m-%Y") if starts else ""
    return feitenblad_pdf.Texts(
        title=_("Feitenblad: %(title)s", title=consultation.title),
        subtitle=_("%(municipality)s · %(when)s · %(location)s",
                   municipality=municipality.name, when=when,
                   location=consultation.location or ""),
        participants=_("Participants by group"), group=_("Participant group"),
        number=_("Number"), total=_("Total"), per_table=_("Inputs per table"),
        table=_("Table"), insights=_("Insights"), connections=_("Connections"),
        advice=_("Advice"), key_advice=_("Kernadviezen"),
        no_key_advice=_("No kernadviezen have been marked yet."), no_table=_("Not at a table"),
        footer=_("Geen plan zonder inwoners en geen plan zonder partners."))


def _zone():
    from zoneinfo import ZoneInfo

    return ZoneInfo(current_municipality().timezone)


@blueprint.route("/consultations/<int:consultation_id>/feitenblad")
@require(Permission.VIEW)
def feitenblad(consultation_id: int):
    consultation = _conference_or_404(consultation_id)
    sheet = conference.fact_sheet(consultation)
    return render_template("oldambt/feitenblad.html", sheet=sheet, consultation=consultation,
                           texts=_texts(consultation), groups=PARTICIPANT_GROUPS,
                           kinds=input_kinds())


@blueprint.route("/consultations/<int:consultation_id>/feitenblad.pdf")
@require(Permission.VIEW)
def feitenblad_download(consultation_id: int):
    consultation = _conference_or_404(consultation_id)
    municipality = current_municipality()
    pdf = feitenblad_pdf.render(
        conference.fact_sheet(consultation), _texts(consultation),
        groups={code: str(label) for code, label in PARTICIPANT_GROUPS.items()},
        colour=municipality.primary_colour, author=municipality.name)
    response = Response(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="feitenblad-{consultation.id}.pdf"')
    return response
