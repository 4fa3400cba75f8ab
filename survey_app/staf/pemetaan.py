"""The mapping screen of an upload whose headers are not the responses format (issue 18.3), the
XLSX template of that format, and a saved mapping as the YAML file the command line reads."""

from __future__ import annotations

from typing import Any

import yaml
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from wtforms import RadioField, SelectChoice, SelectField, StringField
from wtforms.validators import InputRequired, Length

from analysis.kuesioner import split_code
from analysis.responses import ResponsesError
from survey_app.extensions import db
from survey_app.files import download
from survey_app.formtext import Form
from survey_app.models import Unit
from survey_app.services.collection import pemetaan, templat, upload_jobs
from survey_app.staf import bp
from survey_app.staf.manage import _upload_path
from survey_app.staf.masalah import semua
from survey_app.staf.scope import catalogue, managed_unit, now

WAKTU_LABELS = {
    "gforms": _l("Google Forms: 2026/01/31 11:30:00 PM GMT+8 atau 1/31/2026 23:30:00"),
    "dmy": _l("Hari/bulan/tahun: 31/01/2026 23:30"),
    "mdy": _l("Bulan/hari/tahun: 01/31/2026 23:30"),
    "iso": _l("ISO 8601: 2026-01-31 23:30 atau 2026-01-31T23:30:00+08:00"),
}
META_LABELS = {
    "submitted_at": _l("Waktu pengisian"),
    "layanan": _l("Jenis layanan"),
    "id": _l("ID responden (agar tidak tersimpan dua kali)"),
    "saran": _l("Saran dan masukan"),
}
SKIP = ""


class PemetaanForm(Form):
    nama = StringField(
        _l("Nama pemetaan, untuk dipakai lagi bulan depan (mis. Google Forms)"),
        validators=[InputRequired(), Length(max=pemetaan.NAME_MAX)],
    )
    waktu = RadioField(
        _l("Format waktu pengisian"),
        choices=[SelectChoice(key, label) for key, label in WAKTU_LABELS.items()],
        validators=[InputRequired()],
    )
    jawaban = RadioField(
        _l("Jawaban pertanyaan ditulis sebagai"),
        choices=[
            SelectChoice("angka", _l("Angka, mis. 4")),
            SelectChoice("label", _l("Label jawaban, mis. Sangat sesuai")),
        ],
        validators=[InputRequired()],
    )


def _target_choices(unit: Unit) -> list[SelectChoice]:
    choices = [SelectChoice(SKIP, _l("Abaikan (tidak dibaca)"))]
    for key in ("submitted_at", "layanan"):
        choices.append(SelectChoice(key, f"{key} · {META_LABELS[key]}"))
    parts = pemetaan.variant_parts(catalogue(), unit)  # a variant's sub-questions
    for instrument in catalogue().instruments.values():
        for item in instrument.items:
            label = f"{item.code} · {item.dimension.id} ({instrument.id.upper()})"
            choices.append(SelectChoice(item.code, label))
            for part in parts.get(item.code, ()):
                sub = _("sub-pertanyaan %(j)s dari %(k)s", j=part[-3], k=part[-1])
                choices.append(SelectChoice(part, f"{part} · {item.dimension.id}, {sub}"))
    for question in catalogue().profile:
        choices.append(SelectChoice(question.key, f"{question.key} · {question.label.id}"))
    for key in ("saran", "id"):
        choices.append(SelectChoice(key, f"{key} · {META_LABELS[key]}"))
    return choices


def _form(
    unit: Unit, headers: list[str], values: list[str], usulan: pemetaan.Usulan, saved_name: str
) -> PemetaanForm:
    """The form for this file: one select per header and one per layanan value, filled from
    the proposal on the first visit, from the person's choices after."""

    class Form(PemetaanForm):
        pass

    targets = _target_choices(unit)
    for number, header in enumerate(headers):
        private = usulan.asal.get(header) == "pribadi"
        field = SelectField(header, choices=targets[:1] if private else targets)
        setattr(Form, f"kolom_{number}", field)
    codes = [SelectChoice(SKIP, _l("Pilih layanan"))] + [
        SelectChoice(item.kode, f"{item.kode} · {item.nama}") for item in unit.layanan
    ]
    for number, value in enumerate(values):
        setattr(Form, f"layanan_{number}", SelectField(value, choices=codes))
    data: dict[str, Any] = {
        "nama": saved_name,
        "waktu": usulan.waktu,
        "jawaban": usulan.jawaban,
        **{f"kolom_{n}": usulan.kolom.get(h, SKIP) for n, h in enumerate(headers)},
        **{f"layanan_{n}": usulan.layanan.get(v, SKIP) for n, v in enumerate(values)},
    }
    return Form(data=data) if request.method == "GET" else Form()


