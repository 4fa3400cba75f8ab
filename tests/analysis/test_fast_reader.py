"""The fast reader (pyarrow) gives exactly what the exact reader (pandas) gives (issue 20).

Every file is read twice: once with the fast reader forced on (``FAST_MIN_BYTES = 0``; a real
file takes it from 4 MiB up) and once with it off. The frames must be equal cell for cell and
dtype for dtype, the scores equal, and every message of a bad file the same words. Each test of
a plain file also checks that the fast path was really taken, so it cannot pass by falling back.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import analysis.responses as responses
import analysis.tables as tables
from analysis.mapping import ColumnMapping
from analysis.responses import ResponsesError, read_responses
from analysis.scoring import score, score_groups
from survey_app.filecli import load_mapping
from survey_app.services.catalogue import load_catalogue
from tests.cli.test_commands import run
from tests.conftest import FIXTURES

EXTERNAL = FIXTURES / "external"
WORKED = FIXTURES / "worked_example.csv"
SKM = [f"U{i}" for i in range(1, 10)]


class Paths:
    """Reads a file by each path; counts when the fast reader and pyarrow stamps were used."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.monkeypatch = monkeypatch
        self.fast_reads = 0
        self.arrow_stamps = 0
        fast_csv, arrow_stamps = tables._fast_csv, responses.arrow_stamps

        def counting_csv(*args, **kwargs):
            frame = fast_csv(*args, **kwargs)
            self.fast_reads += frame is not None
            return frame

        def counting_stamps(*args, **kwargs):
            stamps = arrow_stamps(*args, **kwargs)
            self.arrow_stamps += stamps is not None
            return stamps

        monkeypatch.setattr(tables, "_fast_csv", counting_csv)
        monkeypatch.setattr(responses, "arrow_stamps", counting_stamps)

    def read(self, fast: bool, path: Path, **kwargs) -> pd.DataFrame | list[str]:
        self.monkeypatch.setattr(tables, "FAST_MIN_BYTES", 0 if fast else 1 << 62)
        try:
            return read_responses(path, load_catalogue().schema(), **kwargs)
        except ResponsesError as exc:
            return exc.problems

    def both(self, path: Path, **kwargs) -> tuple[pd.DataFrame | list[str], ...]:
        exact = self.read(False, path, **kwargs)
        assert self.fast_reads == 0
        return self.read(True, path, **kwargs), exact

    def same(self, path: Path, *, used: tuple[int, int] = (1, 1), **kwargs) -> pd.DataFrame:
        """Both readings equal; ``used``: whether the fast reader and pyarrow's stamps were."""
        fast, exact = self.both(path, **kwargs)
        assert isinstance(exact, pd.DataFrame), exact
        assert isinstance(fast, pd.DataFrame), fast
        pd.testing.assert_frame_equal(fast, exact, check_exact=True)
        assert (self.fast_reads, self.arrow_stamps) == used
        for items in (SKM, ["layanan", "period"]):
            if items == SKM and all(code in exact.columns for code in SKM):
                assert score(fast, SKM) == score(exact, SKM)
                by = ["layanan", "period"]
                assert score_groups(fast, SKM, by) == score_groups(exact, SKM, by)
        return fast


@pytest.fixture
def paths(monkeypatch):
    return Paths(monkeypatch)


def write(path: Path, header: list[str], rows: list[list[str]], newline: str = "\n") -> Path:
    lines = [",".join(header)] + [",".join(row) for row in rows]
    path.write_bytes((newline.join(lines) + newline).encode())
    return path


def answers(number: int, seed: int = 1) -> list[list[str]]:
    rng = np.random.default_rng(seed)
    values = rng.integers(1, 5, size=(number, 9)).astype(str).astype(object)
    values[rng.random((number, 9)) < 0.05] = ""  # some blanks
    return values.tolist()


def moments(number: int, seed: int = 2) -> list[datetime]:
    rng = np.random.default_rng(seed)
    start = datetime(2025, 12, 31, 12)
    return [start + timedelta(seconds=int(s)) for s in rng.integers(0, 400 * 86400, number)]


