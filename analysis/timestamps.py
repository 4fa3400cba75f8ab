"""Timestamps as spreadsheets write them (INTERCHANGE.md, ``waktu``), read to UTC.

``dmy`` and ``mdy`` read ``31/01/2026 23:30`` (``/``, ``-`` or ``.`` between the parts, seconds
optional, a date alone at midnight); ``gforms`` reads Google Forms stamps such as
``2026/01/31 11:30:00 PM GMT+7`` (the offset is part of the value) and ``1/31/2026 23:30:00`` (no
offset: read in the unit's zone); any other value with ``%`` is a strptime pattern. Values that
do not fit come back as NaT, for the caller to report by row.
"""

from __future__ import annotations

import warnings
from datetime import datetime

import numpy as np
import pandas as pd

_CLOCK = (
    r"(?:[ T]+(?P<H>\d{1,2})[:.](?P<M>\d{2})(?:[:.](?P<S>\d{2}))?(?:\s*(?P<ampm>[AaPp][Mm]))?)?"
)
_OFFSET = r"(?:\s*(?:GMT|UTC)?\s*(?P<oh>[+-]\d{1,2})(?::?(?P<om>\d{2}))?)?"
_DAY_FIRST = rf"^\s*(?P<d>\d{{1,2}})[/.-](?P<m>\d{{1,2}})[/.-](?P<y>\d{{4}}){_CLOCK}\s*$"
_MONTH_FIRST = rf"^\s*(?P<m>\d{{1,2}})[/.-](?P<d>\d{{1,2}})[/.-](?P<y>\d{{4}}){_CLOCK}{_OFFSET}\s*$"
_YEAR_FIRST = rf"^\s*(?P<y>\d{{4}})[/.-](?P<m>\d{{1,2}})[/.-](?P<d>\d{{1,2}}){_CLOCK}{_OFFSET}\s*$"


ISO_START = r"^\s*[0-9]{4}-[0-9]{2}-[0-9]{2}"
_ISO_OFFSET = r"(?:[Zz]|[+-]\d{2}(?::?\d{2})?)$"


def iso_stamps(raw: pd.Series, tz: str) -> pd.Series:
    """ISO 8601 stamps as UTC: with an offset exact, without one read in ``tz``; else NaT.

    Files written by one program write every stamp alike (``2026-03-14T09:05:00+07:00``):
    those are read by :func:`fixed_width_stamps` at numpy speed (pandas takes 3.5 s for a
    million stamps with offsets). Anything else goes through pandas: one vectorised parse
    when every stamp has the same offset (or none has one), two groups for mixed offsets.
    """
    fast = fixed_width_stamps(raw, tz)
    if fast is not None:
        return fast
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)  # mixed zones: handled below
        parsed = pd.to_datetime(raw, format="ISO8601", errors="coerce")
    if isinstance(parsed.dtype, pd.DatetimeTZDtype):  # every stamp has the same offset
        return parsed.dt.tz_convert("UTC")
    if pd.api.types.is_datetime64_dtype(parsed):  # no stamp has an offset
        return parsed.dt.tz_localize(tz).dt.tz_convert("UTC")
    has_offset = raw.str.contains(_ISO_OFFSET, regex=True, na=False)
    aware = pd.to_datetime(raw.where(has_offset), format="ISO8601", utc=True, errors="coerce")
    naive = pd.to_datetime(raw.where(~has_offset), format="ISO8601", errors="coerce")
    local = naive.dt.tz_localize(tz).dt.tz_convert("UTC")
    return aware.where(has_offset, local)


_DIGITS = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18]  # YYYY-MM-DDTHH:MM:SS


