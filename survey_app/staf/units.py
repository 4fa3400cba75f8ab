"""Staff routes for units: the tree, a new unit, editing, closing and reopening, and the import
of a unit tree with its layanan (upload, preview, confirm) with its templates.

The list, new units, imports and templates are for the central admin and the admins of a unit
that can have units below it; editing, closing and reopening a unit need the right to manage
it (:func:`survey_app.staf.scope.managed_unit`). The rules are the services'.
"""

from __future__ import annotations

from pathlib import Path

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from survey_app.extensions import db
from survey_app.files import download
from survey_app.filters import UNIT_KINDS
from survey_app.models import AuditLog, Unit
from survey_app.services.access import subtree_ids
from survey_app.services.administration import unit_import, units
from survey_app.services.administration.unit_fields import Problem, UnitDetails
from survey_app.services.administration.unit_template import template_csv, template_xlsx
from survey_app.services.collection import uploads
from survey_app.staf import bp
from survey_app.staf.forms import ConfirmForm, UnitForm, UnitImportForm
from survey_app.staf.scope import catalogue, managed_unit, now

IMPORT_PAGE = 0  # uploads are kept per (user, unit page); the import belongs to no unit


def translated(problem: Problem) -> str:
    """A service's problem in the reader's language."""
    return _(problem.message, **problem.params)


def _units_area() -> None:
    """403 unless the user may use the units area (``units.may_manage_units``)."""
    if not units.may_manage_units(current_user):
        abort(403)


def _form(unit: Unit | None = None) -> UnitForm:
    new = UnitDetails(jenis="upt", induk=request.args.get("induk", ""))
    details = UnitDetails.of(unit) if unit else new
    form = UnitForm(data=vars(details))
    form.jenis.choices = [(code, str(label)) for code, label in UNIT_KINDS.items()]
    form.zona.choices = [
        ("", _("Sama dengan unit induk")),
        ("WIB", "WIB (Asia/Jakarta)"),
        ("WITA", "WITA (Asia/Makassar)"),
        ("WIT", "WIT (Asia/Jayapura)"),
    ]
    form.induk.choices = _parent_choices(unit)
    return form


def _parent_choices(unit: Unit | None) -> list[tuple[str, str]]:
    """The parents to pick from: open units in scope that are not UPT, never the unit itself
    or one below it; a unit admin's own unit keeps its parent."""
    current = unit.parent if unit else None
    if unit is not None and not units.is_central(current_user) and unit.id == current_user.unit_id:
        return [(current.kode, current.nama) if current else ("", _("Tanpa induk"))]
    below = subtree_ids(db.session, unit.id) if unit is not None else set()
    rows = units.parent_choices(db.session, current_user)
    choices = [
        (r.unit.kode, f"{'— ' * r.depth}{r.unit.nama} ({r.unit.kode})")
        for r in rows
        if r.unit.id not in below
    ]
    if current is not None and current.kode not in {kode for kode, _label in choices}:
        choices.insert(0, (current.kode, f"{current.nama} ({current.kode})"))
    if units.is_central(current_user):
        choices.insert(0, ("", _("Tanpa induk (unit teratas)")))
    return choices


def _details(form: UnitForm) -> UnitDetails:
    return UnitDetails(**{name: str(form[name].data or "") for name in vars(UnitDetails())})


def _show_problems(form: UnitForm, error: units.UnitError) -> None:
    for problem in error.problems:
        field = form._fields.get(problem.field, form.nama)
        field.errors = [*field.errors, translated(problem)]


@bp.get("/unit-kerja")
@login_required
def list_units() -> ResponseReturnValue:
    _units_area()
    rows = units.unit_tree(db.session, current_user)
    return render_template("staf/units.html", rows=rows)


@bp.route("/unit-kerja/baru", methods=["GET", "POST"])
@login_required
def new_unit() -> ResponseReturnValue:
    _units_area()
    form = _form()
    if form.validate_on_submit():
        try:
            unit = units.create_unit(db.session, _details(form), current_user, now())
            db.session.commit()
        except units.UnitError as exc:
            db.session.rollback()
            _show_problems(form, exc)
        else:
            flash(_("Unit %(nama)s ditambahkan.", nama=unit.nama), "ok")
            return redirect(url_for("staf.list_units"))
    status = 422 if form.errors else 200
    return render_template("staf/unit_form.html", form=form, unit=None), status


@bp.route("/unit/<kode>/ubah", methods=["GET", "POST"])
@login_required
def edit_unit(kode: str) -> ResponseReturnValue:
    unit = managed_unit(kode)
    form = _form(unit)
    if form.validate_on_submit():
        try:
            changed = units.update_unit(db.session, unit, _details(form), current_user, now())
            db.session.commit()
        except units.UnitError as exc:
            db.session.rollback()
            _show_problems(form, exc)
        else:
            flash(_("Perubahan disimpan.") if changed else _("Tidak ada perubahan."), "ok")
            return redirect(url_for("staf.edit_unit", kode=kode))
    history = db.session.scalars(
        select(AuditLog)
        .where(AuditLog.entity == "unit", AuditLog.entity_id == str(unit.id))
        .order_by(AuditLog.at.desc(), AuditLog.id.desc())
    ).all()
    page = render_template(
        "staf/unit_form.html",
        form=form,
        unit=unit,
        history=history,
        confirm=ConfirmForm(),
        may_close=units.may_close(db.session, current_user, unit),
        may_list=units.may_manage_units(current_user),
    )
    return page, 422 if form.errors else 200


