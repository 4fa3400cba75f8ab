"""Score 1,000,000 respondents (SKM + anti-corruption) from CSV, grouped by layanan and month.

Two measures, each against ``pandas.read_csv`` of the same file in the same run, interleaved:

* in-process: read + check + score two instruments by layanan and month, with peak memory of
  each in a fresh child process (target under 1 GiB);
* as a user meets it (issue 20): the installed ``zisurvey score FILE --instrument skm`` as a
  whole process, against a process that only imports pandas and reads the file, for three
  timestamp styles: naive ISO, ISO with an offset (as exports write them), and Google Forms
  stamps through a mapping file.

    .venv/bin/python benchmarks/score.py [--rows 1000000] [--rounds 5]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]

SKM = [f"U{i}" for i in range(1, 10)]
IPAK = [f"AK{i}" for i in range(1, 6)]


STYLES = ("naive", "offset", "gforms")


def styled(path: Path, style: str) -> tuple[Path, list[str]]:
    """The file rewritten with ``style`` timestamps, and the extra arguments it needs."""
    if style == "naive":
        return path, []
    frame = pd.read_csv(path, dtype={"submitted_at": str})
    stamps = pd.to_datetime(frame["submitted_at"])
    target = path.with_name(f"{style}.csv")
    if style == "offset":
        frame["submitted_at"] = frame["submitted_at"] + "+07:00"
        frame.to_csv(target, index=False)
        return target, []
    frame["submitted_at"] = stamps.dt.strftime("%Y/%m/%d %I:%M:%S %p GMT+7")
    frame = frame.rename(columns={"submitted_at": "Cap waktu", "layanan": "Jenis layanan"})
    frame.to_csv(target, index=False)
    mapping = path.with_name("gforms.yaml")
    kolom = {"submitted_at": "Cap waktu", "layanan": "Jenis layanan"}
    mapping.write_text(
        "kolom:\n" + "".join(f'  {k}: "{v}"\n' for k, v in kolom.items()) + "waktu: gforms\n"
    )
    return target, ["--mapping", str(mapping)]


def processes(path: Path, extra: list[str], rounds: int) -> tuple[float, float]:
    """Median seconds of the read_csv process and of ``zisurvey score``, interleaved."""
    zisurvey = str(Path(sys.executable).parent / "zisurvey")
    read = [sys.executable, "-c", f"import pandas; pandas.read_csv({str(path)!r})"]
    score_ = [zisurvey, "score", str(path), "--instrument", "skm", "--json", *extra]
    base, full = [], []
    for _ in range(rounds):
        for command, times in ((read, base), (score_, full)):
            started = time.perf_counter()
            subprocess.run(command, check=True, capture_output=True)
            times.append(time.perf_counter() - started)
    return statistics.median(base), statistics.median(full)


def make_file(path: Path, rows: int) -> None:
    rng = np.random.default_rng(1)
    start = np.datetime64("2026-01-01T00:00:00")
    seconds = rng.integers(0, 365 * 24 * 3600, size=rows).astype("timedelta64[s]")
    frame = pd.DataFrame(
        {
            "submitted_at": np.datetime_as_string(start + seconds, unit="s"),
            "layanan": rng.choice(["KUNJ", "TITIP", "INTEG", "BANKUM", "PB"], size=rows),
        }
    )
    for code in SKM + IPAK:
        frame[code] = rng.integers(1, 5, size=rows)
    frame.loc[rng.random(rows) < 0.01, "U9"] = pd.NA  # some blanks
    frame.to_csv(path, index=False)


def baseline(path: str) -> None:
    pd.read_csv(path)


def pipeline(path: str) -> None:
    from analysis.responses import read_responses
    from analysis.scoring import score_groups
    from survey_app.services.catalogue import load_catalogue

    frame = read_responses(Path(path), load_catalogue().schema(), tz="Asia/Jakarta")
    for items in (SKM, IPAK):
        groups = score_groups(frame, items, ["layanan", "period"])
        [result.nilai for result in groups.values()]


def interleaved(path: str, rounds: int = 7) -> tuple[float, float, float]:
    """Median seconds of the baseline and the pipeline, and the median of per-round ratios.

    The two alternate within each round, so drift on a shared machine hits both alike.
    """
    base, full, ratios = [], [], []
    for _ in range(rounds):
        started = time.perf_counter()
        baseline(path)
        middle = time.perf_counter()
        pipeline(path)
        ended = time.perf_counter()
        base.append(middle - started)
        full.append(ended - middle)
        ratios.append(full[-1] / base[-1])
    return statistics.median(base), statistics.median(full), statistics.median(ratios)


def peak_mib(function: str, path: str) -> float:
    """Peak resident memory of a fresh interpreter that runs ``function(path)`` and nothing else."""
    # VmHWM belongs to the new process image; ru_maxrss would carry the parent's peak over exec.
    code = (
        f"import sys; sys.path.insert(0, {str(Path(__file__).parent)!r}); "
        f"import score; score.{function}({path!r}); "
        "print([l.split()[1] for l in open('/proc/self/status') if l.startswith('VmHWM')][0])"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    return int(done.stdout.split()[-1]) / 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    rows = args.rows
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "responses.csv"
        make_file(path, rows)
        pipeline(str(path))  # warm imports and caches outside the timing
        base, full, ratio = interleaved(str(path))
        base_mem, full_mem = peak_mib("baseline", str(path)), peak_mib("pipeline", str(path))
        whole = {style: processes(*styled(path, style), args.rounds) for style in STYLES}
    print(f"rows: {rows:,}  file: SKM + IPAK, 5 layanan x 12 months")
    for style, (read_s, score_s) in whole.items():
        print(
            f"process, {style:<7} stamps: read_csv {read_s:5.2f} s, zisurvey score "
            f"{score_s:5.2f} s = {score_s / read_s:.2f}x (target <= 1.0x)"
        )
    print(f"pandas.read_csv alone:           {base:6.2f} s   peak {base_mem:7.0f} MiB")
    print(f"read + check + score (2 instr.): {full:6.2f} s   peak {full_mem:7.0f} MiB")
    print(
        f"ratio to read_csv (median of 7 interleaved rounds): {ratio:.2f}x; "
        f"peak memory {'under' if full_mem < 1024 else 'OVER'} 1 GiB"
    )


if __name__ == "__main__":
    main()
