"""Outgoing mail (optional): password-reset links and the weekly digest.

Sent with the standard library's ``smtplib`` and ``email`` (kept with Python itself). Set by
``SURVEY_MAIL_SERVER`` (no server: no mail, and every caller says so instead), ``_PORT``
(587), ``_SECURITY`` (``starttls``, ``ssl`` or ``none``), ``_USERNAME``, ``_PASSWORD`` and
``_SENDER`` (the From address).
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Any

SECURITY = ("starttls", "ssl", "none")


class MailError(RuntimeError):
    """The mail server could not be reached or refused the message; the text says which."""


@dataclass(frozen=True)
class MailSettings:
    server: str
    port: int = 587
    security: str = "starttls"
    username: str | None = None
    password: str | None = None
    sender: str = "zisurvey@localhost"
    timeout: float = 20.0

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> MailSettings | None:
        """The settings in an app's config, or None when no ``MAIL_SERVER`` is set."""
        if not config.get("MAIL_SERVER"):
            return None
        return cls(
            server=str(config["MAIL_SERVER"]),
            port=int(config.get("MAIL_PORT") or 587),
            security=str(config.get("MAIL_SECURITY") or "starttls"),
            username=config.get("MAIL_USERNAME") or None,
            password=config.get("MAIL_PASSWORD") or None,
            sender=str(config.get("MAIL_SENDER") or "zisurvey@localhost"),
        )


def message(settings: MailSettings, to: str, subject: str, text: str) -> EmailMessage:
    """A plain-text UTF-8 message from the configured sender."""
    mail = EmailMessage()
    mail["From"] = settings.sender
    mail["To"] = to
    mail["Subject"] = subject
    mail["Message-ID"] = make_msgid(domain=settings.sender.rpartition("@")[2] or "localhost")
    mail.set_content(text)
    return mail


def send(settings: MailSettings, mails: list[EmailMessage]) -> list[str]:
    """Send ``mails`` over one connection. A message the server refuses (its recipient or its
    content) does not stop the others: returns one line per refused message, naming its
    recipient and the server's answer. Raises :class:`MailError`, naming the server, when
    the server cannot be reached, refuses the connection or the sign-in."""
    if not mails:
        return []
    refused: list[str] = []
    try:
        if settings.security == "ssl":
            context = ssl.create_default_context()
            client: smtplib.SMTP = smtplib.SMTP_SSL(
                settings.server, settings.port, timeout=settings.timeout, context=context
            )
        else:
            client = smtplib.SMTP(settings.server, settings.port, timeout=settings.timeout)
        with client:
            if settings.security == "starttls":
                client.starttls(context=ssl.create_default_context())
            if settings.username:
                client.login(settings.username, settings.password or "")
            for mail in mails:
                try:
                    client.send_message(mail)
                except (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError) as exc:
                    refused.append(f"{mail['To']}: ditolak server ({exc})")
    except (OSError, smtplib.SMTPException) as exc:
        raise MailError(
            f"surel tidak terkirim lewat {settings.server}:{settings.port}: {exc}"
        ) from exc
    return refused
