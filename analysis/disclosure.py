"""Statistical disclosure control for published demographic counts (REGULATION §6).

A publication hides every demographic cell of 1 to 4 respondents. That alone is not enough: a
unit that publishes Triwulan IV (15 women) and November (11 women) has told anyone who
subtracts that October had 4. Here a cell is tested against every count a reader can *derive*
from what is already public: sums of counts over disjoint month sets and differences of nested
ones, repeated until nothing new follows. If any derived count is 1 to 4 the cell is hidden.

Glossary: a *known count* is a pair (set of months, number of respondents in one category over
those months) read off a live publication.
"""

from __future__ import annotations

from collections.abc import Iterable

SMALL = range(1, 5)  # counts that may not be readable (REGULATION §6: 1-4)
LIMIT = 4000  # derived sets examined before giving up and hiding the cell


def recoverable(known: Iterable[tuple[frozenset[str], int]], limit: int = LIMIT) -> bool:
    """Whether a count of 1 to 4 follows from ``known`` counts.

    Parameters
    ----------
    known
        (months, count) pairs, each month as ``YYYY-MM``; the same months may appear with
        different counts (two publications of one period made at different times, whose
        difference is itself a count of the answers that came or left in between).
    limit
        How many distinct (months, count) pairs to derive at most; past it the answer is
        ``True`` (hide the cell: a conservative answer never publishes a leak).

    Returns
    -------
    bool
        True when some derived count, or some difference between two counts of the same months,
        is 1 to 4.

    Notes
    -----
    Derivations: for counts ``(A, a)`` and ``(B, b)``, ``B`` a proper subset of ``A`` gives
    ``(A - B, a - b)``; disjoint ``A`` and ``B`` give ``(A | B, a + b)`` when the union lies
    inside some known set (only then can it be subtracted from something); equal sets with
    ``a != b`` give the count ``|a - b|``. Negative results (counts made at different times)
    are dropped. Every count a reader can compute by adding and subtracting published counts
    over month sets is found this way.
    """
    pending = [(months, count) for months, count in known]
    outer = {months for months, _ in pending}
    seen: dict[frozenset[str], set[int]] = {}
    while pending:
        months, count = pending.pop()
        if count in SMALL:
            return True
        values = seen.setdefault(months, set())
        if count in values:
            continue
        if any(abs(count - other) in SMALL for other in values):
            return True
        values.add(count)
        if sum(len(v) for v in seen.values()) > limit:
            return True
        for other, others in list(seen.items()):
            for value in list(others):
                pending.extend(_derived(months, count, other, value, outer))
    return False


def _derived(
    a: frozenset[str], x: int, b: frozenset[str], y: int, outer: set[frozenset[str]]
) -> list[tuple[frozenset[str], int]]:
    if b < a and x >= y:
        return [(a - b, x - y)]
    if a < b and y >= x:
        return [(b - a, y - x)]
    if not a & b:
        union = a | b
        if any(union <= known for known in outer):
            return [(union, x + y)]
    return []