LAYANAN = ["KUNJ", "TITIP", "Integ", "PB"]


def responses_file(tmp_path: Path, stamps: list[str], header: str = "submitted_at") -> Path:
    rows = [
        [stamp, LAYANAN[n % 4], *answer]
        for n, (stamp, answer) in enumerate(zip(stamps, answers(len(stamps)), strict=True))
    ]
    return write(tmp_path / "jawaban.csv", [header, "layanan", *SKM], rows)


# -- the fixtures --------------------------------------------------------------------------------


def test_the_worked_example(paths):
    frame = paths.same(WORKED)
    expected = json.loads((FIXTURES / "worked_example.expected.json").read_text())
    assert score(frame, SKM).as_dict("skm") == expected["skm"]


@pytest.mark.parametrize(
    ("name", "options"),
    [
        ("excel_idID_semicolon.csv", {}),
        ("layanan_stray_space.csv", {}),
        ("sheets_dmy_timestamps.csv", {"waktu": "dmy"}),
    ],
)
def test_the_external_files(paths, name, options):
    paths.same(EXTERNAL / name, **options)


def test_the_google_forms_export_is_quoted_so_pandas_reads_it_alike(paths):
    mapping = load_mapping(str(EXTERNAL / "gforms_raw_export.mapping.yaml"))
    paths.same(EXTERNAL / "gforms_raw_export.csv", used=(0, 0), mapping=mapping)


@pytest.mark.parametrize("index", ["3.5322", "3.0642", "2.5998", "3.5323", "3.0641"])
def test_the_mutu_boundary_files(paths, tmp_path, index):
    # n answers whose exact mean is ``index``: nilai on a half cent (88,305 ...) or beside it
    from fractions import Fraction

    n = 10000
    high, low = (4, 3) if Fraction(index) >= 3 else (3, 2)
    highs = int(Fraction(index) * n) - low * n
    values = [str(high)] * highs + [str(low)] * (n - highs)
    stamps = [f"2026-01-{1 + i % 28:02d}T08:00:00+07:00" for i in range(n)]
    rows = [[s, "KUNJ", v] for s, v in zip(stamps, values, strict=True)]
    frame = paths.same(write(tmp_path / "batas.csv", ["submitted_at", "layanan", "U1"], rows))
    assert score(frame, ["U1"]).index == Fraction(index)


# -- the three stamp styles, every zone ------------------------------------------------------------

ZONES = ["WIB", "WITA", "WIT", "Asia/Jakarta", "UTC"]


@pytest.mark.parametrize("tz", ZONES)
@pytest.mark.parametrize("offset", ["", "Z", "+07:00", "+08:00", "+09:00", "-03:30", "+05:45"])
@pytest.mark.parametrize("between", ["T", " "])
def test_iso_stamps(paths, tmp_path, tz, offset, between):
    stamps = [m.strftime(f"%Y-%m-%d{between}%H:%M:%S") + offset for m in moments(300)]
    paths.same(responses_file(tmp_path, stamps), tz=tz)


@pytest.mark.parametrize("tz", ZONES)
@pytest.mark.parametrize(
    "form",
    [
        "{d:02d}/{m:02d}/{y} {H}:{M:02d}:{S:02d}",  # 14/03/2026 9:05:00, a Google sheet in id-ID
        "{d}/{m}/{y} {H:02d}:{M:02d}",
        "{d:02d}.{m:02d}.{y} {H:02d}.{M:02d}",
        "{d:02d}-{m:02d}-{y}",
    ],
)
def test_day_first_stamps(paths, tmp_path, tz, form):
    stamps = [
        form.format(d=t.day, m=t.month, y=t.year, H=t.hour, M=t.minute, S=t.second)
        for t in moments(300)
    ]
    paths.same(responses_file(tmp_path, stamps), tz=tz, waktu="dmy")


def test_month_first_stamps(paths, tmp_path):
    stamps = [f"{t.month}/{t.day}/{t.year} {t:%H:%M:%S}" for t in moments(300)]
    paths.same(responses_file(tmp_path, stamps), tz="WITA", waktu="mdy")


