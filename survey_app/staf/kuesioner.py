"""The questionnaire variant editor of a unit (issue 22, docs/kuesioner.md): per item the
Indonesian and English wording side by side, help texts, a pair of sub-questions, Biaya left out
with its reason, the "pengarahan" question; a server-rendered preview in a phone frame; saving
adds a version (audited). Label wording and other extra questions are kept from the version
being edited (they are edited through ``zisurvey kuesioner import``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup
from sqlalchemy import select

from instruments import Instrument, VariantError, apply_variant, extras, parse_variant
from instruments.variant import MAY_LEAVE_OUT, PENGARAHAN_KODE, Variant
from survey_app.extensions import db
from survey_app.models import KuesionerVarian, Layanan, Unit
from survey_app.services.access import can_manage
from survey_app.services.collection import kuesioner
from survey_app.staf import bp
from survey_app.staf.forms import ConfirmForm
from survey_app.staf.scope import catalogue, managed_unit, now, viewable_unit

SUB_SLOTS = 2  # the editor's sub-question slots per item (up to 4 through an imported file)
LANGS = ("id", "en")


def _variants(unit: Unit) -> list[KuesionerVarian]:
    return list(
        db.session.scalars(
            select(KuesionerVarian)
            .where(KuesionerVarian.unit_id == unit.id)
            .order_by(KuesionerVarian.nama)
        )
    )


def _loaded(unit: Unit, nama: str) -> dict[str, Any]:
    """The newest content of the unit's variant ``nama`` (an empty SKM variant when new)."""
    varian = kuesioner.find_varian(db.session, unit, nama) if nama else None
    latest = kuesioner.newest(varian) if varian else None
    if latest is None:
        return {"nama": nama, "instrumen": {"skm": {}}, "tambahan": []}
    return dict(latest.isi)


def _text(form: Mapping[str, str], name: str) -> dict[str, str] | None:
    texts = {lang: form.get(f"{name}-{lang}", "").strip() for lang in LANGS}
    return texts if any(texts.values()) else None


def _posted(form: Mapping[str, str], base: Mapping[str, Instrument], kept: Any) -> dict[str, Any]:
    """The variant content the editor's fields describe; labels and extra questions other
    than pengarahan come from ``kept`` (the content being edited)."""
    kept = kept if isinstance(kept, Mapping) else {}
    old = kept.get("instrumen") if isinstance(kept.get("instrumen"), Mapping) else {}
    instrumen: dict[str, Any] = {}
    for ident, instrument in base.items():
        if form.get(f"pakai-{ident}") != "y":
            continue
        items: dict[str, Any] = {}
        for item in instrument.items:
            change = _item_posted(form, item.code, (old.get(ident) or {}).get(item.code))
            if change:
                items[item.code] = change
        instrumen[ident] = items
    tambahan = [
        x
        for x in (kept.get("tambahan") or [])
        if isinstance(x, Mapping) and x.get("jenis") != "pengarahan"
    ]
    if form.get("pengarahan") == "y":
        tambahan.insert(0, {"kode": PENGARAHAN_KODE, "jenis": "pengarahan"})
    return {"nama": form.get("nama", "").strip(), "instrumen": instrumen, "tambahan": tambahan}


def _item_posted(form: Mapping[str, str], code: str, old: Any) -> dict[str, Any]:
    reason = form.get(f"{code}-hilang", "").strip()
    # a reason with other fields typed too goes on as both, and is refused with its problem
    change: dict[str, Any] = {"dihilangkan": reason} if reason else {}
    for field in ("pertanyaan", "bantuan"):
        text = _text(form, f"{code}-{field}")
        if text:
            change[field] = text
    subs = [t for j in range(1, SUB_SLOTS + 1) if (t := _text(form, f"{code}-sub{j}"))]
    old_subs = old.get("sub", []) if isinstance(old, Mapping) else []
    subs += old_subs[SUB_SLOTS:]  # slots beyond the editor's, from an imported file
    if subs:
        change["sub"] = subs
    if isinstance(old, Mapping) and old.get("label") and not reason:
        change["label"] = old["label"]
    return change


def _preview(unit: Unit, variant: Variant) -> str:
    """The questions a respondent would see (wording filled for the unit's layanan showing a
    variant, or a stand-in name), rendered on the server for the phone frame."""
    base = catalogue().instruments
    layanan = next((x for x in unit.layanan if x.kuesioner_varian_id), None)
    nama = layanan.nama if layanan else _("(nama layanan)")
    shown = tuple(apply_variant(base[i], variant, nama, unit.nama) for i in variant.instrument_ids)
    # the template escapes every text of the variant; its output is markup for the phone frame
    return Markup(
        render_template(
            "staf/_kuesioner_pratinjau.html",
            instruments=shown,
            extras=extras(variant, nama, unit.nama),
            total=sum(max(1, len(item.sub)) for i in shown for item in i.items),
        )
    )


def _page(
    unit: Unit,
    isi: Mapping[str, Any],
    problems: list[str] | None = None,
    preview: str | None = None,
    status: int = 200,
    asal: str | None = None,
) -> ResponseReturnValue:
    """The editor page; ``asal`` is the name of the variant being edited, kept through a
    preview or a refusal (None: the name of ``isi``, as loaded)."""
    base = catalogue().instruments
    page = render_template(
        "staf/kuesioner.html",
        unit=unit,
        variants=_variants(unit),
        isi=isi,
        base=base,
        may_leave_out=MAY_LEAVE_OUT,
        sub_slots=SUB_SLOTS,
        problems=problems or [],
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
    return _page(unit, _loaded(unit, nama))


@bp.post("/unit/<kode>/kuesioner")
@login_required
def kuesioner_save(kode: str) -> ResponseReturnValue:
    """Preview (``aksi=pratinjau``) or save the variant the editor describes: a new version,
    audited; every problem listed in Indonesian and nothing stored."""
    unit = managed_unit(kode)
    base = catalogue().instruments
    asal = request.form.get("asal", "").strip()[:80]
    origin = asal if asal.isprintable() else ""  # a NUL never reaches the database
    kept = _loaded(unit, origin)
    raw = _posted(request.form, base, kept)
    try:
        variant = parse_variant(raw, base)
    except VariantError as exc:
        return _page(unit, raw, exc.problems, status=422, asal=origin)
    if request.form.get("aksi") == "pratinjau":
        return _page(unit, raw, preview=_preview(unit, variant), asal=origin)
    if variant.nama != origin and kuesioner.find_varian(db.session, unit, variant.nama):
        # a new variant (or a renamed copy) under the name of another: never its next version
        problem = _(
            "Nama varian %(nama)s sudah dipakai. Buka varian itu untuk mengubahnya, atau pakai "
            "nama lain.",
            nama=variant.nama,
        )
        return _page(unit, raw, [problem], status=422, asal=origin)
    try:
        versi, new = kuesioner.save_version(db.session, base, unit, raw, now(), current_user)
        db.session.commit()
    except kuesioner.KuesionerError as exc:
        db.session.rollback()
        return _page(unit, raw, exc.problems, status=422, asal=origin)
    if new:
        flash(_("Disimpan sebagai versi %(n)d.", n=versi.nomor))
    else:
        flash(_("Tidak ada perubahan: isi sama dengan versi %(n)d.", n=versi.nomor))
    return redirect(url_for("staf.kuesioner_editor", kode=unit.kode, varian=versi.varian.nama))


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
