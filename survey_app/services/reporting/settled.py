"""Settled months' sums, kept in memory: what makes a Kementerian page cheap (issue 20.4).

A dashboard's trend and its previous period sum the rollup of every layanan below the unit over
13 months or more: at 500 units and a million submissions about 200,000 rollup rows per page.
A month that has ended rarely changes again, and when it does the change goes through
:func:`survey_app.services.collection.rollup.write` (or ``rebuild``), which gives that month a
new random version in ``rekap_versi`` in the same transaction. So the sums of a settled month
over one set of layanan are kept here, per database engine, with the version read *before*
the sums: a change committed in between carries a newer version, so what was kept under the
older one is never used. A layanan moved, added or removed changes the set, hence the key.

Months are kept only when they ended in UTC (:func:`settled_before`), seven hours after they
ended in WIB, the westernmost zone a unit can have: a form answer never falls in them, so no
form POST writes a version; the running month is read each time (one month of the rollup).
Each worker process keeps its own, at most :data:`KEPT_MONTHS` entries, the oldest used
dropped first; nothing is written to the database by a read (a reports replica works).
"""

from __future__ import annotations

import hashlib
import threading
import weakref
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.engine import Engine

from survey_app.models import RekapVersi
from survey_app.services import DbSession
from survey_app.services.reporting.aggregates import Grouping, Tallies, tallies

KEPT_MONTHS = 4096  # entries per engine: a subtree's month is about 20 rows (per unit: 20 each)
Rows = tuple[
    tuple[tuple[int, str, int], ...],
    tuple[tuple[int, str, str, int], ...],
    tuple[tuple[int, str, str, int, int], ...],
]
Key = tuple[str, str]  # (the layanan set's digest, month)


class _Kept:
    """One engine's settled months: key -> (version, rows), least recently used first."""

    def __init__(self) -> None:
        self.rows: OrderedDict[Key, tuple[int, Rows]] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: Key, versi: int) -> Rows | None:
        with self.lock:
            found = self.rows.get(key)
            if found is None or found[0] != versi:
                return None
            self.rows.move_to_end(key)
            return found[1]

    def put(self, key: Key, versi: int, rows: Rows) -> None:
        with self.lock:
            self.rows[key] = (versi, rows)
            self.rows.move_to_end(key)
            while len(self.rows) > KEPT_MONTHS:
                self.rows.popitem(last=False)


_KEPT: weakref.WeakKeyDictionary[Engine, _Kept] = weakref.WeakKeyDictionary()
_KEPT_LOCK = threading.Lock()


def _kept(engine: Engine) -> _Kept:
    with _KEPT_LOCK:
        found = _KEPT.get(engine)
        if found is None:
            found = _KEPT[engine] = _Kept()
        return found


def forget() -> None:
    """Drop every kept month of this process (a worker starting afresh; benchmarks)."""
    with _KEPT_LOCK:
        _KEPT.clear()


def settled_before() -> str:
    """``YYYY-MM``, the month of now in UTC: the months before it are kept. Every change to
    them renews their version: a change to a month before the WIB month does
    (:func:`survey_app.services.collection.rollup.answering_month`), and the UTC month begins
    seven hours after the WIB one, a margin for clocks that differ between servers."""
    return datetime.now(UTC).strftime("%Y-%m")


def month_tallies(
    session: DbSession,
    layanan_ids: Sequence[int],
    months: Sequence[str],
    unit_of: Mapping[int, int] | None = None,
) -> Tallies:
    """Exactly ``tallies(session, layanan_ids, months, by="semua")`` (the subtree's tallies
    summed per month, key 0), or with ``unit_of`` (layanan id -> its unit's id, as the caller
    read them) ``by="unit"``, with each settled month's sums read once per process and version
    and kept (module docstring). The months not kept (the running one, or changed) are read in
    one query. A layanan moved to another unit is another key."""
    by: Grouping = "semua" if unit_of is None else "unit"
    limit = settled_before()
    settled = sorted({m for m in months if m < limit})
    if not settled:
        return tallies(session, layanan_ids, months, by=by)
    kept = _kept(session.get_bind().engine)
    members = sorted(set(layanan_ids))
    named = [str(x) if unit_of is None else f"{x}:{unit_of[x]}" for x in members]
    digest = hashlib.blake2b(f"{by}|{','.join(named)}".encode(), digest_size=16)
    key = digest.hexdigest()
    versions = dict.fromkeys(settled, 0)  # no row: never changed after it ended
    for period, versi in session.execute(
        select(RekapVersi.period, RekapVersi.versi).where(RekapVersi.period.in_(settled))
    ):
        versions[period] = versi
    found: dict[str, Rows] = {}
    for month in settled:
        rows = kept.get((key, month), versions[month])
        if rows is not None:
            found[month] = rows
    wanted = [m for m in months if m not in found]
    if wanted:
        read = tallies(session, layanan_ids, wanted, by=by)
        for month in settled:
            if month not in found:
                found[month] = rows = _rows(read.where(months=[month]))
                kept.put((key, month), versions[month], rows)
        rest = read.where(months=[m for m in wanted if m >= limit])
    else:
        rest = Tallies([], [], [])
    out = Tallies(list(rest.submissions), list(rest.respondents), list(rest.items))
    for rows in found.values():
        out.submissions.extend(rows[0])
        out.respondents.extend(rows[1])
        out.items.extend(rows[2])
    return out


def _rows(part: Tallies) -> Rows:
    return tuple(part.submissions), tuple(part.respondents), tuple(part.items)
