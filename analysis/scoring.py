"""IKM, IPAK and IPKP from raw answers (PermenPANRB 14/2017, lampiran II).

For one instrument of k items over one set of respondents:

* NRR of item i = (sum of the answers to i) / (respondents who answered i); a blank is excluded
  from both, never read as zero;
* indeks = sum of NRR_i x 1/k, with the exact weight 1/k (the 0,11 printed on forms is a display
  of 1/9, and multiplying by it caps the nilai at 99,00);
* nilai = indeks x 25; mutu and kinerja from the rounded nilai (:mod:`analysis.mutu`).

A k-point scale is mapped onto 1-4 linearly, 1 + 3(x - 1)/(k - 1), before anything else.

Groups (a layanan, a month, a unit, a semester) are always scored from their pooled raw answers,
respondent-weighted; results of smaller groups are never averaged.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from functools import cached_property
from math import lcm

import numpy as np
import pandas as pd

from analysis.exact import round_half_up
from analysis.mutu import Mutu, classify


@dataclass(frozen=True)
class ItemScore:
    """One item: how many answered it and the exact sum of their answers on the 1-4 scale."""

    code: str
    n: int
    total: Fraction

    @property
    def nrr(self) -> Fraction | None:
        return self.total / self.n if self.n else None

    @property
    def nrr_rounded(self) -> Decimal | None:
        nrr = self.nrr
        return None if nrr is None else round_half_up(nrr, 4)

    @property
    def nilai(self) -> Decimal | None:
        """NRR x 25 from the exact NRR, rounded to 2 decimals (never from the rounded NRR)."""
        nrr = self.nrr
        return None if nrr is None else round_half_up(nrr * 25, 2)

    @property
    def mutu(self) -> Mutu | None:
        """The same band table applied to the item alone (NRR x 25)."""
        nilai = self.nilai
        return None if nilai is None else classify(nilai)


@dataclass(frozen=True)
class IndexResult:
    """The index of one instrument over one set of respondents, exact until it is reported.

    Frozen, so what is derived from it (index, nilai, mutu) is computed once and kept: a page
    of 500 units reads each of them several times.
    """

    n: int
    items: tuple[ItemScore, ...]

    @cached_property
    def answered_items(self) -> tuple[ItemScore, ...]:
        return tuple(item for item in self.items if item.n)

    @property
    def missing_items(self) -> tuple[str, ...]:
        """Items nobody answered: the index is then the mean over the other items."""
        return tuple(item.code for item in self.items if not item.n)

    @cached_property
    def index(self) -> Fraction | None:
        """The mean of the answered items' NRR, exact: sum of total_i / n_i, over k."""
        answered = self.answered_items
        if not answered:
            return None
        # over one common denominator: a single Fraction instead of 2k Fraction operations,
        # the same value (a page of 500 units scores a few thousand groups)
        denominators = [item.total.denominator * item.n for item in answered]
        common = lcm(*denominators)
        numerator = sum(
            item.total.numerator * (common // d)
            for item, d in zip(answered, denominators, strict=True)
        )
        return Fraction(numerator, common * len(answered))

    @cached_property
    def indeks(self) -> Decimal | None:
        index = self.index
        return None if index is None else round_half_up(index, 4)

    @cached_property
    def nilai(self) -> Decimal | None:
        index = self.index
        return None if index is None else round_half_up(index * 25, 2)

    @cached_property
    def mutu(self) -> Mutu | None:
        nilai = self.nilai
        return None if nilai is None else classify(nilai)

    @property
    def terendah(self) -> ItemScore | None:
        """The answered item with the lowest exact NRR (the first in the instrument's order on
        a tie): the kelemahan of REGULATION §8, where the RTL starts."""
        answered = self.answered_items
        return min(answered, key=lambda x: x.total / x.n) if answered else None

    @property
    def tertinggi(self) -> ItemScore | None:
        """The answered item with the highest exact NRR (the first on a tie): the kelebihan."""
        answered = self.answered_items
        return max(answered, key=lambda x: x.total / x.n) if answered else None

    def nrr_tertimbang(self, code: str) -> Decimal | None:
        """The weighted NRR of item ``code``: NRR x 1/k over the k answered items, rounded
        half-up to 4 places (the column "NRR tertimbang" of PermenPANRB 14/2017's tables;
        their sum is the index before rounding). None when nobody answered the item."""
        k = len(self.answered_items)
        item = next((x for x in self.items if x.code == code), None)
        if item is None or item.nrr is None or not k:
            return None
        return round_half_up(item.nrr / k, 4)

    def as_dict(self, instrument: str) -> dict[str, object]:
        """The ``score`` output of INTERCHANGE.md (numbers as JSON numbers, already rounded)."""
        mutu = self.mutu
        return {
            "instrument": instrument,
            "n": self.n,
            "nrr": {item.code: _number(item.nrr_rounded) for item in self.items},
            "indeks": _number(self.indeks),
            "nilai": _number(self.nilai),
            "mutu": mutu.mutu if mutu else None,
            "kinerja": mutu.kinerja if mutu else None,
        }


def score(frame: pd.DataFrame, items: Sequence[str], scale: int = 4) -> IndexResult:
    """Score one instrument over every row of ``frame``.

    Parameters
    ----------
    frame
        One row per respondent; the columns ``items`` hold whole answers 1..scale or NA.
    items
        The item codes of the instrument, in its order.
    scale
        Number of answer points of the instrument (4 for the standard instruments).

    Returns
    -------
    IndexResult
        ``n`` counts the respondents who answered at least one of ``items``.

    Raises
    ------
    ValueError
        When an item column is missing or holds a value that is not a whole number in 1..scale.
    """
    return score_groups(frame, items, [], scale).get((), _empty(items))


def score_groups(
    frame: pd.DataFrame, items: Sequence[str], by: Sequence[str], scale: int = 4
) -> dict[Hashable, IndexResult]:
    """Score one instrument for every group of ``by`` (for example ``["layanan", "period"]``).

    Each group is scored from its own raw answers. Respondents who answered none of ``items``
    do not count for the instrument. Keys are the group values (a tuple for several columns).
    """
    columns, answered = _item_values(frame, items, scale)
    responding = np.logical_or.reduce(answered)
    if not responding.any():
        return {}
    # float64 sums are exact here, in any order: whole numbers far below 2**53
    if not by:  # one group: counts and sums, no group numbers
        return {
            (): IndexResult(
                n=int(np.count_nonzero(responding)),
                items=tuple(
                    _item_score(
                        code, int(np.count_nonzero(mask)), int(column.sum(where=mask)), scale
                    )
                    for code, column, mask in zip(items, columns, answered, strict=True)
                ),
            )
        }
    codes, keys = _group_codes(frame, by, responding)
    # Rows of no group (they answered nothing) go to one extra bin that is dropped.
    bins = len(keys) + 1

    def tally(weights: np.ndarray | None) -> np.ndarray:
        return np.bincount(codes, weights=weights, minlength=bins)[:-1]

    sizes = tally(None)
    counts = [tally(mask) for mask in answered]
    sums = [tally(np.nan_to_num(column)) for column in columns]
    return {
        key: IndexResult(
            n=int(sizes[g]),
            items=tuple(
                _item_score(code, int(counts[j][g]), int(sums[j][g]), scale)
                for j, code in enumerate(items)
            ),
        )
        for g, key in enumerate(keys)
    }


def score_totals(
    items: Sequence[str],
    totals: Mapping[str, tuple[int, int | Fraction]],
    respondents: int,
    scale: int = 4,
) -> IndexResult:
    """Score one instrument from per-item tallies, as a database ``GROUP BY`` returns them.

    Parameters
    ----------
    items
        The item codes of the instrument, in its order.
    totals
        Item code -> (answers given, sum of the answers on the instrument's scale); an item
        missing from ``totals`` was answered by nobody. The sum may be a fraction: an item
        answered in sub-questions counts each respondent's mean of them
        (:func:`analysis.kuesioner.item_totals`).
    respondents
        Respondents who answered at least one of ``items``.
    scale
        Number of answer points.

    Notes
    -----
    NRR is a sum divided by a count, so tallies of disjoint groups (layanan, months) add up to
    the tallies of the pooled group: the result equals :func:`score` on the pooled raw answers.
    """
    for code, (n, total) in totals.items():
        if n < 0 or not n <= total <= n * scale:
            raise ValueError(f"item {code}: a sum of {total} over {n} answers is impossible")
    return IndexResult(
        n=respondents,
        items=tuple(_item_score(code, *totals.get(code, (0, 0)), scale) for code in items),
    )


def _group_codes(
    frame: pd.DataFrame, by: Sequence[str], rows: np.ndarray
) -> tuple[np.ndarray, list[Hashable]]:
    """A group number per row and the sorted keys of the groups present among ``rows``.

    Rows outside ``rows`` get the number ``len(keys)``. Keys are tuples when ``by`` has several
    columns.
    """
    combined = np.zeros(len(frame), dtype="int64")
    uniques = []
    for name in by:
        codes, values = pd.factorize(frame[name], sort=True)
        if (codes[rows] < 0).any():
            raise ValueError(f"column {name} has empty values; every row needs a group")
        combined = combined * max(len(values), 1) + codes
        uniques.append(values)
    numbers = combined[rows]
    present, inverse = _numbered(numbers)
    keys: list[Hashable] = []
    for number in present:
        parts = []
        for values in reversed(uniques):
            number, index = divmod(int(number), len(values))
            parts.append(values[index])
        parts.reverse()
        keys.append(tuple(parts) if len(parts) != 1 else parts[0])
    group = np.full(len(frame), len(keys), dtype="int64")
    group[rows] = inverse
    return group, keys


def _numbered(numbers: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(numbers, return_inverse=True)`` for non-negative group numbers: counted
    rather than sorted when they are few (a million rows in a few dozen groups)."""
    if int(numbers.max()) >= 4 * len(numbers) + 1024:  # too many to count (by id, say)
        present, inverse = np.unique(numbers, return_inverse=True)
        return present, inverse.reshape(-1)
    present = np.flatnonzero(np.bincount(numbers))
    place = np.zeros(int(present[-1]) + 1, dtype="int64")
    place[present] = np.arange(len(present))
    return present, place[numbers]


def _item_values(
    frame: pd.DataFrame, items: Sequence[str], scale: int
) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """The item columns as float arrays (NaN for a blank), checked against 1..scale, and
    whether each row answered each item."""
    missing = [code for code in items if code not in frame.columns]
    if missing:
        raise ValueError(f"item column {', '.join(missing)} is missing")
    columns, answered, bad = [], [], 0
    for code in items:
        raw = frame[code]
        if pd.api.types.is_numeric_dtype(raw) and not pd.api.types.is_bool_dtype(raw):
            column = raw.to_numpy(dtype="float64", na_value=np.nan)
        else:
            column = pd.to_numeric(raw, errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
            bad += int((np.isnan(column) & raw.notna().to_numpy()).sum())  # text such as "x"
        given = ~np.isnan(column)
        if not _whole_in_range(column, int(np.count_nonzero(given)), scale):
            values = column[given]
            bad += int(((values != np.floor(values)) | (values < 1) | (values > scale)).sum())
        columns.append(column)
        answered.append(given)
    if bad:
        raise ValueError(f"{bad} answer(s) are not whole numbers in 1-{scale}")
    return columns, answered


def _whole_in_range(column: np.ndarray, given: int, scale: int) -> bool:
    """Whether every value of ``column`` that is not NaN (``given`` of them) is a whole number
    in 1..scale: fmin and fmax skip NaN, and NaN never equals its floor."""
    if not given:
        return True
    low, high = np.fmin.reduce(column), np.fmax.reduce(column)
    return (
        bool(low >= 1 and high <= scale) and np.count_nonzero(np.floor(column) == column) == given
    )


def _item_score(code: str, n: int, raw_sum: int | Fraction, scale: int) -> ItemScore:
    # sum of 1 + 3(x - 1)/(k - 1) over n answers = n + 3(sum x - n)/(k - 1), exactly
    total = Fraction(raw_sum) if scale == 4 else n + Fraction(3 * (raw_sum - n), scale - 1)
    return ItemScore(code=code, n=n, total=total)


def _empty(items: Sequence[str]) -> IndexResult:
    return IndexResult(n=0, items=tuple(ItemScore(code, 0, Fraction(0)) for code in items))


def _number(value: Decimal | None) -> float | None:
    # Decimal("87.55") -> 87.55: the float nearest to the rounded decimal, which JSON prints
    # back as the same digits. Only rounded, reported figures are converted.
    return None if value is None else float(value)