def _open_or_close(kode: str, closing: bool) -> ResponseReturnValue:
    unit = managed_unit(kode)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if not units.may_close(db.session, current_user, unit):
        abort(403)
    change = units.close_unit if closing else units.reopen_unit
    try:
        changed = change(db.session, unit, current_user, now())
        db.session.commit()
    except units.UnitError as exc:
        db.session.rollback()
        for problem in exc.problems:
            flash(translated(problem), "error")
        return redirect(url_for("staf.edit_unit", kode=kode))
    if changed:
        message = _("Unit %(nama)s ditutup.") if closing else _("Unit %(nama)s dibuka kembali.")
        flash(message % {"nama": unit.nama}, "ok")
    return redirect(url_for("staf.edit_unit", kode=kode))


@bp.post("/unit/<kode>/tutup")
@login_required
def close_unit(kode: str) -> ResponseReturnValue:
    """Close the unit: its data stays, its forms take no new answers."""
    return _open_or_close(kode, closing=True)


@bp.post("/unit/<kode>/buka")
@login_required
def reopen_unit(kode: str) -> ResponseReturnValue:
    return _open_or_close(kode, closing=False)


# -- import ------------------------------------------------------------------------------------


def _upload_folder() -> Path:
    return Path(current_app.instance_path) / "unggahan"


def _import_file(token: str) -> Path:
    path = uploads.find(_upload_folder(), current_user.id, IMPORT_PAGE, token)
    if path is None:
        abort(404)
    return path


@bp.route("/unit-kerja/impor", methods=["GET", "POST"])
@login_required
def import_units() -> ResponseReturnValue:
    _units_area()
    form = UnitImportForm()
    if form.validate_on_submit():
        file = form.berkas.data
        try:
            token = uploads.keep(
                _upload_folder(),
                current_user.id,
                IMPORT_PAGE,
                file.filename,
                file.read(),
                uploads.Limits.of(current_app.config),
            )
        except uploads.UploadError as exc:
            wrong_kind = str(exc) == uploads.WRONG_KIND
            message = _("Hanya berkas .csv, .xlsx atau .xls yang diterima.") if wrong_kind else None
            form.berkas.errors = [message or str(exc)]
        else:
            return redirect(url_for("staf.preview_import", token=token))
    status = 422 if form.errors else 200
    return render_template("staf/unit_impor.html", form=form), status


def _preview(
    plan: unit_import.UnitImportPlan, token: str, problems: list[Problem]
) -> tuple[str, int]:
    page = render_template(
        "staf/unit_pratinjau.html",
        plan=plan,
        problems=[(p.row, p.field, translated(p)) for p in problems],
        form=ConfirmForm(),
        token=token,
    )
    return page, 422 if problems else 200


@bp.get("/unit-kerja/impor/<token>")
@login_required
def preview_import(token: str) -> ResponseReturnValue:
    _units_area()
    plan = unit_import.plan_unit_import(db.session, catalogue(), _import_file(token), current_user)
    db.session.rollback()  # the plan only read
    return _preview(plan, token, plan.problems)


@bp.post("/unit-kerja/impor/<token>")
@login_required
def confirm_import(token: str) -> ResponseReturnValue:
    _units_area()
    if not ConfirmForm().validate_on_submit():
        abort(400)
    path = uploads.find(_upload_folder(), current_user.id, IMPORT_PAGE, token)
    if path is None:  # confirmed already (a second click), or swept after a day
        flash(
            _("Impor ini sudah disimpan atau sudah kedaluwarsa: lihat daftar unit di bawah."), "ok"
        )
        return redirect(url_for("staf.list_units"))
    try:
        plan, result = unit_import.import_units(
            db.session, catalogue(), path, current_user, now(), name=path.name
        )
        db.session.commit()
    except units.UnitError as exc:
        db.session.rollback()
        empty = unit_import.UnitImportPlan([], [], exc.problems)
        return _preview(empty, token, exc.problems)
    except IntegrityError:  # the same file confirmed twice at once: the other one stored it
        db.session.rollback()
        flash(
            _("Impor ini sudah disimpan atau sudah kedaluwarsa: lihat daftar unit di bawah."), "ok"
        )
        return redirect(url_for("staf.list_units"))
    path.unlink(missing_ok=True)
    if not result.changed:
        flash(_("Tidak ada perubahan: isi berkas sudah sama dengan data tersimpan."), "ok")
    else:
        flash(
            _(
                "%(ub)d unit dibuat dan %(uu)d diubah; %(lb)d layanan dibuat dan %(lu)d diubah.",
                ub=result.units_created,
                uu=result.units_updated,
                lb=result.layanan_created,
                lu=result.layanan_updated,
            ),
            "ok",
        )
    return redirect(url_for("staf.list_units"))


def _already_imported() -> ResponseReturnValue:
    flash(_("Impor ini sudah disimpan atau sudah kedaluwarsa: lihat daftar unit di bawah."), "ok")
    return redirect(url_for("staf.list_units"))


@bp.get("/unit-kerja/templat.csv")
@login_required
def unit_template_csv() -> ResponseReturnValue:
    _units_area()
    return download(template_csv(), "templat-unit.csv")


@bp.get("/unit-kerja/templat.xlsx")
@login_required
def unit_template_xlsx() -> ResponseReturnValue:
    _units_area()
    return download(template_xlsx(), "templat-unit.xlsx")
