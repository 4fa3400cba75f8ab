"""Staff routes that change data: layanan, people served, uploads. Unit admins and the admin."""

from __future__ import annotations

from pathlib import Path

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required
from rq import Queue
from rq.job import Job
from sqlalchemy import select

from analysis.periods import span_of
from analysis.responses import ResponsesError
from survey_app.extensions import db
from survey_app.filters import aturan as aturan_words
from survey_app.models import AuditLog, Layanan, PemetaanUnggahan, Unit
from survey_app.services.administration import layanan as layanan_service
from survey_app.services.collection import pemetaan, upload_jobs, uploads
from survey_app.services.publishing import logo
from survey_app.services.reporting import jobs
from survey_app.services.reporting.compliance import rule_of
from survey_app.staf import bp
from survey_app.staf.forms import (
    AturanForm,
    ConfirmForm,
    KioskWajahForm,
    LayananForm,
    LogoForm,
    PengaduanForm,
    ServedForm,
    TanyaAlasanForm,
    UploadForm,
)
from survey_app.staf.masalah import semua
from survey_app.staf.scope import catalogue, managed_layanan, managed_unit, now


def _layanan_form(**kwargs: object) -> LayananForm:
    form = LayananForm(**kwargs)
    form.instrumen.choices = [(i.id, i.title.id) for i in catalogue().instruments.values()]
    return form


def _edit_form(layanan: Layanan) -> LayananForm:
    """The edit form showing what the layanan holds, its surveys ticked. (Given the layanan as
    ``obj``, WTForms took ``layanan.instrumen``, the link rows, for the checkboxes: none matched,
    all rendered unticked, and saving a rename dropped every survey.)"""
    return _layanan_form(
        data={
            "kode": layanan.kode,
            "nama": layanan.nama,
            "kebutuhan_utama": layanan.kebutuhan_utama,
            "aktif": layanan.aktif,
            "instrumen": list(layanan.instrument_ids),
        }
    )


@bp.route("/unit/<kode>/layanan", methods=["GET", "POST"])
@login_required
def manage_layanan(kode: str) -> ResponseReturnValue:
    unit = managed_unit(kode)
    form = _layanan_form()
    if form.validate_on_submit():
        try:
            layanan_service.add_layanan(
                db.session,
                catalogue(),
                unit,
                form.kode.data or "",
                form.nama.data or "",
                form.kebutuhan_utama.data,
                form.instrumen.data or [],
                current_user,
                now(),
            )
            db.session.commit()
            flash(_("Layanan ditambahkan."), "ok")
            return redirect(url_for("staf.manage_layanan", kode=kode))
        except layanan_service.LayananError as exc:
            db.session.rollback()
            form.kode.errors = [*form.kode.errors, str(exc)]
    status = 422 if form.errors else 200
    return _layanan_page(unit, form, LogoForm()), status


def _layanan_page(
    unit: Unit,
    form: LayananForm,
    logo_form: LogoForm,
    rule_form: AturanForm | None = None,
    pengaduan: PengaduanForm | None = None,
) -> str:
    rule = {"aturan_minimal": unit.aturan_minimal, "rumus_sampel": unit.rumus_sampel}
    return render_template(
        "staf/layanan.html",
        unit=unit,
        form=form,
        logo_form=logo_form,
        alasan_form=TanyaAlasanForm(data={"tanya_alasan": unit.tanya_alasan}),
        wajah_form=KioskWajahForm(data={"kiosk_wajah": unit.kiosk_wajah}),
        pengaduan_form=pengaduan or PengaduanForm(data={"tautan_pengaduan": unit.tautan_pengaduan}),
        rule_form=rule_form or AturanForm(data=rule),
    )


