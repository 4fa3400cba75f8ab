"""Routes of the public form: parse, call one service, render or redirect."""

from __future__ import annotations

import secrets

from flask import Response, abort, current_app, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from sqlalchemy.exc import IntegrityError

from instruments import Instrument
from survey_app.extensions import db
from survey_app.files import download
from survey_app.models import Layanan
from survey_app.services import qr
from survey_app.services.catalogue import Catalogue
from survey_app.services.submissions import (
    SubmissionRejected,
    find_layanan,
    find_submission,
    record_submission,
)
from survey_app.survei import bp
from survey_app.survei.forms import SurveyForm, form_class, tampering


def _catalogue() -> Catalogue:
    catalogue: Catalogue = current_app.extensions["zisurvey.catalogue"]
    return catalogue


def _layanan(token: str) -> Layanan:
    layanan = find_layanan(db.session, token)
    if layanan is None:
        abort(404)
    return layanan


def _open_layanan(token: str) -> Layanan:
    layanan = _layanan(token)
    if not layanan.aktif:
        abort(Response(render_template("survei/closed.html", layanan=layanan), status=410))
    return layanan


def _instruments(layanan: Layanan) -> tuple[Instrument, ...]:
    instruments = _catalogue().instruments
    return tuple(instruments[i] for i in layanan.instrument_ids if i in instruments)


def _form(layanan: Layanan) -> SurveyForm:
    cls = form_class(
        _instruments(layanan),
        _catalogue().profile,
        str(get_locale()),
        current_app.config["SARAN_MAX"],
    )
    return cls(layanan=layanan.kode, kunci=secrets.token_urlsafe(24))


def _render(layanan: Layanan, form: SurveyForm, status: int = 200) -> tuple[str, int]:
    page = render_template(
        "survei/form.html", layanan=layanan, form=form, instruments=_instruments(layanan)
    )
    return page, status


def public_url(layanan: Layanan) -> str:
    base = current_app.config["BASE_URL"]
    path = url_for("survei.show_form", token=layanan.token)
    return (
        f"{base.rstrip('/')}{path}"
        if base
        else url_for("survei.show_form", token=layanan.token, _external=True)
    )


@bp.get("/<token>")
def show_form(token: str) -> tuple[str, int]:
    layanan = _open_layanan(token)
    return _render(layanan, _form(layanan))


@bp.post("/<token>")
def submit(token: str) -> ResponseReturnValue:
    layanan = _open_layanan(token)
    problem = tampering(request.form, layanan.kode, _instruments(layanan), _catalogue().profile)
    if problem:
        abort(400, description=problem)
    form = _form(layanan)
    if not form.validate():
        return _render(layanan, form, 422)
    response = form.response()
    try:
        record_submission(
            db.session, _catalogue(), layanan, response, current_app.config["CLOCK"]()
        )
        db.session.commit()
    except SubmissionRejected as exc:
        db.session.rollback()
        abort(400, description=str(exc))
    except IntegrityError:
        # Two posts of the same form raced; the other one stored it.
        db.session.rollback()
        if find_submission(db.session, response.idempotency_key) is None:
            raise
    return redirect(url_for("survei.thanks", token=token), code=303)


@bp.get("/<token>/terima-kasih")
def thanks(token: str) -> str:
    return render_template("survei/thanks.html", layanan=_layanan(token))


@bp.get("/<token>/qr.png")
def qr_png(token: str) -> Response:
    return Response(qr.qr_png(public_url(_layanan(token))), mimetype="image/png")


@bp.get("/<token>/qr.svg")
def qr_svg(token: str) -> Response:
    return Response(qr.qr_svg(public_url(_layanan(token))), mimetype="image/svg+xml")


@bp.get("/<token>/poster.pdf")
def poster(token: str) -> Response:
    layanan = _layanan(token)
    body = qr.poster_pdf(layanan.unit.nama, layanan.nama, public_url(layanan))
    return download(body, f"poster-{layanan.unit.kode}-{layanan.kode}.pdf")
