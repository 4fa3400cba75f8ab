"""The tindak lanjut register (issue 17.1): per unit and period, what the unit does about its
weakest unsur, with evidence. Viewers read; unit admins and the admin change; all audited."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required

from analysis.periods import Span, label_of, period_of, span, span_of
from survey_app.extensions import db
from survey_app.files import download
from survey_app.models import BuktiTindakLanjut, TindakLanjut, Unit
from survey_app.services.access import can_manage
from survey_app.services.followup import register
from survey_app.services.reporting import dashboard as dashboards
from survey_app.services.reporting.alasan import reasons_by_unsur
from survey_app.staf import bp
from survey_app.staf.forms import TL_STATUS_LABELS, ConfirmForm, EvidenceForm, FollowUpForm
from survey_app.staf.scope import catalogue, managed_unit, now, viewable_unit
from survey_app.staf.views import period_span


def triwulan_span(unit: Unit) -> Span:
    """The period asked for; without one, the running triwulan (the LKE asks per triwulan)."""
    if request.args.get("periode") or request.args.get("dari") or request.args.get("sampai"):
        return period_span(unit)
    month = period_of(now(), unit.timezone)
    return span("triwulan", int(month[:4]), (int(month[5:]) - 1) // 3 + 1)


def _form(priorities: list[register.Priority], **kwargs: object) -> FollowUpForm:
    form = FollowUpForm(**kwargs)
    names = {i.id: i.index for i in catalogue().instruments.values()}
    form.unsur.choices = [
        (f"{p.instrument_id}:{p.code}", f"{names[p.instrument_id]} {p.code} · {p.label}")
        for p in priorities
    ] or [
        (f"{i.id}:{item.code}", f"{i.index} {item.code} · {item.dimension.id}")
        for i in catalogue().instruments.values()
        for item in i.items
    ]
    return form


def _typed(form: FollowUpForm) -> register.EntryInput:
    return register.EntryInput(
        unsur=form.unsur.data or "",
        program=form.program.data or "",
        waktu=form.waktu.data or "",
        penanggung_jawab=form.penanggung_jawab.data or "",
        status=form.status.data or "rencana",
        hasil=form.hasil.data or "",
    )


@bp.route("/unit/<kode>/tindak-lanjut", methods=["GET", "POST"])
@login_required
def follow_up(kode: str) -> ResponseReturnValue:
    """The register of a period: the proposed priorities, the entries, the previous period's."""
    unit = viewable_unit(kode)
    chosen = triwulan_span(unit)
    priorities = register.priorities(db.session, catalogue(), unit, chosen)
    form = _form(priorities)
    if request.method == "POST":
        managed_unit(kode)
        if form.validate_on_submit():
            try:
                register.add_entry(
                    db.session, catalogue(), unit, chosen, _typed(form), current_user, now()
                )
                db.session.commit()
                flash(_("Tindak lanjut ditambahkan."), "ok")
                target = url_for("staf.follow_up", kode=kode, periode=_label(chosen))
                return redirect(target)
            except register.FollowUpError as exc:
                db.session.rollback()
                _field_error(form, exc)
    status = 422 if form.errors else 200
    return render_template(
        "staf/tindak_lanjut.html",
        unit=unit,
        span=chosen,
        label=_label(chosen),
        priorities=register.lowest_each(priorities),
        said={  # what respondents said of each unsur: how many reasons, and the newest
            group.item.code: group
            for group in reasons_by_unsur(
                db.session,
                catalogue(),
                dashboards.layanan_ids(db.session, unit),
                chosen.months(),
                newest=1,
            )
        },  # fmt: skip
        entries=register.entries(db.session, unit, chosen),
        previous=register.previous_entries(db.session, unit, chosen),
        form=form,
        may_change=can_manage(db.session, current_user, unit),
        statuses=TL_STATUS_LABELS,
        labels=register.unsur_labels(catalogue()),
        evidence_form=EvidenceForm(),
    ), status


def _field_error(form: FollowUpForm, exc: register.FollowUpError) -> None:
    """Show the service's message beside the field it is about."""
    field = getattr(form, exc.field, None) or form.program
    field.errors = [*field.errors, str(exc)]


def _label(chosen: Span) -> str:
    try:
        return label_of(chosen)
    except ValueError:
        return chosen.first


def _entry(entry_id: int) -> TindakLanjut:
    entry = db.session.get(TindakLanjut, entry_id)
    if entry is None:
        abort(404)
    managed_unit(entry.unit.kode)
    return entry


def _back(entry: TindakLanjut) -> ResponseReturnValue:
    """To the register page of the entry's period."""
    return redirect(_register_url(entry))


