"""Routes of the public form: parse, call one service, render or redirect."""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import NoReturn

from flask import (
    Response,
    abort,
    current_app,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_wtf.csrf import generate_csrf, validate_csrf
from itsdangerous import BadSignature, TimestampSigner
from markupsafe import Markup, escape
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from werkzeug.datastructures import MultiDict
from wtforms import ValidationError

from instruments import Extra, Instrument, estimate_minutes
from instruments.variant import SHORT_TEXT_MAX
from survey_app.alamat import public_url
from survey_app.extensions import db, limiter
from survey_app.files import download
from survey_app.models import KuesionerVersi, Layanan, Publikasi, Tiket, Unit
from survey_app.services.catalogue import Catalogue
from survey_app.services.collection.kept import kept_layanan
from survey_app.services.collection.kuesioner import shown
from survey_app.services.collection.recording import record_response
from survey_app.services.collection.submissions import (
    ALASAN_MAX,
    Origin,
    SubmissionRejected,
    TicketUsed,
    find_layanan,
    find_submission,
    form_minutes,
    form_version,
    shaped,
    ticket_submission,
)
from survey_app.services.collection.submissions import (
    Response as Sent,
)
from survey_app.services.collection.tickets import find_ticket
from survey_app.services.publishing import qr
from survey_app.sources import request_source
from survey_app.survei import bp
from survey_app.survei.forms import (
    LANGUAGES,
    StartStamp,
    SurveyForm,
    form_class,
    respond,
    tampering,
)
from survey_app.survei.posted import read, rules_of


def _catalogue() -> Catalogue:
    catalogue: Catalogue = current_app.extensions["zisurvey.catalogue"]
    return catalogue


def _layanan(token: str) -> Layanan:
    layanan = find_layanan(db.session, token)
    if layanan is None:
        abort(404)
    return layanan


def _open_layanan(token: str) -> Layanan:
    """The layanan a form is shown or posted for (404: no such token; 410: closed), kept per
    worker while nothing the form reads of it has changed (``services.collection.kept``,
    issue 20.3): read only, never added to the request's session."""
    kept = current_app.extensions.setdefault("zisurvey.form_layanan", {})
    layanan = kept_layanan(db.session, token, kept)
    if layanan is None:
        abort(404)
    if not layanan.aktif or not layanan.unit.aktif:  # a closed unit keeps its data, no answers
        abort(Response(render_template("survei/closed.html", layanan=layanan), status=410))
    return layanan


SHAPE = "zisurvey.kuesioner"
Shape = tuple[KuesionerVersi | None, tuple[Instrument, ...], tuple[Extra, ...]]


def _shape(layanan: Layanan) -> Shape:
    """The form's questionnaire version, instruments and extra questions: the layanan's newest
    variant version for a new form; for a posted one the version it was given under (issue 22;
    a form opened before the variant changed keeps its version)."""
    found: Shape | None = request.environ.get(SHAPE)  # once per request
    if found is None:
        if request.method == "POST":
            try:
                versi = form_version(db.session, layanan, request.form.get("versi", ""))
            except SubmissionRejected as exc:
                abort(400, description=str(exc))
        else:
            versi = _drafted(layanan)
        found = (versi, *shaped(_catalogue(), layanan, versi))
        request.environ[SHAPE] = found
    return found


def _drafted(layanan: Layanan) -> KuesionerVersi | None:
    """The version a form shown by GET is given under: the one its saved draft (a language
    switch) was answered under while that is still a version of the layanan's variant, so the
    questions and the hidden ``versi`` agree; otherwise (a new visit) the newest."""
    draft = session.get(DRAFT + layanan.token)
    posted = str(draft.get("versi", "")) if isinstance(draft, dict) else ""
    if layanan.varian is not None and posted.isascii() and posted.isdigit() and len(posted) < 10:
        found = db.session.get(KuesionerVersi, int(posted))
        if found is not None and found.varian_id == layanan.varian.id:
            return found
    return shown(layanan)


def _instruments(layanan: Layanan) -> tuple[Instrument, ...]:
    return _shape(layanan)[1]


def _now() -> datetime:
    now: datetime = current_app.config["CLOCK"]()
    return now


def _stamp() -> StartStamp:
    return StartStamp(current_app.config["SECRET_KEY"])


def _form_class(layanan: Layanan) -> type[SurveyForm]:
    _, instruments, extras = _shape(layanan)
    return form_class(
        instruments,
        _catalogue().profile,
        str(get_locale()),
        current_app.config["SARAN_MAX"],
        layanan.unit.tanya_alasan,
        extras,
    )


def _form(layanan: Layanan) -> SurveyForm:
    cls = _form_class(layanan)
    kunci = secrets.token_urlsafe(24)
    stamp = _stamp().sign(layanan.token, kunci, _now())
    draft = session.pop(DRAFT + layanan.token, None) if request.method == "GET" else None
    if isinstance(draft, dict):  # the answers given before the language was switched
        return cls(formdata=MultiDict(draft | {"versi": _versi_value(layanan)}))
    return cls(layanan=layanan.kode, kunci=kunci, mulai=stamp, versi=_versi_value(layanan))


def _versi_value(layanan: Layanan) -> str:
    versi = _shape(layanan)[0]
    return str(versi.id) if versi is not None else ""


DRAFT = "draf:"  # session key of a form's answers while its language is switched


def _switch_language(layanan: Layanan, tiket: Tiket | None) -> ResponseReturnValue:
    """Keep what was answered in the respondent's own session cookie (nothing is stored by the
    app) and show the same form in the other language: a redirect, so the back button never
    meets a "resend form?" page."""
    kept = {
        name: value
        for name, value in request.form.items()
        if name not in ("csrf_token", "bahasa") and value
    }
    session[DRAFT + layanan.token] = kept
    language = request.form["bahasa"]
    if tiket is not None:
        return redirect(url_for("survei.show_ticket", ticket=tiket.token, lang=language), 303)
    return redirect(url_for("survei.show_form", token=layanan.token, lang=language), 303)


def _render(
    layanan: Layanan,
    form: SurveyForm | Fresh,
    status: int = 200,
    tiket: Tiket | None = None,
) -> tuple[str, int]:
    action = (
        url_for("survei.submit_ticket", ticket=tiket.token)
        if tiket
        else url_for("survei.submit", token=layanan.token)
    )
    if isinstance(form, Fresh):
        return _fresh_page(layanan, form, action), status
    return _page(layanan, form, action), status


def _questions_key(layanan: Layanan) -> tuple[object, ...]:
    versi = _shape(layanan)[0]
    return (
        tuple(layanan.instrument_ids),
        str(get_locale()),
        layanan.unit.tanya_alasan,
        current_app.config["SARAN_MAX"],
        # a variant's wording holds the layanan's and unit's names (issue 22)
        (versi.id, layanan.nama, layanan.unit.nama) if versi is not None else None,
    )


def _page(layanan: Layanan, form: SurveyForm, action: str) -> str:
    """The whole form page; a fresh form's questions come from :func:`_questions`."""
    _, instruments, extras = _shape(layanan)
    cls = _form_class(layanan)
    total = len(cls.item_codes)  # radio groups: a sub-question is a question of its own
    shared = {"form": form, "instruments": instruments, "alasan_max": ALASAN_MAX, "total": total}
    shared["teks_max"] = SHORT_TEXT_MAX  # a short-text extra question's limit
    questions = None
    if getattr(form, "fresh", False) and not form.errors:
        questions = _questions(
            _questions_key(layanan), lambda: shared | {"form": cls(formdata=None)}
        )
    return render_template(
        "survei/form.html",
        layanan=layanan,
        action=action,
        minutes=estimate_minutes(total + len(extras)),
        questions=questions,
        **shared,
    )


@dataclass(frozen=True)
class Fresh:
    """A form nobody has answered yet: only its hidden values differ per request."""

    kunci: str
    mulai: str


def _fresh(layanan: Layanan) -> Fresh:
    """The per-request values of a fresh form; its page comes from :func:`_fresh_page`."""
    kunci = secrets.token_urlsafe(24)
    return Fresh(kunci=kunci, mulai=_stamp().sign(layanan.token, kunci, _now()))


QUESTIONS_KEPT = 64
PAGES_KEPT = 256  # about 30 kB each, per worker
SLOTS = ("action", "csrf_token", "kunci", "mulai")


def _fresh_page(layanan: Layanan, fresh: Fresh, action: str) -> str:
    """A fresh form's page (issue 20.3): rendered once per layanan wording, instrument set and
    language with placeholders where the per-request values go, then only those filled in
    (escaped as the template escapes them). The same bytes as a full render."""
    key = (*_questions_key(layanan), layanan.id, layanan.kode, layanan.nama, layanan.unit.nama)
    pages: dict[tuple[object, ...], tuple[str, list[tuple[str, str]]] | None] = (
        current_app.extensions.setdefault("zisurvey.form_pages", {})
    )
    if key not in pages:
        if len(pages) >= PAGES_KEPT:
            pages.pop(next(iter(pages)))
        pages[key] = _page_parts(layanan)
    parts = pages[key]
    if parts is None:  # a wording that holds a placeholder: rendered in full each time
        form = SurveyForm(
            layanan=layanan.kode, kunci=fresh.kunci, mulai=fresh.mulai, versi=_versi_value(layanan)
        )
        form.fresh = True
        return _page(layanan, form, action)
    values = {"action": action, "kunci": fresh.kunci, "mulai": fresh.mulai}
    if any(name == "csrf_token" for name, _ in parts[1]):
        values["csrf_token"] = generate_csrf()
    head, rest = parts
    return head + "".join(str(escape(values[name])) + text for name, text in rest)


def _page_parts(layanan: Layanan) -> tuple[str, list[tuple[str, str]]] | None:
    """The fresh page of ``layanan`` split at its per-request values: the text before the
    first, then (slot name, the text after it) for each; None when a placeholder is not
    found exactly where expected."""
    marks = {name: f"zisurvey-slot-{name}-{secrets.token_hex(8)}" for name in SLOTS}
    form = SurveyForm(
        layanan=layanan.kode,
        kunci=marks["kunci"],
        mulai=marks["mulai"],
        versi=_versi_value(layanan),  # the same for every form of the version: in the page
    )
    form.fresh = True
    if hasattr(form, "csrf_token"):
        form.csrf_token.current_token = marks["csrf_token"]
    else:  # CSRF switched off: no such field on the page
        del marks["csrf_token"]
    page = _page(layanan, form, marks["action"])
    if any(page.count(mark) != 1 for mark in marks.values()):
        return None
    names = {mark: name for name, mark in marks.items()}
    pieces = re.split("(" + "|".join(marks.values()) + ")", page)
    return pieces[0], [(names[m], text) for m, text in zip(pieces[1::2], pieces[2::2], strict=True)]


def _questions(key: tuple[object, ...], context: Callable[[], dict[str, object]]) -> Markup:
    """The questions and profile of a fresh form, rendered once per instrument set, language,
    reason setting, saran limit and variant version with its layanan's and unit's names (issues
    20.3, 22): the same markup for every respondent; only the hidden fields around it change per
    request. ``context`` builds the template's context when the markup is not kept yet."""
    kept: dict[tuple[object, ...], Markup] = current_app.extensions.setdefault(
        "zisurvey.questions", {}
    )  # per app: its catalogue and templates
    found = kept.get(key)
    if found is None:
        found = Markup(render_template("survei/_questions.html", **context()))
        if len(kept) >= QUESTIONS_KEPT:
            kept.pop(next(iter(kept)))
        kept[key] = found
    return found


def _limit() -> str:
    limit: str = current_app.config["SUBMIT_LIMIT"]
    return limit


@bp.get("/unit/<kode>")
def choose(kode: str) -> ResponseReturnValue:
    """Where a unit's printed QR (poster, X-banner, social image) leads: its open layanan as
    large buttons; straight to the form when there is only one."""
    unit = db.session.scalar(select(Unit).where(Unit.kode == kode))
    if unit is None:
        abort(404)
    open_ = [x for x in unit.layanan if x.aktif] if unit.aktif else []
    if len(open_) == 1:
        return redirect(url_for("survei.show_form", token=open_[0].token))
    return render_template("survei/pilih.html", unit=unit, layanan=open_), 200 if open_ else 410


@bp.get("/<token>")
def show_form(token: str) -> tuple[str, int]:
    _reads_only()
    layanan = _open_layanan(token)
    if _sent_here(layanan) and not request.args.get("baru"):
        return render_template("survei/sent.html", layanan=layanan), 200
    if DRAFT + layanan.token in session:  # back from a language switch: the answers kept
        return _render(layanan, _form(layanan))
    return _render(layanan, _fresh(layanan))


def _reads_only() -> None:
    """Showing a form only reads: on PostgreSQL its queries run without BEGIN and ROLLBACK
    around them, two round trips fewer on every form opened (issue 20.3). SQLite begins no
    transaction for a read anyway."""
    session = db.session()
    if not session.in_transaction() and session.get_bind().dialect.name == "postgresql":
        session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})


