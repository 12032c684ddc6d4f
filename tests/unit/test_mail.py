"""Outgoing mail: its settings (SMTP or the file outbox, the password only from the
environment, every mistake a ConfigError) and the file outbox's files."""

from __future__ import annotations

import email
import email.policy
from pathlib import Path

import pytest

from app import mail
from app.config import build_settings
from app.errors import ConfigError
from app.mail import MailSettings


def settings(tmp_path: Path, file: str | None = None, **extra: str) -> MailSettings:
    values = {"KOERS_INSTANCE_DIR": str(tmp_path / "instance"), "SECRET_KEY": "x" * 32}
    if file is not None:
        (tmp_path / "koers.toml").write_text(file, encoding="utf-8")
        values["KOERS_CONFIG"] = str(tmp_path / "koers.toml")
    values.update(extra)
    return build_settings(values)["KOERS_MAIL"]


def test_without_a_mail_server_mail_goes_to_the_file_outbox(tmp_path):
    config = settings(tmp_path)
    assert config.transport == "file"
    assert config.outbox_dir == (tmp_path / "instance").resolve() / "outbox"


def test_smtp_from_the_file_and_the_password_from_the_environment(tmp_path):
    config = settings(tmp_path, 'smtp_host = "smtp.gemeente.nl"\nsmtp_security = "ssl"\n'
                                'smtp_username = "koers"\nmail_from = "koers@gemeente.nl"\n',
                      KOERS_SMTP_PASSWORD="geheim")
    assert (config.transport, config.host, config.port, config.security) == (
        "smtp", "smtp.gemeente.nl", 465, "ssl")
    assert (config.username, config.password) == ("koers", "geheim")
    assert "geheim" not in repr(config)
    assert settings(tmp_path, KOERS_SMTP_HOST="mail", KOERS_MAIL_FROM="a@b.nl").port == 587


@pytest.mark.parametrize(("file", "environment", "key"), [
    ('smtp_password = "geheim"\n', {}, "smtp_password"),
    ("", {"KOERS_SMTP_HOST": "mail", "KOERS_SMTP_SECURITY": "tls"}, "smtp_security"),
    ("", {"KOERS_SMTP_HOST": "mail"}, "mail_from"),
    ("", {"KOERS_MAIL_TRANSPORT": "smtp", "KOERS_MAIL_FROM": "a@b.nl"}, "smtp_host"),
    ("", {"KOERS_MAIL_TRANSPORT": "pigeon"}, "mail_transport"),
    ("", {"KOERS_SMTP_HOST": "mail", "KOERS_MAIL_FROM": "a@b.nl",
          "KOERS_SMTP_USERNAME": "koers"}, "KOERS_SMTP_PASSWORD"),
    ("", {"KOERS_SMTP_PORT": "70000"}, "smtp_port"),
    ("", {"KOERS_MAIL_FROM": "not an address"}, "mail_from"),
])
def test_mail_mistakes_are_config_errors(tmp_path, file, environment, key):
    with pytest.raises(ConfigError) as error:
        settings(tmp_path, file, **environment)
    assert error.value.key == key and error.value.fix


def test_the_file_outbox_writes_one_whole_eml_per_message(tmp_path):
    config = MailSettings(transport="file", from_address="koers@gemeente.nl",
                          outbox_dir=tmp_path / "outbox")
    with mail.connected(config) as box:
        for number in range(3):
            box.send(mail.new_message(f"p{number}@example.nl", "Uw inbreng",
                                      "Beste deelnemer,\n\nDank u.", config=config))
    files = sorted((tmp_path / "outbox").iterdir())
    assert len(files) == 3 and all(path.suffix == ".eml" for path in files)
    message = email.message_from_bytes(files[0].read_bytes(), policy=email.policy.default)
    assert message["From"] == "koers@gemeente.nl" and message["Subject"] == "Uw inbreng"
    assert message["Message-ID"].endswith("@gemeente.nl>")
    assert "Dank u." in message.get_content()


def test_smtp_sends_and_tells_a_refusal_from_a_broken_handover(tmp_path):
    import socket

    from aiosmtpd.controller import Controller

    class Server:
        def __init__(self) -> None:
            self.received: list[str] = []

        async def handle_DATA(self, server, session, envelope) -> str:  # aiosmtpd calls it so
            recipient = envelope.rcpt_tos[0]
            if recipient.startswith("refused"):
                return "550 5.1.1 No such user"
            if recipient.startswith("hangup"):
                server.transport.close()  # gone without an answer: perhaps delivered
                return "250 OK"
            self.received.append(recipient)
            return "250 OK"

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    handler = Server()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    config = MailSettings(transport="smtp", from_address="koers@gemeente.nl",
                          outbox_dir=tmp_path, host="127.0.0.1", port=port, security="none",
                          timeout=10)
    try:
        with mail.connected(config) as box:
            box.send(mail.new_message("anna@example.nl", "Onderwerp", "Tekst", config=config))
            with pytest.raises(mail.MailError) as refused:
                box.send(mail.new_message("refused@example.nl", "O", "T", config=config))
            assert refused.value.refused
            with pytest.raises(mail.MailError) as broken:
                box.send(mail.new_message("hangup@example.nl", "O", "T", config=config))
            assert not broken.value.refused
            box.send(mail.new_message("bert@example.nl", "O", "T", config=config))  # reconnects
    finally:
        controller.stop()
    assert handler.received == ["anna@example.nl", "bert@example.nl"]
    unreachable = MailSettings(transport="smtp", from_address="koers@gemeente.nl",
                               outbox_dir=tmp_path, host="127.0.0.1", port=port,
                               security="none", timeout=2)
    with pytest.raises(mail.MailError) as error:
        mail.SmtpPostbox(unreachable).open()
    assert error.value.refused