def _register_url(entry: TindakLanjut) -> str:
    period = _kind_of(entry)
    if period.kind == "rentang":
        return url_for("staf.follow_up", kode=entry.unit.kode, dari=entry.dari, sampai=entry.sampai)
    return url_for("staf.follow_up", kode=entry.unit.kode, periode=label_of(period))


def _kind_of(entry: TindakLanjut) -> Span:
    """The named period an entry belongs to (a month, triwulan, semester or year), else the
    custom range it covers."""
    year, month = entry.dari[:4], int(entry.dari[5:])
    for candidate in (
        entry.dari,
        f"{year}-T{(month - 1) // 3 + 1}",
        f"{year}-S{(month - 1) // 6 + 1}",
        year,
    ):
        found = span_of(candidate)
        if (found.first, found.last) == (entry.dari, entry.sampai):
            return found
    return Span("rentang", entry.dari, entry.sampai)


@bp.route("/tindak-lanjut/<int:entry_id>", methods=["GET", "POST"])
@login_required
def edit_follow_up(entry_id: int) -> ResponseReturnValue:
    """Change an entry: its status, what was done; add or remove its evidence."""
    entry = _entry(entry_id)
    chosen = _kind_of(entry)
    priorities = register.priorities(db.session, catalogue(), entry.unit, chosen)
    form = _form(
        priorities,
        data={
            "unsur": f"{entry.instrument_id}:{entry.unsur}",
            "program": entry.program,
            "waktu": entry.waktu,
            "penanggung_jawab": entry.penanggung_jawab,
            "status": entry.status,
            "hasil": entry.hasil or "",
        },
    )
    if form.validate_on_submit():
        try:
            changed = register.update_entry(
                db.session, catalogue(), entry, _typed(form), current_user, now()
            )
            db.session.commit()
            flash(_("Perubahan disimpan.") if changed else _("Tidak ada yang berubah."), "ok")
            return redirect(url_for("staf.edit_follow_up", entry_id=entry.id))
        except register.FollowUpError as exc:
            db.session.rollback()
            _field_error(form, exc)
    status = 422 if form.errors else 200
    return render_template(
        "staf/tindak_lanjut_ubah.html",
        entry=entry,
        span=chosen,
        back=_register_url(entry),
        form=form,
        evidence_form=EvidenceForm(),
        statuses=TL_STATUS_LABELS,
    ), status


@bp.post("/tindak-lanjut/<int:entry_id>/hapus")
@login_required
def remove_follow_up(entry_id: int) -> ResponseReturnValue:
    entry = _entry(entry_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    back = _back(entry)
    register.remove_entry(db.session, entry, current_user, now())
    db.session.commit()
    flash(_("Tindak lanjut dihapus."), "ok")
    return back


@bp.post("/tindak-lanjut/<int:entry_id>/bukti")
@login_required
def add_evidence(entry_id: int) -> ResponseReturnValue:
    entry = _entry(entry_id)
    form = EvidenceForm()
    if not form.validate_on_submit():
        flash(_("Pilih berkas bukti: foto PNG/JPEG atau PDF, paling besar 5 MB."), "error")
        return redirect(url_for("staf.edit_follow_up", entry_id=entry.id))
    upload = form.berkas.data
    try:
        with upload.stream as stream:  # a large upload is a temporary file: closed here
            body = stream.read(register.MAX_EVIDENCE_BYTES + 1)
        register.add_evidence(db.session, entry, upload.filename or "", body, current_user, now())
        db.session.commit()
        flash(_("Bukti disimpan."), "ok")
    except register.FollowUpError as exc:
        db.session.rollback()
        flash(str(exc), "error")
    return redirect(url_for("staf.edit_follow_up", entry_id=entry.id))


def _evidence(bukti_id: int) -> BuktiTindakLanjut:
    bukti = db.session.get(BuktiTindakLanjut, bukti_id)
    if bukti is None:
        abort(404)
    return bukti


@bp.get("/bukti/<int:bukti_id>")
@login_required
def evidence_file(bukti_id: int) -> ResponseReturnValue:
    """An evidence file, for those who may see its unit."""
    bukti = _evidence(bukti_id)
    entry = db.session.get(TindakLanjut, bukti.tindak_lanjut_id)
    assert entry is not None
    viewable_unit(entry.unit.kode)
    return download(bukti.isi, bukti.nama)


@bp.post("/bukti/<int:bukti_id>/hapus")
@login_required
def remove_evidence(bukti_id: int) -> ResponseReturnValue:
    bukti = _evidence(bukti_id)
    entry = _entry(bukti.tindak_lanjut_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    register.remove_evidence(db.session, bukti, current_user, now())
    db.session.commit()
    flash(_("Bukti dihapus."), "ok")
    return redirect(url_for("staf.edit_follow_up", entry_id=entry.id))