SENT_COOKIE = "zs-terkirim"
SENT_SECONDS = 30 * 60  # a back-and-resend or a reload within half an hour is the same person


def _sent_signer() -> TimestampSigner:
    return TimestampSigner(current_app.config["SECRET_KEY"], salt="zisurvey-terkirim")


def _sent_here(layanan: Layanan) -> bool:
    """Whether this browser sent an answer for ``layanan`` in the last half hour (a signed
    cookie on the respondent's own device; nothing of it is stored by the app)."""
    cookie = request.cookies.get(SENT_COOKIE, "")
    try:
        token = _sent_signer().unsign(cookie, max_age=SENT_SECONDS).decode()
    except BadSignature:
        return False
    return secrets.compare_digest(token, layanan.token)


@bp.post("/<token>")
@limiter.limit(_limit)
def submit(token: str) -> ResponseReturnValue:
    return _submit(_open_layanan(token))


@bp.get("/t/<ticket>")
def show_ticket(ticket: str) -> tuple[str, int]:
    _reads_only()
    tiket, layanan = _open_ticket(ticket)
    if DRAFT + layanan.token in session:
        return _render(layanan, _form(layanan), tiket=tiket)
    return _render(layanan, _fresh(layanan), tiket=tiket)


@bp.post("/t/<ticket>")
@limiter.limit(_limit)
def submit_ticket(ticket: str) -> ResponseReturnValue:
    tiket, layanan = _open_ticket(ticket, posting=True)
    return _submit(layanan, tiket)


