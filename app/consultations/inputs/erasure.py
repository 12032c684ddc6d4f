"""What erasing a person (AVG art. 17) clears in consultations.

The input a person sent or co-signed stays, with its attachments and answers: it belongs to
the public-task case file. What identifies the person in it does not: the attachments' original
file names ("brief Ineke Dijkstra.pdf") become neutral ones, and the person's name, e-mail
address, phone number and address are taken out of the input's text and summary, its answers
and the kennisgeving of a period the person organised. Feedback letters are cleared by
:mod:`app.consultations.feedback.services`.
"""

from __future__ import annotations

from sqlalchemy import Select, select

from app.consultations.inputs.attachments import neutral_name
from app.consultations.inputs.models import (
    Answer,
    Attachment,
    CoSignatory,
    Input,
    InputAnswer,
)
from app.consultations.models import Consultation
from app.database import db
from app.stakeholders import services as register
from app.stakeholders.models import Stakeholder


def signed_inputs(stakeholder_id: int) -> Select[tuple[int]]:
    """The ids of the inputs a person sent or co-signed."""
    return select(Input.id).where(Input.stakeholder_id == stakeholder_id).union(
        select(CoSignatory.input_id).where(CoSignatory.stakeholder_id == stakeholder_id))


@register.on_erase
def forget_attachment_names(stakeholder: Stakeholder) -> None:
    for record in db.session.scalars(select(Attachment).where(
            Attachment.input_id.in_(signed_inputs(stakeholder.id)))):
        record.original_name = neutral_name(record)


@register.on_erase
def forget_in_texts(stakeholder: Stakeholder) -> None:
    ids = signed_inputs(stakeholder.id)
    for item in db.session.scalars(select(Input).where(Input.id.in_(ids))):
        item.original_text = register.redact(item.original_text, stakeholder) or ""
        item.summary = register.redact(item.summary, stakeholder)
    # Staff's answers should not name residents, but one written to a letter often does.
    for reply in db.session.scalars(select(Answer).where(Answer.id.in_(
            select(InputAnswer.answer_id).where(InputAnswer.input_id.in_(ids))))):
        reply.text = register.redact(reply.text, stakeholder) or ""
    for consultation in db.session.scalars(select(Consultation).where(
            Consultation.organiser_id == stakeholder.id, Consultation.notice.is_not(None))):
        consultation.notice = register.redact(consultation.notice, stakeholder)
