"""The free texts of the SKM report (REGULATION §8): kata pengantar, latar belakang, tim
pelaksana and kesimpulan. Each has a default written from the unit and the period's figures;
staff may write their own per unit and period, and may go back to the default by saving it
empty. Every change is audited."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import select

from analysis.periods import Span
from survey_app.models import LAPORAN_BAGIAN, LaporanTeks, Pengguna, Unit
from survey_app.services import DbSession, audit
from survey_app.services.clean import clean_text

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
    shown: Mapping[str, str] | None = None,
) -> list[str]:
    """Store the parts of ``texts`` that differ from what is saved; a text equal to its default
    or empty goes back to the default. A part whose text has the :func:`fingerprint` given in
    ``shown`` (what the person was shown) was not touched and is left alone, so a default
    written from last week's figures is never frozen by saving another part. Returns the parts
    changed. Raises :class:`TeksError`
    for an unknown part, a NUL character or a text over ``MAX_CHARS`` characters."""
    current = saved(session, unit, span)
    changed = []
    for bagian, raw in texts.items():
        if shown is not None and fingerprint(raw) == shown.get(bagian):
            continue  # left as it was shown: a default stays a default as figures change
        text = _checked(bagian, raw)
        keep = None if not text or text == defaults.get(bagian, "").strip() else text
        if keep == current.get(bagian):
            continue
        _store(session, unit, span, bagian, keep, now)
        where = {"unit": unit.kode, "dari": span.first, "sampai": span.last}
        audit.record(
            session,
            user,
            "ubah",
            "laporan_teks",
            f"{unit.id}:{span.first}:{span.last}:{bagian}",  # fits the log's 40 characters
            where | {"teks": current.get(bagian)},
            where | {"teks": keep},
            now,
        )
        changed.append(bagian)
    session.flush()
    return changed


def fingerprint(text: str) -> str:
    """The SHA-256 of a text as the form shows it (line breaks as ``\n``, ends trimmed)."""
    return hashlib.sha256(clean_text(text).strip().encode("utf-8")).hexdigest()


def _checked(bagian: str, raw: str) -> str:
    if bagian not in LAPORAN_BAGIAN:
        raise TeksError(f"Bagian laporan tidak dikenal: {bagian}.")
    text = clean_text(raw).strip()
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