def _chosen(form: PemetaanForm, headers: list[str], values: list[str]) -> tuple[dict, dict]:
    kolom = {h: getattr(form, f"kolom_{n}").data or SKIP for n, h in enumerate(headers)}
    layanan = {v: getattr(form, f"layanan_{n}").data or SKIP for n, v in enumerate(values)}
    return kolom, layanan


def _mapping_errors(
    form: PemetaanForm, headers: list[str], kolom: dict[str, str], values: list[str]
) -> list[str]:
    """Every problem of the person's choices at once, each on its field and in the summary."""
    errors: list[str] = []
    seen: dict[str, str] = {}
    for number, header in enumerate(headers):
        target = kolom[header]
        if not target:
            continue
        if target in seen:
            message = _(
                '%(t)s sudah dipilih untuk kolom "%(h)s": pilih sasaran lain atau Abaikan.',
                t=target,
                h=seen[target],
            )
            getattr(form, f"kolom_{number}").errors = [message]
            errors.append(f"{header}: {message}")
        seen.setdefault(target, header)
    for target, words in (
        ("submitted_at", _("waktu pengisian (submitted_at)")),
        ("layanan", _("jenis layanan (layanan)")),
    ):
        if target not in seen:
            errors.append(_("Pilih kolom yang berisi %(apa)s.", apa=words))
    if not any(catalogue().owner(split_code(t)[0]) is not None for t in seen):
        errors.append(
            _("Pilih kolom untuk paling sedikit satu pertanyaan (U1-U9, AK1-AK5, PK1-PK8).")
        )
    if "layanan" in seen:
        for number, value in enumerate(values):
            field = getattr(form, f"layanan_{number}")
            if not field.data:
                message = _('Pilih layanan unit untuk nilai "%(v)s".', v=value)
                field.errors = [message]
                errors.append(message)
    return errors


