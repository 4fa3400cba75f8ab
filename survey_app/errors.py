"""Friendly error pages in the respondent's language, never a stack trace."""

from __future__ import annotations

from flask import Flask, render_template, request, url_for
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from werkzeug.exceptions import BadRequest, HTTPException, SecurityError

from survey_app.extensions import db

RETRY_SECONDS = 30


class InputError(BadRequest):
    """A bad parameter or form a person can fix: 400 with ``message`` (in their language, with
    a format hint) shown on the page, inside the staff layout on staff pages."""

    def __init__(self, message: str) -> None:
        super().__init__(description=message)
        self.message = message


def _back() -> str:
    """Where "Kembali" leads from a staff error: the page the person came from on this site,
    else the staff home."""
    came_from = request.referrer or ""
    if came_from.startswith(request.host_url) and "/staf/" in came_from:
        return "/" + came_from[len(request.host_url) :].lstrip("/")
    return url_for("staf.index")


def register(app: Flask) -> None:
    @app.errorhandler(SecurityError)
    def untrusted_host(error: SecurityError) -> tuple[str, int, dict[str, str]]:
        """A Host header outside SURVEY_TRUSTED_HOSTS: no page (its links would need it)."""
        return "400: host tidak dilayani di sini", 400, {"Content-Type": "text/plain"}

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError) -> tuple[str, int]:
        message = _("Halaman formulir sudah kedaluwarsa. Silakan muat ulang dan isi kembali.")
        return render_template("error.html", code=400, message=message), 400

    @app.errorhandler(DBAPIError)
    def database_down(error: DBAPIError) -> tuple[str, int, dict[str, str]]:
        """The database cannot be reached (restarting, failing over): say so, and nothing was
        stored; the pool's pre-ping reconnects by itself once it is back."""
        db.session.rollback()
        if not isinstance(error, OperationalError | InterfaceError):
            raise error  # a fault of the statement, not of the connection: a real 500
        app.logger.warning("database unavailable: %s", type(error.orig).__name__)
        message = _(
            "Layanan sedang mengalami gangguan sementara. Jawaban Anda belum tersimpan: "
            "silakan coba lagi dalam beberapa saat (tekan tombol kembali, lalu kirim lagi)."
        )
        page = render_template("error.html", code=503, message=message)
        return page, 503, {"Retry-After": str(RETRY_SECONDS)}

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> tuple[str, int]:
        messages = {
            400: _("Permintaan tidak dapat diproses. Silakan isi formulir dari tautan kode QR."),
            403: _("Anda tidak memiliki akses ke data unit ini."),
            404: _("Halaman tidak ditemukan. Periksa kembali tautan atau kode QR."),
            413: _("Berkas atau isian terlalu besar."),
            429: _("Terlalu banyak percobaan. Silakan tunggu sebentar lalu coba lagi."),
        }
        if request.blueprint == "survei":
            messages[429] = _(
                "Terlalu banyak jawaban terkirim dari jaringan ini dalam waktu singkat. "
                "Jawaban Anda belum tersimpan: tunggu beberapa menit, tekan tombol kembali, "
                "lalu kirim lagi."
            )
            messages[413] = _("Isian terlalu panjang. Persingkat saran Anda lalu kirim lagi.")
        code = error.code or 500
        if request.blueprint == "staf":
            messages[400] = _(
                "Permintaan tidak dapat diproses: periksa isian atau alamat halaman, muat ulang "
                "halaman lalu coba lagi."
            )
            messages[404] = _("Halaman atau data yang diminta tidak ditemukan.")
        message = messages.get(code, _("Terjadi kesalahan. Silakan coba lagi."))
        if isinstance(error, InputError):
            message = error.message
        if request.blueprint == "staf":
            page = render_template("staf/error.html", code=code, message=message, back=_back())
            return page, code
        return render_template("error.html", code=code, message=message), code
