"""Why respondents scored low (REGULATION §8): the reasons per unsur for a unit's staff, and the
unit's setting that asks for them. Reasons are read here only, never on a public page."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required

from analysis.periods import label_of
from survey_app.extensions import db
from survey_app.services.administration import layanan as layanan_service
from survey_app.services.reporting import dashboard as dashboards
from survey_app.services.reporting.alasan import reasons_by_unsur
from survey_app.staf import bp
from survey_app.staf.forms import TanyaAlasanForm
from survey_app.staf.scope import catalogue, managed_unit, now, reports_session, viewable_unit
from survey_app.staf.views import period_span


@bp.get("/unit/<kode>/alasan")
@login_required
def show_reasons(kode: str) -> str:
    """Every reason of the period (?periode=, as the dashboard), per unsur, excluded answers
    left out; for the unit's admins and viewers (a petugas sees no figures)."""
    unit = viewable_unit(kode)
    span = period_span(unit)
    reports = reports_session()
    groups = reasons_by_unsur(
        reports, catalogue(), dashboards.layanan_ids(reports, unit), span.months()
    )
    return render_template(
        "staf/alasan.html", unit=unit, span=span, label=label_of(span), groups=groups
    )


@bp.post("/unit/<kode>/tanya-alasan")
@login_required
def ask_reasons(kode: str) -> ResponseReturnValue:
    """Switch the question "Apa yang perlu diperbaiki?" on or off for the unit's forms."""
    unit = managed_unit(kode)
    form = TanyaAlasanForm()
    if not form.validate_on_submit():
        abort(400)
    on = bool(form.tanya_alasan.data)
    if layanan_service.set_tanya_alasan(db.session, unit, on, current_user, now()):
        db.session.commit()
        flash(_("Pertanyaan alasan diaktifkan.") if on else _("Pertanyaan alasan dimatikan."), "ok")
    return redirect(url_for("staf.manage_layanan", kode=kode), code=303)
