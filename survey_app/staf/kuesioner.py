"""The questionnaire variant editor of a unit (issue 22, docs/kuesioner.md §7): everything a
variant may change, Indonesian and English side by side: per item the question, its help, the
answer labels' wording (as many as the scale, in order) and any number of sub-questions within
the rules; Biaya left out with its reason; extra questions (yes/no, one choice, short text, the
"pengarahan" question). Edit buttons work without JavaScript (the page is re-rendered as typed);
a server-rendered preview in a phone frame stores nothing; saving adds a version (audited).
The form's state and its wording of problems live in :mod:`survey_app.staf.kuesioner_edit`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup
from sqlalchemy import select

from instruments import VariantError, apply_variant, extras, parse_variant
from instruments.variant import EXTRA_MAX, MAY_LEAVE_OUT, OPTIONS_MAX, SUB_MAX, Problem, Variant
from survey_app.extensions import db
from survey_app.models import KuesionerVarian, KuesionerVersi, Layanan, Unit
from survey_app.services.access import can_manage
from survey_app.services.collection import kuesioner, kuesioner_kelola
from survey_app.staf import bp
from survey_app.staf import kuesioner_edit as edit
from survey_app.staf.forms import ConfirmForm
from survey_app.staf.kuesioner_edit import KINDS
from survey_app.staf.scope import catalogue, managed_unit, now, viewable_unit


def _variants(unit: Unit) -> tuple[list[KuesionerVarian], list[KuesionerVarian]]:
    """The unit's variants by name: those shown, and those retired (hidden)."""
    found = list(
        db.session.scalars(
            select(KuesionerVarian)
            .where(KuesionerVarian.unit_id == unit.id)
            .order_by(KuesionerVarian.nama)
        )
    )
    retired = kuesioner_kelola.retired_ids(db.session, [v.id for v in found])
    return [v for v in found if v.id not in retired], [v for v in found if v.id in retired]


def _loaded(unit: Unit, nama: str) -> dict[str, Any]:
    """The newest content of the unit's variant ``nama`` (an empty SKM variant when new)."""
    varian = kuesioner.find_varian(db.session, unit, nama) if nama else None
    latest = kuesioner.newest(varian) if varian else None
    if latest is None:
        return {"nama": nama, "instrumen": {"skm": {}}, "tambahan": []}
    return dict(latest.isi) | {"nama": latest.varian.nama}  # renamed: the name it has now


def _preview(unit: Unit, variant: Variant) -> dict[str, str]:
    """The questions a respondent would see, in Indonesian and in English side by side
    (language -> markup for a phone frame): wording filled for the unit's layanan showing a
    variant, or a stand-in name; rendered on the server, stores nothing."""
    base = catalogue().instruments
    layanan = next((x for x in unit.layanan if x.kuesioner_varian_id), None)
    found: dict[str, str] = {}
    for language in ("id", "en"):
        with force_locale(language):
            nama = layanan.nama if layanan else _("(nama layanan)")
            shown = tuple(
                apply_variant(base[i], variant, nama, unit.nama) for i in variant.instrument_ids
            )
            # the template escapes every text of the variant; its output is markup
            found[language] = Markup(
                render_template(
                    "staf/_kuesioner_pratinjau.html",
                    instruments=shown,
                    extras=extras(variant, nama, unit.nama),
                    total=sum(max(1, len(item.sub)) for i in shown for item in i.items),
                )
            )
    return found


def _page(
    unit: Unit,
    state: Mapping[str, Any],
    problems: list[str] | None = None,
    preview: dict[str, str] | None = None,
    status: int = 200,
    asal: str | None = None,
    lihat: tuple[int, dict[str, str]] | None = None,
) -> ResponseReturnValue:
    """The editor page; ``asal`` is the name of the variant being edited, kept through a
    preview or a refusal (None: the name of ``isi``, as loaded); ``lihat`` an older version
    shown read-only (its number and preview)."""
    base = catalogue().instruments
    found = edit.worded(problems or [])
    shown, retired = _variants(unit)
    edited = asal if asal is not None else str(state.get("nama") or "")
    varian = kuesioner.find_varian(db.session, unit, edited) if edited else None
    page = render_template(
        "staf/kuesioner.html",
        unit=unit,
        variants=shown,
        retired=retired,
        varian=varian,
        versions=kuesioner_kelola.versions(db.session, varian) if varian else [],
        in_use=[x.nama for x in unit.layanan if varian and x.kuesioner_varian_id == varian.id],
        lihat=lihat,
        isi=state,
        base=base,
        may_leave_out=MAY_LEAVE_OUT,
        limits={"sub": SUB_MAX, "tambahan": EXTRA_MAX, "pilihan": OPTIONS_MAX},
        kinds=KINDS,
        problems=found,
        invalid={field for _text, field in found if field},
        preview=preview,
        editable=can_manage(db.session, current_user, unit),
        layanan=sorted(unit.layanan, key=lambda x: x.kode),
        form=ConfirmForm(),
        asal=asal,
    )
    return page, status