@bp.post("/unit/<kode>/pengaduan")
@login_required
def set_complaints(kode: str) -> ResponseReturnValue:
    """The unit's own complaint channel, shown on the thank-you page (issue 21)."""
    unit = managed_unit(kode)
    form = PengaduanForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        changed = layanan_service.set_pengaduan(
            db.session, unit, form.tautan_pengaduan.data or "", current_user, now()
        )
    except layanan_service.LayananError as exc:
        db.session.rollback()
        form.tautan_pengaduan.errors = [str(exc)]
        return _layanan_page(unit, _layanan_form(), LogoForm(), pengaduan=form), 422
    db.session.commit()
    if changed:
        flash(_("Kanal pengaduan disimpan."), "ok")
    return redirect(url_for("staf.manage_layanan", kode=kode), code=303)


@bp.post("/unit/<kode>/aturan-minimal")
@login_required
def set_minimum_rule(kode: str) -> ResponseReturnValue:
    """The unit's monthly minimum rule: tetap (30/15) or sampel from people served."""
    unit = managed_unit(kode)
    form = AturanForm()
    if not form.validate_on_submit():
        return _layanan_page(unit, _layanan_form(), LogoForm(), form), 422
    aturan, rumus = form.aturan_minimal.data or "", form.rumus_sampel.data or ""
    if layanan_service.set_rule(db.session, unit, aturan, rumus, current_user, now()):
        db.session.commit()
        flash(_("Aturan minimal disimpan: %(aturan)s.", aturan=aturan_words(rule_of(unit))), "ok")
    return redirect(url_for("staf.manage_layanan", kode=kode), code=303)


@bp.post("/unit/<kode>/logo")
@login_required
def upload_logo(kode: str) -> ResponseReturnValue:
    """The unit's logo for posters and social images (or its removal)."""
    unit = managed_unit(kode)
    form = LogoForm()
    if not form.validate_on_submit():
        abort(400)
    data = None if form.hapus.data else (form.berkas.data.read() if form.berkas.data else b"")
    try:
        logo.set_logo(db.session, unit, data, current_user, now())
        db.session.commit()
        flash(_("Logo dihapus.") if data is None else _("Logo disimpan."), "ok")
    except logo.LogoError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return _layanan_page(unit, _layanan_form(), form), 422
    return redirect(url_for("staf.manage_layanan", kode=kode))


@bp.route("/layanan/<int:layanan_id>", methods=["GET", "POST"])
@login_required
def edit_layanan(layanan_id: int) -> ResponseReturnValue:
    layanan = managed_layanan(layanan_id)
    form = _edit_form(layanan)
    if request.method == "POST" and form.validate_on_submit():
        try:
            layanan_service.update_layanan(
                db.session,
                catalogue(),
                layanan,
                form.nama.data or "",
                form.kebutuhan_utama.data,
                form.aktif.data,
                form.instrumen.data or [],
                current_user,
                now(),
            )
            db.session.commit()
            flash(_("Perubahan disimpan."), "ok")
            return redirect(url_for("staf.edit_layanan", layanan_id=layanan_id))
        except layanan_service.LayananError as exc:
            db.session.rollback()
            form.nama.errors = [*form.nama.errors, str(exc)]
    return _edit_page(layanan, form, ServedForm())


def _edit_page(layanan: Layanan, form: LayananForm, served: ServedForm) -> ResponseReturnValue:
    history = db.session.scalars(
        select(AuditLog)
        .where(AuditLog.entity == "layanan", AuditLog.entity_id == str(layanan.id))
        .order_by(AuditLog.at.desc())
    ).all()
    status = 422 if form.errors or served.errors else 200
    page = render_template(
        "staf/layanan_edit.html",
        layanan=layanan,
        form=form,
        served_form=served,
        served=layanan_service.served_in(db.session, layanan),
        history=history,
    )
    return page, status


@bp.post("/layanan/<int:layanan_id>/dilayani")
@login_required
def record_served(layanan_id: int) -> ResponseReturnValue:
    layanan = managed_layanan(layanan_id)
    served = ServedForm()
    if served.validate_on_submit():
        try:
            layanan_service.set_served(
                db.session,
                layanan,
                served.period.data or "",
                served.jumlah.data or 0,
                current_user,
                now(),
            )
            db.session.commit()
            flash(_("Jumlah dilayani disimpan."), "ok")
            return redirect(url_for("staf.edit_layanan", layanan_id=layanan_id))
        except ValueError as exc:
            db.session.rollback()
            served.period.errors = [*served.period.errors, str(exc)]
    form = _edit_form(layanan)
    return _edit_page(layanan, form, served)


