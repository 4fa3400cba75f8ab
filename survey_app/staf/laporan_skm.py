"""The SKM report (REGULATION §8) and the LKE evidence pack of a unit and period: the page to
edit the report's free texts and download the DOCX, the PDF and the ZIP. Built in the request,
or as a background job with progress when SURVEY_JOBS_REDIS_URL is set."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required

from analysis.periods import Span, label_of
from survey_app.dokumen import jobs as dokumen_jobs
from survey_app.dokumen import laporan, paket
from survey_app.errors import InputError
from survey_app.extensions import db
from survey_app.files import download
from survey_app.models import LAPORAN_BAGIAN, Unit
from survey_app.services.access import can_manage
from survey_app.services.laporan import teks
from survey_app.services.laporan.isi import NotBegun, check_begun, gather
from survey_app.services.reporting import jobs
from survey_app.staf import bp
from survey_app.staf.forms import LaporanTeksForm
from survey_app.staf.scope import catalogue, managed_unit, now, reports_session, viewable_unit
from survey_app.staf.tindak_lanjut import triwulan_span
from survey_app.staf.views import export_folder


@bp.route("/unit/<kode>/laporan-skm", methods=["GET", "POST"])
@login_required
def report_page(kode: str) -> ResponseReturnValue:
    """The report of a period (the running triwulan unless ?periode= says otherwise): its
    chapters' figures in brief, the free texts (unit admins edit them), the downloads."""
    unit = viewable_unit(kode)
    chosen = _period(unit)
    content = gather(reports_session(), catalogue(), unit, chosen, now())
    shown = {f"asal_{key}": teks.fingerprint(text) for key, text in content.teks.items()}
    form = LaporanTeksForm(data=content.teks | shown)
    if request.method == "POST":
        managed_unit(kode)
        form = LaporanTeksForm()
        if form.validate_on_submit():
            texts = {key: getattr(form, key).data or "" for key in LAPORAN_BAGIAN}
            was = {key: getattr(form, f"asal_{key}").data or "" for key in LAPORAN_BAGIAN}
            try:
                changed = teks.save(
                    db.session,
                    current_user,
                    unit,
                    chosen,
                    texts,
                    content.teks_bawaan,
                    now(),
                    shown=was,
                )
            except teks.TeksError as exc:
                db.session.rollback()
                form.pengantar.errors = [*form.pengantar.errors, str(exc)]
            else:
                db.session.commit()
                said = _("Teks laporan disimpan.") if changed else _("Tidak ada yang berubah.")
                flash(said, "ok")
                return redirect(_here(unit, chosen), code=303)
    return render_template(
        "staf/laporan_skm.html",
        unit=unit,
        span=chosen,
        label=label_of(chosen),
        lap=content,
        form=form,
        written=teks.saved(reports_session(), unit, chosen),
        may_change=can_manage(db.session, current_user, unit),
    ), 422 if form.errors else 200


def _period(unit: Unit) -> Span:
    """The period asked for (the running triwulan by default), refused with the reason when it
    has not begun."""
    chosen = triwulan_span(unit)
    try:
        check_begun(unit, chosen, now())
    except NotBegun as exc:
        raise InputError(str(exc)) from None
    return chosen


def _here(unit: Unit, chosen: Span) -> str:
    return url_for("staf.report_page", kode=unit.kode, periode=label_of(chosen))


@bp.get("/unit/<kode>/laporan-skm.<fmt>")
@login_required
def report_file(kode: str, fmt: str) -> ResponseReturnValue:
    """The report as DOCX (to edit) or PDF (to sign and hand in)."""
    if fmt not in laporan.FORMATS:
        abort(404)
    unit = viewable_unit(kode)
    chosen = _period(unit)
    queued = _queued(unit, chosen, fmt)
    if queued is not None:
        return queued
    body = laporan.write(reports_session(), catalogue(), unit, chosen, now(), fmt, _base())
    return download(body, laporan.file_name(unit, chosen, fmt))


@bp.get("/unit/<kode>/bukti-lke.zip")
@login_required
def evidence_pack(kode: str) -> ResponseReturnValue:
    """The LKE evidence pack of the period as one ZIP with its manifest."""
    unit = viewable_unit(kode)
    chosen = _period(unit)
    queued = _queued(unit, chosen, "zip")
    if queued is not None:
        return queued
    body = paket.write(reports_session(), catalogue(), unit, chosen, now(), _base())
    return download(body, paket.file_name(unit, chosen))


def _base() -> str:
    return str(current_app.config["BASE_URL"] or request.url_root)


def _queued(unit: Unit, chosen: Span, fmt: str) -> ResponseReturnValue | None:
    """With a job queue, hand the work to a worker and show its progress page."""
    queue = jobs.queue(current_app.config["JOBS_REDIS_URL"], current_app.config["JOBS_QUEUE"])
    if queue is None:
        return None
    job = dokumen_jobs.enqueue(queue, unit, chosen, fmt, current_user.id, export_folder(), _base())
    return redirect(url_for("staf.export_job", job_id=job.id), code=303)
