"""How long the file commands take as whole processes, the way a user runs them (issue 20.2).

Each command runs as the installed `zisurvey` script, interleaved round by round with two
baselines: a process that only starts Python (`python -c pass`) and one that only imports
pandas (what any command reading a file must load); the order rotates each round, so drift on a
shared machine hits all alike. Medians of the rounds, and each command's median per-round ratio
to each baseline; beside the wall time, the CPU time (user + system) the process used, which a
loaded machine disturbs less. Target: each file command at most 0.5 s wall.

    .venv/bin/python benchmarks/startup.py [--rounds 7]
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ZISURVEY = str(Path(sys.executable).parent / "zisurvey")
WORKED = str(ROOT / "tests" / "fixtures" / "worked_example.csv")
PASS = "python -c pass"
PANDAS = "python -c 'import pandas'"
COMMANDS = {
    PASS: [sys.executable, "-c", "pass"],
    PANDAS: [sys.executable, "-c", "import pandas"],
    "zisurvey score --help": [ZISURVEY, "score", "--help"],
    "zisurvey sample-size 100": [ZISURVEY, "sample-size", "100"],
    "zisurvey score worked_example.csv": [ZISURVEY, "score", WORKED, "--instrument", "skm"],
    "zisurvey --help (web CLI)": [ZISURVEY, "--help"],
}
TARGETED = ("zisurvey score --help", "zisurvey sample-size 100", "zisurvey score worked_example")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=7)
    rounds = parser.parse_args().rounds
    names = list(COMMANDS)
    times: dict[str, list[float]] = {name: [] for name in names}
    cpu: dict[str, list[float]] = {name: [] for name in names}
    for number in range(rounds):
        for name in names[number % len(names) :] + names[: number % len(names)]:
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            started = time.perf_counter()
            subprocess.run(COMMANDS[name], check=True, capture_output=True)
            times[name].append(time.perf_counter() - started)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu[name].append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    print(f"median of {rounds} interleaved rounds; ratios are medians of per-round ratios")
    for name, seconds in times.items():
        median = statistics.median(seconds)
        to_pass = statistics.median(s / b for s, b in zip(seconds, times[PASS], strict=True))
        to_pandas = statistics.median(s / b for s, b in zip(seconds, times[PANDAS], strict=True))
        mark = ""
        if name.startswith(TARGETED):
            mark = " ok" if median <= 0.5 else f" OVER 0.5 s by {median - 0.5:.3f} s"
        print(
            f"{name:<36} {median:6.3f} s (CPU {statistics.median(cpu[name]):5.3f} s)"
            f"  {to_pass:5.1f}x python  {to_pandas:5.2f}x import pandas{mark}"
        )


if __name__ == "__main__":
    main()
