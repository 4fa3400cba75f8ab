"""Kiosk pairing on the staff side (issue 21.3): a unit's admins and its petugas loket make a
one-time code a tablet types at /kiosk/, see the paired kiosks, and revoke them. The faces
setting is the unit admin's, on the layanan page."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from survey_app.extensions import db
from survey_app.models import Kiosk, Layanan
from survey_app.services.administration import layanan as layanan_service
from survey_app.services.collection import kiosk as kiosks
from survey_app.staf import bp
from survey_app.staf.forms import ConfirmForm, KioskWajahForm
from survey_app.staf.scope import managed_unit, now, staff_zone, ticket_layanan

# Why the last refused answer of a kiosk was refused (services.collection.kiosk.REFUSALS),
# with what staff can do about it.
REFUSED = {
    "masa_depan": _l("jam tablet lebih cepat dari jam server: setel jam tablet"),
    "terlalu_lama": _l(
        "jawaban menunggu di tablet lebih lama dari batas waktunya: periksa jaringan tablet"
    ),
    "sebelum_pasang": _l("jawaban tercatat sebelum tablet dipasangkan: periksa jam tablet"),
    "pemasangan_lain": _l("jawaban tersimpan di tablet dari pemasangan yang sudah dicabut"),
    "isi": _l("jawaban tidak lengkap atau tidak sesuai kuesioner: muat ulang halaman kios"),
    "jeda": _l("dua jawaban kurang dari jeda minimal menurut jam tablet: periksa jam tablet"),
}


def _page(layanan: Layanan, code: str | None = None, status: int = 200) -> ResponseReturnValue:
    paired = kiosks.kiosks(db.session, layanan)
    page = render_template(
        "staf/kiosk.html",
        layanan=layanan,
        kiosks=paired,
        counts=kiosks.answer_counts(db.session, [k.id for k in paired]),
        code=code and kiosks.printed(code),
        created=paired[0] if code else None,
        now=now(),
        zone=staff_zone(),
        form=ConfirmForm(),
        refused=REFUSED,
    )
    return page, status


@bp.get("/layanan/<int:layanan_id>/kiosk")
@login_required
def kiosk_list(layanan_id: int) -> ResponseReturnValue:
    """The kiosks of a layanan, and the button that makes a pairing code."""
    return _page(ticket_layanan(layanan_id))


@bp.post("/layanan/<int:layanan_id>/kiosk")
@login_required
def kiosk_code(layanan_id: int) -> ResponseReturnValue:
    """Make a one-time pairing code and show it once (only its hash is kept)."""
    layanan = ticket_layanan(layanan_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if not (layanan.aktif and layanan.unit.aktif):
        message = _("Layanan atau unitnya sudah ditutup: kios tidak dapat dipasangkan.")
        return render_template("error.html", code=409, message=message), 409
    minutes = current_app.config["KIOSK_KODE_MENIT"]
    code = kiosks.issue_code(db.session, layanan, current_user, now(), minutes)[1]
    db.session.commit()
    return _page(layanan, code)


@bp.post("/layanan/<int:layanan_id>/kiosk/<int:kiosk_id>/cabut")
@login_required
def kiosk_revoke(layanan_id: int, kiosk_id: int) -> ResponseReturnValue:
    """End a pairing: the tablet returns to its pairing page; its answers stay."""
    layanan = ticket_layanan(layanan_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    kiosk = db.session.get(Kiosk, kiosk_id)
    if kiosk is None or kiosk.layanan_id != layanan.id:
        abort(404)
    if kiosks.revoke(db.session, kiosk, current_user, now()):
        db.session.commit()
        flash(_("Pemasangan kios dicabut."), "ok")
    return redirect(url_for("staf.kiosk_list", layanan_id=layanan.id), 303)


@bp.post("/unit/<kode>/kiosk-wajah")
@login_required
def kiosk_faces(kode: str) -> ResponseReturnValue:
    """Switch the faces beside the answer labels on the unit's kiosks."""
    unit = managed_unit(kode)
    form = KioskWajahForm()
    if not form.validate_on_submit():
        abort(400)
    on = bool(form.kiosk_wajah.data)
    if layanan_service.set_kiosk_wajah(db.session, unit, on, current_user, now()):
        db.session.commit()
        flash(_("Wajah di kios ditampilkan.") if on else _("Wajah di kios disembunyikan."), "ok")
    return redirect(url_for("staf.manage_layanan", kode=kode) + "#kiosk-wajah", code=303)
