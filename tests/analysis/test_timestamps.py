"""The fixed-width stamp reader gives exactly what pandas' ISO 8601 parser gives (issue 20)."""

from __future__ import annotations

import warnings
from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.timestamps import fixed_width_stamps, iso_stamps


def general(raw: pd.Series, tz: str) -> pd.Series:
    """pandas' own reading, the reference (what iso_stamps did before the fast path)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        parsed = pd.to_datetime(raw, format="ISO8601", utc=False)
    if isinstance(parsed.dtype, pd.DatetimeTZDtype):
        return parsed.dt.tz_convert("UTC")
    return parsed.dt.tz_localize(tz).dt.tz_convert("UTC")


OFFSETS = st.sampled_from(["", "Z", "+07:00", "+08:00", "+09:00", "-03:30", "+05:45", "+00:00"])
MOMENTS = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2099, 12, 31))


@settings(max_examples=60, deadline=None)
@given(moments=st.lists(MOMENTS, min_size=1, max_size=40), offset=OFFSETS, space=st.booleans())
def test_the_fast_reader_equals_pandas(moments, offset, space):
    text = [
        m.strftime("%Y-%m-%d %H:%M:%S" if space else "%Y-%m-%dT%H:%M:%S") + offset for m in moments
    ]
    raw = pd.Series(text, index=range(1, len(text) + 1))
    fast = fixed_width_stamps(raw, "Asia/Makassar")
    assert fast is not None
    pd.testing.assert_series_equal(fast, general(raw, "Asia/Makassar"), check_names=False)


@pytest.mark.parametrize(
    "values",
    [
        ["2026-01-05T08:00:00+07:00", "2026-01-05T08:00:00+08:00", "2026-01-05T08:00:00"],  # mixed
        ["2026-02-30T08:00:00+07:00"],  # no such day
        ["2026-01-05T25:00:00"],  # no such hour
        ["2026-01-05T08:00:00.5+07:00"],  # fractions: another width
        ["٢٠٢٦-01-05T08:00:00"],  # other digits
        ["2026-01-05T08:00:00+07:00", None],  # a blank
        ["2026/01/05 08:00:00"],
    ],
)
def test_anything_else_goes_to_the_general_reader_with_the_same_result(values):
    raw = pd.Series(values, index=range(1, len(values) + 1), dtype=object)
    assert fixed_width_stamps(raw, "Asia/Jakarta") is None
    iso_stamps(raw, "Asia/Jakarta")  # reads or marks NaT; never raises


def test_many_stamps_with_offsets_are_read_by_the_fast_reader():
    start = np.datetime64("2026-01-01T00:00:00")
    seconds = np.random.default_rng(1).integers(0, 365 * 24 * 3600, 200_000)
    text = np.datetime_as_string(start + seconds.astype("timedelta64[s]"), unit="s")
    raw = pd.Series(np.char.add(text.astype(str), "+08:00").astype(object))
    moment = datetime(2026, 3, 1, tzinfo=UTC)
    assert (fixed_width_stamps(raw, "Asia/Jakarta") >= moment - timedelta(days=365)).all()


@settings(max_examples=60, deadline=None)
@given(moments=st.lists(MOMENTS, min_size=1, max_size=30), offset=st.integers(-12, 14))
def test_google_forms_and_day_first_stamps_read_as_python_reads_them(moments, offset):
    from zoneinfo import ZoneInfo

    from analysis.timestamps import parse_stamps

    moments = [m.replace(microsecond=0) for m in moments]
    gmt = f"GMT{offset:+d}"
    google = pd.Series([f"{m:%Y/%m/%d} {m:%I:%M:%S %p} {gmt}" for m in moments])
    expected = [m - timedelta(hours=offset) for m in moments]
    got = parse_stamps(google, "gforms", "Asia/Jakarta")
    assert [s.to_pydatetime().replace(tzinfo=None) for s in got] == expected
    day_first = pd.Series([f"{m.day}/{m.month:02d}/{m.year} {m:%H:%M:%S}" for m in moments])
    jakarta = ZoneInfo("Asia/Jakarta")
    expected = [m.replace(tzinfo=jakarta).astimezone(UTC).replace(tzinfo=None) for m in moments]
    got = parse_stamps(day_first, "dmy", "Asia/Jakarta")
    assert [s.to_pydatetime().replace(tzinfo=None) for s in got] == expected


@pytest.mark.parametrize(
    "stamp", ["31/02/2026 10:00", "29/02/2026 10:00", "15/13/2026 10:00", "٣١/01/2026 10:00"]
)
def test_a_day_past_its_month_or_other_digits_is_not_a_date(stamp):
    from analysis.timestamps import parse_stamps

    assert parse_stamps(pd.Series([stamp]), "dmy", "Asia/Jakarta").isna().all()


@pytest.mark.parametrize(
    "others",
    [
        ["2026-03-14T09:05:00+08:00"],  # one offset besides
        ["2026-03-14T09:05:00+08:00", "2026-03-14T09:05:00+07:00"],  # mixed offsets
        ["2026-03-14T09:05:00Z"],
    ],
)
def test_a_date_alone_is_midnight_in_the_units_zone_whatever_the_other_stamps(others):
    # INTERCHANGE.md: without an offset a stamp is read in the unit's zone; a date has none
    raw = pd.Series([*others, "2026-03-14"])
    stamps = iso_stamps(raw, "Asia/Makassar")
    assert stamps.iloc[-1] == pd.Timestamp("2026-03-13T16:00:00Z")  # 00:00 WITA
    assert stamps.iloc[0] == general(raw.iloc[:1], "Asia/Makassar").iloc[0]