@bp.get("/unit/<kode>/kuesioner")
@login_required
def kuesioner_editor(kode: str) -> ResponseReturnValue:
    """The unit's variants, the layanan's choices, and the editor of one variant."""
    unit = viewable_unit(kode)
    nama = request.args.get("varian", "")
    if len(nama) > 80 or not nama.isprintable():
        abort(400, description=_("Nama varian tidak dikenal."))
    state = edit.state_from_content(_loaded(unit, nama), catalogue().instruments)
    return _page(unit, state, lihat=_older(unit, nama, request.args.get("versi")))


def _older(unit: Unit, nama: str, nomor: str | None) -> tuple[int, dict[str, str]] | None:
    """Version ``nomor`` of the unit's variant ``nama`` as its preview renders it, read-only
    (None when no version is asked for); 404 for a version the variant does not have."""
    if nomor is None:
        return None
    varian = kuesioner.find_varian(db.session, unit, nama) if nama else None
    number = int(nomor) if nomor.isascii() and nomor.isdigit() and len(nomor) < 6 else 0
    versi = kuesioner_kelola.version(varian, number) if varian else None
    if versi is None:
        abort(404, description=_("Versi varian ini tidak ada."))
    return versi.nomor, _preview(unit, kuesioner.variant_of(versi, catalogue().instruments))


@bp.post("/unit/<kode>/kuesioner")
@login_required
def kuesioner_save(kode: str) -> ResponseReturnValue:
    """Preview (``aksi=pratinjau``) or save the variant the editor describes: a new version,
    audited; every problem listed in Indonesian and nothing stored."""
    unit = managed_unit(kode)
    base = catalogue().instruments
    asal = request.form.get("asal", "").strip()[:80]
    origin = asal if asal.isprintable() else ""  # a NUL never reaches the database
    if request.form.get("aksi") in ("pensiun", "aktifkan"):
        return _retire(unit, origin, request.form["aksi"] == "pensiun")
    history = kuesioner.find_varian(db.session, unit, origin) if origin else None
    state = edit.state_from_form(request.form, base, kuesioner.codes_used(history))
    raw = edit.content_of(state, base)
    unticked = [] if edit.edit_button(request.form) else edit.unticked_text(state, base)
    try:
        variant = parse_variant(raw, base)
    except VariantError as exc:
        if edit.edit_button(request.form):  # mid-edit: re-rendered as typed, no refusal yet
            return _page(unit, state, asal=origin)
        return _page(unit, state, unticked + exc.problems, status=422, asal=origin)
    if unticked:  # text typed for an instrument not ticked: refused, never dropped
        return _page(unit, state, list(unticked), status=422, asal=origin)
    if edit.edit_button(request.form) or request.form.get("aksi") == "pratinjau":
        return _page(unit, state, preview=_preview(unit, variant), asal=origin)
    # "simpan": the variant being edited (renamed when its name was changed); "salin": a
    # new variant under the name typed, the edited one unchanged
    copy = request.form.get("aksi") == "salin"
    edited = None if copy or not origin else kuesioner.find_varian(db.session, unit, origin)
    taken = kuesioner.same_name(db.session, unit, variant.nama)
    if taken is not None and taken is not edited:
        problem = _(
            "Nama varian %(nama)s sudah dipakai varian lain unit ini. Pakai nama lain, atau "
            "buka varian itu untuk mengubahnya.",
            nama=variant.nama,
        )
        return _page(unit, state, [Problem(problem, ("nama",))], status=422, asal=origin)
    try:
        if edited is not None:
            before = edited.nama
            kuesioner_kelola.rename(db.session, edited, variant.nama, now(), current_user)
            kuesioner_kelola.revive(db.session, edited, now(), current_user)
        versi, new = kuesioner.save_version(db.session, base, unit, raw, now(), current_user)
        db.session.commit()
    except kuesioner.KuesionerError as exc:
        db.session.rollback()
        return _page(unit, state, exc.problems, status=422, asal=origin)
    _said(versi, new, copy, origin if edited is not None and before != versi.varian.nama else "")
    return redirect(url_for("staf.kuesioner_editor", kode=unit.kode, varian=versi.varian.nama))


