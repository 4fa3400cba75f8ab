"""Sample sizes and the monthly minimum rule of a unit (REGULATION.md section 3).

A unit follows one of two rules, a setting of the unit:

``tetap``
    Every month each layanan needs 30 respondents when it is a *layanan kebutuhan utama*, 15
    otherwise (Kemenkumham/Kemenimipas LKE note, Surat Irjen ITJ.UM.01.01-2134). The default.
``sampel``
    Each service-month needs the sample size for the people it served that month (N), by
    Krejcie-Morgan (default) or Slovin. A service-month without a people-served figure falls
    back to ``tetap``, and says so.

The rule in force alone decides "memenuhi"; the other figure is information only, and entering
people served never changes the rule by itself.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction
from functools import cache
from math import ceil
from pathlib import Path
from typing import Any

from analysis.exact import fraction, round_half_up

DATA = Path(__file__).parent / "data" / "sample.json"
RULES = ("tetap", "sampel")
FORMULAS = ("krejcie_morgan", "slovin")
FORMULA_NAMES = {"krejcie_morgan": "Krejcie-Morgan", "slovin": "Slovin"}


@cache
def _rules() -> dict[str, Any]:
    rules: dict[str, Any] = json.loads(DATA.read_text(encoding="utf-8"))
    return rules


def _population(population: int) -> int:
    if isinstance(population, bool) or not isinstance(population, int) or population < 1:
        raise ValueError(f"N {population!r} must be a whole number of people, at least 1")
    return population


def krejcie_morgan(population: int) -> int:
    """Sample size for a population of ``population`` people.

    Notes
    -----
    n = lambda^2 N P Q / (d^2 (N - 1) + lambda^2 P Q) with lambda^2 = 3,841 (chi-square, 1 df,
    95 %), P = Q = 0,5 and d = 0,05, computed exactly and rounded half-up: N = 100 gives 80,
    N = 1 000 000 gives 384 (REGULATION.md section 3).

    References
    ----------
    Krejcie, R. V. & Morgan, D. W. (1970). Determining sample size for research activities.
    Educational and Psychological Measurement, 30, 607-610.
    """
    population = _population(population)
    km = _rules()["krejcie_morgan"]
    chi2, p, d = fraction(km["lambda_squared"]), fraction(km["p"]), fraction(km["d"])
    pq = p * (1 - p)
    n = chi2 * population * pq / (d * d * (population - 1) + chi2 * pq)
    return int(round_half_up(n, 0))


def slovin(population: int) -> int:
    """Sample size by Slovin's formula.

    Notes
    -----
    n = N / (1 + N e^2) with e = 0,05 (configurable in ``data/sample.json``), computed exactly
    and rounded up (REGULATION.md section 3): N = 100 gives 80, N = 350 gives 187.
    """
    population = _population(population)
    e = fraction(_rules()["slovin"]["e"])
    return ceil(Fraction(population) / (1 + population * e * e))


def sample_size(population: int, formula: str = "krejcie_morgan") -> int:
    """The sample for ``population`` people served by ``formula`` (``krejcie_morgan`` or
    ``slovin``); a month in which nobody was served (N = 0) needs nobody."""
    if formula not in FORMULAS:
        raise ValueError(f"rumus sampel {formula!r} must be one of {', '.join(FORMULAS)}")
    if population == 0 and not isinstance(population, bool):
        return 0
    return krejcie_morgan(population) if formula == "krejcie_morgan" else slovin(population)


def minimum(kebutuhan_utama: bool) -> int:
    """The fixed monthly minimum (rule ``tetap``) of one layanan: 30 or 15."""
    rule = _rules()["minimum"]
    return int(rule["kebutuhan_utama"] if kebutuhan_utama else rule["lainnya"])


@dataclass(frozen=True)
class Rule:
    """A unit's minimum rule: ``aturan`` ``tetap`` or ``sampel``, and for ``sampel`` the
    formula (``rumus``) that turns people served into a sample."""

    aturan: str = "tetap"
    rumus: str = "krejcie_morgan"

    def __post_init__(self) -> None:
        if self.aturan not in RULES:
            raise ValueError(f"aturan minimal {self.aturan!r} must be tetap or sampel")
        if self.rumus not in FORMULAS:
            raise ValueError(f"rumus sampel {self.rumus!r} must be krejcie_morgan or slovin")

    @property
    def rumus_nama(self) -> str:
        return FORMULA_NAMES[self.rumus]


@dataclass(frozen=True)
class Requirement:
    """What one layanan needs in one month under its unit's rule.

    ``aturan`` is the rule that decides this service-month: the unit's rule, or ``tetap`` when
    the unit asked ``sampel`` but no people-served figure exists (``fallback``). ``lain`` is
    the other rule's figure, shown beside the verdict as information, never as the verdict.
    """

    diminta: str  # the unit's rule
    aturan: str  # the rule in force for this service-month
    tetap: int  # the fixed minimum, 30 or 15
    sampel: int | None  # the sample for the people served (None without a figure)
    rumus: str
    dilayani: int | None

    @property
    def rumus_nama(self) -> str:
        return FORMULA_NAMES[self.rumus]

    @property
    def minimum(self) -> int:
        """The respondents the rule in force asks."""
        return self.sampel if self.aturan == "sampel" and self.sampel is not None else self.tetap

    @property
    def fallback(self) -> bool:
        """``sampel`` was asked, but the month has no people-served figure."""
        return self.diminta == "sampel" and self.aturan == "tetap"

    @property
    def has_note(self) -> bool:
        """Something to say beside the verdict: a fallback, the sample used, or the other
        rule's figure."""
        return self.fallback or self.aturan == "sampel" or self.lain is not None

    @property
    def lain(self) -> tuple[str, int] | None:
        """The other rule's figure, ``("sampel", 183)`` or ``("tetap", 30)``, if there is one."""
        if self.aturan == "sampel":
            return ("tetap", self.tetap)
        return None if self.sampel is None else ("sampel", self.sampel)