def _open_ticket(token: str, posting: bool = False) -> tuple[Tiket, Layanan]:
    """The ticket and its open layanan; 410 with a clear page once the ticket carried an answer
    (when posting, the same form sent twice still reaches the thank-you page)."""
    tiket = find_ticket(db.session, token)
    if tiket is None:
        abort(404)
    layanan = _open_layanan(tiket.layanan.token)
    used = ticket_submission(db.session, tiket)
    if used is not None and not (posting and used.idempotency_key == request.form.get("kunci")):
        _ticket_used(layanan)
    return tiket, layanan


def _ticket_used(layanan: Layanan) -> NoReturn:
    """Stop with the clear page a used one-time ticket gets (410)."""
    abort(Response(render_template("survei/used.html", layanan=layanan), status=410))


def _submit(layanan: Layanan, tiket: Tiket | None = None) -> ResponseReturnValue:
    _, instruments, extras = _shape(layanan)
    problem = tampering(request.form, layanan.kode, instruments, _catalogue().profile, extras)
    started = _stamp().read(
        request.form.get("mulai", ""), layanan.token, request.form.get("kunci", "")
    )
    if problem or started is None:
        abort(400, description=problem or "the form's start time is missing or forged")
    if request.form.get("bahasa") in LANGUAGES:  # the language switched, answers kept
        return _switch_language(layanan, tiket)
    response = _read(layanan)
    if response is None:  # WTForms finds the errors and shows them
        form = _form(layanan)
        if not form.validate():
            return _render(layanan, form, 422, tiket)
        response = form.response()
    now = _now()
    durasi = max(0, int((now - started).total_seconds()))
    # read before the commit expires the layanan: no query after it
    token, report = layanan.token, _reported_corruption(layanan, response.answers)
    try:
        record_response(
            db.session,
            _catalogue(),
            layanan,
            response,
            now,
            Origin(sumber=request_source(), durasi=durasi, tiket=tiket),
        )
        db.session.commit()
    except TicketUsed:
        db.session.rollback()
        _ticket_used(layanan)
    except SubmissionRejected as exc:
        db.session.rollback()
        abort(400, description=str(exc))
    except IntegrityError:
        # Two posts of the same form (or of one ticket) raced; the other one was stored.
        db.session.rollback()
        if find_submission(db.session, response.idempotency_key) is None:
            if tiket is not None:
                _ticket_used(layanan)
            raise
    target = url_for("survei.thanks", token=token)
    if report:
        target += "?lapor=1"
    target += "#terima-kasih"  # its own fragment: a posted form's "#kesalahan" is not carried over
    sent = redirect(target, code=303)
    sent.set_cookie(
        SENT_COOKIE,
        _sent_signer().sign(token).decode(),
        max_age=SENT_SECONDS,
        path="/survei/",
        httponly=True,
        samesite="Lax",
        secure=request.is_secure,
    )
    return sent


