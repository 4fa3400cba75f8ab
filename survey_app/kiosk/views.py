"""Routes of the kiosk: pairing, the kiosk page, its answers (JSON) and its service worker."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any

from flask import (
    Response,
    abort,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    send_from_directory,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError
from werkzeug.wrappers import Response as BaseResponse
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from analysis.kuesioner import sub_code
from instruments import Instrument
from survey_app.extensions import csrf, db, limiter
from survey_app.formtext import Form
from survey_app.kiosk import bp
from survey_app.models import Kiosk
from survey_app.services.catalogue import Catalogue
from survey_app.services.collection import kiosk as kiosks
from survey_app.services.collection.kuesioner import shown
from survey_app.services.collection.submissions import (
    SubmissionRejected,
    find_submission,
    form_minutes,
    shaped,
)

COOKIE = "zs-kiosk"
COOKIE_DAYS = 400  # the longest a browser keeps a cookie; each visit of the page renews it


class PairForm(Form):
    kode = StringField(
        _l("Kode pemasangan"),
        validators=[DataRequired(message=_l("Ketik kode pemasangan.")), Length(max=20)],
        render_kw={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"},
        description=_l("8 huruf dan angka dari halaman kios petugas, misalnya ABCD-EFGH."),
    )


# What the kiosk's script says, in both languages; {n} and {i} are filled in by the script.
TEXTS = {
    "layanan": _l("Layanan"),
    "sambutan": _l("Bagaimana pelayanan kami hari ini?"),
    "petunjuk": _l(
        "Survei tanpa nama: {n} pertanyaan, sekitar {m} menit; sentuh satu jawaban pada setiap "
        "layar. Tidak ada nama, NIK atau nomor telepon yang ditanyakan."
    ),
    "mulai": _l("Mulai survei"),
    "siap_lagi": _l("Kios siap lagi dalam {n} detik."),
    "langkah": _l("Pertanyaan {i} dari {n}"),
    "kembali": _l("Kembali"),
    "ulang": _l("Mulai ulang"),
    "terima_kasih": _l("Terima kasih"),
    "terkirim": _l("Jawaban Anda sudah tersimpan."),
    "disimpan": _l(
        "Jaringan sedang terputus: jawaban Anda disimpan di tablet ini dan dikirim otomatis "
        "saat jaringan kembali."
    ),
    "ditolak": _l("Jawaban ini tidak dapat diterima. Silakan minta bantuan petugas."),
    "lapor": _l(
        "Melihat pungutan liar atau percaloan? Laporkan (boleh tanpa nama) ke SP4N-LAPOR! "
        "di www.lapor.go.id."
    ),
    "lapor_unit": _l("Atau lewat saluran pengaduan unit ini: {tautan}"),
    "menunggu": _l("{n} jawaban menunggu jaringan untuk dikirim."),
    "kembali_ke_awal": _l("Layar kembali ke awal dalam {n} detik."),
    "bahasa": _l("Bahasa"),
}
SCREEN_LANGUAGES = {"id": "Bahasa Indonesia", "en": "English"}


def _catalogue() -> Catalogue:
    catalogue: Catalogue = current_app.extensions["zisurvey.catalogue"]
    return catalogue


def _now() -> datetime:
    now: datetime = current_app.config["CLOCK"]()
    return now


def _device() -> Kiosk | None:
    return kiosks.device(db.session, request.cookies.get(COOKIE, ""))


def _open(kiosk: Kiosk) -> bool:
    return kiosk.layanan.aktif and kiosk.layanan.unit.aktif


@bp.get("/")
def show() -> ResponseReturnValue:
    """The kiosk: its screens for a paired device, else the pairing page."""
    kiosk = _device()
    if kiosk is None:
        revoked = COOKIE in request.cookies
        return render_template("kiosk/pasang.html", form=PairForm(), dicabut=revoked)
    if not _open(kiosk):
        return render_template("kiosk/tutup.html", layanan=kiosk.layanan), 410
    page = render_template("kiosk/kiosk.html", kiosk=kiosk, data=_screen_data(kiosk))
    return _with_cookie(Response(page), request.cookies[COOKIE])


@bp.post("/pasang")
@limiter.limit("10 per minute;30 per hour")
def pair() -> ResponseReturnValue:
    """Pair this browser with the layanan of a one-time code made on the staff page."""
    form = PairForm()
    if not form.validate_on_submit():
        return render_template("kiosk/pasang.html", form=form, dicabut=False), 422
    try:
        secret = kiosks.pair(db.session, form.kode.data or "", _now())[1]
    except kiosks.PairingRefused as exc:
        db.session.rollback()
        form.kode.errors = [
            _("Kode pemasangan sudah kedaluwarsa: minta kode baru kepada petugas.")
            if exc.expired
            else _("Kode pemasangan tidak dikenal atau sudah dipakai.")
        ]
        return render_template("kiosk/pasang.html", form=form, dicabut=False), 422
    db.session.commit()
    return _with_cookie(redirect(url_for("kiosk.show"), 303), secret)


def _with_cookie(response: BaseResponse, secret: str) -> BaseResponse:
    response.set_cookie(
        COOKIE,
        secret,
        max_age=COOKIE_DAYS * 24 * 3600,
        path=url_for("kiosk.show"),
        httponly=True,
        samesite="Strict",
        secure=request.is_secure,
    )
    return response


@bp.post("/jawaban")
@csrf.exempt  # a JSON body, a SameSite=Strict cookie and the Origin checked stand in for it
def submit() -> ResponseReturnValue:
    """Store one respondent's answers (JSON). 201 stored, 200 stored before (same key), 401
    no pairing, 410 closed, 422 refused for good, 429 within the kiosk's minimum gap."""
    if not request.is_json or not _same_origin():
        return _answer({"kode": "ditolak"}, 400)
    kiosk = _device()
    if kiosk is None:
        return _answer({"kode": "tidak_dipasang"}, 401)
    if not _open(kiosk):
        return _answer({"kode": "ditutup"}, 410)
    answer = _parse(request.get_json(silent=True))
    if answer is None:
        return _answer({"kode": "ditolak"}, 422)
    config = current_app.config
    bounds = kiosks.Bounds(
        gap=timedelta(seconds=config["KIOSK_JEDA_DETIK"]),
        max_age=timedelta(hours=config["KIOSK_BATAS_JAM"]),
    )
    try:
        submission, new = kiosks.record(db.session, _catalogue(), kiosk, answer, _now(), bounds)
        body = {"kode": "tersimpan" if new else "sudah_ada", "terlambat": submission.terlambat}
        db.session.commit()
    except (kiosks.AnswerRefused, SubmissionRejected) as exc:
        db.session.rollback()
        kode = exc.kode if isinstance(exc, kiosks.AnswerRefused) else "isi"
        kiosks.note_refusal(db.session, kiosk, kode, _now())
        db.session.commit()
        if isinstance(exc, kiosks.TooSoon):
            return _answer({"kode": "jeda", "pesan": str(exc), "tunggu": exc.wait}, 429)
        return _answer({"kode": "ditolak", "pesan": str(exc)}, 422)
    except IntegrityError:  # the same answer sent twice at once: the other one was stored
        db.session.rollback()
        if find_submission(db.session, f"kiosk:{kiosk.id}:{answer.kunci}") is None:
            raise
        return _answer({"kode": "sudah_ada"}, 200)
    return _answer(body, 201 if new else 200)


