"""Managing the layanan of a unit; every change goes to the audit log."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import select

from analysis.periods import check_month, period_of
from analysis.sample import FORMULAS, RULES
from survey_app.models import Dilayani, Layanan, LayananInstrumen, MasaLayanan, Pengguna, Unit
from survey_app.services import DbSession, audit
from survey_app.services.catalogue import DEFAULT_INSTRUMENTS, Catalogue

KODE = re.compile(r"^[A-Z0-9][A-Z0-9-]{1,19}$")


class LayananError(ValueError):
    """A change that cannot be made; the message says why."""


def snapshot(layanan: Layanan) -> dict[str, Any]:
    return {
        "kode": layanan.kode,
        "nama": layanan.nama,
        "kebutuhan_utama": layanan.kebutuhan_utama,
        "aktif": layanan.aktif,
        "instrumen": layanan.instrument_ids,
    }


def _instruments(catalogue: Catalogue, chosen: Sequence[str]) -> list[LayananInstrumen]:
    chosen = list(chosen) or list(DEFAULT_INSTRUMENTS)
    unknown = [i for i in chosen if i not in catalogue.instruments]
    if unknown:
        raise LayananError(f"instrument {', '.join(unknown)} is unknown")
    order = list(catalogue.instruments)
    return [
        LayananInstrumen(instrument_id=i, urutan=order.index(i))
        for i in sorted(set(chosen), key=order.index)
    ]


def add_layanan(
    session: DbSession,
    catalogue: Catalogue,
    unit: Unit,
    kode: str,
    nama: str,
    kebutuhan_utama: bool,
    instruments: Sequence[str],
    user: Pengguna | None,
    now: datetime,
) -> Layanan:
    """A new layanan; without a choice its form carries the SKM and anti-corruption surveys."""
    kode = kode.strip().upper()
    if not KODE.match(kode):
        raise LayananError("kode: 2-20 capital letters, digits or -")
    if not nama.strip():
        raise LayananError("nama is required")
    exists = select(Layanan).where(Layanan.unit_id == unit.id, Layanan.kode == kode)
    if session.scalar(exists) is not None:
        raise LayananError(f"kode {kode} is already used in this unit")
    layanan = Layanan(
        unit=unit,
        kode=kode,
        nama=nama.strip(),
        kebutuhan_utama=kebutuhan_utama,
        instrumen=_instruments(catalogue, instruments),
        # open from this month on: a new layanan never makes an earlier month short
        masa=[MasaLayanan(dari=period_of(now, unit.timezone))],
    )
    session.add(layanan)
    session.flush()
    audit.record(session, user, "tambah", "layanan", layanan.id, None, snapshot(layanan), now)
    return layanan


def update_layanan(
    session: DbSession,
    catalogue: Catalogue,
    layanan: Layanan,
    nama: str,
    kebutuhan_utama: bool,
    aktif: bool,
    instruments: Sequence[str],
    user: Pengguna | None,
    now: datetime,
) -> Layanan:
    """Rename, (de)activate, flag and choose instruments; the kode and QR token never change."""
    if not nama.strip():
        raise LayananError("nama is required")
    before = snapshot(layanan)
    layanan.nama = nama.strip()
    layanan.kebutuhan_utama = kebutuhan_utama
    if aktif != layanan.aktif:
        (reopen if aktif else close)(layanan, period_of(now, layanan.unit.timezone))
    if sorted(instruments or DEFAULT_INSTRUMENTS) != sorted(layanan.instrument_ids):
        layanan.instrumen = _instruments(catalogue, instruments)
    session.flush()
    after = snapshot(layanan)
    if after != before:
        audit.record(session, user, "ubah", "layanan", layanan.id, before, after, now)
    return layanan


def close(layanan: Layanan, month: str) -> None:
    """Close ``layanan`` in ``month``: its open span ends there (the month stays judged with
    it; no earlier month changes)."""
    layanan.aktif = False
    for span in layanan.masa:
        if span.sampai is None:
            span.sampai = max(month, span.dari)


def reopen(layanan: Layanan, month: str) -> None:
    """Open ``layanan`` again from ``month``: a new span, or the last one again when it was
    closed in this same month (spans never overlap)."""
    layanan.aktif = True
    last = layanan.masa[-1] if layanan.masa else None
    if last is not None and (last.sampai is None or last.sampai >= month):
        last.sampai = None
    else:
        layanan.masa.append(MasaLayanan(dari=month))


def set_rule(
    session: DbSession,
    unit: Unit,
    aturan: str,
    rumus: str,
    user: Pengguna | None,
    now: datetime,
) -> bool:
    """The unit's monthly minimum rule (REGULATION §3): ``tetap`` or ``sampel`` with the sample
    formula; audited (``ubah``) when it changes, which is returned."""
    if aturan not in RULES or rumus not in FORMULAS:
        raise LayananError(f"aturan {aturan!r} / rumus {rumus!r} is unknown")
    before = {"aturan_minimal": unit.aturan_minimal, "rumus_sampel": unit.rumus_sampel}
    after = {"aturan_minimal": aturan, "rumus_sampel": rumus}
    if before == after:
        return False
    unit.aturan_minimal, unit.rumus_sampel = aturan, rumus
    audit.record(session, user, "ubah", "unit", unit.id, before, after, now)
    session.flush()
    return True


def set_served(
    session: DbSession, layanan: Layanan, period: str, jumlah: int, user: Pengguna, now: datetime
) -> Dilayani:
    """How many people the layanan served in a month (for the Krejcie-Morgan target)."""
    check_month(period)
    if jumlah < 0:
        raise LayananError("jumlah must be 0 or more")
    row = session.get(Dilayani, (layanan.id, period))
    before = {"period": period, "jumlah": row.jumlah} if row else None
    if row is None:
        row = Dilayani(layanan_id=layanan.id, period=period, jumlah=jumlah)
        session.add(row)
    row.jumlah = jumlah
    session.flush()
    after = {"period": period, "jumlah": jumlah}
    audit.record(session, user, "dilayani", "layanan", layanan.id, before, after, now)
    return row


def served_in(session: DbSession, layanan: Layanan) -> list[Dilayani]:
    query = select(Dilayani).where(Dilayani.layanan_id == layanan.id).order_by(Dilayani.period)
    return list(session.scalars(query))


def set_tanya_alasan(
    session: DbSession, unit: Unit, on: bool, user: Pengguna | None, now: datetime
) -> bool:
    """Whether the forms of ``unit``'s layanan ask why an item was answered 1 or 2 (REGULATION
    §8); audited (``ubah``) when it changes, which is returned. Reasons stored before stay."""
    return _set_switch(session, unit, "tanya_alasan", on, user, now)


def set_kiosk_wajah(
    session: DbSession, unit: Unit, on: bool, user: Pengguna | None, now: datetime
) -> bool:
    """Whether the kiosks of ``unit``'s layanan show faces beside the answer labels (issue
    21.3); audited (``ubah``) when it changes, which is returned."""
    return _set_switch(session, unit, "kiosk_wajah", on, user, now)


def _set_switch(
    session: DbSession, unit: Unit, name: str, on: bool, user: Pengguna | None, now: datetime
) -> bool:
    """Set the unit's switch ``name`` to ``on``, audited as ``ubah`` when it changes."""
    if getattr(unit, name) == on:
        return False
    before = {name: getattr(unit, name)}
    setattr(unit, name, on)
    audit.record(session, user, "ubah", "unit", unit.id, before, {name: on}, now)
    session.flush()
    return True


def set_pengaduan(
    session: DbSession, unit: Unit, text: str, user: Pengguna | None, now: datetime
) -> bool:
    """The unit's own complaint channel (its WBS or pengaduan page), shown to respondents after
    they answer beside SP4N-LAPOR!; empty removes it. Audited when it changes, which is
    returned. Raises :class:`LayananError` for anything but an http(s) address of at most 300
    characters."""
    value = text.strip() or None
    if value is not None:
        parsed = urlsplit(value)
        if (
            parsed.scheme not in ("http", "https")
            or not parsed.netloc
            or len(value) > 300
            or any(c.isspace() or ord(c) < 0x20 for c in value)
        ):
            raise LayananError(
                "Kanal pengaduan: tulis alamat lengkap, misalnya https://wbs.kemenimipas.go.id"
                " (paling banyak 300 karakter)."
            )
    if unit.tautan_pengaduan == value:
        return False
    before = {"tautan_pengaduan": unit.tautan_pengaduan}
    unit.tautan_pengaduan = value
    audit.record(session, user, "ubah", "unit", unit.id, before, {"tautan_pengaduan": value}, now)
    session.flush()
    return True
