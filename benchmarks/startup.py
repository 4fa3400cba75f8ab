"""How long the file commands take as whole processes, the way a user runs them (issue 20.2).

Each command runs as the installed `zisurvey` script, interleaved with a baseline process that
only starts Python (`python -c pass`) and one that only imports pandas, median of 7 rounds.
Target: each command at most 0.5 s wall.

    .venv/bin/python benchmarks/startup.py
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ZISURVEY = str(Path(sys.executable).parent / "zisurvey")
WORKED = str(ROOT / "tests" / "fixtures" / "worked_example.csv")
COMMANDS = {
    "python -c pass (baseline)": [sys.executable, "-c", "pass"],
    "python -c 'import pandas'": [sys.executable, "-c", "import pandas"],
    "zisurvey score --help": [ZISURVEY, "score", "--help"],
    "zisurvey sample-size 100": [ZISURVEY, "sample-size", "100"],
    "zisurvey score worked_example.csv": [ZISURVEY, "score", WORKED, "--instrument", "skm"],
    "zisurvey --help (web CLI)": [ZISURVEY, "--help"],
}


def main(rounds: int = 7) -> None:
    times: dict[str, list[float]] = {name: [] for name in COMMANDS}
    for _ in range(rounds):
        for name, command in COMMANDS.items():
            started = time.perf_counter()
            subprocess.run(command, check=True, capture_output=True)
            times[name].append(time.perf_counter() - started)
    base = statistics.median(times["python -c pass (baseline)"])
    for name, seconds in times.items():
        median = statistics.median(seconds)
        mark = (
            ""
            if "zisurvey" not in name or "web" in name
            else (" ok" if median <= 0.5 else " OVER 0.5 s")
        )
        print(f"{name:<36} {median:6.3f} s  {median / base:5.1f}x python{mark}")


if __name__ == "__main__":
    main()