@bp.route("/unit/<kode>/unggah/<token>/pemetaan", methods=["GET", "POST"])
@login_required
def map_upload(kode: str, token: str) -> ResponseReturnValue:
    """Map the file's headers onto the responses format: proposed, applied once confirmed."""
    unit = managed_unit(kode)
    path = _upload_path(unit, token)
    small = path.stat().st_size <= current_app.config["UPLOAD_JOB_BYTES"]
    try:
        table, source = pemetaan.read_sample(path, whole=small)
    except ResponsesError as exc:
        return _problem_page(unit, token, exc.problems)
    headers = pemetaan.headers_of(table)
    saved = pemetaan.find_saved(db.session, unit, request.args.get("pemetaan"))
    saved = saved or pemetaan.best_saved(db.session, unit, headers)
    usulan = pemetaan.propose_for(table, catalogue(), unit, saved)
    frame = table.frame.set_axis(headers, axis=1)
    # the layanan values of the column the person chose (or the proposal's)
    layanan_header = usulan.target_of("layanan")
    if request.method == "POST":
        chosen = [h for n, h in enumerate(headers) if request.form.get(f"kolom_{n}") == "layanan"]
        layanan_header = chosen[0] if chosen else None
    values = pemetaan.layanan_values(frame[layanan_header]) if layanan_header else []
    if layanan_header and layanan_header != usulan.target_of("layanan"):
        usulan.layanan = {v: pemetaan.match_layanan(v, unit) for v in values}
    default_name = saved.nama if saved else (
        _("Google Forms") if usulan.waktu == "gforms" else _("Berkas Excel")
    )  # fmt: skip
    form = _form(unit, headers, values, usulan, default_name)
    errors: list[str] = []
    result = None
    if request.method == "POST":
        valid = form.validate()
        kolom, layanan = _chosen(form, headers, values)
        if not (form.nama.data or "").strip() and not form.nama.errors:
            form.nama.errors = [_("Wajib diisi.")]  # spaces only: no name to offer it by
            valid = False
        errors = _mapping_errors(form, headers, kolom, values)
        told = set(errors)
        for field in form:  # what the fields refused themselves (a choice not offered, ...)
            for error in field.errors:
                line = f"{field.label.text}: {error}"
                if error not in told and line not in told and field.name != "csrf_token":
                    errors.append(line)
                    told.add(line)
        document = pemetaan.document_of(
            kolom, form.waktu.data or "iso", form.jawaban.data or "angka", layanan
        )
        mapping = None
        if not errors and valid:
            try:
                mapping = pemetaan.checked(document, catalogue())
            except pemetaan.MappingError as exc:
                errors += exc.problems
        if mapping is not None and not errors:
            if request.form.get("aksi") == "simpan":
                saved_row = pemetaan.save_mapping(
                    db.session, unit, form.nama.data or "", document, current_user, now()
                )
                db.session.commit()
                flash(
                    _(
                        'Pemetaan "%(nama)s" disimpan untuk %(unit)s.',
                        nama=saved_row.nama,
                        unit=unit.nama,
                    ),
                    "ok",
                )
                return redirect(
                    url_for("staf.preview_upload", kode=kode, token=token, pemetaan=saved_row.id),
                    code=303,
                )
            settings = upload_jobs.Settings.of(current_app.config)
            result = pemetaan.try_mapping(
                db.session, catalogue(), unit, source, mapping, now(), settings.saran_max
            )
            db.session.rollback()  # a check only reads
        waktu_now = form.waktu.data or usulan.waktu
        stamps_header = next((h for h, t in kolom.items() if t == "submitted_at"), None)
    else:
        waktu_now = usulan.waktu
        stamps_header = usulan.target_of("submitted_at")
        document = pemetaan.document_of(usulan.kolom, usulan.waktu, usulan.jawaban, usulan.layanan)
        try:
            mapping = pemetaan.checked(document, catalogue())
        except pemetaan.MappingError:
            mapping = None
        complete = stamps_header and layanan_header and all(usulan.layanan.values())
        if mapping is not None and complete:
            result = pemetaan.try_mapping(db.session, catalogue(), unit, source, mapping, now())
            db.session.rollback()
    read_backs = {
        key: pemetaan.read_back(frame[stamps_header], key, unit.timezone) if stamps_header else []
        for key in pemetaan.WAKTU
    }
    examples = {h: pemetaan.layanan_values(frame[h])[:3] for h in headers}
    codes = [item.kode for item in unit.layanan]
    page = render_template(
        "staf/pemetaan.html",
        unit=unit,
        token=token,
        form=form,
        headers=headers,
        values=values,
        usulan=usulan,
        saved=saved,
        examples=examples,
        read_backs=read_backs,
        waktu_now=waktu_now,
        waktu_labels=WAKTU_LABELS,
        errors=errors,
        result=result,
        masalah=semua(result.problems, codes) if result else [],
        whole=small,
    )
    return page, 422 if errors or (result and result.problems) else 200


def _problem_page(unit: Unit, token: str, problems: list[str]) -> ResponseReturnValue:
    codes = [item.kode for item in unit.layanan]
    page = render_template(
        "staf/pratinjau.html",
        unit=unit,
        token=token,
        preview=upload_jobs.Preview(problems=problems),
        masalah=semua(problems, codes),
        form=None,
        saved=None,
    )
    return page, 422


@bp.get("/unit/<kode>/templat-jawaban.xlsx")
@login_required
def upload_template(kode: str) -> ResponseReturnValue:
    """The responses format as a workbook to fill in: its headers, the labels as dropdowns."""
    unit = managed_unit(kode)
    return download(
        templat.response_template(catalogue(), unit), f"templat-jawaban-{unit.kode}.xlsx"
    )


@bp.get("/unit/<kode>/pemetaan/<int:pemetaan_id>.yaml")
@login_required
def mapping_yaml(kode: str, pemetaan_id: int) -> ResponseReturnValue:
    """A saved mapping as the file ``zisurvey score --mapping`` reads (INTERCHANGE.md)."""
    unit = managed_unit(kode)
    saved = pemetaan.find_saved(db.session, unit, pemetaan_id)
    if saved is None:
        abort(404)
    header = f"# {saved.nama} ({unit.kode}): zisurvey score FILE --instrument skm --mapping FILE\n"
    text = yaml.safe_dump(saved.isi, allow_unicode=True, sort_keys=False, width=1000)
    return download((header + text).encode("utf-8"), f"pemetaan-{unit.kode}-{saved.id}.yaml")


__all__ = ["map_upload", "mapping_yaml", "upload_template"]
