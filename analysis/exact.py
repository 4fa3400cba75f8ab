"""Exact arithmetic helpers: rounding half-up at the edge, and parsing decimals without floats."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from math import floor

Number = int | Fraction | Decimal


def round_half_up(value: Number, places: int) -> Decimal:
    """Round ``value`` to ``places`` decimals, halves away from zero, exactly.

    ``round_half_up(Fraction(35322, 10000) * 25, 2)`` is ``Decimal('88.31')``; binary floats
    give 88.30 for the same figure, which is why nothing here goes through ``float``.
    """
    exact = Fraction(value)
    scale = 10**places
    magnitude = floor(abs(exact) * scale + Fraction(1, 2))
    signed = -magnitude if exact < 0 else magnitude
    return Decimal(signed).scaleb(-places)


def fraction(text: str | int | Decimal | Fraction) -> Fraction:
    """Read a decimal written in a data file (``"17.50"``) as an exact fraction."""
    if isinstance(text, float):
        raise ValueError(f"{text!r}: write decimals in data files as strings, not floats")
    return Fraction(Decimal(text)) if isinstance(text, str) else Fraction(text)


def angka_id(value: Number | None, places: int = 2) -> str:
    """``value`` rounded half-up to ``places`` and written the Indonesian way: ``87,55``,
    ``1.234`` (thousands with a dot); ``-`` for None."""
    if value is None:
        return "-"
    text = f"{round_half_up(value, places):,.{places}f}"
    return text.replace(",", "_").replace(".", ",").replace("_", ".")
