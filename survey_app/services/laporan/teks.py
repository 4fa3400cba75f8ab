"""The free texts of the SKM report (REGULATION §8): kata pengantar, latar belakang, tim
pelaksana and kesimpulan. Each has a default written from the unit and the period's figures;
staff may write their own per unit and period, and may go back to the default by saving it
empty. Every change is audited."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import select

from analysis.periods import Span
from survey_app.models import LAPORAN_BAGIAN, LaporanTeks, Pengguna, Unit
from survey_app.services import DbSession, audit

MAX_CHARS = 6000


class TeksError(ValueError):
    """A text that cannot be stored; the Indonesian message names the part."""


def saved(session: DbSession, unit: Unit, span: Span) -> dict[str, str]:
    """The texts staff wrote for ``unit`` over exactly ``span``, by part (missing: default)."""
    rows = session.scalars(
        select(LaporanTeks).where(
            LaporanTeks.unit_id == unit.id,
            LaporanTeks.dari == span.first,
            LaporanTeks.sampai == span.last,
        )
    )
    return {row.bagian: row.teks for row in rows}


def save(
    session: DbSession,
    user: Pengguna | None,
    unit: Unit,
    span: Span,
    texts: Mapping[str, str],
    defaults: Mapping[str, str],
    now: datetime,
) -> list[str]:
    """Store the parts of ``texts`` that differ from what is saved; a text equal to its default
    or empty goes back to the default. Returns the parts changed. Raises :class:`TeksError`
    for an unknown part, a NUL character or a text over ``MAX_CHARS`` characters."""
    current = saved(session, unit, span)
    changed = []
    for bagian, raw in texts.items():
        text = _checked(bagian, raw)
        keep = None if not text or text == defaults.get(bagian, "").strip() else text
        if keep == current.get(bagian):
            continue
        _store(session, unit, span, bagian, keep, now)
        audit.record(
            session,
            user,
            "ubah",
            "laporan_teks",
            f"{unit.kode}:{span.first}:{span.last}:{bagian}",
            {"teks": current.get(bagian)},
            {"teks": keep},
            now,
        )
        changed.append(bagian)
    session.flush()
    return changed


def _checked(bagian: str, raw: str) -> str:
    if bagian not in LAPORAN_BAGIAN:
        raise TeksError(f"Bagian laporan tidak dikenal: {bagian}.")
    text = raw.replace("\r\n", "\n").strip()
    if "\x00" in text:
        raise TeksError("Teks berisi karakter yang tidak dapat disimpan (NUL).")
    if len(text) > MAX_CHARS:
        raise TeksError(f"Teks terlalu panjang: {len(text)} karakter, paling banyak {MAX_CHARS}.")
    return text


def _store(
    session: DbSession, unit: Unit, span: Span, bagian: str, text: str | None, now: datetime
) -> None:
    row = session.scalar(
        select(LaporanTeks).where(
            LaporanTeks.unit_id == unit.id,
            LaporanTeks.dari == span.first,
            LaporanTeks.sampai == span.last,
            LaporanTeks.bagian == bagian,
        )
    )
    if text is None:
        if row is not None:
            session.delete(row)
        return
    if row is None:
        row = LaporanTeks(unit_id=unit.id, dari=span.first, sampai=span.last, bagian=bagian)
        session.add(row)
    row.teks, row.diubah = text, now
