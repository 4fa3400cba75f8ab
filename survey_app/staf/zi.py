"""ZI readiness: the evaluation of a unit for a year, and the WBK/WBBM verdict with its gaps."""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from analysis import lke
from survey_app.errors import InputError
from survey_app.extensions import db
from survey_app.files import download, pdf
from survey_app.models import AuditLog, Evaluasi, Unit
from survey_app.services.access import can_manage, subtree_ids
from survey_app.services.readiness import evaluation as readiness
from survey_app.staf import bp
from survey_app.staf.forms import ConfirmForm
from survey_app.staf.scope import catalogue, managed_unit, now, viewable_unit


def _year() -> int:
    raw = request.args.get("tahun") or request.form.get("tahun") or str(now().year)
    if not (raw.isascii() and raw.isdigit()) or not 2014 <= int(raw) <= 2100:
        raise InputError(_("Tahun: tulis empat angka antara 2014 dan 2100, seperti 2026."))
    return int(raw)


def _evaluasi(unit: Unit, tahun: int) -> Evaluasi | None:
    return db.session.scalar(
        select(Evaluasi).where(Evaluasi.unit_id == unit.id, Evaluasi.tahun == tahun)
    )


def _fields() -> dict[str, object]:
    """The posted form as the fields :func:`readiness.save` takes."""
    form = request.form
    profile = lke.load_profile(form.get("profile") or lke.DEFAULT_PROFILE)
    return {
        "profile": profile.name,
        "survei_dari": form.get("survei_dari", ""),
        "survei_sampai": form.get("survei_sampai", ""),
        "pengungkit": {
            area.key: {half: form.get(f"{area.key}.{half}", "") for half in readiness.HALVES}
            for area in profile.pengungkit
        },
        "capaian_kinerja": form.get("capaian_kinerja"),
        "tlhp": form.get("tlhp"),
        "predikat_wbk": form.get("predikat_wbk") == "y",
    }


@bp.route("/unit/<kode>/zi", methods=["GET", "POST"])
@login_required
def zi(kode: str) -> ResponseReturnValue:
    unit = viewable_unit(kode)
    tahun = _year()
    problems: list[str] = []
    if request.method == "POST":
        managed_unit(kode)
        if not ConfirmForm().validate_on_submit():
            abort(400)
        try:
            readiness.save(db.session, unit, tahun, _fields(), current_user, now())
            db.session.commit()
            flash(_("Evaluasi disimpan."), "ok")
            return redirect(url_for("staf.zi", kode=kode, tahun=tahun))
        except (readiness.EvaluasiError, ValueError) as exc:
            db.session.rollback()
            problems = getattr(exc, "problems", [str(exc)])
    evaluasi = _evaluasi(unit, tahun)
    result = readiness.compute(db.session, catalogue(), evaluasi, now()) if evaluasi else None
    chosen = request.args.get("profile") or (evaluasi.profile if evaluasi else lke.DEFAULT_PROFILE)
    page = render_template(
        "staf/zi.html",
        unit=unit,
        tahun=tahun,
        evaluasi=evaluasi,
        r=result,
        profile=lke.load_profile(chosen if chosen in lke.profile_names() else lke.DEFAULT_PROFILE),
        profiles=lke.profile_names(),
        manage=can_manage(db.session, current_user, unit),
        problems=problems,
        form=ConfirmForm(),
        posted=request.form if problems else None,
        children=_children(unit, tahun),
        history=_history(evaluasi),
    )
    return page, 422 if problems else 200


def _history(evaluasi: Evaluasi | None) -> list[AuditLog]:
    if evaluasi is None:
        return []
    query = (
        select(AuditLog)
        .where(AuditLog.entity == "evaluasi", AuditLog.entity_id == str(evaluasi.id))
        .order_by(AuditLog.at.desc(), AuditLog.id.desc())
    )
    return list(db.session.scalars(query))


@bp.get("/unit/<kode>/zi.pdf")
@login_required
def zi_pdf(kode: str) -> Response:
    """The readiness summary for the unit's TPI, as an A4 PDF."""
    unit = viewable_unit(kode)
    tahun = _year()
    evaluasi = _evaluasi(unit, tahun)
    if evaluasi is None:
        abort(404)
    page = render_template(
        "staf/zi_pdf.html",
        unit=unit,
        tahun=tahun,
        evaluasi=evaluasi,
        r=readiness.compute(db.session, catalogue(), evaluasi, now()),
        history=_history(evaluasi),
        generated=now(),
    )
    return download(pdf(page), f"kesiapan-zi-{unit.kode}-{tahun}.pdf")


def _children(unit: Unit, tahun: int) -> list[tuple[Unit, readiness.Readiness | None]]:
    below = subtree_ids(db.session, unit.id) - {unit.id}
    units = db.session.scalars(select(Unit).where(Unit.id.in_(below)).order_by(Unit.nama)).all()
    rows = []
    for child in units:
        evaluasi = _evaluasi(child, tahun)
        rows.append(
            (
                child,
                readiness.compute(db.session, catalogue(), evaluasi, now()) if evaluasi else None,
            )
        )
    return rows
