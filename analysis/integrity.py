"""Signs that a submission may not come from a separate, real respondent.

A flag is a reason for a staff member to look, never a verdict: a service hall's shared wifi
puts many honest respondents behind one address, and a satisfied visitor may well answer "4" to
every question. Nothing here excludes anything; exclusion is a person's recorded decision.

Flags
-----
beruntun
    A burst: ``burst_count`` or more submissions from one source within ``burst_minutes``.
identik
    ``identical_count`` or more identical answer vectors for one layanan within
    ``identical_minutes``.
cepat
    Sent faster than ``seconds_per_item`` per question asked after the form was rendered: each
    answered item column (a sub-question of a unit's variant is a column of its own, ``U3.1/2``)
    and each extra question the version asked (optional column ``tambahan``, a count).
luar_jam
    Sent outside the unit's service hours (local time), allowing ``grace_minutes`` after closing
    for those who answer on their way out.
seragam
    Straight-lining: the same value for every item, on a form of at least ``straight_items``.

``identik`` and ``seragam`` read every column of ``items``: pass the sub-question columns
(``U3.1/2``, ``U3.2/2``) with the plain ones, so a variant's answers are compared whole.
pengarahan
    The respondent answered "Ya" to the variant's extra question "Apakah ada petugas yang
    mengarahkan jawaban Anda?" (issue 22, docs/kuesioner.md §2): optional column ``pengarahan``.

A row whose time has no time of day (``tanpa_jam``: a date typed in a file, stored at midnight)
cannot be placed in a window of minutes or in service hours: ``beruntun``, ``identik`` and
``luar_jam`` pass over it; ``seragam`` still applies.

A row from a kiosk (``kiosk``: a tablet on the counter paired with one layanan) comes from one
source by design, one respondent after another, at least a minimum gap apart: ``beruntun``
passes over it (many answers from that one source are its purpose, not a sign); the other flags
apply as to any row.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

FLAGS = ("beruntun", "identik", "cepat", "luar_jam", "seragam", "pengarahan")


@dataclass(frozen=True)
class Rules:
    """Thresholds of the flags; the defaults are deliberately loose (a flag costs a look)."""

    burst_count: int = 5
    burst_minutes: int = 10
    identical_count: int = 3
    identical_minutes: int = 30
    seconds_per_item: float = 2.0
    grace_minutes: int = 60
    straight_items: int = 9


DEFAULT_RULES = Rules()


def flags(frame: pd.DataFrame, items: Sequence[str], rules: Rules = DEFAULT_RULES) -> pd.DataFrame:
    """One boolean column per flag, indexed like ``frame``.

    Parameters
    ----------
    frame
        One row per submission with ``layanan_id``, ``submitted_at`` (aware UTC), ``sumber``
        (the source hash, or missing), ``durasi`` (seconds, or missing), ``timezone``,
        ``jam_buka`` and ``jam_tutup`` (``datetime.time``), the item columns and, optionally,
        ``tanpa_jam`` (True where the time holds a date only), ``kiosk`` (True where the
        row came from a kiosk, one source by design) and ``pengarahan`` (True where the
        respondent said an officer steered his answers) and ``tambahan`` (the number of
        extra questions, never scored, the form's variant version asked; missing: none).
    items
        The item columns, sub-question columns included; missing values are items the form
        did not carry.
    rules
        The thresholds.
    """
    missing = {"layanan_id", "submitted_at", "sumber", "durasi", "timezone"} - set(frame.columns)
    if missing:
        raise ValueError(f"the submissions lack the columns {', '.join(sorted(missing))}")
    values = frame.reindex(columns=list(items)).to_numpy(dtype="float64")
    answered = (~np.isnan(values)).sum(axis=1)
    seconds = pd.to_datetime(frame["submitted_at"], utc=True).astype("int64") // 10**9
    vector = pd.Series([tuple(row) for row in np.nan_to_num(values)], index=frame.index)
    timed = ~_marked(frame, "tanpa_jam")
    identical = frame["layanan_id"].astype(str) + "|" + vector.astype(str)
    return pd.DataFrame(
        {
            "beruntun": _bursts(
                frame["sumber"].where(timed & ~_marked(frame, "kiosk")),
                seconds,
                rules.burst_count,
                rules.burst_minutes,
            ),
            "identik": _bursts(
                identical.where(timed),
                seconds,
                rules.identical_count,
                rules.identical_minutes,
            ),
            "cepat": frame["durasi"].to_numpy(dtype="float64")
            < rules.seconds_per_item * (answered + _count(frame, "tambahan")),
            "luar_jam": _outside_hours(frame, rules.grace_minutes) & timed.to_numpy(),
            "seragam": (answered >= rules.straight_items)
            & (_filled(values, -np.inf).max(axis=1) == _filled(values, np.inf).min(axis=1)),
            "pengarahan": _marked(frame, "pengarahan").to_numpy(),
        },
        index=frame.index,
    )


def _marked(frame: pd.DataFrame, column: str) -> pd.Series:
    """The optional boolean ``column``, False where it is missing."""
    if column not in frame.columns:
        return pd.Series(False, index=frame.index)
    return frame[column].astype("boolean").fillna(False).astype(bool)


def _count(frame: pd.DataFrame, column: str) -> np.ndarray:
    """The optional count ``column``, 0 where it is missing."""
    if column not in frame.columns:
        return np.zeros(len(frame), dtype="float64")
    return pd.to_numeric(frame[column], errors="coerce").fillna(0).to_numpy(dtype="float64")


def _bursts(key: pd.Series, seconds: pd.Series, count: int, minutes: int) -> np.ndarray:
    """True for every row inside some window of ``minutes`` holding ``count`` rows of its key.

    Per key, sorted by time: the window starting at row i reaches the rows before
    ``searchsorted(t_i + window)``; a window of ``count`` or more marks all its rows.
    """
    flagged = np.zeros(len(key), dtype=bool)
    data = pd.DataFrame({"key": key.to_numpy(), "t": seconds.to_numpy()})
    data = data[data["key"].notna()]
    for _, group in data.groupby("key", sort=False):
        if len(group) < count:
            continue
        group = group.sort_values("t", kind="stable")
        times = group["t"].to_numpy()
        ends = np.searchsorted(times, times + minutes * 60, side="right")
        starts = np.arange(len(times))
        full = ends - starts >= count
        cover = np.zeros(len(times) + 1, dtype=int)
        np.add.at(cover, starts[full], 1)
        np.add.at(cover, ends[full], -1)
        inside = np.cumsum(cover[:-1]) > 0
        flagged[group.index[inside]] = True  # data's labels are the rows' positions
    return flagged


def _outside_hours(frame: pd.DataFrame, grace_minutes: int) -> np.ndarray:
    outside = np.zeros(len(frame), dtype=bool)
    if "jam_buka" not in frame or "jam_tutup" not in frame:
        return outside
    when = pd.to_datetime(frame["submitted_at"], utc=True)
    for zone, rows in frame.groupby("timezone", sort=False).groups.items():
        local = when.loc[rows].dt.tz_convert(str(zone))
        minute = (local.dt.hour * 60 + local.dt.minute).to_numpy()
        opens = frame.loc[rows, "jam_buka"].map(_minutes).to_numpy()
        closes = frame.loc[rows, "jam_tutup"].map(_minutes).to_numpy() + grace_minutes
        outside[frame.index.get_indexer(rows)] = (minute < opens) | (minute >= closes)
    return outside


def _minutes(value: object) -> int:
    return int(value.hour) * 60 + int(value.minute)  # type: ignore[attr-defined]


def _filled(values: np.ndarray, fill: float) -> np.ndarray:
    return np.where(np.isnan(values), fill, values)
