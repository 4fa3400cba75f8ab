"""Which months are judged against the minimum, and how a period fares (REGULATION.md §3).

* A layanan counts in a month only inside one of its open spans (months from its opening to
  its closing, both included): closing or reopening it never rewrites a past month, and a new
  layanan never makes earlier months short.
* Only months that have begun in the unit's zone are shown. The running month is
  ``berjalan`` with its pace and projection; it becomes ``memenuhi`` or ``kurang`` once it has
  ended. A month in which no layanan of the unit was open (before its first open service) is
  ``tidak_dinilai``.
* A period of several months reports "n dari m bulan memenuhi" and each short month with the
  gap of each short layanan.

Pure functions on plain values; the rule of each service-month is
:func:`analysis.sample.requirement`.
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from fractions import Fraction

from analysis.exact import round_half_up
from analysis.periods import check_month, zone
from analysis.sample import Compliance, Rule, ServiceCount, compliance, projected

STATUSES = ("memenuhi", "kurang", "berjalan", "tidak_dinilai")


@dataclass(frozen=True)
class Today:
    """The running month in a unit's zone, and how far into it we are."""

    month: str  # YYYY-MM
    day: int  # 1..days
    days: int  # days in the month

    @property
    def days_left(self) -> int:
        """Whole days after today (0 on the last day: the page says "hari terakhir")."""
        return self.days - self.day

    @property
    def last_day(self) -> bool:
        return self.day == self.days


def today(now: datetime, tz: str) -> Today:
    """The running month of the aware instant ``now`` in the zone ``tz``."""
    if now.tzinfo is None:
        raise ValueError("the instant needs a time zone (the server stores UTC)")
    local = now.astimezone(zone(tz))
    days = calendar.monthrange(local.year, local.month)[1]
    return Today(local.strftime("%Y-%m"), local.day, days)


@dataclass(frozen=True)
class OpenSpan:
    """Months in which a layanan was open: ``dari`` to ``sampai`` (None: still open)."""

    dari: str
    sampai: str | None = None

    def __post_init__(self) -> None:
        check_month(self.dari)
        if self.sampai is not None and check_month(self.sampai) < self.dari:
            raise ValueError(f"span {self.dari}..{self.sampai} runs backwards")

    def covers(self, month: str) -> bool:
        return self.dari <= month and (self.sampai is None or month <= self.sampai)


def open_in(spans: Sequence[OpenSpan], month: str) -> bool:
    """Whether a layanan with these spans was open (for some of) ``month``."""
    return any(span.covers(month) for span in spans)


@dataclass(frozen=True)
class Service:
    """A layanan as the minimum sees it: its kode (any text key), flag and open spans."""

    kode: str
    kebutuhan_utama: bool
    spans: tuple[OpenSpan, ...]


@dataclass(frozen=True)
class Pace:
    """A layanan in the running month: the pace so far and where it leads by the month's end.

    ``projected`` = n x days / day (rounded half-up only here, for display and the warning);
    ``needed_per_day`` = the respondents a day still needed over the days left, None when the
    requirement is met or no day is left.
    """

    n: int
    minimum: int
    today: Today

    @property
    def per_day(self) -> Fraction:
        return Fraction(self.n, self.today.day)

    @property
    def per_day_shown(self) -> Decimal:
        """The pace so far, one decimal (display only)."""
        return round_half_up(self.per_day, 1)

    @property
    def projected(self) -> int:
        return int(round_half_up(projected(self.n, self.today.day, self.today.days), 0))

    @property
    def warning(self) -> bool:
        return self.projected < self.minimum

    @property
    def needed_per_day(self) -> Fraction | None:
        if self.n >= self.minimum or not self.today.days_left:
            return None
        return Fraction(self.minimum - self.n, self.today.days_left)

    @property
    def needed_per_day_shown(self) -> Decimal | None:
        """The respondents a day still needed, one decimal (display only)."""
        needed = self.needed_per_day
        return None if needed is None else round_half_up(needed, 1)


@dataclass(frozen=True)
class Month:
    """One month of a period: its status and the layanan open in it."""

    period: str
    status: str  # memenuhi, kurang, berjalan, tidak_dinilai
    compliance: Compliance
    today: Today | None = None  # the running month's day, for ``berjalan``

    @property
    def layanan(self) -> tuple[ServiceCount, ...]:
        return self.compliance.layanan

    @property
    def judged(self) -> bool:
        return self.status in ("memenuhi", "kurang")

    @property
    def short(self) -> tuple[ServiceCount, ...]:
        """The layanan below their requirement (so far, in a running month)."""
        return self.compliance.short

    def pace(self, service: ServiceCount) -> Pace | None:
        """The pace of ``service`` when this is the running month."""
        return None if self.today is None else Pace(service.n, service.minimum, self.today)


@dataclass(frozen=True)
class PeriodCompliance:
    """The months of a period that have begun, each with its status."""

    rule: Rule
    months: tuple[Month, ...]
    not_begun: tuple[str, ...]  # months of the period after the running one: never judged

    @property
    def judged(self) -> tuple[Month, ...]:
        return tuple(m for m in self.months if m.judged)

    @property
    def met(self) -> int:
        """n of "n dari m bulan memenuhi"."""
        return sum(m.status == "memenuhi" for m in self.months)

    @property
    def short(self) -> tuple[Month, ...]:
        return tuple(m for m in self.months if m.status == "kurang")

    @property
    def running(self) -> Month | None:
        return next((m for m in self.months if m.status == "berjalan"), None)

    @property
    def memenuhi(self) -> bool:
        """Every judged month met (a period with no judged month has nothing short)."""
        return not self.short

    @property
    def has_services(self) -> bool:
        """Some layanan was open in a month of the period that has begun."""
        return any(m.layanan for m in self.months)


def judge_month(
    month: str,
    now: Today,
    rule: Rule,
    services: Sequence[Service],
    counts: Mapping[str, int],
    served: Mapping[str, int],
) -> Month | None:
    """One month: None when it has not begun; otherwise its status among the layanan open in
    it (``counts`` and ``served``: respondents and people served per kode that month)."""
    check_month(month)
    if month > now.month:
        return None
    rows = [
        (s.kode, s.kebutuhan_utama, served.get(s.kode)) for s in services if open_in(s.spans, month)
    ]
    result = compliance(month, rows, dict(counts), rule)
    if month == now.month:
        return Month(month, "berjalan" if rows else "tidak_dinilai", result, now if rows else None)
    if not rows:
        return Month(month, "tidak_dinilai", result)
    return Month(month, "memenuhi" if result.memenuhi else "kurang", result)


def judge(
    months: Sequence[str],
    now: Today,
    rule: Rule,
    services: Sequence[Service],
    counts: Mapping[str, Mapping[str, int]],
    served: Mapping[str, Mapping[str, int]],
) -> PeriodCompliance:
    """Every month of a period (REGULATION.md §3, "Which months are judged").

    Parameters
    ----------
    months
        The months of the period, ``YYYY-MM``, in order.
    now
        The running month in the unit's zone (:func:`today`).
    rule
        The unit's minimum rule.
    services
        The unit's layanan with their open spans.
    counts, served
        Per month, respondents and people served per layanan kode.
    """
    judged: list[Month] = []
    later: list[str] = []
    for month in months:
        found = judge_month(
            month, now, rule, services, counts.get(month, {}), served.get(month, {})
        )
        if found is None:
            later.append(month)
        else:
            judged.append(found)
    return PeriodCompliance(rule, tuple(judged), tuple(later))