def _upload_folder() -> Path:
    return Path(current_app.instance_path) / "unggahan"


@bp.route("/unit/<kode>/unggah", methods=["GET", "POST"])
@login_required
def upload(kode: str) -> ResponseReturnValue:
    unit = managed_unit(kode)
    form = UploadForm()
    if form.validate_on_submit():
        file = form.berkas.data
        try:
            token = uploads.keep(
                _upload_folder(),
                current_user.id,
                unit.id,
                file.filename,
                file.read(),
                uploads.Limits.of(current_app.config),
            )
        except uploads.UploadError as exc:
            form.berkas.errors = [str(exc)]
        else:
            ignore = form.abaikan.data or None
            if _needs_mapping(unit, token, ignore or ""):
                return redirect(url_for("staf.map_upload", kode=kode, token=token))
            return redirect(url_for("staf.preview_upload", kode=kode, token=token, abaikan=ignore))
    status = 422 if form.errors else 200
    saved = pemetaan.saved_mappings(db.session, unit)
    return render_template("staf/unggah.html", unit=unit, form=form, saved=saved), status


def _needs_mapping(unit: Unit, token: str, ignore: str) -> bool:
    """True when the file's headers are not the responses format (or its answers are labels):
    the mapping screen then. A file that cannot be read goes to the preview, which says why."""
    path = _upload_path(unit, token)
    try:
        table, _source = pemetaan.read_sample(path, whole=False)
    except ResponsesError:
        return False
    skipped = [c.strip() for c in ignore.split(",") if c.strip()]
    return pemetaan.needs_mapping(table, catalogue(), skipped)


def _upload_path(unit: Unit, token: str) -> Path:
    path = uploads.find(_upload_folder(), current_user.id, unit.id, token)
    if path is None:
        abort(404)
    return path


def _ignored() -> list[str]:
    return [c.strip() for c in request.args.get("abaikan", "").split(",") if c.strip()]


def _background(path: Path) -> Queue | None:
    """The job queue when this file is big enough to check and store as a job, else None."""
    config = current_app.config
    if path.stat().st_size <= config["UPLOAD_JOB_BYTES"]:
        return None
    return jobs.queue(config["JOBS_REDIS_URL"], config["JOBS_QUEUE"])


def _mapping(unit: Unit) -> tuple[PemetaanUnggahan | None, bool]:
    """The saved mapping named by ``?pemetaan=`` (None without one), and whether the parameter
    was given but names none of this unit's mappings."""
    given = request.args.get("pemetaan")
    if given is None:
        return None, False
    saved = pemetaan.find_saved(db.session, unit, given)
    return saved, saved is None


def _mapping_gone(kode: str, token: str) -> ResponseReturnValue:
    flash(_("Pemetaan itu tidak ditemukan untuk unit ini: periksa dan simpan pemetaan lagi."), "ok")
    return redirect(url_for("staf.map_upload", kode=kode, token=token))


def _preview_page(
    unit: Unit,
    preview: upload_jobs.Preview,
    token: str,
    saved: PemetaanUnggahan | None = None,
) -> ResponseReturnValue:
    codes = [item.kode for item in unit.layanan]
    page = render_template(
        "staf/pratinjau.html",
        unit=unit,
        preview=preview,
        masalah=semua(preview.problems, codes),
        form=ConfirmForm(),
        token=token,
        saved=saved,
    )
    return page, 422 if preview.problems else 200


def _progress_page(unit: Unit, job: Job, step: str) -> ResponseReturnValue:
    status = job.get_status(refresh=True)
    return render_template("staf/unggah_proses.html", unit=unit, job=job, status=status, step=step)