@pytest.mark.parametrize("tz", ZONES)
@pytest.mark.parametrize("gmt", ["GMT+7", "GMT+8", "GMT+9", "GMT-3", "GMT+5:45", "GMT+0"])
def test_google_forms_stamps_through_a_mapping(paths, tmp_path, tz, gmt):
    times = moments(300)
    stamps = [f"{t:%Y/%m/%d} {t.hour % 12 or 12}:{t:%M:%S %p} {gmt}" for t in times]
    stamps[::7] = [f"{t.month}/{t.day}/{t.year} {t:%H:%M:%S}" for t in times[::7]]  # no offset
    stamps[::11] = [s.replace("PM", "pm").replace("AM", "Am") for s in stamps[::11]]
    path = responses_file(tmp_path, stamps, header="Cap waktu")
    mapping = ColumnMapping(kolom={"submitted_at": "Cap waktu"}, waktu="gforms")
    paths.same(path, tz=tz, mapping=mapping)


def test_a_date_alone_among_stamps_with_offsets(paths, tmp_path):
    stamps = [m.strftime("%Y-%m-%dT%H:%M:%S+08:00") for m in moments(50)] + ["2026-03-14"]
    frame = paths.same(responses_file(tmp_path, stamps), tz="WITA", used=(1, 0))
    assert frame["submitted_at"].iloc[-1] == pd.Timestamp("2026-03-13T16:00:00Z")  # 00:00 WITA


# -- files the fast reader leaves to pandas, read alike ---------------------------------------


def plain_rows(number: int = 60) -> list[list[str]]:
    stamps = [m.strftime("%Y-%m-%dT%H:%M:%S+07:00") for m in moments(number)]
    return [[s, "KUNJ", *a] for s, a in zip(stamps, answers(number), strict=True)]


HEADER = ["submitted_at", "layanan", *SKM]


def with_column(text: str, name: str, value: str) -> str:
    """``text`` (a CSV) with one more column ``name``, ``value`` on every row."""
    header, *rows = text.rstrip("\n").split("\n")
    return "\n".join([f"{header},{name}", *(f"{row},{value}" for row in rows)]) + "\n"


@pytest.mark.parametrize(
    ("change", "fast_path"),
    [
        (lambda text: text.replace(",TITIP,", ", TITIP,").replace(",KUNJ,", ", KUNJ,"), False),
        (lambda text: text.replace("\n", "\r\n"), True),
        (lambda text: "\ufeff" + text, True),
        (lambda text: text.replace("\n", "\n\n", 3), True),  # blank lines keep row numbers
        (lambda text: text.replace("\n", "\n,,,,,,,,,,\n", 2), True),  # a row of nothing
        (lambda text: text.replace(",4,", ", 4,"), True),  # a number after a space
        (lambda text: text.replace(",4,", ",4.0,"), True),  # 4.0 where there are blanks
        (lambda text: text.replace(",4,", ",+4,"), True),  # +4: a float to both, with blanks
        (lambda text: with_column(text, "PK1", "4.0"), False),  # no blank: float64 to both
        (lambda text: with_column(text, "PK1", "+4"), False),  # int64 to pandas, not pyarrow
        (lambda text: text.replace("\n", "\r", 2), False),  # a carriage return alone
        (
            lambda text: text.replace("layanan", "layanan,catatan").replace(",KUNJ,", ",KUNJ,x,"),
            False,
        ),  # fmt: skip
    ],
)
def test_cells_spaces_and_lines_as_pandas_reads_them(paths, tmp_path, change, fast_path):
    text = change("\n".join(",".join(row) for row in [HEADER, *plain_rows()]) + "\n")
    path = tmp_path / "jawaban.csv"
    path.write_bytes(text.encode())
    fast, exact = paths.both(path, ignore=["catatan"])
    if isinstance(exact, list):
        assert fast == exact
    else:
        pd.testing.assert_frame_equal(fast, exact, check_exact=True)
    assert bool(paths.fast_reads) == fast_path