def _answer(body: dict[str, Any], status: int) -> ResponseReturnValue:
    response = jsonify(body)
    response.headers["Cache-Control"] = "no-store"
    return response, status


def _same_origin() -> bool:
    """A browser names the page that sent a POST: it must be this site (or say nothing)."""
    origin = request.headers.get("Origin")
    return origin is None or origin.rstrip("/") == request.host_url.rstrip("/")


def _parse(body: object) -> kiosks.KioskAnswer | None:
    """The answer as the kiosk's script sends it, or None when it is not of that shape."""
    if not isinstance(body, dict):
        return None
    kunci, jawaban, dicatat = body.get("kunci"), body.get("jawaban"), body.get("dicatat")
    durasi, pasangan, versi = body.get("durasi"), body.get("pasangan"), body.get("versi")
    if not (versi is None or (_whole(versi) and versi > 0)):
        return None
    if not isinstance(kunci, str) or not isinstance(jawaban, dict) or len(jawaban) > 100:
        return None
    if not isinstance(dicatat, int) or not _whole(dicatat):
        return None
    if not (durasi is None or _whole(durasi)) or not (pasangan is None or _whole(pasangan)):
        return None
    if not all(isinstance(k, str) and _whole(v) for k, v in jawaban.items()):
        return None
    try:  # milliseconds since 1970, as the device's clock gave them
        when = datetime.fromtimestamp(dicatat / 1000, UTC)
    except (OverflowError, OSError, ValueError):
        return None
    return kiosks.KioskAnswer(kunci, dict(jawaban), when, durasi, pasangan, versi)


