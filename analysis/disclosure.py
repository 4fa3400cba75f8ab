"""Statistical disclosure control for published demographic counts (REGULATION §6).

A publication hides every demographic cell of 1 to 4 respondents. That alone is not enough: a
unit that publishes Triwulan IV (15 women) and November (11 women) has told anyone who
subtracts that October had 4. Here a cell is tested against every count a reader can *derive*
from what is already public, by adding and subtracting the counts of the unit's publications.

Publications cover runs of whole months, so a count over months ``l..r`` is the difference of
two running totals, ``P(r) - P(l-1)``. Think of the month boundaries as points and of each
published count as a link between its two end points carrying the count: a reader can compute
the count of the months between two points exactly when the points are linked, directly or
through other publications, and then only as the sum along the path. A count of zero says
more: every month inside it had nobody, so all its inner points are linked with zeros.

Glossary: a *known count* is a pair (set of months, number of respondents in one category over
those months) read off a live publication.
"""

from __future__ import annotations

from collections.abc import Iterable

SMALL = range(1, 5)  # counts that may not be readable (REGULATION §6: 1-4)


def _index(month: str) -> int:
    return int(month[:4]) * 12 + int(month[5:7]) - 1


def recoverable(known: Iterable[tuple[frozenset[str], int]]) -> bool:
    """Whether a count of 1 to 4 follows from ``known`` counts.

    Parameters
    ----------
    known
        (months, count) pairs; each set of months is a run of consecutive months
        (``YYYY-MM``), as every period is. The same months may appear with different counts
        (two publications of one period made at different times).

    Returns
    -------
    bool
        True when the count of some run of months can be computed from ``known`` and is 1 to
        4, or when two ways of computing one count differ by 1 to 4 (the answers that came or
        left between two publications).

    Notes
    -----
    Each run ``l..r`` with count ``v`` links the points ``l`` and ``r + 1`` with ``v``; a run
    counted 0 also links every point inside it with 0 (nobody answered in any of its months).
    Walking a spanning forest gives each point a running total relative to its component; the
    count of the months between two linked points is the difference of their totals. A union
    of such runs adds counts that are each 0 or at least 5 when no single run is 1 to 4, so
    checking every pair of linked points, and every link against the forest (a cycle whose
    sum is not 0 is a difference between publications), is enough.
    """
    edges: list[tuple[int, int, int]] = []
    for months, count in known:
        points = sorted(_index(m) for m in months)
        if not points:
            continue
        first, last = points[0], points[-1] + 1
        if points != list(range(first, last)):
            raise ValueError("each known count must cover a run of consecutive months")
        edges.append((first, last, count))
        if count == 0:
            edges += [(p, p + 1, 0) for p in range(first, last)]
    neighbours: dict[int, list[tuple[int, int]]] = {}
    for a, b, w in edges:
        neighbours.setdefault(a, []).append((b, w))
        neighbours.setdefault(b, []).append((a, -w))
    total: dict[int, int] = {}
    components: list[list[int]] = []
    for start in neighbours:
        if start in total:
            continue
        total[start], members, stack = 0, [start], [start]
        while stack:
            point = stack.pop()
            for other, w in neighbours[point]:
                if other not in total:
                    total[other] = total[point] + w
                    members.append(other)
                    stack.append(other)
        components.append(sorted(members))
    if any(abs(total[b] - total[a] - w) in SMALL for a, b, w in edges):
        return True  # two publications of the same months a few answers apart
    return _small_union(total, components)


def _small_union(total: dict[int, int], components: list[list[int]]) -> bool:
    """Whether some union of runs of months whose count is determined has a count of 1-4.

    A union of runs ``[x1, y1) + [x2, y2) + ...`` is ``sum(P(y) - P(x))``; a reader can compute
    it exactly when, in every linked group of points, as many run ends as run starts are
    used (the unknown running total of each group then cancels). A walk over the points in
    order keeps, per state (inside a run or not, starts minus ends per group), the counts the
    chosen runs add up to so far.
    """
    group = {p: g for g, members in enumerate(components) for p in members}
    width = len(components)
    states: dict[tuple[bool, tuple[int, ...]], set[int]] = {(False, (0,) * width): {0}}
    for point in sorted(total):
        g = group[point]
        grown: dict[tuple[bool, tuple[int, ...]], set[int]] = {
            key: set(values) for key, values in states.items()
        }
        for (inside, balance), values in states.items():
            step = 1 if inside else -1  # close a run here (its end) or open one (its start)
            changed = balance[:g] + (balance[g] + step,) + balance[g + 1 :]
            target = grown.setdefault((not inside, changed), set())
            target.update(v + step * total[point] for v in values)
        states = grown
        if sum(len(v) for v in states.values()) > STATE_LIMIT:
            return True  # too many ways to look: hide the cell rather than guess
    return any(v in SMALL for v in states.get((False, (0,) * width), set()))


STATE_LIMIT = 200_000
