"""Timestamps read from their bytes at numpy speed, as :mod:`analysis.timestamps` reads them.

A column of a million stamps written by one program holds a handful of *shapes*: a stamp with
every ASCII digit written as 0 (``2026/03/14 09:05:00 AM GMT+7`` has the shape ``0000/00/00
00:00:00 AM GMT+0``). The patterns of :mod:`analysis.timestamps` treat every ASCII digit alike
(``[0-9]``; no digit is written out in them), so every stamp of a shape matches a pattern as the
first stamp of that shape does, with each group at the same places. Python's ``re`` (what
``Series.str.extract`` runs) is run once per shape, and the numbers are read from the bytes at
those places for every stamp of the shape (issue 20).

Anything unusual (more than :data:`MAX_SHAPES` shapes, a stamp that is not ASCII or no pattern
reads, a day or time that does not exist, a year outside 1700-2199) gives None, for the
callers' general code to decide as it did before.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import numpy as np

MAX_SHAPES = 64  # a file written by one program has a few (AM/PM, a one- or two-digit hour)
MAX_WIDTH = 64
CHUNK = 1 << 16  # rows worked at once: temporaries of a few hundred KB, reused
FIRST_YEAR, LAST_YEAR = 1700, 2199  # well inside datetime64[ns]; other years: the general path
_MONTH_DAYS = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], dtype=np.int64)
_CLOCK = ("y", "m", "d", "H", "M", "S")


def civil_seconds(
    year: np.ndarray,
    month: np.ndarray,
    day: np.ndarray,
    hour: np.ndarray,
    minute: np.ndarray,
    second: np.ndarray,
) -> np.ndarray | None:
    """Seconds since 1970-01-01T00:00:00 of clock readings (int64 arrays, one row a stamp), on
    the proleptic Gregorian calendar numpy and pandas use.

    Returns None unless every row is a real date (month 1-12, day within its month, 29
    February in leap years only) and time of day (00:00:00-23:59:59) of the years 1700-2199.
    The day count is H. Hinnant's ``days_from_civil`` (chrono-Compatible Low-Level Date
    Algorithms), in integers: no calendar conversion per row. Worked in blocks of
    :data:`CHUNK` rows, so the temporaries stay small and are reused.
    """
    seconds = np.empty(len(year), dtype=np.int64)
    for start in range(0, len(year), CHUNK):
        rows = slice(start, start + CHUNK)
        part = _civil(year[rows], month[rows], day[rows], hour[rows], minute[rows], second[rows])
        if part is None:
            return None
        seconds[rows] = part
    return seconds


def _civil(
    year: np.ndarray,
    month: np.ndarray,
    day: np.ndarray,
    hour: np.ndarray,
    minute: np.ndarray,
    second: np.ndarray,
) -> np.ndarray | None:
    fine = (year >= FIRST_YEAR) & (year <= LAST_YEAR) & (month >= 1) & (month <= 12)
    fine &= (day >= 1) & (hour >= 0) & (hour <= 23) & (minute >= 0) & (minute <= 59)
    fine &= (second >= 0) & (second <= 59)
    if not fine.all():
        return None
    leap = ((year % 4 == 0) & (year % 100 != 0)) | (year % 400 == 0)
    if (day > _MONTH_DAYS[month - 1] + (leap & (month == 2))).any():
        return None
    shifted = year - (month <= 2)  # years counted from March: the leap day ends a year
    era = shifted // 400
    of_era = shifted - era * 400
    of_year = (153 * ((month + 9) % 12) + 2) // 5 + day - 1
    days = era * 146097 + of_era * 365 + of_era // 4 - of_era // 100 + of_year - 719468
    return days * 86400 + hour * 3600 + minute * 60 + second


def string_buffers(column: Any) -> tuple[np.ndarray, np.ndarray]:
    """The offsets (int64, one more than the rows) and the bytes of a pyarrow string array,
    without a copy of the bytes."""
    import pyarrow as pa

    _validity, offsets_buffer, data_buffer = column.buffers()
    kind = np.int64 if pa.types.is_large_string(column.type) else np.int32
    offsets = np.frombuffer(offsets_buffer, dtype=kind)[
        column.offset : column.offset + len(column) + 1
    ]
    data = np.frombuffer(data_buffer, dtype=np.uint8) if data_buffer else np.zeros(0, np.uint8)
    return offsets.astype(np.int64), data


def shaped_clock(
    column: Any, patterns: Sequence[str]
) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """The clock readings of a pyarrow string column without blanks, every stamp read as the
    first of ``patterns`` that matches it (``re.search``, as ``Series.str.extract``) reads it.

    Returns
    -------
    tuple or None
        Local seconds since 1970-01-01 (int64, :func:`civil_seconds`, the 12-hour clock
        resolved), whether the stamp gave an offset (bool) and that offset in minutes (int64,
        computed as :func:`analysis.timestamps._from_parts` computes it); None when the stamps
        are not read here (see the module's docstring).

    Notes
    -----
    Worked in blocks of :data:`CHUNK` stamps: each block's bytes padded to one width, its
    shapes compared with those met so far, each shape's stamps read together. Only the three
    results are as long as the column.
    """
    lengths = np.diff(string_buffers(column)[0])
    rows = len(lengths)
    if not rows or lengths.min() < 1 or lengths.max() > MAX_WIDTH:
        return None
    width = -(-int(lengths.max()) // 8) * 8
    compiled = [re.compile(pattern) for pattern in patterns]
    read = {
        "seconds": np.empty(rows, dtype=np.int64),
        "offset": np.zeros(rows, dtype=bool),
        "shift": np.zeros(rows, dtype=np.int64),
    }
    shapes: list[tuple[np.ndarray, int]] = []  # a shape's 8-byte words and its length
    for start in range(0, rows, CHUNK):
        grid = _padded(column.slice(start, CHUNK), width)
        if grid is None:
            return None
        size = lengths[start : start + len(grid)]
        digit = (grid - np.uint8(ord("0"))) < 10  # uint8 wraps: ASCII digits only
        words = np.where(digit, np.uint8(ord("0")), grid).view(np.uint64)
        left = np.ones(len(grid), dtype=bool)
        for number in range(MAX_SHAPES + 1):
            if not left.any():
                break
            if number == len(shapes):  # a shape not met before: the first stamp left's
                if number == MAX_SHAPES:
                    return None
                first = int(np.argmax(left))
                shapes.append((words[first].copy(), int(size[first])))
            shape, length = shapes[number]
            same = left & (size == length)
            for part in range(words.shape[1]):
                same &= words[:, part] == shape[part]
            if same.any():
                places = np.flatnonzero(same)
                if not _read_block(grid[places], length, compiled, read, places + start):
                    return None
                left &= ~same
    return read["seconds"], read["offset"], read["shift"]


def _padded(column: Any, width: int) -> np.ndarray | None:
    """The stamps' bytes as rows of ``width`` bytes, space-padded; None when a stamp holds a
    character of several bytes."""
    import pyarrow.compute as pc

    offsets, data = string_buffers(pc.utf8_rpad(column, width=width, padding=" "))
    rows = len(offsets) - 1
    if offsets[-1] - offsets[0] != rows * width:
        return None
    start = int(offsets[0])
    return data[start : start + rows * width].reshape(rows, width)


def _read_block(
    block: np.ndarray,
    length: int,
    compiled: Sequence[re.Pattern[str]],
    read: dict[str, np.ndarray],
    rows: np.ndarray,
) -> bool:
    """Read the stamps of one shape (``block``: their bytes) into ``read[...][rows]``; False
    when no pattern reads the shape, it is not ASCII, or a stamp is no real time."""
    sample = bytes(block[0, :length])
    if max(sample) >= 128:
        return False
    text = sample.decode("ascii")
    match = next((found for pattern in compiled if (found := pattern.search(text))), None)
    if match is None:
        return False
    spans = {name: match.span(name) for name in match.re.groupindex if match.span(name)[0] >= 0}
    zero = np.zeros(len(block), dtype=np.int64)
    y, m, d, hour, minute, second = (
        _number(block, text, *spans[name]) if name in spans else zero for name in _CLOCK
    )
    if "ampm" in spans:  # 13 PM, 0 AM: no time of day
        if ((hour < 1) | (hour > 12)).any():
            return False
        start, stop = spans["ampm"]
        hour = hour % 12 + (12 if text[start:stop].upper() == "PM" else 0)
    seconds = civil_seconds(y, m, d, hour, minute, second)
    if seconds is None:
        return False
    read["seconds"][rows] = seconds
    if "oh" in spans:
        # _from_parts: hours x 60 + minutes x sign(hours); an hour of 0 has sign 0, so +0:30
        # shifts nothing, as it did there
        hours = _number(block, text, *spans["oh"])
        minutes = _number(block, text, *spans["om"]) if "om" in spans else zero
        read["offset"][rows] = True
        read["shift"][rows] = hours * 60 + minutes * np.sign(hours)
    return True


def _number(block: np.ndarray, text: str, start: int, stop: int) -> np.ndarray:
    """The number written at ``text[start:stop]`` in every row of ``block``: its digits from
    the bytes, a leading ``+`` or ``-`` from the shape (the same on every row)."""
    value: np.ndarray = np.zeros(len(block), dtype=np.int64)
    for position in range(start, stop):
        if text[position].isdigit():
            value = value * 10 + (block[:, position] - np.uint8(ord("0")))
    return -value if text[start] == "-" else value
