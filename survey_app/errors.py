"""Friendly error pages in the respondent's language, never a stack trace."""

from __future__ import annotations

from flask import Flask, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from werkzeug.exceptions import HTTPException, SecurityError

from survey_app.extensions import db

RETRY_SECONDS = 30


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
        message = messages.get(code, _("Terjadi kesalahan. Silakan coba lagi."))
        return render_template("error.html", code=code, message=message), code
