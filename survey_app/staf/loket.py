"""The counter (loket): one-time ticket slips and the counter screen, for a unit's admins and
its petugas loket. A petugas sees these pages and nothing with figures (issue 15.3)."""

from __future__ import annotations

import base64

from flask import abort, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from survey_app.alamat import ticket_url
from survey_app.extensions import db
from survey_app.files import download
from survey_app.models import Layanan, Submission, Tiket
from survey_app.services.collection import tickets as ticketing
from survey_app.services.collection.submissions import form_minutes
from survey_app.services.publishing import qr
from survey_app.staf import bp
from survey_app.staf.forms import ConfirmForm, TicketForm
from survey_app.staf.scope import catalogue, now, ticket_layanan


@bp.get("/loket")
@login_required
def counter() -> ResponseReturnValue:
    """A petugas loket's start page: the open layanan of its unit, each with its tickets."""
    if current_user.role != "petugas" or current_user.unit is None:
        abort(403)
    open_unit = current_user.unit.aktif
    layanan = (
        db.session.scalars(
            select(Layanan)
            .where(Layanan.unit_id == current_user.unit_id, Layanan.aktif)
            .order_by(Layanan.nama)
        ).all()
        if open_unit
        else []
    )
    return render_template("staf/loket.html", unit=current_user.unit, layanan=layanan)


@bp.route("/layanan/<int:layanan_id>/tiket", methods=["GET", "POST"])
@login_required
def tickets(layanan_id: int) -> ResponseReturnValue:
    """One-time survey links for single service encounters: a PDF of slips to hand out."""
    layanan = ticket_layanan(layanan_id)
    if not (layanan.aktif and layanan.unit.aktif):
        return _closed(layanan)
    form = TicketForm()
    if not form.validate_on_submit():
        status = 422 if request.method == "POST" else 200
        return render_template("staf/tiket.html", layanan=layanan, form=form), status
    issued = ticketing.issue_tickets(db.session, layanan, form.jumlah.data or 0, now())
    db.session.commit()
    links = [(ticketing.printed(t.token), ticket_url(t)) for t in issued]
    minutes = form_minutes(catalogue(), layanan)
    body = qr.tickets_pdf(layanan.unit.nama, layanan.nama, links, minutes)
    return download(body, f"tiket-{layanan.unit.kode}-{layanan.kode}-{issued[0].id}.pdf")


@bp.post("/layanan/<int:layanan_id>/tiket/layar")
@login_required
def ticket_screen(layanan_id: int) -> ResponseReturnValue:
    """Issue one fresh ticket and show it on the counter's screen. Answers with a redirect, so
    a browser refresh shows the same ticket again and never issues another."""
    layanan = ticket_layanan(layanan_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if not (layanan.aktif and layanan.unit.aktif):
        return _closed(layanan)
    [tiket] = ticketing.issue_tickets(db.session, layanan, 1, now())
    db.session.commit()
    target = url_for("staf.show_ticket_screen", layanan_id=layanan.id, tiket_id=tiket.id)
    return redirect(target, 303)


@bp.get("/layanan/<int:layanan_id>/tiket/layar/<int:tiket_id>")
@login_required
def show_ticket_screen(layanan_id: int, tiket_id: int) -> ResponseReturnValue:
    """The counter screen: one ticket as a large QR code, no staff bar or sign-out in view;
    once the ticket has been answered it says so instead of showing it again."""
    layanan = ticket_layanan(layanan_id)
    tiket = db.session.get(Tiket, tiket_id)
    if tiket is None or tiket.layanan_id != layanan.id:
        abort(404)
    used = db.session.scalar(select(Submission.id).where(Submission.tiket_id == tiket.id))
    svg = None if used else base64.b64encode(qr.qr_svg(ticket_url(tiket))).decode("ascii")
    return render_template(
        "staf/tiket_layar.html",
        layanan=layanan,
        tiket=tiket,
        code=ticketing.printed(tiket.token),
        minutes=form_minutes(catalogue(), layanan),
        used=used is not None,
        qr=svg and f"data:image/svg+xml;base64,{svg}",
    )


def _closed(layanan: Layanan) -> ResponseReturnValue:
    """A closed layanan or unit takes no answers: no ticket is issued for it (a citizen who
    scanned one would only meet "Survei ditutup")."""
    message = _(
        "Layanan %(nama)s atau unitnya sudah ditutup, jadi tidak menerima jawaban: tiket tidak "
        "dibuat. Buka kembali layanan atau unitnya lebih dulu.",
        nama=layanan.nama,
    )
    return render_template("error.html", code=409, message=message), 409