@bp.get("/unit/<kode>/unggah/<token>")
@login_required
def preview_upload(kode: str, token: str) -> ResponseReturnValue:
    """What the upload would add, or every problem; read once, in a job when it is big."""
    unit = managed_unit(kode)
    path = _upload_path(unit, token)
    saved, gone = _mapping(unit)
    if gone:
        return _mapping_gone(kode, token)
    document = saved.isi if saved else None
    queue = _background(path)
    if queue is None:
        settings = upload_jobs.Settings.of(current_app.config)
        preview = upload_jobs.check_upload(
            db.session, catalogue(), unit, path, _ignored(), now(), settings, document
        )
        db.session.rollback()  # a preview only reads
        return _preview_page(unit, preview, token, saved)
    job = upload_jobs.enqueue(
        queue, "pratinjau", current_user.id, unit, path, token, _ignored(), document
    )
    if job.get_status(refresh=True) != "finished":
        return _progress_page(unit, job, "pratinjau")
    preview = upload_jobs.Preview.from_json(job.return_value() or {})
    return _preview_page(unit, preview, token, saved)


@bp.post("/unit/<kode>/unggah/<token>")
@login_required
def confirm_upload(kode: str, token: str) -> ResponseReturnValue:
    unit = managed_unit(kode)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    path = uploads.find(_upload_folder(), current_user.id, unit.id, token)
    if path is None:
        flash(_("Unggahan ini sudah kedaluwarsa (disimpan paling lama sehari): unggah lagi."), "ok")
        return redirect(url_for("staf.upload", kode=kode))
    saved, gone = _mapping(unit)
    if gone:
        return _mapping_gone(kode, token)
    document = saved.isi if saved else None
    queue = _background(path)
    if queue is not None:
        upload_jobs.enqueue(
            queue, "simpan", current_user.id, unit, path, token, _ignored(), document
        )
        target = url_for("staf.upload_progress", kode=kode, token=token)
        if saved is not None:
            target = url_for("staf.upload_progress", kode=kode, token=token, pemetaan=saved.id)
        return redirect(target, code=303)
    settings = upload_jobs.Settings.of(current_app.config)
    stored = upload_jobs.store_upload(
        db.session, catalogue(), unit, path, _ignored(), now(), settings, mapping=document
    )
    return _stored(unit, stored.as_json(), token, saved)


def _stored(
    unit: Unit, result: dict[str, object], token: str, saved: PemetaanUnggahan | None = None
) -> ResponseReturnValue:
    stored = upload_jobs.Stored(**result)  # type: ignore[arg-type]
    if stored.problems:
        db.session.rollback()
        return _preview_page(unit, upload_jobs.Preview(problems=stored.problems), token, saved)
    db.session.commit()
    flash(
        _("%(n)d jawaban ditambahkan, %(m)d sudah ada.", n=stored.added, m=stored.already_there),
        "ok",
    )
    return redirect(url_for("staf.show_dashboard", kode=unit.kode, periode=_span(stored.months)))


def _span(months: list[str]) -> str | None:
    """The period of a stored file's months (first to last), for the dashboard it opens: a file
    of earlier months shows them at once; None (the current period) when no range holds them."""
    if not months:
        return None
    chosen = months[0] if len(months) == 1 else f"{months[0]}..{months[-1]}"
    try:
        span_of(chosen)
    except ValueError:
        return None
    return chosen


@bp.get("/unit/<kode>/unggah/<token>/simpan")
@login_required
def upload_progress(kode: str, token: str) -> ResponseReturnValue:
    """Progress of storing a big upload in the background; the page refreshes itself."""
    unit = managed_unit(kode)
    config = current_app.config
    queue = jobs.queue(config["JOBS_REDIS_URL"], config["JOBS_QUEUE"])
    saved, gone = _mapping(unit)
    if gone:
        abort(404)
    document = saved.isi if saved else None
    ident = upload_jobs.job_id("simpan", current_user.id, unit.id, token, document)
    job = upload_jobs.find_job(queue, ident) if queue is not None else None
    if job is None or job.meta.get("user_id") != current_user.id:
        abort(404)
    if job.get_status(refresh=True) != "finished":
        return _progress_page(unit, job, "simpan")
    return _stored(unit, job.return_value() or {}, token, saved)
