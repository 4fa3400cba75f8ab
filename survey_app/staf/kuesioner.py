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
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup
from sqlalchemy import select

from instruments import VariantError, apply_variant, extras, parse_variant
from instruments.variant import EXTRA_MAX, MAY_LEAVE_OUT, OPTIONS_MAX, SUB_MAX, Problem, Variant
from survey_app.extensions import db
from survey_app.models import KuesionerVarian, Layanan, Unit
from survey_app.services.access import can_manage
from survey_app.services.collection import kuesioner
from survey_app.staf import bp
from survey_app.staf import kuesioner_edit as edit
from survey_app.staf.forms import ConfirmForm
from survey_app.staf.kuesioner_edit import KINDS
from survey_app.staf.scope import catalogue, managed_unit, now, viewable_unit


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
    state: Mapping[str, Any],
    problems: list[str] | None = None,
    preview: str | None = None,
    status: int = 200,
    asal: str | None = None,
) -> ResponseReturnValue:
    """The editor page; ``asal`` is the name of the variant being edited, kept through a
    preview or a refusal (None: the name of ``isi``, as loaded)."""
    base = catalogue().instruments
    found = edit.worded(problems or [])
    page = render_template(
        "staf/kuesioner.html",
        unit=unit,
        variants=_variants(unit),
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
    return _page(unit, edit.state_from_content(_loaded(unit, nama), catalogue().instruments))


@bp.post("/unit/<kode>/kuesioner")
@login_required
def kuesioner_save(kode: str) -> ResponseReturnValue:
    """Preview (``aksi=pratinjau``) or save the variant the editor describes: a new version,
    audited; every problem listed in Indonesian and nothing stored."""
    unit = managed_unit(kode)
    base = catalogue().instruments
    asal = request.form.get("asal", "").strip()[:80]
    origin = asal if asal.isprintable() else ""  # a NUL never reaches the database
    state = edit.state_from_form(request.form, base)
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
    if variant.nama != origin and kuesioner.find_varian(db.session, unit, variant.nama):
        # a new variant (or a renamed copy) under the name of another: never its next version
        problem = _(
            "Nama varian %(nama)s sudah dipakai. Buka varian itu untuk mengubahnya, atau pakai "
            "nama lain.",
            nama=variant.nama,
        )
        found = Problem(problem, ("nama",))
        return _page(unit, state, [found], status=422, asal=origin)
    try:
        versi, new = kuesioner.save_version(db.session, base, unit, raw, now(), current_user)
        db.session.commit()
    except kuesioner.KuesionerError as exc:
        db.session.rollback()
        return _page(unit, state, exc.problems, status=422, asal=origin)
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
