"""Score 1,000,000 respondents (SKM + anti-corruption) from CSV, against pandas.read_csv (issue 20).

Every figure is a ratio to a baseline measured in the same run, interleaved round by round (the
machine is shared: drift hits both alike), the median of the per-round ratios:

* as a user meets it: the installed ``zisurvey score FILE --instrument skm --json`` as a whole
  process, against a process that only imports pandas and runs ``pandas.read_csv`` on the same
  file, with the peak memory (VmHWM) of each process; target at most 1.0x, under 1 GiB;
* in process: read + check + score (SKM and IPAK by layanan and month) against
  ``pandas.read_csv`` in the same interpreter, peak memory of each in a fresh child process.

For four timestamp styles: naive ISO (``2026-03-14T09:05:00``, read in the unit's zone), ISO
with an offset (``2026-03-14T09:05:00+07:00``, as exports and our own CSV write them), a Google
Forms sheet in an Indonesian locale (``14/03/2026 9:05:00`` under "Cap waktu", through a mapping
file with ``waktu: dmy``), and Google Forms' own stamps (``2026/03/14 09:05:00 AM GMT+7``, through a
mapping file with ``waktu: gforms``).

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
STYLES = ("naive", "offset", "gforms-dmy", "gforms-gmt")
MAPPED = {"submitted_at": "Cap waktu", "layanan": "Jenis layanan"}


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
    if style == "gforms-dmy":  # 14/03/2026 9:05:00: day first, the hour unpadded
        hours = stamps.dt.hour.astype(str)
        frame["submitted_at"] = (
            stamps.dt.strftime("%d/%m/%Y ") + hours + stamps.dt.strftime(":%M:%S")
        )
        waktu = "dmy"
    else:
        frame["submitted_at"] = stamps.dt.strftime("%Y/%m/%d %I:%M:%S %p GMT+7")
        waktu = "gforms"
    frame.rename(columns=MAPPED).to_csv(target, index=False)
    mapping = path.with_name(f"{style}.yaml")
    mapping.write_text(
        "kolom:\n" + "".join(f'  {k}: "{v}"\n' for k, v in MAPPED.items()) + f"waktu: {waktu}\n"
    )
    return target, ["--mapping", str(mapping)]


TIME = "/usr/bin/time"  # GNU time: the peak of the measured process alone (%M, KiB)


def run(command: list[str], memory: Path) -> tuple[float, float]:
    """Wall seconds and peak resident MiB of one process.

    The peak comes from GNU time, a small process that forks the command: ru_maxrss of a child
    forked from this (large) interpreter would start at this interpreter's size.
    """
    measured = [TIME, "-f", "%M", "-o", str(memory), *command] if Path(TIME).exists() else command
    started = time.perf_counter()
    done = subprocess.run(measured, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    seconds = time.perf_counter() - started
    if done.returncode:
        raise SystemExit(f"{' '.join(command)} failed: {done.stderr.decode()}")
    peak = float(memory.read_text().split()[-1]) / 1024 if measured is not command else 0.0
    return seconds, peak


def processes(path: Path, extra: list[str], rounds: int) -> dict[str, float]:
    """The read_csv process and ``zisurvey score``, alternating; medians and peak memory."""
    zisurvey = str(Path(sys.executable).parent / "zisurvey")
    read = [sys.executable, "-c", f"import pandas; pandas.read_csv({str(path)!r})"]
    score_ = [zisurvey, "score", str(path), "--instrument", "skm", "--json", *extra]
    base, full, ratios, base_mem, full_mem = [], [], [], 0.0, 0.0
    for number in range(rounds):
        pair = (read, score_) if number % 2 == 0 else (score_, read)  # who goes first alternates
        for command in pair:
            seconds, mib = run(command, path.with_name("peak.txt"))
            if command is read:
                base.append(seconds)
                base_mem = max(base_mem, mib)
            else:
                full.append(seconds)
                full_mem = max(full_mem, mib)
        ratios.append(full[-1] / base[-1])
    return {
        "base": statistics.median(base),
        "full": statistics.median(full),
        "ratio": statistics.median(ratios),
        "base_mem": base_mem,
        "full_mem": full_mem,
    }


def baseline(path: str, _mapping: str = "") -> None:
    pd.read_csv(path)


def pipeline(path: str, mapping: str = "") -> None:
    from analysis.responses import read_responses
    from analysis.scoring import score_groups
    from survey_app.filecli import load_mapping
    from survey_app.services.catalogue import load_catalogue

    frame = read_responses(
        Path(path), load_catalogue().schema(), tz="Asia/Jakarta", mapping=load_mapping(mapping)
    )
    for items in (SKM, IPAK):
        groups = score_groups(frame, items, ["layanan", "period"])
        [result.nilai for result in groups.values()]


def in_process(path: str, mapping: str, rounds: int) -> dict[str, float]:
    """Median seconds of the baseline and the pipeline, and the median of per-round ratios."""
    base, full, ratios = [], [], []
    for _ in range(rounds):
        started = time.perf_counter()
        baseline(path)
        middle = time.perf_counter()
        pipeline(path, mapping)
        ended = time.perf_counter()
        base.append(middle - started)
        full.append(ended - middle)
        ratios.append(full[-1] / base[-1])
    return {
        "base": statistics.median(base),
        "full": statistics.median(full),
        "ratio": statistics.median(ratios),
        "base_mem": peak_mib("baseline", path, mapping),
        "full_mem": peak_mib("pipeline", path, mapping),
    }


def peak_mib(function: str, path: str, mapping: str) -> float:
    """Peak resident memory of a fresh interpreter that runs ``function(path)`` and nothing else."""
    # VmHWM belongs to the new process image; ru_maxrss would carry the parent's peak over exec.
    code = (
        f"import sys; sys.path.insert(0, {str(Path(__file__).parent)!r}); "
        f"import score; score.{function}({path!r}, {mapping!r}); "
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
    parser.add_argument("--styles", default=",".join(STYLES), help="comma-separated subset")
    args = parser.parse_args()
    styles = [s for s in args.styles.split(",") if s]
    whole, inner = {}, {}
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "responses.csv"
        make_file(path, args.rows)
        files = {style: styled(path, style) for style in styles}
        size = {style: files[style][0].stat().st_size / 2**20 for style in styles}
        for style in styles:
            target, extra = files[style]
            whole[style] = processes(target, extra, args.rounds)
        for style in styles:
            target, extra = files[style]
            mapping = extra[1] if extra else ""
            pipeline(str(target), mapping)  # warm imports and caches outside the timing
            inner[style] = in_process(str(target), mapping, args.rounds)
    print(
        f"rows: {args.rows:,}  SKM + IPAK, 5 layanan x 12 months; median of {args.rounds} "
        "interleaved rounds; ratio = median of the per-round ratios"
    )
    print("whole process: zisurvey score --instrument skm --json  vs  python -c pandas.read_csv")
    for style, m in whole.items():
        print(
            f"  {style:<11} {size[style]:4.0f} MB  read_csv {m['base']:5.2f} s "
            f"{m['base_mem']:5.0f} MiB | zisurvey {m['full']:5.2f} s {m['full_mem']:5.0f} MiB"
            f" | {m['ratio']:.2f}x (target <= 1.0x){'' if m['ratio'] <= 1.0 else ' OVER'}"
            f"{'' if m['full_mem'] < 1024 else ', memory OVER 1 GiB'}"
        )
    print("in process: read + check + score SKM and IPAK by layanan x month  vs  read_csv")
    for style, m in inner.items():
        print(
            f"  {style:<11}          read_csv {m['base']:5.2f} s {m['base_mem']:5.0f} MiB | "
            f"pipeline {m['full']:5.2f} s {m['full_mem']:5.0f} MiB | {m['ratio']:.2f}x"
        )


if __name__ == "__main__":
    main()