# -- bad files: the same words -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("row", "column", "value", "says"),
    [
        (3, 0, "2026-13-01T08:00:00+07:00", "row 3, column submitted_at: value 2026-13-01T08:00"),
        (3, 0, "kemarin", "row 3, column submitted_at: value kemarin is not an ISO 8601"),
        (5, 0, "", "row 5, column submitted_at: a value is required"),
        (4, 2, "x", "row 4, column U1: value x is not a whole number"),
        (4, 2, "3.5", "row 4, column U1: value 3.5 is not a whole number"),
        (4, 2, "5", "row 4, column U1: value 5 is outside 1-4"),
        (4, 2, "0", "row 4, column U1: value 0 is outside 1-4"),
        (4, 1, "", "row 4, column layanan: a value is required"),
    ],
)
def test_a_bad_cell_has_the_same_message(paths, tmp_path, row, column, value, says):
    rows = plain_rows()
    rows[row - 1][column] = value
    fast, exact = paths.both(write(tmp_path / "jawaban.csv", HEADER, rows))
    assert isinstance(exact, list) and fast == exact
    assert any(line.startswith(says) for line in exact), exact


def test_a_bad_google_forms_stamp_has_the_same_message(paths, tmp_path):
    stamps = [f"{t:%Y/%m/%d %I:%M:%S %p} GMT+7" for t in moments(40)]
    stamps[6] = "2026/02/30 10:00:00 AM GMT+7"
    stamps[9] = "13/14/2026 10:00:00"
    path = responses_file(tmp_path, stamps, header="Cap waktu")
    mapping = ColumnMapping(kolom={"submitted_at": "Cap waktu"}, waktu="gforms")
    fast, exact = paths.both(path, mapping=mapping)
    assert isinstance(exact, list) and fast == exact
    assert [line.split(": value")[0] for line in exact] == [
        'row 7, column "Cap waktu" (submitted_at)',
        'row 10, column "Cap waktu" (submitted_at)',
    ]


def test_a_row_with_more_cells_has_the_same_message(paths, tmp_path):
    rows = plain_rows()
    rows[9].append("9")
    fast, exact = paths.both(write(tmp_path / "jawaban.csv", HEADER, rows))
    assert fast == exact == ["row 10: 12 cells where the header has 11 (a ',' inside a value "
                             "that is not quoted?): quote the value"]  # fmt: skip


def test_another_encoding_and_an_empty_file_have_the_same_message(paths, tmp_path):
    rows = plain_rows()
    rows[20][1] = "KUNJé"
    path = tmp_path / "ansi.csv"
    path.write_bytes(("\n".join(",".join(r) for r in [HEADER, *rows]) + "\n").encode("cp1252"))
    fast, exact = paths.both(path)
    assert fast == exact and "the file is not UTF-8 (byte 0xE9" in exact[0]
    empty = tmp_path / "kosong.csv"
    empty.write_bytes(b"\n\n")
    assert paths.both(empty) == (["the file is empty"], ["the file is empty"])


def test_a_nul_byte_is_refused_naming_its_row_and_column(paths, tmp_path):
    rows = plain_rows(2000)  # past the first 64 KiB, where the kind of file is judged
    rows[1500][1] = "KU\x00NJ"
    path = write(tmp_path / "rusak.csv", HEADER, rows)
    fast, exact = paths.both(path)
    assert fast == exact
    [line] = exact
    assert line.startswith("the file is not valid text: row 1501, column layanan holds a NUL")
    done = run("score", str(path), "--instrument", "skm")
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr.splitlines() == [line]


def test_the_score_command_prints_the_same_by_either_path(monkeypatch, tmp_path):
    stamps = [f"{t.day}/{t.month}/{t.year} {t.hour}:{t:%M:%S}" for t in moments(500)]
    path = responses_file(tmp_path, stamps, header="Cap waktu")
    mapping = tmp_path / "peta.yaml"
    mapping.write_text('kolom:\n  submitted_at: "Cap waktu"\nwaktu: dmy\n')
    printed = []
    for threshold in (0, 1 << 62):
        monkeypatch.setattr(tables, "FAST_MIN_BYTES", threshold)
        args = ["--instrument", "skm", "--json", "--mapping", str(mapping), "--tz", "WIT"]
        done = run("score", str(path), *args, "--period", "2026-T1")
        assert done.returncode == 0, done.stderr
        printed.append(done.stdout)
    assert printed[0] == printed[1]
    assert json.loads(printed[0])["n"] > 0


