"""Integrity routes: the month's flags and decisions, review of a submission."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms import SelectChoice

from analysis.periods import label_of
from survey_app.errors import InputError
from survey_app.extensions import db
from survey_app.models import REVIEW_REASONS, Submission, Unit
from survey_app.services.access import can_manage
from survey_app.services.collection import integrity
from survey_app.services.reporting import dashboard as dashboards
from survey_app.staf import bp
from survey_app.staf.forms import ReviewForm
from survey_app.staf.scope import catalogue, managed_unit, now, viewable_unit
from survey_app.staf.views import local_path, period_span


def report_of(unit: Unit) -> integrity.Report:
    return integrity.report(
        db.session, catalogue(), unit, dashboards.layanan_ids(db.session, unit), period_span(unit)
    )


def _review_form() -> ReviewForm:
    form = ReviewForm()
    form.alasan.choices = [SelectChoice(code, code) for code in REVIEW_REASONS]
    return form


@bp.get("/unit/<kode>/integritas")
@login_required
def integrity_report(kode: str) -> str:
    unit = viewable_unit(kode)
    report = report_of(unit)
    return render_template(
        "staf/integritas.html",
        unit=unit,
        report=report,
        label=label_of(report.span),
        span=report.span,
        manage=can_manage(db.session, current_user, unit),
        reasons=REVIEW_REASONS,
    )


@bp.post("/jawaban/<int:submission_id>/tinjau")
@login_required
def review(submission_id: int) -> ResponseReturnValue:
    submission = db.session.get(Submission, submission_id)
    if submission is None:
        abort(404)
    unit = managed_unit(submission.layanan.unit.kode)
    form = _review_form()
    back = local_path(form.kembali.data or "") or ""
    if not back.startswith("/staf/"):
        back = url_for("staf.integrity_report", kode=unit.kode, periode=submission.period)
    if not form.validate_on_submit():
        raise InputError(
            "; ".join(f"{getattr(form, k).label.text}: {v[0]}" for k, v in form.errors.items())
        )
    try:
        integrity.decide(
            db.session,
            current_user,
            submission,
            form.keputusan.data or "",
            form.alasan.data or "",
            form.catatan.data or "",
            now(),
        )
        db.session.commit()
        flash(_("Keputusan untuk jawaban #%(id)d disimpan.", id=submission_id), "ok")
    except integrity.ReviewError as exc:
        db.session.rollback()
        flash(str(exc), "error")
    return redirect(back, code=303)
