"""Staff routes: parse input, call one service, render. Every unit route checks the scope."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from datetime import timedelta
from functools import cache
from math import ceil
from pathlib import Path
from typing import BinaryIO
from urllib.parse import urlencode, urlsplit

import pandas as pd
import plotly
import plotly.graph_objects as go
from flask import (
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    stream_with_context,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import format_timedelta
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from rq.job import Job

from analysis.periods import Span, label_of, period_of, range_span, span_of
from survey_app import charts, render
from survey_app.errors import InputError
from survey_app.extensions import db, limiter
from survey_app.files import download, pdf
from survey_app.models import Unit
from survey_app.services.access import can_manage, home_units
from survey_app.services.administration import signin
from survey_app.services.administration.units import may_manage_units
from survey_app.services.collection import integrity
from survey_app.services.collection.answers import answers_pages
from survey_app.services.reporting import dashboard as dashboards
from survey_app.services.reporting import exports, jobs
from survey_app.services.reporting.alasan import reasons_by_unsur
from survey_app.services.reporting.asked import asked_in
from survey_app.staf import bp
from survey_app.staf.forms import LoginForm
from survey_app.staf.scope import catalogue, now, reports_session, viewable_unit

PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"


def period_span(unit: Unit) -> Span:
    """The period asked for (?periode=2026-01|2026-T1|2026-S1|2026, or ?dari=&sampai=)."""
    if request.args.get("dari") or request.args.get("sampai"):
        try:
            return range_span(request.args.get("dari", ""), request.args.get("sampai", ""))
        except ValueError:
            raise InputError(
                _(
                    "Rentang bulan tidak sah: tulis Dari dan Sampai seperti 2026-01 dan 2026-03 "
                    "(tahun 2000-2099); Dari tidak boleh sesudah Sampai, paling panjang 10 tahun."
                )
            ) from None
    label = request.args.get("periode")
    if label:
        try:
            return span_of(label)
        except ValueError:
            raise InputError(
                _(
                    "Periode \u201c%(nilai)s\u201d tidak dikenal: tulis seperti 2026-11 (bulan), "
                    "2026-T4 (triwulan), 2026-S2 (semester) atau 2026 (tahun).",
                    nilai=label[:40],
                )
            ) from None
    month = period_of(current_app.config["CLOCK"](), unit.timezone)
    return Span("bulan", month, month)


@bp.route("/masuk", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT"], methods=["POST"])
def login() -> ResponseReturnValue:
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = signin.authenticate(
                db.session,
                form.username.data or "",
                form.password.data or "",
                current_app.extensions["zisurvey.source_key"](),
                now(),
                throttle(),
            )
        except signin.SignInWait as wait:
            db.session.rollback()
            seconds = max(1, ceil((wait.until - now()).total_seconds()))
            flash(
                _(
                    "Terlalu banyak percobaan masuk yang gagal. Tunggu %(lama)s, lalu coba lagi.",
                    lama=format_timedelta(_rounded_up(seconds), threshold=1),
                ),
                "error",
            )
            page = render_template("staf/login.html", form=form)
            return page, 429, {"Retry-After": str(seconds)}
        db.session.commit()
        if user is not None:
            # a new session: the CSRF token and anything an earlier visitor left are dropped
            session.clear()
            login_user(user)
            session.pop("_id", None)  # Flask-Login's hash of address and browser: not kept
            return redirect(_safe_next() or url_for("staf.index"))
        flash(_("Nama pengguna atau kata sandi salah."), "error")
    return render_template("staf/login.html", form=form)


def _rounded_up(seconds: int) -> timedelta:
    """A wait as people say it: whole minutes, rounded up (59 seconds is "1 menit")."""
    return timedelta(minutes=ceil(seconds / 60))


def throttle() -> signin.Throttle:
    config = current_app.config
    return signin.Throttle(
        after=config["LOGIN_LOCKOUT"],
        first_wait=timedelta(seconds=config["LOGIN_WAIT_SECONDS"]),
        cap=timedelta(minutes=config["LOGIN_LOCKOUT_MINUTES"]),
        source_after=config["LOGIN_SOURCE_LOCKOUT"],
    )


def _safe_next() -> str | None:
    return local_path(request.args.get("next", ""))


def local_path(target: str) -> str | None:
    """``target`` when it is a path on this site, else None.

    Judged as a browser reads it: control characters and backslashes are dropped or read as
    slashes by browsers, so ``/%09/evil.example`` or ``/\\evil.example`` would leave the site
    (and a newline cannot go into a Location header at all).
    """
    if not target or any(ord(c) < 0x20 or c in "\\\x7f" for c in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def _label_within(span_: Span) -> str | None:
    """The label of a neighbouring period; None for a custom range, or past 2000-2099."""
    if span_.kind == "rentang":
        return None
    try:
        return label_of(span_)
    except ValueError:
        return None


@bp.post("/keluar")
@login_required
def logout() -> ResponseReturnValue:
    """Sign out everywhere: the account's session version moves on, so every cookie of it,
    in this browser or another, is signed out (issue 15.5)."""
    current_user.sesi_versi += 1
    db.session.commit()
    logout_user()
    session.clear()
    return redirect(url_for("staf.login"))


@bp.get("/")
@login_required
def index() -> ResponseReturnValue:
    if current_user.role == "petugas":
        return redirect(url_for("staf.counter"))
    units = home_units(db.session, current_user)
    if len(units) == 1:
        return redirect(url_for("staf.show_dashboard", kode=units[0].kode))
    area = may_manage_units(current_user)
    return render_template("staf/index.html", units=units, units_area=area)


@bp.get("/unit/<kode>")
@login_required
def show_dashboard(kode: str) -> str:
    unit = viewable_unit(kode)
    span = period_span(unit)
    reports = reports_session()
    below = dashboards.Below(
        urut=request.args.get("urut", "nama"),
        cari=request.args.get("cari", "")[:80],
        hal=_page_number(request.args.get("hal", "")),
        size=max(1, current_app.config["UNITS_PER_PAGE"]),
    )
    data = dashboards.build(reports, catalogue(), unit, span, current_app.config["CLOCK"](), below)
    return render_template(
        "staf/dashboard.html",
        d=data,
        manage=can_manage(db.session, current_user, unit),
        units_area=may_manage_units(current_user),
        label=label_of(span),
        nrr_charts=[
            charts.html(charts.nrr_bars_json(_nrr_items(f), _nrr_title(f)))
            for f in data.figures
            if f.result.n
        ],
        trend_chart=charts.html(charts.trend_lines_json(data.trend, _("Tren nilai 12 bulan")))
        if len(data.trend)
        else None,
        children=data.children,
        sort_url=_link_without("urut", "hal") + "urut=",
        page_url=_link_without("hal") + "hal=",
        prev_label=_label_within(dashboards.previous_span(span)),
        next_label=_label_within(dashboards.next_span(span)),
        # per unsur its count and newest reason; every reason on the page show_reasons
        alasan=reasons_by_unsur(reports, catalogue(), list(data.per_layanan), span.months(), 1),
    )


def _link_without(*names: str) -> str:
    """``?`` and this request's query parameters but ``names``, ready for one more."""
    kept = urlencode({k: v for k, v in request.args.items() if k not in names})
    return f"?{kept}&" if kept else "?"


