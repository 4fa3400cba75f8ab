"""Stamps read shape by shape from their bytes give exactly what Python's regular expressions
give (issue 20): :func:`analysis.timestamps.parse_stamps` is the reference, the pyarrow (RE2)
reader the path taken before; anything unusual is left to them."""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis import stampbytes
from analysis import timestamps as ts
from analysis.stampbytes import civil_seconds

PATTERNS = {
    "dmy": [ts._DAY_FIRST],
    "mdy": [ts._MONTH_FIRST.replace(ts._OFFSET, "")],
    "gforms": [ts._YEAR_FIRST, ts._MONTH_FIRST],
}
ZONES = ["Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura", "UTC", "Europe/Berlin"]


def readings(stamps: list[str], waktu: str, tz: str) -> tuple[pd.Series | None, ...]:
    """The shape reader, the RE2 reader and Python's, on the same stamps."""
    column = pa.array(stamps, pa.string())
    index = pd.RangeIndex(1, len(stamps) + 1)
    shaped = ts._shaped_stamps(column, PATTERNS[waktu], tz, index)
    parts = ts._arrow_parts(column, PATTERNS[waktu])
    re2 = None if parts is None else ts._from_parts(parts, tz, index)
    python = ts.parse_stamps(pd.Series(stamps, index=index, dtype=object), waktu, tz)
    return shaped, re2, python


def same(stamps: list[str], waktu: str, tz: str) -> pd.Series:
    shaped, re2, python = readings(stamps, waktu, tz)
    assert shaped is not None, stamps[:5]
    pd.testing.assert_series_equal(shaped, python)
    assert re2 is not None
    pd.testing.assert_series_equal(shaped, re2)
    return shaped


MOMENTS = st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2099, 12, 31))


def written(moment: datetime, form: str) -> str:
    twelve = moment.hour % 12 or 12
    return form.format(
        y=moment.year,
        m=moment.month,
        d=moment.day,
        H=moment.hour,
        I=twelve,
        M=moment.minute,
        S=moment.second,
        p="AM" if moment.hour < 12 else "PM",
    )


@settings(max_examples=80, deadline=None)
@given(
    moments=st.lists(MOMENTS.map(lambda m: m.replace(microsecond=0)), min_size=1, max_size=60),
    day=st.sampled_from(["{d:02d}", "{d}"]),
    month=st.sampled_from(["{m:02d}", "{m}"]),
    hour=st.sampled_from(["{H:02d}", "{H}"]),
    between=st.sampled_from(["/", ".", "-"]),
    seconds=st.booleans(),
    tz=st.sampled_from(ZONES),
)
def test_day_and_month_first_stamps(moments, day, month, hour, between, seconds, tz):
    clock = hour + ":{M:02d}" + (":{S:02d}" if seconds else "")
    dmy = f"{day}{between}{month}{between}{{y}} {clock}"
    same([written(m, dmy) for m in moments], "dmy", tz)
    mdy = f"{month}{between}{day}{between}{{y}} {clock}"
    same([written(m, mdy) for m in moments], "mdy", tz)


@settings(max_examples=80, deadline=None)
@given(
    moments=st.lists(MOMENTS.map(lambda m: m.replace(microsecond=0)), min_size=1, max_size=60),
    gmt=st.sampled_from(["GMT+7", "GMT+8", "GMT+9", "GMT-3", "GMT+5:45", "GMT+0", "GMT-0:30"]),
    hour=st.sampled_from(["{I:02d}", "{I}"]),
    marks=st.sampled_from(["{p}", "{p.lower}", "{p.title}"]),
    without=st.integers(0, 3),
    tz=st.sampled_from(ZONES),
)
def test_google_forms_stamps(moments, gmt, hour, marks, without, tz):
    form = f"{{y}}/{{m:02d}}/{{d:02d}} {hour}:{{M:02d}}:{{S:02d}} {{p}} {gmt}"
    stamps = [written(m, form) for m in moments]
    if marks != "{p}":  # am, Pm: the mark is read in any case
        case = str.lower if marks == "{p.lower}" else str.title
        stamps = [
            s.replace(" AM", " " + case("AM")).replace(" PM", " " + case("PM")) for s in stamps
        ]
    for n in range(0, len(stamps), without + 2 if without else len(stamps) + 1):
        stamps[n] = written(moments[n], "{m}/{d}/{y} {H:02d}:{M:02d}:{S:02d}")  # no offset
    same(stamps, "gforms", tz)