def test_a_space_only_python_knows_sends_the_stamps_to_python(paths, tmp_path):
    # RE2's \s is ASCII whitespace; Python's also the no-break space a sheet may paste
    stamps = [f"{t:%Y/%m/%d %I:%M:%S %p} GMT+7" for t in moments(40)]
    stamps[3] = stamps[3].replace(" GMT", "\u00a0GMT")
    path = responses_file(tmp_path, stamps, header="Cap waktu")
    mapping = ColumnMapping(kolom={"submitted_at": "Cap waktu"}, waktu="gforms")
    paths.same(path, mapping=mapping, used=(1, 0))


def test_a_strptime_pattern_is_read_by_python(paths, tmp_path):
    stamps = [f"{t:%d-%m-%Y %H:%M}" for t in moments(40)]
    paths.same(responses_file(tmp_path, stamps), waktu="%d-%m-%Y %H:%M", tz="WIT", used=(1, 0))


STYLES = {
    "naive": ("submitted_at", "{t:%Y-%m-%dT%H:%M:%S}", None),
    "offset": ("submitted_at", "{t:%Y-%m-%dT%H:%M:%S}+07:00", None),
    "gforms-dmy": ("Cap waktu", "{t:%d/%m/%Y} {t.hour}:{t:%M:%S}", "dmy"),
    "gforms-gmt": ("Cap waktu", "{t:%Y/%m/%d %I:%M:%S %p} GMT+7", "gforms"),
}


@pytest.mark.parametrize("style", sorted(STYLES))
@pytest.mark.parametrize(
    "options",
    [
        ["--instrument", "skm", "--json"],
        ["--instrument", "skm", "--tz", "WIT", "--period", "2026-T1"],
        ["--instrument", "skm", "--json", "--layanan", "integ", "--period", "2026"],
    ],
)
def test_each_stamp_style_prints_the_same_by_either_path(monkeypatch, tmp_path, style, options):
    # the benchmark's four styles (benchmarks/score.py): stamps read from their bytes on the
    # fast path, by pandas and Python's regular expressions on the other, byte for byte alike
    header, form, waktu = STYLES[style]
    path = responses_file(tmp_path, [form.format(t=t) for t in moments(2000)], header=header)
    extra = []
    if waktu:
        mapping = tmp_path / "peta.yaml"
        mapping.write_text(f'kolom:\n  submitted_at: "{header}"\nwaktu: {waktu}\n')
        extra = ["--mapping", str(mapping)]
    printed = []
    for threshold in (0, 1 << 62):
        monkeypatch.setattr(tables, "FAST_MIN_BYTES", threshold)
        done = run("score", str(path), *options, *extra)
        assert done.returncode == 0, done.stderr
        printed.append(done.stdout)
    assert printed[0] == printed[1]
    assert '"n": 0' not in printed[0] and "0 responden" not in printed[0]


@pytest.mark.parametrize(
    ("name", "options"),
    [
        ("worked_example.csv", []),
        ("external/excel_idID_semicolon.csv", []),
        ("external/layanan_stray_space.csv", []),
        ("external/sheets_dmy_timestamps.csv", ["--waktu", "dmy"]),
        (
            "external/gforms_raw_export.csv",
            ["--mapping", "external/gforms_raw_export.mapping.yaml"],
        ),
    ],
)
@pytest.mark.parametrize("instrument", ["skm", "ipak"])
def test_the_fixtures_print_the_same_by_either_path(monkeypatch, name, options, instrument):
    options = [str(FIXTURES / o) if o.endswith(".yaml") else o for o in options]
    printed = []
    for threshold in (0, 1 << 62):
        monkeypatch.setattr(tables, "FAST_MIN_BYTES", threshold)
        for as_json in (["--json"], []):
            done = run(
                "score", str(FIXTURES / name), "--instrument", instrument, *options, *as_json
            )
            printed.append((done.returncode, done.stdout, done.stderr))
    assert printed[:2] == printed[2:]