def fixed_width_stamps(raw: pd.Series, tz: str) -> pd.Series | None:
    """Every stamp ``YYYY-MM-DDTHH:MM:SS`` (or with a space), all with an offset ``+HH:MM``, all
    with ``Z``, or all with none, as UTC; None when the column is not all of one such shape
    (or holds a blank or an impossible date), for the general parser to read and report.
    """
    values = raw.to_numpy()
    if not len(values) or pd.isna(values).any():
        return None
    try:
        text = values.astype("S26")  # ASCII only; a longer value keeps 26 bytes and fails below
    except (UnicodeEncodeError, ValueError, TypeError):
        return None
    width = int(np.char.str_len(text[:1])[0])
    if width not in (19, 20, 25) or (np.char.str_len(text) != width).any():
        return None
    grid = text.view(np.uint8).reshape(len(text), 26)
    shape_ok = (
        (grid[:, 4] == ord("-"))
        & (grid[:, 7] == ord("-"))
        & np.isin(grid[:, 10], (ord("T"), ord(" ")))
        & (grid[:, 13] == ord(":"))
        & (grid[:, 16] == ord(":"))
    )
    digits = grid[:, _DIGITS]
    if not shape_ok.all() or ((digits < ord("0")) | (digits > ord("9"))).any():
        return None
    local_text = np.ascontiguousarray(grid[:, :19]).view("S19").ravel()
    local_text = (
        np.char.replace(local_text, b" ", b"T") if (grid[:, 10] == ord(" ")).any() else local_text
    )
    try:
        local = local_text.astype("datetime64[s]")
    except ValueError:  # 2026-02-30 and the like: the general parser names the row
        return None
    if width == 19:
        naive = pd.Series(local.astype("datetime64[ns]"), index=raw.index)
        return naive.dt.tz_localize(tz, ambiguous="NaT", nonexistent="NaT").dt.tz_convert("UTC")
    if width == 20:
        if not (grid[:, 19] == ord("Z")).all():
            return None
        minutes = np.zeros(len(text), dtype=np.int64)
    else:
        sign = grid[:, 19]
        offset = grid[:, [20, 21, 23, 24]].astype(np.int64) - ord("0")
        if not np.isin(sign, (ord("+"), ord("-"))).all() or not (grid[:, 22] == ord(":")).all():
            return None
        if (offset < 0).any() or (offset > 9).any():
            return None
        minutes = (offset[:, 0] * 10 + offset[:, 1]) * 60 + offset[:, 2] * 10 + offset[:, 3]
        minutes = np.where(sign == ord("-"), -minutes, minutes)
    utc = local - minutes.astype("timedelta64[m]")
    return pd.Series(utc.astype("datetime64[ns]"), index=raw.index).dt.tz_localize("UTC")


def parse_stamps(raw: pd.Series, waktu: str, tz: str) -> pd.Series:
    """``raw`` text stamps written as ``waktu`` (dmy, mdy, gforms, or a pattern) as UTC times.

    Stamps without an offset are read in ``tz`` (an IANA name). Unreadable values are NaT.
    """
    if waktu == "dmy":
        return _from_parts(raw.str.extract(_DAY_FIRST), tz)
    if waktu == "mdy":
        return _from_parts(raw.str.extract(_MONTH_FIRST.replace(_OFFSET, "")), tz)
    if waktu == "gforms":
        year_first = raw.str.extract(_YEAR_FIRST)
        month_first = raw.str.extract(_MONTH_FIRST)
        return _from_parts(year_first.where(year_first["y"].notna(), month_first), tz)
    if "%" in waktu:
        return _pattern(raw, waktu, tz)
    raise ValueError(f"waktu {waktu!r} is not iso, dmy, mdy, gforms or a pattern with %")


def _from_parts(parts: pd.DataFrame, tz: str) -> pd.Series:
    hour = pd.to_numeric(parts["H"], errors="coerce").fillna(0)
    minute = pd.to_numeric(parts["M"], errors="coerce").fillna(0)
    second = pd.to_numeric(parts["S"], errors="coerce").fillna(0)
    ampm = parts["ampm"].str.upper() if "ampm" in parts else pd.Series(np.nan, index=parts.index)
    twelve = ampm.notna()
    # 24:30 or 12:75 is no time of day: refused, never rolled over into the next hour or day
    bad_clock = (hour > 23) | (minute > 59) | (second > 59) | (twelve & ((hour < 1) | (hour > 12)))
    hour = hour.where(~twelve, (hour % 12) + (ampm == "PM") * 12)
    local = pd.to_datetime(
        pd.DataFrame(
            {
                "year": pd.to_numeric(parts["y"], errors="coerce"),
                "month": pd.to_numeric(parts["m"], errors="coerce"),
                "day": pd.to_numeric(parts["d"], errors="coerce"),
                "hour": hour,
                "minute": minute,
                "second": second,
            }
        ),
        errors="coerce",
    )
    local = local.where(~bad_clock)
    offset_hours = pd.to_numeric(parts.get("oh"), errors="coerce") if "oh" in parts else None
    naive_utc = local.dt.tz_localize(tz, ambiguous="NaT", nonexistent="NaT").dt.tz_convert("UTC")
    if offset_hours is None or offset_hours.isna().all():
        return naive_utc
    minutes = pd.to_numeric(parts["om"], errors="coerce").fillna(0) * np.sign(offset_hours)
    shift = pd.to_timedelta(offset_hours * 60 + minutes, unit="m")
    aware = (local - shift).dt.tz_localize("UTC")
    return aware.where(offset_hours.notna(), naive_utc)


def _pattern(raw: pd.Series, pattern: str, tz: str) -> pd.Series:
    def one(value: object) -> pd.Timestamp:
        if not isinstance(value, str):
            return pd.NaT
        try:
            parsed = datetime.strptime(value.strip(), pattern)
        except ValueError:
            return pd.NaT
        stamp = pd.Timestamp(parsed)
        return stamp.tz_convert("UTC") if stamp.tzinfo else stamp.tz_localize(tz).tz_convert("UTC")

    return pd.to_datetime(raw.map(one), utc=True)
