"""Outgoing mail: one message at a time, by SMTP or into the file outbox.

The instance's :class:`MailSettings` (read from the instance's settings by
:func:`read_mail_settings`) choose the transport. The **file outbox**
writes each message as one ``.eml`` file into a folder (development, demonstrations and
tests); **SMTP** uses the standard library with STARTTLS, SSL or neither.

A failure says whether the message certainly did not go out (:attr:`MailError.refused`: the
server answered with an error, or no connection could be made) or whether its fate is unknown
(the connection broke or timed out while the message was being handed over) — a caller that
must never send twice treats the second kind as "perhaps sent".
"""

from __future__ import annotations

import os
import re
import smtplib
import ssl
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import Any, Protocol

from flask import current_app

from app.errors import ConfigError


@dataclass(frozen=True)
class MailSettings:
    """How the instance sends mail: by SMTP, or into a folder of .eml files (the file outbox,
    for development, demonstrations and tests)."""

    transport: str  # "smtp" or "file"
    from_address: str
    outbox_dir: Path
    host: str | None = None
    port: int = 587
    security: str = "starttls"  # "none", "starttls" or "ssl"
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    timeout: int = 60


MAIL_TRANSPORTS = ("smtp", "file")
SMTP_SECURITY = {"none": 25, "starttls": 587, "ssl": 465}  # -> the usual port
_ADDRESS = re.compile(r"^[^@\s<>,]+@[^@\s<>,]+$")

#: The mail settings of the instance file (lower case) and the environment (upper case):
#: (variable, type). The SMTP password comes only from the environment (KOERS_SMTP_PASSWORD),
#: never from the file.
MAIL_KEYS: dict[str, tuple[str, type]] = {
    "mail_transport": ("KOERS_MAIL_TRANSPORT", str),
    "mail_from": ("KOERS_MAIL_FROM", str),
    "mail_outbox_dir": ("KOERS_MAIL_OUTBOX_DIR", str),
    "smtp_host": ("KOERS_SMTP_HOST", str),
    "smtp_port": ("KOERS_SMTP_PORT", int),
    "smtp_security": ("KOERS_SMTP_SECURITY", str),
    "smtp_username": ("KOERS_SMTP_USERNAME", str),
    "smtp_timeout": ("KOERS_SMTP_TIMEOUT", int),
}
PASSWORD_VARIABLE = "KOERS_SMTP_PASSWORD"  # noqa: S105 - a variable name, not a password


def read_mail_settings(settings: Mapping[str, Any], environ: Mapping[str, str],
                       instance_dir: Path, config_file: Path) -> MailSettings:
    """Outgoing mail: SMTP when a host is set (or the transport says so), otherwise the file
    outbox; the password only from the environment. Raises :class:`ConfigError`."""

    def source(key: str) -> str:
        return "environment" if MAIL_KEYS[key][0] in environ else str(config_file)

    host = (settings.get("smtp_host") or "").strip() or None
    transport = (settings.get("mail_transport") or ("smtp" if host else "file")).strip().lower()
    if transport not in MAIL_TRANSPORTS:
        raise ConfigError(source("mail_transport"), "mail_transport", f"is {transport!r}",
                          "set it to smtp (a mail server) or file (the outbox folder)")
    security = (settings.get("smtp_security") or "starttls").strip().lower()
    if security not in SMTP_SECURITY:
        raise ConfigError(source("smtp_security"), "smtp_security", f"is {security!r}",
                          "set it to none, starttls or ssl")
    port = settings.get("smtp_port") or SMTP_SECURITY[security]
    if not 1 <= port <= 65535:
        raise ConfigError(source("smtp_port"), "smtp_port", f"is {port}",
                          "use a port number between 1 and 65535, e.g. 587")
    from_address = (settings.get("mail_from") or "").strip()
    username = (settings.get("smtp_username") or "").strip() or None
    password = environ.get(PASSWORD_VARIABLE) or None
    if transport == "smtp":
        if host is None:
            raise ConfigError(source("mail_transport"), "smtp_host", "is not set",
                              "set KOERS_SMTP_HOST (smtp_host) to the mail server's name")
        if not from_address:
            raise ConfigError(str(config_file), "mail_from", "is not set",
                              "set KOERS_MAIL_FROM (mail_from) to the address letters come "
                              "from, e.g. terugkoppeling@gemeente.nl")
        if username and not password:
            raise ConfigError("environment", PASSWORD_VARIABLE, "is not set although "
                              "smtp_username is", f"set {PASSWORD_VARIABLE} in the environment")
    from_address = from_address or "koers@localhost"
    if not _ADDRESS.match(from_address):
        raise ConfigError(source("mail_from"), "mail_from", f"is {from_address!r}",
                          "write one e-mail address, e.g. terugkoppeling@gemeente.nl")
    outbox = Path(settings.get("mail_outbox_dir") or instance_dir / "outbox")
    return MailSettings(transport=transport, from_address=from_address, outbox_dir=outbox,
                        host=host, port=port, security=security, username=username,
                        password=password, timeout=settings.get("smtp_timeout") or 60)


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
