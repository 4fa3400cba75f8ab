"""The zisurvey file commands, run as a user runs them (the installed console script)."""

import json
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from survey_app.cli import main
from tests.conftest import FIXTURES

ZISURVEY = shutil.which("zisurvey") or str(Path(sys.executable).parent / "zisurvey")
EXPECTED = json.loads((FIXTURES / "worked_example.expected.json").read_text())


@dataclass
class Done:
    returncode: int
    stdout: str
    stderr: str


def run(*args: str) -> Done:
    """Run a command in-process (fast); ``test_the_installed_script`` runs the real binary."""
    result = CliRunner().invoke(main, list(args))
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return Done(result.exit_code, result.stdout, result.stderr)


def test_the_installed_script_speaks_the_contract(tmp_path):
    done = subprocess.run(
        [ZISURVEY, "score", str(FIXTURES / "worked_example.csv"), "--instrument", "skm", "--json"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert (done.returncode, json.loads(done.stdout)) == (0, EXPECTED["skm"])
    bad = tmp_path / "bad.csv"
    bad.write_text("submitted_at,layanan,U1\n2026-01-05T08:00:00,KUNJ,7\n")
    done = subprocess.run(
        [ZISURVEY, "score", str(bad), "--instrument", "skm"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr.splitlines() == ["row 1, column U1: value 7 is outside 1-4"]


@pytest.mark.parametrize("instrument", ["skm", "ipak", "ipkp"])
def test_score_json_is_the_contract(instrument):
    done = run("score", str(FIXTURES / "worked_example.csv"), "--instrument", instrument, "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == EXPECTED[instrument]


def test_score_table_is_readable_indonesian():
    done = run("score", str(FIXTURES / "worked_example.csv"), "--instrument", "skm", "--stats")
    assert done.returncode == 0, done.stderr
    assert "Nilai IKM: 87,55  Mutu B (Baik)" in done.stdout
    assert "U9    Sarana dan Prasarana" in done.stdout and "3,5172" in done.stdout
    assert "Interval kepercayaan 95% nilai" in done.stdout


@pytest.mark.parametrize("period", ["2026-01", "2026-T1", "2026-S1", "2026"])
def test_score_period_can_be_a_month_triwulan_semester_or_year(period):
    out = json.loads(
        run(
            "score",
            str(FIXTURES / "worked_example.csv"),
            "--instrument",
            "skm",
            "--json",
            "--period",
            period,
        ).stdout
    )
    assert out == EXPECTED["skm"]  # every answer of the fixture is in January 2026


def test_score_refuses_a_period_it_cannot_read():
    done = run(
        "score", str(FIXTURES / "worked_example.csv"), "--instrument", "skm", "--period", "2026-13"
    )
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr.strip().startswith("period '2026-13' must be YYYY-MM")


def test_score_filters_layanan_and_period():
    done = run(
        "score",
        str(FIXTURES / "worked_example.csv"),
        "--instrument",
        "skm",
        "--json",
        "--layanan",
        "KUNJ",
        "--period",
        "2026-01",
    )
    kunj = json.loads(done.stdout)
    assert 0 < kunj["n"] < 30
    empty = json.loads(
        run(
            "score",
            str(FIXTURES / "worked_example.csv"),
            "--instrument",
            "skm",
            "--json",
            "--period",
            "2026-02",
        ).stdout
    )
    assert empty["n"] == 0 and empty["indeks"] is None


@pytest.mark.parametrize(
    ("cell", "message"),
    [
        ("0", "row 1, column U3: value 0 is outside 1-4"),
        ("5", "row 1, column U3: value 5 is outside 1-4"),
        ("2.5", "row 1, column U3: value 2.5 is not a whole number"),
        ("x", "row 1, column U3: value x is not a whole number"),
    ],
)
def test_bad_value_exits_2_with_one_line_and_no_stdout(tmp_path, cell, message):
    path = tmp_path / "bad.csv"
    path.write_text(
        "submitted_at,layanan,U1,U2,U3,U4,U5,U6,U7,U8,U9\n"
        f"2026-01-05T08:00:00,KUNJ,4,4,{cell},4,4,4,4,4,4\n"
    )
    done = run("score", str(path), "--instrument", "skm", "--json")
    assert (done.returncode, done.stdout, done.stderr.splitlines()) == (2, "", [message])


def test_unknown_column_bad_timestamp_and_empty_file(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(
        "submitted_at,layanan,U1,U2,U3,U4,U5,U6,U7,U8,U9,nama\n"
        "kemarin,KUNJ,4,4,4,4,4,4,4,4,4,Budi\n"
    )
    done = run("score", str(path), "--instrument", "skm")
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.splitlines() == [
        "column nama: unknown column (list it with --ignore to skip it)"
    ]
    done = run("score", str(path), "--instrument", "skm", "--ignore", "nama")
    assert done.stderr.splitlines() == [
        "row 1, column submitted_at: value kemarin is not an ISO 8601 timestamp"
    ]
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    done = run("score", str(empty), "--instrument", "skm")
    assert (done.returncode, done.stdout, done.stderr.strip()) == (2, "", "the file is empty")


def test_compliance_contract(tmp_path):
    services = tmp_path / "layanan.csv"
    services.write_text(
        "kode,nama,kebutuhan_utama\nKUNJ,Kunjungan,ya\nTITIP,Penitipan,tidak\n"
        "BANKUM,Bantuan Hukum,tidak\n"
    )
    done = run(
        "compliance",
        str(FIXTURES / "worked_example.csv"),
        "--services",
        str(services),
        "--period",
        "2026-01",
        "--json",
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["period"] == "2026-01" and result["memenuhi"] is False
    rows = {r["kode"]: r for r in result["layanan"]}
    assert rows["BANKUM"] == {
        "kode": "BANKUM",
        "kebutuhan_utama": False,
        "n": 0,
        "minimum": 15,
        "memenuhi": False,
    }
    assert rows["KUNJ"]["n"] + rows["TITIP"]["n"] == 30
    assert rows["KUNJ"]["minimum"] == 30


def test_compliance_refuses_a_layanan_missing_from_the_services_file(tmp_path):
    services = tmp_path / "layanan.csv"
    services.write_text("kode,nama,kebutuhan_utama\nKUNJ,Kunjungan,ya\n")
    done = run(
        "compliance",
        str(FIXTURES / "worked_example.csv"),
        "--services",
        str(services),
        "--period",
        "2026-01",
    )
    assert done.returncode == 2 and done.stdout == ""
    assert "row 1, column layanan: value TITIP is not a known layanan" in done.stderr.splitlines()


LKE = {
    "profile": "permenpanrb-90-2021",
    "pengungkit": {
        "manajemen_perubahan": 6.5,
        "penataan_tatalaksana": 5.6,
        "penataan_sdm": 8.0,
        "akuntabilitas_kinerja": 7.9,
        "penguatan_pengawasan": 10.2,
        "kualitas_pelayanan": 7.0,
    },
    "ipak": 3.92,
    "ipkp": 3.5667,
    "capaian_kinerja": 4.0,
    "tlhp": None,
    "predikat_wbk": False,
}


def test_assess_contract(tmp_path):
    path = tmp_path / "lke.json"
    path.write_text(json.dumps(LKE))
    out = json.loads(run("assess", str(path), "--json").stdout)
    assert (out["profile"], out["pengungkit"], out["total"]) == ("permenpanrb-90-2021", 45.2, 81.95)
    assert out["hasil"]["ipak"] == 17.15 and out["hasil"]["ipkp"] == 15.6
    assert out["wbk"] == {
        "memenuhi": True,
        "gagal": [],
        "indeks_minimum": {"ipak": 3.5989, "ipkp": 3.1989},
    }
    assert {"syarat": "total", "nilai": 81.95, "minimum": 85.0, "selisih": 3.05} in out["wbbm"][
        "gagal"
    ]
    table = run("assess", str(path)).stdout
    assert "WBBM: TIDAK MEMENUHI" in table and "Total: 81,95 < 85,00 (kurang 3,05)" in table


def test_assess_bad_input_and_profile_override(tmp_path):
    path = tmp_path / "lke.json"
    path.write_text(json.dumps(dict(LKE, ipak=5, tlhp=3)))
    done = run("assess", str(path), "--json")
    assert done.returncode == 2 and done.stdout == ""
    assert set(done.stderr.splitlines()) == {"tlhp: not part of profile permenpanrb-90-2021"}
    path.write_text(json.dumps(dict(LKE, ipak=5)))
    assert run("assess", str(path)).stderr.splitlines() == ["ipak: value 5 is outside 1-4"]
    path.write_text(json.dumps(dict(LKE, capaian_kinerja=None, tlhp=4.5)))
    done = run("assess", str(path), "--profile", "kemenkumham-52-2014", "--json")
    assert done.returncode == 2  # 6,5 and 5,6 exceed the old weights of 5
    assert "pengungkit.manajemen_perubahan: value 6.5 is outside 0-5" in done.stderr.splitlines()
    areas = dict(LKE["pengungkit"], manajemen_perubahan=4.5, penataan_tatalaksana=4.6)
    path.write_text(json.dumps(dict(LKE, pengungkit=areas, capaian_kinerja=None, tlhp=4.5)))
    override = json.loads(
        run("assess", str(path), "--profile", "kemenkumham-52-2014", "--json").stdout
    )
    assert override["profile"] == "kemenkumham-52-2014" and override["hasil"]["ipak"] == 14.7


@pytest.mark.parametrize(("population", "n"), [("100", "80"), ("1000000", "384")])
def test_sample_size(population, n):
    assert run("sample-size", population).stdout.strip() == n


def test_sample_size_refuses_zero():
    done = run("sample-size", "0")
    assert done.returncode == 2 and done.stdout == "" and "at least 1" in done.stderr


@pytest.mark.parametrize(
    ("args", "heavy"),
    [
        (["score", "--help"], ("flask", "sqlalchemy", "pandas", "scipy", "weasyprint", "plotly")),
        (["sample-size", "100"], ("flask", "sqlalchemy", "pandas", "scipy", "weasyprint")),
        (
            ["score", str(FIXTURES / "worked_example.csv"), "--instrument", "skm", "--json"],
            ("flask", "sqlalchemy", "scipy", "weasyprint", "plotly", "pyarrow"),
        ),
    ],
)
def test_file_commands_start_without_the_web_stack(args, heavy):
    """Issue 20.2: the file commands import no web stack (and nothing a command does not use:
    pyarrow only for a file the fast reader may take); benchmarks/startup.py times them as
    whole processes."""
    done = entry_process(args, heavy)
    assert done.stdout.splitlines()[-1] == "LOADED []", done.stdout + done.stderr


def entry_process(args: list[str], modules: tuple[str, ...]) -> subprocess.CompletedProcess:
    """``zisurvey *args`` through the console script's entry, printing which ``modules`` it
    loaded on its last line (a module kept out is None in ``sys.modules``)."""
    code = (
        "import sys; from survey_app.entry import main; sys.argv = ['zisurvey', *sys.argv[1:]]\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        f"print('LOADED', [m for m in {list(modules)!r} if sys.modules.get(m) is not None])"
    )
    return subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=120
    )


def test_a_file_the_fast_reader_takes_still_gets_pyarrow(tmp_path):
    """Kept out for small files only: a CSV at the fast reader's size is read by pyarrow in the
    command's own process, and scores as pandas' parser reads it (the worked example's rows
    repeated, so every NRR is the worked example's)."""
    import analysis

    header, *rows = (FIXTURES / "worked_example.csv").read_text(encoding="utf-8").splitlines()
    copies = analysis.FAST_MIN_BYTES // len("\n".join(rows)) + 1
    big = tmp_path / "besar.csv"
    with big.open("w", encoding="utf-8") as out:  # each copy's ids its own: no row twice
        out.write(header + "\n")
        for copy in range(copies):
            out.writelines(f"k{copy}-{row}\n" for row in rows)
    assert big.stat().st_size >= analysis.FAST_MIN_BYTES
    done = entry_process(["score", str(big), "--instrument", "skm", "--json"], ("pyarrow",))
    assert done.stderr == ""
    *output, loaded = done.stdout.splitlines()
    assert loaded == "LOADED ['pyarrow']"
    payload = json.loads("\n".join(output))
    assert payload["n"] == EXPECTED["skm"]["n"] * copies
    assert payload["nilai"] == EXPECTED["skm"]["nilai"]


def test_only_small_files_keep_pyarrow_out(tmp_path):
    import analysis
    from survey_app.entry import small_files_only

    small, large = tmp_path / "kecil.csv", tmp_path / "besar.csv"
    small.write_bytes(b"x" * (analysis.FAST_MIN_BYTES - 1))
    large.write_bytes(b"x" * analysis.FAST_MIN_BYTES)
    assert small_files_only(["--tz", "WIB", str(small), "--json"])
    assert small_files_only(["100"])  # sample-size: no file at all
    assert not small_files_only([str(small), "--mapping", str(large)])