def _page_number(text: str) -> int:
    """The page asked for (?hal=2); anything but a number of at most 6 digits is page 1."""
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 6 else 1


def _nrr_figure(figure: dashboards.Figure) -> go.Figure:
    return charts.nrr_bars(_nrr_items(figure), _nrr_title(figure))


def _nrr_items(figure: dashboards.Figure) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "code": item.code,
                "label": figure.instrument.item(item.code).dimension.id,
                "nrr": float(item.nrr_rounded) if item.nrr_rounded is not None else None,
            }
            for item in figure.result.items
        ]
    )


def _nrr_title(figure: dashboards.Figure) -> str:
    return f"NRR {figure.instrument.index}"


@bp.get("/unit/<kode>/jawaban.csv")
@login_required
def export_csv(kode: str) -> Response:
    unit = viewable_unit(kode)
    span = period_span(unit)
    reports = reports_session()
    ids = dashboards.layanan_ids(reports, unit)
    instruments = list(catalogue().instruments.values())
    # an item a variant asked in sub-questions: its parts follow it (docs/kuesioner.md §4)
    parts = asked_in(reports, catalogue().instruments, unit.nama, ids, span.months()).parts
    pages = answers_pages(reports, ids, span.months(), items=[*catalogue().item_codes(), *parts])
    body = exports.interchange_csv_chunks(pages, instruments, parts)
    return download(stream_with_context(body), f"jawaban-{unit.kode}-{label_of(span)}.csv")


