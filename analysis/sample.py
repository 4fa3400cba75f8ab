"""Sample sizes: the monthly minimum per layanan and the Krejcie-Morgan table.

Every month each layanan needs at least 30 respondents when it is a *layanan kebutuhan utama*,
15 otherwise. When staff know how many people a layanan served (N), its target is
max(minimum, Krejcie-Morgan n).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction
from functools import cache
from pathlib import Path
from typing import Any

from analysis.exact import fraction, round_half_up

DATA = Path(__file__).parent / "data" / "sample.json"


@cache
def _rules() -> dict[str, Any]:
    rules: dict[str, Any] = json.loads(DATA.read_text(encoding="utf-8"))
    return rules


def krejcie_morgan(population: int) -> int:
    """Sample size for a population of ``population`` people.

    Notes
    -----
    n = lambda^2 N P Q / (d^2 (N - 1) + lambda^2 P Q) with lambda^2 = 3,841 (chi-square, 1 df,
    95 %), P = Q = 0,5 and d = 0,05, computed exactly and rounded half-up: N = 100 gives 80,
    N = 1 000 000 gives 384.

    References
    ----------
    Krejcie, R. V. & Morgan, D. W. (1970). Determining sample size for research activities.
    Educational and Psychological Measurement, 30, 607-610.
    """
    if isinstance(population, bool) or not isinstance(population, int) or population < 1:
        raise ValueError(f"N {population!r} must be a whole number of people, at least 1")
    km = _rules()["krejcie_morgan"]
    chi2, p, d = fraction(km["lambda_squared"]), fraction(km["p"]), fraction(km["d"])
    pq = p * (1 - p)
    n = chi2 * population * pq / (d * d * (population - 1) + chi2 * pq)
    return int(round_half_up(n, 0))


def minimum(kebutuhan_utama: bool) -> int:
    """The monthly minimum of respondents of one layanan."""
    rule = _rules()["minimum"]
    return int(rule["kebutuhan_utama"] if kebutuhan_utama else rule["lainnya"])


def target(kebutuhan_utama: bool, served: int | None = None) -> int:
    """max(minimum, Krejcie-Morgan n) when the number served is known, else the minimum."""
    floor = minimum(kebutuhan_utama)
    return floor if not served else max(floor, krejcie_morgan(served))


@dataclass(frozen=True)
class ServiceCount:
    """One layanan in one month: its respondents against its target."""

    kode: str
    kebutuhan_utama: bool
    n: int
    minimum: int

    @property
    def memenuhi(self) -> bool:
        return self.n >= self.minimum

    @property
    def kurang(self) -> int:
        """How many respondents are still missing (0 when the target is met)."""
        return max(0, self.minimum - self.n)


@dataclass(frozen=True)
class Compliance:
    """The month's verdict: met only when every layanan met its target."""

    period: str
    layanan: tuple[ServiceCount, ...]

    @property
    def memenuhi(self) -> bool:
        return all(service.memenuhi for service in self.layanan)

    @property
    def short(self) -> tuple[ServiceCount, ...]:
        return tuple(service for service in self.layanan if not service.memenuhi)

    def as_dict(self) -> dict[str, object]:
        """The ``compliance`` output of INTERCHANGE.md."""
        return {
            "period": self.period,
            "memenuhi": self.memenuhi,
            "layanan": [
                {
                    "kode": s.kode,
                    "kebutuhan_utama": s.kebutuhan_utama,
                    "n": s.n,
                    "minimum": s.minimum,
                    "memenuhi": s.memenuhi,
                }
                for s in self.layanan
            ],
        }


def compliance(
    period: str,
    services: Iterable[tuple[str, bool, int | None]],
    counts: dict[str, int],
) -> Compliance:
    """Check one month.

    Parameters
    ----------
    period
        The month ``YYYY-MM``.
    services
        ``(kode, kebutuhan_utama, served)`` for every active layanan; ``served`` may be None.
    counts
        Respondents of the month per layanan kode; a layanan without respondents counts 0.
    """
    return Compliance(
        period=period,
        layanan=tuple(
            ServiceCount(
                kode, kebutuhan_utama, int(counts.get(kode, 0)), target(kebutuhan_utama, served)
            )
            for kode, kebutuhan_utama, served in services
        ),
    )


def projected(n: int, day: int, days_in_month: int) -> Fraction:
    """Respondents expected by the end of the month at the pace of the first ``day`` days."""
    if not 1 <= day <= days_in_month:
        raise ValueError(f"day {day} is outside 1-{days_in_month}")
    return Fraction(n * days_in_month, day)
