"""Mutu pelayanan and kinerja unit from a nilai (PermenPANRB 14/2017).

The published table prints closed ranges (88,31-100,00; 76,61-88,30; ...), which leave gaps for
anyone who classifies an unrounded figure. Here the bands are half-open on the nilai rounded to 2
decimals, so every nilai from 25,00 to 100,00 has exactly one mutu.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path

DATA = Path(__file__).parent / "data" / "mutu.json"
NILAI_MIN = Decimal("25.00")
NILAI_MAX = Decimal("100.00")


@dataclass(frozen=True)
class Mutu:
    """One band: the letter, its lowest rounded nilai and the kinerja in id and en."""

    mutu: str
    min_nilai: Decimal
    kinerja: str
    kinerja_en: str


@cache
def bands(path: Path = DATA) -> tuple[Mutu, ...]:
    """The band table of ``path``, best band first."""
    raw = json.loads(path.read_text(encoding="utf-8"))["bands"]
    table = tuple(
        Mutu(b["mutu"], Decimal(b["min_nilai"]), b["kinerja"]["id"], b["kinerja"]["en"])
        for b in raw
    )
    if [b.min_nilai for b in table] != sorted((b.min_nilai for b in table), reverse=True):
        raise ValueError(f"{path.name}: bands must be listed from the highest minimum down")
    return table


def classify(nilai: Decimal, table: tuple[Mutu, ...] | None = None) -> Mutu:
    """Return the band of a nilai already rounded to 2 decimals.

    Parameters
    ----------
    nilai
        The rounded nilai (indeks x 25), 25,00 to 100,00.

    Raises
    ------
    ValueError
        When ``nilai`` is outside 25-100 or has more than 2 decimals (classify the rounded figure).
    """
    if nilai != nilai.quantize(Decimal("0.01")):
        raise ValueError(f"nilai {nilai} must be rounded to 2 decimals before it is classified")
    if not NILAI_MIN <= nilai <= NILAI_MAX:
        raise ValueError(f"nilai {nilai} is outside 25-100")
    for band in table or bands():
        if nilai >= band.min_nilai:
            return band
    raise ValueError(f"nilai {nilai} is below the lowest band")