def requirement(rule: Rule, kebutuhan_utama: bool, served: int | None) -> Requirement:
    """The requirement of one service-month (REGULATION.md section 3).

    Under ``tetap`` the fixed minimum decides; a known people-served figure only adds the
    sample beside it. Under ``sampel`` the sample for ``served`` decides alone (not the larger
    of the two); without a figure the month falls back to ``tetap``.
    """
    fixed = minimum(kebutuhan_utama)
    sample = None if served is None else sample_size(served, rule.rumus)
    in_force = "sampel" if rule.aturan == "sampel" and sample is not None else "tetap"
    return Requirement(rule.aturan, in_force, fixed, sample, rule.rumus, served)


@dataclass(frozen=True)
class ServiceCount:
    """One layanan in one month: its respondents against what the rule in force asks."""

    kode: str
    kebutuhan_utama: bool
    n: int
    requirement: Requirement

    @property
    def minimum(self) -> int:
        return self.requirement.minimum

    @property
    def memenuhi(self) -> bool:
        return self.n >= self.minimum

    @property
    def kurang(self) -> int:
        """How many respondents are still missing (0 when the requirement is met)."""
        return max(0, self.minimum - self.n)


@dataclass(frozen=True)
class Compliance:
    """One month's layanan: met only when every layanan open that month met its requirement."""

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
    rule: Rule | None = None,
) -> Compliance:
    """Check one month.

    Parameters
    ----------
    period
        The month ``YYYY-MM``.
    services
        ``(kode, kebutuhan_utama, served)`` for every layanan open in the month; ``served``
        (people served) may be None.
    counts
        Respondents of the month per layanan kode; a layanan without respondents counts 0.
    rule
        The unit's rule (``tetap`` when not given).
    """
    rule = rule or Rule()
    return Compliance(
        period=period,
        layanan=tuple(
            ServiceCount(
                kode,
                kebutuhan_utama,
                int(counts.get(kode, 0)),
                requirement(rule, kebutuhan_utama, served),
            )
            for kode, kebutuhan_utama, served in services
        ),
    )


def projected(n: int, day: int, days_in_month: int) -> Fraction:
    """Respondents expected by the end of the month at the pace of the first ``day`` days."""
    if not 1 <= day <= days_in_month:
        raise ValueError(f"day {day} is outside 1-{days_in_month}")
    return Fraction(n * days_in_month, day)