def _said(versi: KuesionerVersi, new: bool, copy: bool, renamed_from: str) -> None:
    if copy:
        flash(_("Disimpan sebagai varian baru %(nama)s.", nama=versi.varian.nama))
    if renamed_from:
        flash(
            _(
                "Varian %(lama)s diganti nama menjadi %(baru)s; semua versinya dan jawabannya "
                "tetap.",
                lama=renamed_from,
                baru=versi.varian.nama,
            )
        )
    if new:
        flash(_("Disimpan sebagai versi %(n)d.", n=versi.nomor))
    elif not renamed_from:
        flash(_("Tidak ada perubahan: isi sama dengan versi %(n)d.", n=versi.nomor))


def _retire(unit: Unit, nama: str, retire: bool) -> ResponseReturnValue:
    """Retire (hide) the unit's variant ``nama``, or show it again; audited. A variant a
    layanan shows is refused, naming the layanan."""
    if not ConfirmForm().validate_on_submit():
        abort(400, description=_("Formulir kedaluwarsa; muat ulang halaman."))
    varian = kuesioner.find_varian(db.session, unit, nama) if nama else None
    if varian is None:
        abort(400, description=_("Nama varian tidak dikenal."))
    users = sorted(x.nama for x in unit.layanan if x.kuesioner_varian_id == varian.id)
    if retire and users:
        flash(
            _(
                "Varian %(nama)s masih dipakai layanan %(layanan)s; pilih kuesioner lain untuk "
                "layanan itu lebih dulu.",
                nama=varian.nama,
                layanan=", ".join(users),
            ),
            "error",
        )
        return redirect(url_for("staf.kuesioner_editor", kode=unit.kode, varian=varian.nama))
    if retire:
        kuesioner_kelola.retire(db.session, varian, now(), current_user)
        flash(_("Varian %(nama)s dipensiunkan; versinya dan jawabannya tetap.", nama=varian.nama))
    else:
        kuesioner_kelola.revive(db.session, varian, now(), current_user)
        flash(_("Varian %(nama)s diaktifkan lagi.", nama=varian.nama))
    db.session.commit()
    return redirect(url_for("staf.kuesioner_editor", kode=unit.kode, varian=varian.nama))


@bp.post("/unit/<kode>/kuesioner/pilih")
@login_required
def kuesioner_choose(kode: str) -> ResponseReturnValue:
    """Let one layanan of the unit show a variant (or the shipped base); audited."""
    unit = managed_unit(kode)
    if not ConfirmForm().validate_on_submit():
        abort(400, description=_("Formulir kedaluwarsa; muat ulang halaman."))
    layanan = _number(request.form.get("layanan", ""), Layanan)
    chosen = request.form.get("varian", "")
    varian = _number(chosen, KuesionerVarian) if chosen else None
    if layanan is None or layanan.unit_id != unit.id or (chosen and varian is None):
        abort(400, description=_("Layanan atau varian tidak dikenal."))
    try:
        kuesioner.choose(db.session, layanan, varian, now(), current_user)
        if varian is not None:  # a retired variant chosen again is shown again
            kuesioner_kelola.revive(db.session, varian, now(), current_user)
        db.session.commit()
    except kuesioner.KuesionerError:
        db.session.rollback()
        abort(400, description=_("Varian ini bukan milik unit ini."))
    flash(_("Kuesioner layanan %(nama)s diubah.", nama=layanan.nama))
    return redirect(url_for("staf.kuesioner_editor", kode=unit.kode))


def _number(text: str, model: Any) -> Any:
    if not (text.isascii() and text.isdigit() and len(text) < 10):
        return None
    return db.session.get(model, int(text))
