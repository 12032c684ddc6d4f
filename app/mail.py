"""Outgoing mail: one message at a time, by SMTP or into the file outbox.

The instance's :class:`~app.config.MailSettings` choose the transport. The **file outbox**
writes each message as one ``.eml`` file into a folder (development, demonstrations and
tests); **SMTP** uses the standard library with STARTTLS, SSL or neither.

A failure says whether the message certainly did not go out (:attr:`MailError.refused`: the
server answered with an error, or no connection could be made) or whether its fate is unknown
(the connection broke or timed out while the message was being handed over) — a caller that
must never send twice treats the second kind as "perhaps sent".
"""

from __future__ import annotations

import os
import smtplib
import ssl
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import Protocol

from flask import current_app

from app.config import MailSettings


class MailError(Exception):
    """Sending failed. ``refused``: certainly not delivered; otherwise perhaps delivered."""

    def __init__(self, message: str, *, refused: bool) -> None:
        super().__init__(message)
        self.refused = refused


def settings() -> MailSettings:
    return current_app.config["KOERS_MAIL"]


def new_message_id(config: MailSettings | None = None) -> str:
    """A new Message-ID in the sender's domain (kept with a letter before it is sent, so the
    mail server's log can tell whether an interrupted one went out)."""
    config = config or settings()
    return make_msgid(domain=config.from_address.rpartition("@")[2])


def new_message(to: str, subject: str, body: str, *, message_id: str | None = None,
                config: MailSettings | None = None) -> EmailMessage:
    """A plain-text message from the instance's address."""
    config = config or settings()
    message = EmailMessage()
    message["From"] = config.from_address
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = format_datetime(datetime.now(UTC))
    message["Message-ID"] = message_id or new_message_id(config)
    message.set_content(body)
    return message


class Postbox(Protocol):
    def send(self, message: EmailMessage) -> None: ...

    def close(self) -> None: ...


class FileOutbox:
    """Writes each message as ``<time>-<random>.eml`` into a folder. The file appears whole
    or not at all (written aside, then renamed)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise MailError(f"outbox folder {folder}: {error}", refused=True) from error

    def send(self, message: EmailMessage) -> None:
        name = f"{datetime.now(UTC):%Y%m%dT%H%M%S%f}-{uuid.uuid4().hex[:12]}.eml"
        partial = self.folder / f".{name}.part"
        try:
            partial.write_bytes(bytes(message))
            os.replace(partial, self.folder / name)
        except OSError as error:
            partial.unlink(missing_ok=True)
            raise MailError(f"outbox folder {self.folder}: {error}", refused=True) from error

    def close(self) -> None:
        pass


# The server answered "no": the message was not accepted.
_REFUSALS = (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused,
             smtplib.SMTPDataError, smtplib.SMTPNotSupportedError)


class SmtpPostbox:
    """One SMTP connection for many messages; it reconnects after a broken one."""

    def __init__(self, config: MailSettings) -> None:
        self.config = config
        self._client: smtplib.SMTP | None = None

    def open(self) -> None:
        """Connect (and sign in) now, so that a server that cannot be reached fails before
        any message is handed over."""
        if self._client is not None:
            return
        config = self.config
        assert config.host is not None  # checked when the settings were read
        try:
            if config.security == "ssl":
                client: smtplib.SMTP = smtplib.SMTP_SSL(
                    config.host, config.port, timeout=config.timeout,
                    context=ssl.create_default_context())
            else:
                client = smtplib.SMTP(config.host, config.port, timeout=config.timeout)
                if config.security == "starttls":
                    client.starttls(context=ssl.create_default_context())
            if config.username:
                client.login(config.username, config.password or "")
        except (OSError, smtplib.SMTPException) as error:
            raise MailError(f"mail server {config.host}:{config.port}: {error}",
                            refused=True) from error
        self._client = client

    def send(self, message: EmailMessage) -> None:
        self.open()
        assert self._client is not None
        try:
            self._client.send_message(message)
        except _REFUSALS as error:
            self._reset()
            raise MailError(f"refused by the mail server: {error}", refused=True) from error
        except (OSError, smtplib.SMTPException) as error:
            # Broken or timed out while handing over: the server may have accepted it.
            self._drop()
            raise MailError(f"connection to the mail server broke: {error!r}",
                            refused=False) from error

    def _reset(self) -> None:
        try:
            assert self._client is not None
            self._client.rset()
        except (OSError, smtplib.SMTPException):
            self._drop()

    def _drop(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            with suppress(OSError):
                client.close()

    def close(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            try:
                client.quit()
            except (OSError, smtplib.SMTPException):
                client.close()


def postbox(config: MailSettings | None = None) -> FileOutbox | SmtpPostbox:
    config = config or settings()
    if config.transport == "file":
        return FileOutbox(config.outbox_dir)
    return SmtpPostbox(config)


@contextmanager
def connected(config: MailSettings | None = None) -> Iterator[FileOutbox | SmtpPostbox]:
    """``with connected() as box: box.send(message)`` — closed afterwards."""
    box = postbox(config)
    try:
        yield box
    finally:
        box.close()
