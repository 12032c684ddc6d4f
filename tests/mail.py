"""E-mail files as a mail client saves them, for the reaction import's tests and benchmark."""

from __future__ import annotations

import io
import zipfile
from email.message import EmailMessage

#: The first bytes of a PDF file (an attachment is checked by its content).
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def eml(sender: str | None = "Jan de Vries <jan@example.nl>",
        date_header: str | None = "Mon, 03 Jul 2017 10:00:00 +0200",
        body: str = "Ik ben tegen de sluiting.", html: str | None = None,
        message_id: str | None = None, attachment: tuple[str, bytes] | None = None,
        subject: str = "Zienswijze") -> bytes:
    """An ``.eml`` file; ``None`` leaves out the sender, the date or the Message-ID."""
    message = EmailMessage()
    if sender:
        message["From"] = sender
    message["To"] = "inspraak@koersdam.nl"
    message["Subject"] = subject
    if date_header:
        message["Date"] = date_header
    if message_id:
        message["Message-ID"] = f"<{message_id.strip('<>')}>"
    if html is not None:
        message.set_content(html, subtype="html")
    else:
        message.set_content(body)
    if attachment:
        message.add_attachment(attachment[1], maintype="application", subtype="pdf",
                               filename=attachment[0])
    return message.as_bytes()


def zipped(members: dict[str, bytes]) -> bytes:
    """A zip file of ``members`` (name → content), as a mail client exports a folder."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()
