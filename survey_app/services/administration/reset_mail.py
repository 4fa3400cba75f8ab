"""The password-reset mail: the one-time link to a staff account's own address."""

from __future__ import annotations

from email.message import EmailMessage

from survey_app.models import Pengguna
from survey_app.services.administration.mail import MailError, MailSettings, message, send

SUBJECT = "Atur ulang kata sandi zisurvey"
FIRST_SUBJECT = "Akun zisurvey Anda: buat kata sandi"


def reset_link_text(username: str, link: str, valid_until_text: str) -> str:
    """The Indonesian body: whom the link is for, the link, how long it holds (24 hours, once)
    and what to do when the person did not ask for it."""
    return (
        f"Yth. {username},\n"
        "\n"
        f"Ada permintaan untuk mengatur ulang kata sandi akun zisurvey {username}.\n"
        "Buka tautan berikut untuk membuat kata sandi baru:\n"
        "\n"
        f"{link}\n"
        "\n"
        f"Tautan ini berlaku 24 jam, sampai {valid_until_text}, dan hanya dapat dipakai "
        "sekali.\n"
        "\n"
        "Bila Anda tidak meminta ini, abaikan surel ini: kata sandi Anda tidak berubah. "
        "Bila surel seperti ini datang lagi tanpa Anda minta, beri tahu admin zisurvey di "
        "instansi Anda.\n"
        "\n"
        "-- \n"
        "Surel ini dikirim otomatis oleh zisurvey; jangan dibalas.\n"
    )


def first_link_text(username: str, link: str, valid_until_text: str) -> str:
    """The Indonesian body for a new account: it has no password yet; the link sets one."""
    return (
        f"Yth. {username},\n"
        "\n"
        f"Akun zisurvey {username} sudah dibuatkan untuk Anda oleh admin unit. Akun ini belum\n"
        "punya kata sandi: buka tautan berikut untuk membuatnya.\n"
        "\n"
        f"{link}\n"
        "\n"
        f"Tautan ini berlaku 24 jam, sampai {valid_until_text}, dan hanya dapat dipakai "
        "sekali. Bila sudah lewat, minta tautan baru kepada admin unit Anda.\n"
        "\n"
        "-- \n"
        "Surel ini dikirim otomatis oleh zisurvey; jangan dibalas.\n"
    )


def reset_link_mail(
    settings: MailSettings, user: Pengguna, link: str, valid_until_text: str, first: bool = False
) -> EmailMessage:
    """The reset mail to ``user.email`` (``first``: the first password of a new account).
    Raises ``ValueError`` when the account has none."""
    if not user.email:
        raise ValueError(f"akun {user.username} tidak punya alamat surel")
    if first:
        text = first_link_text(user.username, link, valid_until_text)
        return message(settings, user.email, FIRST_SUBJECT, text)
    return message(
        settings, user.email, SUBJECT, reset_link_text(user.username, link, valid_until_text)
    )


def send_reset_link(
    settings: MailSettings, user: Pengguna, link: str, valid_until_text: str, first: bool = False
) -> None:
    """Send ``user`` their reset ``link`` (valid 24 hours; ``valid_until_text`` is the end as
    people read it, for example ``17 November 2026 10.00 WITA``).

    Raises ``ValueError`` when the account has no e-mail address, and
    :class:`~survey_app.services.administration.mail.MailError` (naming the server) when the
    mail server cannot be reached or refuses the message.
    """
    refused = send(settings, [reset_link_mail(settings, user, link, valid_until_text, first)])
    if refused:
        raise MailError(f"surel tidak terkirim: {refused[0]}")
