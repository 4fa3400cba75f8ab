"""Reporting periods: calendar months in the unit's own time zone, and their groupings.

The server assigns the time of a submission; the period is the month of that instant in the
unit's zone (WIB Asia/Jakarta, WITA Asia/Makassar, WIT Asia/Jayapura). 23:30 WITA on 31 January
is January; 00:30 WITA on 1 February is February, whatever a client says.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
import pandas as pd

ZONES = {"Asia/Jakarta": "WIB", "Asia/Makassar": "WITA", "Asia/Jayapura": "WIT"}
# ASCII digits only and whole-string matches (``$`` would let a trailing newline through).
_MONTH = re.compile(r"([0-9]{4})-(0[1-9]|1[0-2])")
YEARS = range(2000, 2100)  # the years a period may name: nothing before ZI, nothing absurd
MAX_RANGE_MONTHS = 120  # a custom range covers at most ten years


# Indonesia's three zones by the names people use (Permendagri: WIB, WITA, WIT).
ZONE_ALIASES = {"WIB": "Asia/Jakarta", "WITA": "Asia/Makassar", "WIT": "Asia/Jayapura"}


def zone_name(name: str) -> str:
    """The IANA name for ``name``: ``WIB``, ``WITA`` and ``WIT`` (any case) or an IANA name.

    Raises ``ValueError`` naming the zone when it does not exist.
    """
    resolved = ZONE_ALIASES.get(name.strip().upper(), name.strip())
    zone(resolved)
    return resolved


def zone(name: str) -> ZoneInfo:
    """The IANA zone ``name``; a ``ValueError`` names it when it does not exist."""
    try:
        return ZoneInfo(ZONE_ALIASES.get(name.upper(), name) if name else name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(
            f"time zone {name!r} is unknown (use WIB, WITA, WIT or an IANA name such as "
            "Asia/Jakarta)"
        ) from exc


def period_of(instant: datetime, tz: str) -> str:
    """The month ``YYYY-MM`` of an aware ``instant`` in the zone ``tz``."""
    if instant.tzinfo is None:
        raise ValueError("the instant needs a time zone (the server stores UTC)")
    return instant.astimezone(zone(tz)).strftime("%Y-%m")


def periods_of(instants: pd.Series, tz: str) -> pd.Series:
    """Vectorised :func:`period_of` for a series of UTC timestamps, as a categorical."""
    zone(tz)  # a clear error for an unknown zone; pandas is fast with the name itself
    local = instants.dt.tz_convert(tz).dt.tz_localize(None).to_numpy()
    months = local.astype("datetime64[M]").astype("int64")  # months since 1970-01
    numbers, present = pd.factorize(months, sort=True)
    labels = np.datetime_as_string(present.astype("datetime64[M]"), unit="M").tolist()
    # categorical: grouping by month then reuses these codes instead of hashing strings
    return pd.Series(pd.Categorical.from_codes(numbers, labels), index=instants.index)


SPAN_LENGTH = {"bulan": 1, "triwulan": 3, "semester": 6, "tahun": 12}


def span_label(month: str, kind: str) -> str:
    """The bulan, triwulan, semester or tahun of a month: 2026-05 -> 2026-T2, 2026-S1, 2026."""
    check_month(month)
    if kind not in SPAN_LENGTH:
        raise ValueError(f"period kind {kind!r} must be bulan, triwulan, semester or tahun")
    number = (int(month[5:]) - 1) // SPAN_LENGTH[kind] + 1
    return {
        "bulan": month,
        "triwulan": f"{month[:4]}-T{number}",
        "semester": f"{month[:4]}-S{number}",
        "tahun": month[:4],
    }[kind]


def span_labels(months: pd.Series, kind: str) -> pd.Series:
    """Vectorised :func:`span_label`: a column to group by, so larger periods are scored from
    their pooled raw answers and never averaged from monthly figures."""
    labels = {month: span_label(month, kind) for month in pd.unique(months.astype(str))}
    return months.astype(str).map(labels)


_SPAN = {
    "triwulan": re.compile(r"[0-9]{4}-T[1-4]"),
    "semester": re.compile(r"[0-9]{4}-S[12]"),
    "tahun": re.compile(r"[0-9]{4}"),
}


def period_kind(text: str) -> str:
    """Which kind of period ``text`` names: 2026-01 bulan, 2026-T1, 2026-S2, 2026.

    Raises ``ValueError`` for anything else, and for a year outside 2000-2099.
    """
    text = text if isinstance(text, str) else ""
    kind = "bulan" if _MONTH.fullmatch(text) else None
    kind = kind or next((k for k, p in _SPAN.items() if p.fullmatch(text)), None)
    if kind is None:
        raise ValueError(f"period {text!r} must be YYYY-MM, YYYY-T1..T4, YYYY-S1..S2 or YYYY")
    _check_year(text)
    return kind


def _check_year(text: str) -> None:
    if int(text[:4]) not in YEARS:
        raise ValueError(f"period {text!r}: the year must be {YEARS[0]}-{YEARS[-1]}")


def span_of(label: str) -> Span:
    """The span a label names: 2026-01, 2026-T1, 2026-S2, 2026, or a range of months
    2026-09..2026-11 (what :func:`label_of` writes for one)."""
    if isinstance(label, str) and ".." in label:
        first, _, last = label.partition("..")
        return range_span(first, last)
    kind = period_kind(label)
    if kind == "bulan":
        return Span("bulan", label, label)
    number = 1 if kind == "tahun" else int(label[-1])
    return span(kind, int(label[:4]), number)


def label_of(span_: Span) -> str:
    """The label of a span: the inverse of :func:`span_of` (a custom range is first..last)."""
    if span_.kind == "rentang":
        return f"{span_.first}..{span_.last}"
    return span_label(span_.first, span_.kind)


def check_month(text: str) -> str:
    """Return ``text`` if it is a month ``YYYY-MM`` of 2000-2099; otherwise raise ``ValueError``."""
    if not isinstance(text, str) or not _MONTH.fullmatch(text):
        raise ValueError(f"period {text!r} must be a month written YYYY-MM")
    _check_year(text)
    return text


def range_span(first: str, last: str) -> Span:
    """The custom range ``first``..``last`` (months), at most ten years long.

    Raises ``ValueError`` for a bad month, a range that runs backwards or one too long.
    """
    span_ = Span("rentang", check_month(first), check_month(last))
    if first > last:
        raise ValueError(f"the range {first}..{last} runs backwards: dari is after sampai")
    if len(span_.months()) > MAX_RANGE_MONTHS:
        raise ValueError(f"the range {first}..{last} is longer than ten years")
    return span_


@dataclass(frozen=True)
class Span:
    """A run of whole months, from ``first`` to ``last`` (both ``YYYY-MM``)."""

    kind: str  # bulan, triwulan, semester, tahun, rentang
    first: str
    last: str

    def months(self) -> list[str]:
        start = int(self.first[:4]) * 12 + int(self.first[5:]) - 1
        end = int(self.last[:4]) * 12 + int(self.last[5:]) - 1
        return [f"{m // 12:04d}-{m % 12 + 1:02d}" for m in range(start, end + 1)]

    @property
    def start_date(self) -> date:
        return date(int(self.first[:4]), int(self.first[5:]), 1)

    @property
    def end_date(self) -> date:
        year, month = int(self.last[:4]), int(self.last[5:])
        following = date(year + month // 12, month % 12 + 1, 1)
        return date.fromordinal(following.toordinal() - 1)


def span(kind: str, year: int, number: int = 1) -> Span:
    """The month (1-12), triwulan (1-4), semester (1-2) or tahun ``number`` of ``year``."""
    length = SPAN_LENGTH.get(kind)
    if length is None:
        raise ValueError(f"period kind {kind!r} must be bulan, triwulan, semester or tahun")
    if not 1 <= number <= 12 // length:
        raise ValueError(f"{kind} {number} does not exist (1-{12 // length})")
    first = (number - 1) * length + 1
    return Span(kind, f"{year:04d}-{first:02d}", f"{year:04d}-{first + length - 1:02d}")


def now_utc() -> datetime:
    return datetime.now(UTC)


BULAN = (
    "Januari", "Februari", "Maret", "April", "Mei", "Juni",
    "Juli", "Agustus", "September", "Oktober", "November", "Desember",
)  # fmt: skip
ROMAWI = ("I", "II", "III", "IV")


def nama_bulan(month: str) -> str:
    """``2026-11`` as people read it in Indonesian: ``November 2026``."""
    return f"{BULAN[int(month[5:7]) - 1]} {month[:4]}"


def nama_periode(span_: Span) -> str:
    """A period in the Indonesian of official documents: ``November 2026``, ``Triwulan IV
    2026``, ``Semester II 2026``, ``Tahun 2026``, or ``Januari 2026 - Maret 2026`` for a
    custom range (the web pages use the translated filter ``periode`` instead)."""
    year = span_.first[:4]
    if span_.kind == "bulan":
        return nama_bulan(span_.first)
    if span_.kind in ("triwulan", "semester"):
        number = (int(span_.first[5:7]) - 1) // SPAN_LENGTH[span_.kind]
        return f"{span_.kind.capitalize()} {ROMAWI[number]} {year}"
    if span_.kind == "tahun":
        return f"Tahun {year}"
    return f"{nama_bulan(span_.first)} - {nama_bulan(span_.last)}"


def nama_tanggal(day: date) -> str:
    """A date in the Indonesian of official documents: ``30 November 2026``."""
    return f"{day.day} {BULAN[day.month - 1]} {day.year}"