def _whole(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and abs(value) < 2**53


ICON_SIZES = (192, 512)
BRAND = "#0b4f6c"  # app.css --brand


@bp.get("/manifest.webmanifest")
def manifest() -> Response:
    """The web app manifest: a tablet that adds the kiosk to its home screen opens it full
    screen, upright, without the browser's address bar (no way out but the kiosk's own)."""
    body = {
        "name": _("Kios survei"),
        "short_name": _("Kios survei"),
        "lang": str(get_locale()),
        "start_url": url_for("kiosk.show"),
        "scope": url_for("kiosk.show"),
        "display": "fullscreen",
        "orientation": "portrait",
        "background_color": "#ffffff",
        "theme_color": BRAND,
        "icons": [
            {
                "src": url_for("kiosk.icon", size=size),
                "sizes": f"{size}x{size}",
                "type": "image/png",
                "purpose": "any maskable",
            }
            for size in ICON_SIZES
        ],
    }
    response = current_app.response_class(
        json.dumps(body, ensure_ascii=False), mimetype="application/manifest+json"
    )
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/ikon-<int:size>.png")
def icon(size: int) -> Response:
    """The kiosk's home-screen icon, ``size`` 192 or 512 pixels square (404 otherwise)."""
    if size not in ICON_SIZES:
        abort(404)
    response = Response(_icon_png(size), mimetype="image/png")
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response


@cache
def _icon_png(size: int) -> bytes:
    """A check mark in a speech bubble on the brand colour, drawn once per size."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (size, size), BRAND)
    draw = ImageDraw.Draw(image)
    unit = size / 16  # the drawing sits inside the maskable safe zone (the middle 80%)
    draw.rounded_rectangle(
        (4 * unit, 4 * unit, 12 * unit, 10.5 * unit), radius=1.5 * unit, fill="#ffffff"
    )
    draw.polygon([(6 * unit, 10.4 * unit), (6 * unit, 12.2 * unit), (8 * unit, 10.4 * unit)],
                 fill="#ffffff")  # fmt: skip
    draw.line(
        [(5.6 * unit, 7.3 * unit), (7.4 * unit, 9 * unit), (10.5 * unit, 5.6 * unit)],
        fill=BRAND,
        width=max(2, round(unit * 0.9)),
        joint="curve",
    )
    out = io.BytesIO()
    image.save(out, "PNG", optimize=True)
    return out.getvalue()


@bp.get("/sw.js")
def service_worker() -> Response:
    """The service worker, from the kiosk's own path so that its scope is /kiosk/."""
    response = send_from_directory(current_app.static_folder or "static", "kiosk-sw.js")
    response.headers["Cache-Control"] = "no-cache"
    response.headers["Content-Type"] = "text/javascript; charset=utf-8"
    return response


def _screen_data(kiosk: Kiosk) -> dict[str, Any]:
    """Everything the kiosk's script shows: the questions and texts in both languages, and the
    kiosk's timing; rendered into the page, so the screens work offline."""
    layanan, config = kiosk.layanan, current_app.config
    versi = shown(layanan)  # the layanan's variant (issue 22); its extra questions stay off
    carried, _extras = shaped(_catalogue(), layanan, versi)
    return {
        "versi": versi.id if versi is not None else None,
        "kiosk": kiosk.id,
        "menit": form_minutes(_catalogue(), layanan),
        "pengaduan": layanan.unit.tautan_pengaduan or "",
        "jawaban": url_for("kiosk.submit"),
        "sw": url_for("kiosk.service_worker"),
        "halaman": url_for("kiosk.show"),
        "bahasa": str(get_locale()),
        "bahasa_nama": SCREEN_LANGUAGES,
        "jeda": config["KIOSK_JEDA_DETIK"],
        "diam": config["KIOSK_DIAM_DETIK"],
        "terima_kasih": config["KIOSK_TERIMA_KASIH_DETIK"],
        "wajah": bool(layanan.unit.kiosk_wajah),
        "pertanyaan": [q for i in carried for item in i.items for q in _questions(i, item)],
        "teks": _texts(),
    }


def _questions(instrument: Instrument, item: Any) -> list[dict[str, Any]]:
    """The kiosk's screens of one item: one, or one per sub-question of a variant (stored as
    ``U3.1/2``...)."""
    parts: list[tuple[str, Any]] = [(item.code, None)]
    if item.sub:
        k = len(item.sub)
        parts = [(sub_code(item.code, j, k), s) for j, s in enumerate(item.sub, 1)]
    return [
        {
            "kode": kode,
            "skala": instrument.scale,
            "lapor": instrument.index == "IPAK",
            "judul": {"id": instrument.title.id, "en": instrument.title.en},
            "teks": {"id": item.question.id, "en": item.question.en},
            # a sub-question, shown on its own line under the item's question (as on the form)
            "sub": {"id": sub.id, "en": sub.en} if sub is not None else None,
            "bantuan": {"id": item.help.id, "en": item.help.en} if item.help else None,
            "label": {"id": [x.id for x in item.labels], "en": [x.en for x in item.labels]},
        }
        for kode, sub in parts
    ]


def _texts() -> dict[str, dict[str, str]]:
    texts = {}
    for language in SCREEN_LANGUAGES:
        with force_locale(language):
            texts[language] = {key: str(text) for key, text in TEXTS.items()}
    return texts