@bp.get("/unit/<kode>/rekap.xlsx")
@login_required
def export_xlsx(kode: str) -> ResponseReturnValue:
    """The XLSX rekap: a background job when SURVEY_JOBS_REDIS_URL is set, else built now."""
    unit = viewable_unit(kode)
    span = period_span(unit)
    queue = jobs.queue(current_app.config["JOBS_REDIS_URL"], current_app.config["JOBS_QUEUE"])
    if queue is not None:
        job = jobs.enqueue_rekap(queue, unit, span, current_user.id, export_folder())
        return redirect(url_for("staf.export_job", job_id=job.id), code=303)
    with tempfile.NamedTemporaryFile(suffix=".xlsx", delete=False) as file:
        path = Path(file.name)
    try:
        jobs.write_rekap(reports_session(), catalogue(), unit, span, path)
        opened = path.open("rb")
    finally:
        path.unlink()  # the open file stays readable until it is sent and closed
    return download(_chunks(opened), f"rekap-{unit.kode}-{label_of(span)}.xlsx")


def export_folder() -> Path:
    """Where background jobs write their files (inside the instance folder)."""
    return Path(current_app.instance_path) / "ekspor"


def _own_job(job_id: str) -> Job:
    """The export job ``job_id`` of the signed-in user: 404 when unknown, 403 when another's."""
    queue = jobs.queue(current_app.config["JOBS_REDIS_URL"], current_app.config["JOBS_QUEUE"])
    job = jobs.find(queue, job_id) if queue is not None else None
    if job is None:
        abort(404)
    if job.meta.get("user_id") != current_user.id:
        abort(403)
    return job


@bp.get("/ekspor/<job_id>")
@login_required
def export_job(job_id: str) -> str:
    """Progress of an export; the page refreshes itself (no script) until the file is ready."""
    job = _own_job(job_id)
    return render_template("staf/ekspor.html", job=job, status=job.get_status(refresh=True))


@bp.get("/ekspor/<job_id>/berkas")
@login_required
def export_file(job_id: str) -> Response:
    job = _own_job(job_id)
    if job.get_status(refresh=True) != "finished":
        abort(409)
    path = Path(str(job.return_value()))
    if not path.is_file():
        abort(410)
    name = job.meta.get("nama") or f"rekap-{job.meta['unit']}-{job.meta['label']}.xlsx"
    return download(_chunks(path.open("rb")), name)


def _chunks(file: BinaryIO, size: int = 1 << 16) -> Iterator[bytes]:
    with file:
        while chunk := file.read(size):
            yield chunk


@bp.get("/unit/<kode>/laporan.pdf")
@login_required
def report_pdf(kode: str) -> Response:
    """The monthly (or any period's) report for evaluators, as an A4 PDF."""
    unit = viewable_unit(kode)
    span = period_span(unit)
    now = current_app.config["CLOCK"]()
    reports = reports_session()
    data = dashboards.build(reports, catalogue(), unit, span, now)
    images = [render.svg_data_uri(_nrr_figure(f)) for f in data.figures if f.result.n]
    if len(data.trend):
        images.append(render.svg_data_uri(charts.trend_lines(data.trend, _("Tren nilai 12 bulan"))))
    label = label_of(span)
    report = integrity.report(
        reports, catalogue(), unit, dashboards.layanan_ids(reports, unit), span
    )
    page = render_template(
        "staf/laporan.html",
        d=data,
        integrity=report,
        label=label,
        charts=images,
        generated=now,
        names={str(x.id): x.nama for x in unit.layanan},
    )
    return download(pdf(page), f"laporan-{unit.kode}-{label}.pdf")


@bp.get("/plotly.min.js")
def plotly_js() -> Response:
    """plotly.js from the installed plotly package: no CDN. Served from memory (read once), so
    a browser that drops the connection mid-file leaves no open file behind."""
    response = Response(_plotly_bytes(), mimetype="text/javascript")
    response.cache_control.public = True
    response.cache_control.max_age = 7 * 24 * 3600
    response.add_etag()
    response.make_conditional(request)  # in place: 304 and no body when the ETag matches
    return response


@cache
def _plotly_bytes() -> bytes:
    return PLOTLY_JS.read_bytes()