def test_a_million_stamps_of_two_shapes():
    rng = np.random.default_rng(3)
    start = np.datetime64("2026-01-01T00:00:00")
    local = pd.Series(start + rng.integers(0, 365 * 86400, 200_000).astype("timedelta64[s]"))
    stamps = (local.dt.strftime("%Y/%m/%d %I:%M:%S %p") + " GMT+7").tolist()
    read = same(stamps, "gforms", "Asia/Jakarta")
    expected = (local - pd.Timedelta(hours=7)).dt.tz_localize("UTC")
    pd.testing.assert_series_equal(read, expected.set_axis(read.index))


@pytest.mark.parametrize(
    ("stamps", "waktu"),
    [
        (["31/02/2026 10:00", "01/01/2026 10:00"], "dmy"),  # no such day
        (["29/02/2025 10:00"], "dmy"),
        (["15/13/2026 10:00"], "dmy"),  # no such month
        (["15/01/2026 24:00"], "dmy"),  # no such hour
        (["2026/01/15 13:00:00 PM GMT+7"], "gforms"),  # 13 PM
        (["2026/01/15 00:10:00 AM GMT+7"], "gforms"),  # 0 AM
        (["15/01/1699 10:00"], "dmy"),  # a year left to the general reader
        (["15/01/2026 10:00", "15.01.2026 kemarin"], "dmy"),  # a stamp no pattern reads
        (["15/01/2026\u00a010:00"], "dmy"),  # not ASCII: Python's \s, not RE2's
        (["29/03/2026 02:30"], "dmy"),  # a time Berlin skips (tz below)
    ],
)
def test_anything_unusual_is_left_to_the_other_readers(stamps, waktu):
    shaped, re2, python = readings(stamps, waktu, "Europe/Berlin")
    assert shaped is None
    if re2 is not None:  # where RE2 reads them, as Python does
        pd.testing.assert_series_equal(re2, python)


def test_more_shapes_than_the_limit_are_left_to_the_other_readers(monkeypatch):
    monkeypatch.setattr(stampbytes, "MAX_SHAPES", 3)
    moment = datetime(2026, 3, 5, 9, 5)  # days 5-7: a one-digit day, padded or not
    forms = ["{d}/{m}/{y} {H}:{M:02d}", "{d:02d}/{m}/{y} {H}:{M:02d}", "{d}.{m}.{y} {H}:{M:02d}"]
    stamps = [written(moment + timedelta(days=n), form) for n in range(3) for form in forms]
    assert readings(stamps, "dmy", "UTC")[0] is not None  # three shapes: read
    stamps.append(written(moment, "{d}-{m}-{y} {H}:{M:02d}"))
    shaped, re2, python = readings(stamps, "dmy", "UTC")
    assert shaped is None
    pd.testing.assert_series_equal(re2, python)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.datetimes(datetime(1700, 1, 1), datetime(2199, 12, 31)), min_size=1))
def test_civil_seconds_are_numpys_calendar(moments):
    fields = [
        np.array([getattr(m, name) for m in moments], dtype=np.int64)
        for name in ("year", "month", "day", "hour", "minute", "second")
    ]
    expected = np.array([m.replace(microsecond=0) for m in moments], dtype="datetime64[s]")
    assert (civil_seconds(*fields) == expected.astype(np.int64)).all()


@pytest.mark.parametrize(
    "date",
    [(2025, 2, 29), (1900, 2, 29), (2026, 4, 31), (2026, 0, 1), (2026, 13, 1), (2026, 1, 0),
     (1699, 12, 31), (2200, 1, 1)],
)  # fmt: skip
def test_civil_seconds_refuse_what_is_no_date_or_out_of_range(date):
    fields = [np.array([v], dtype=np.int64) for v in (*date, 0, 0, 0)]
    assert civil_seconds(*fields) is None
    leap = [np.array([v], dtype=np.int64) for v in (2000, 2, 29, 23, 59, 59)]
    assert civil_seconds(*leap)[0] == np.datetime64("2000-02-29T23:59:59").astype(np.int64)


@pytest.mark.parametrize("chunk", [1, 3, 7, 1 << 16])
def test_blocks_of_any_size_read_alike(monkeypatch, chunk):
    # shapes met first in a later block, blocks of one shape, of several, of one stamp
    monkeypatch.setattr(stampbytes, "CHUNK", chunk)
    moment = datetime(2026, 3, 5, 9, 5, 7)
    forms = [
        "{y}/{m:02d}/{d:02d} {I:02d}:{M:02d}:{S:02d} {p} GMT+7",
        "{y}/{m:02d}/{d:02d} {I}:{M:02d}:{S:02d} {p} GMT+8",
        "{m}/{d}/{y} {H:02d}:{M:02d}:{S:02d}",
    ]
    stamps = [written(moment + timedelta(hours=7 * n), forms[(n // 5) % 3]) for n in range(40)]
    same(stamps, "gforms", "Asia/Makassar")
