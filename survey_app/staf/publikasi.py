"""Publishing a period (REGULATION §6, issue 16.7): a preview of exactly what will be public (the
page and each artefact), then a confirmation of that very snapshot; a period not ended is
published as "sementara"; a publication can be withdrawn with a reason. All audited."""

from __future__ import annotations

import json

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required

from analysis.periods import Span, label_of
from survey_app import alamat, filters
from survey_app.errors import InputError
from survey_app.extensions import db
from survey_app.files import download
from survey_app.models import Publikasi, Unit
from survey_app.services.access import can_manage
from survey_app.services.collection.submissions import unit_minutes
from survey_app.services.publishing import artefacts
from survey_app.services.publishing import publications as publishing
from survey_app.staf import bp
from survey_app.staf.forms import PublishForm, WithdrawForm
from survey_app.staf.scope import catalogue, managed_unit, now, viewable_unit
from survey_app.staf.views import period_span


def _snapshot(unit: Unit, span: Span) -> dict:
    try:
        return publishing.snapshot(db.session, catalogue(), unit, span, now())
    except publishing.PublishError as exc:
        raise InputError(str(exc)) from None


@bp.route("/unit/<kode>/terbitkan", methods=["GET", "POST"])
@login_required
def publish(kode: str) -> ResponseReturnValue:
    """GET: the preview of the chosen period's publication; POST: publish exactly that."""
    unit = managed_unit(kode)
    span = period_span(unit)
    data = _snapshot(unit, span)
    form = PublishForm(data={"sidik": publishing.digest(data)})
    message = None
    if request.method == "POST":
        form = PublishForm()
        if not form.validate_on_submit():
            abort(400)
        try:
            publishing.publish(
                db.session, catalogue(), unit, span, current_user, now(), form.sidik.data
            )
        except publishing.PublishError as exc:
            db.session.rollback()
            message = str(exc)
            form = PublishForm(formdata=None, data={"sidik": publishing.digest(data)})
        else:
            db.session.commit()
            flash(_("Hasil diterbitkan."), "ok")
            return redirect(url_for("hasil.show", kode=kode, periode=label_of(span)), code=303)
    page = render_template(
        "staf/terbitkan.html",
        unit=unit,
        span=span,
        label=label_of(span),
        d=data,
        form=form,
        message=message,
        artefacts=artefacts.FILES,
        query=filters.query_args("periode", "dari", "sampai"),
    )
    return page, 409 if message else 200


@bp.get("/unit/<kode>/pratinjau/<name>")
@login_required
def preview_artefact(kode: str, name: str) -> ResponseReturnValue:
    """An artefact as it would be printed if the period were published now."""
    if name not in artefacts.FILES:
        abort(404)
    unit = managed_unit(kode)
    data = _snapshot(unit, period_span(unit))
    data = json.loads(json.dumps(data, default=str))
    text = artefacts.content(
        data, alamat.survey_url(unit), filters.tanggal, unit.logo, unit_minutes(catalogue(), unit)
    )
    return download(artefacts.draw(text, name), f"pratinjau-{unit.kode}-{name}")


@bp.get("/unit/<kode>/publikasi")
@login_required
def publications_page(kode: str) -> str:
    """Every publication of the unit, current or superseded or withdrawn, with withdrawal."""
    unit = viewable_unit(kode)
    every = publishing.publications(db.session, unit)
    shown = {p.id for p in publishing.current(every)}
    return render_template(
        "staf/publikasi.html",
        unit=unit,
        every=every,
        shown=shown,
        form=WithdrawForm(),
        may_change=_may_change(unit),
    )


def _may_change(unit: Unit) -> bool:
    return can_manage(db.session, current_user, unit)


@bp.post("/publikasi/<int:publication_id>/tarik")
@login_required
def withdraw(publication_id: int) -> ResponseReturnValue:
    """Withdraw a publication with its reason."""
    publication = db.session.get(Publikasi, publication_id)
    if publication is None:
        abort(404)
    unit = managed_unit(publication.unit.kode)
    form = WithdrawForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        publishing.withdraw(db.session, publication, form.alasan.data or "", current_user, now())
    except publishing.PublishError as exc:
        db.session.rollback()
        every = publishing.publications(db.session, unit)
        form.alasan.errors = [str(exc)]
        page = render_template(
            "staf/publikasi.html",
            unit=unit,
            every=every,
            shown={p.id for p in publishing.current(every)},
            form=form,
            failed=publication.id,
            may_change=True,
        )
        return page, 422
    db.session.commit()
    flash(_("Publikasi ditarik."), "ok")
    return redirect(url_for("staf.publications_page", kode=unit.kode), code=303)