def _read(layanan: Layanan) -> Sent | None:
    """The post's response when every field passes its form's rules (:mod:`.posted`, no form
    built) and its CSRF token is good; None when the form must be built to show an error."""
    cls = _form_class(layanan)
    rules = rules_of(cls)
    if rules is None or not _csrf_valid():
        return None
    data = read(rules, request.form)
    return respond(cls, data) if data is not None else None


def _csrf_valid() -> bool:
    """The post's CSRF token checked as the form's own field checks it: already by
    CSRFProtect (``g.csrf_valid``), else with Flask-WTF's ``validate_csrf``."""
    if not current_app.config.get("WTF_CSRF_ENABLED", True) or g.get("csrf_valid", False):
        return True
    try:
        validate_csrf(request.form.get("csrf_token"))
    except ValidationError:
        return False
    return True


def _reported_corruption(layanan: Layanan, answers: Mapping[str, int]) -> bool:
    """Whether an anti-corruption item (IPAK) was answered 1 or 2: the thank-you page then
    says where to report it. Only the respondent's own browser sees the flag. An item asked in
    sub-questions is stored per part (``AK1.1/2``): any part answered 1 or 2 counts, as on the
    kiosk."""
    codes = {c for i in _instruments(layanan) if i.index == "IPAK" for c in i.codes}
    return any(value <= 2 for code, value in answers.items() if code.partition(".")[0] in codes)


@bp.get("/<token>/terima-kasih")
def thanks(token: str) -> str:
    layanan = _layanan(token)
    published = db.session.scalar(
        select(Publikasi.id).where(Publikasi.unit_id == layanan.unit_id).limit(1)
    )
    return render_template(
        "survei/thanks.html",
        layanan=layanan,
        lapor=request.args.get("lapor") == "1",
        results=published is not None,
    )


@bp.get("/<token>/qr.png")
def qr_png(token: str) -> Response:
    return Response(qr.qr_png(public_url(_layanan(token))), mimetype="image/png")


@bp.get("/<token>/qr.svg")
def qr_svg(token: str) -> Response:
    return Response(qr.qr_svg(public_url(_layanan(token))), mimetype="image/svg+xml")


@bp.get("/<token>/poster.pdf")
def poster(token: str) -> Response:
    layanan = _layanan(token)
    minutes = form_minutes(_catalogue(), layanan)
    body = qr.poster_pdf(layanan.unit.nama, layanan.nama, public_url(layanan), minutes)
    return download(body, f"poster-{layanan.unit.kode}-{layanan.kode}.pdf")
