"""Import a responses file as an upload does, against ``pandas.read_csv`` of the same file.

The file (about ``--mb`` MB, the worked example's rows repeated with their own ids and times)
is read, checked and stored for one unit (``read_responses``, ``plan_import``,
``import_responses``) into an empty database, in a fresh child process per measure so each
peak memory is its own; ``read_csv`` of the same file runs the same way. Prints rows per second
of each, the ratio, and the peaks.

    .venv/bin/python benchmarks/upload.py [--mb 15] [--database-url postgresql+psycopg://...]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
WORKED = ROOT / "tests" / "fixtures" / "worked_example.csv"


def make_file(path: Path, megabytes: float) -> int:
    base = pd.read_csv(WORKED, dtype=str)
    rows = int(megabytes * 1e6 / (WORKED.stat().st_size / len(base)))
    rng = np.random.default_rng(7)
    frame = base.iloc[rng.integers(0, len(base), rows)].reset_index(drop=True)
    frame["id"] = [f"b{i:07d}" for i in range(rows)]
    seconds = np.sort(rng.integers(0, 14 * 24 * 3600, rows))
    stamps = pd.Timestamp("2026-01-01") + pd.to_timedelta(seconds, unit="s")
    frame["submitted_at"] = stamps.strftime("%Y-%m-%dT%H:%M:%S") + "+08:00"
    frame.to_csv(path, index=False)
    return rows


def read_only(path: Path) -> dict[str, float]:
    started = time.perf_counter()
    rows = len(pd.read_csv(path))
    return {"rows": rows, "seconds": time.perf_counter() - started}


def upload(path: Path, database_url: str) -> dict[str, float]:
    sys.path.insert(0, str(ROOT))
    from analysis.responses import read_responses
    from survey_app import create_app
    from survey_app.extensions import db
    from survey_app.services.collection.imports import import_responses
    from tests.conftest import make_layanan, make_unit

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "benchmark"})
    with app.app_context():
        db.drop_all()
        db.create_all()
        unit = make_unit("LAPAS")
        for kode in ("KUNJ", "TITIP"):
            make_layanan(unit, kode, ("skm", "ipak", "ipkp"))
        db.session.commit()
        catalogue = app.extensions["zisurvey.catalogue"]
        started = time.perf_counter()
        frame = read_responses(
            path, catalogue.schema(), tz=unit.timezone, known_layanan=["KUNJ", "TITIP"]
        )
        read = time.perf_counter() - started
        result = import_responses(
            db.session, catalogue, unit, frame, datetime(2026, 3, 1, tzinfo=UTC)
        )
        db.session.commit()
        seconds = time.perf_counter() - started
        db.drop_all()
    return {"rows": result.added, "seconds": seconds, "read": read}


def child(kind: str, path: Path, database_url: str) -> dict[str, float]:
    out = subprocess.run(
        [
            sys.executable,
            __file__,
            "--child",
            kind,
            "--file",
            str(path),
            "--database-url",
            database_url,
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mb", type=float, default=15)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--child", choices=("read_csv", "upload"))
    parser.add_argument("--file", type=Path)
    args = parser.parse_args()
    if args.child:
        figures = (
            read_only(args.file)
            if args.child == "read_csv"
            else upload(args.file, args.database_url)
        )
        figures["peak_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps(figures))
        return
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "jawaban.csv"
        rows = make_file(path, args.mb)
        url = args.database_url or f"sqlite:///{Path(folder) / 'upload.db'}"
        print(f"{path.stat().st_size / 1e6:.1f} MB, {rows} rows, database {url.split(':')[0]}")
        baseline = child("read_csv", path, url)
        measured = child("upload", path, url)
    for name, figures in (("pandas.read_csv", baseline), ("upload (read, check, store)", measured)):
        rate = figures["rows"] / figures["seconds"]
        seconds, peak = figures["seconds"], figures["peak_mib"]
        print(f"{name:30} {seconds:7.1f} s {rate:10,.0f} rows/s  peak {peak:.0f} MiB")
    ratio = measured["seconds"] / baseline["seconds"]
    print(f"read and checked in {measured['read']:.1f} s; the upload takes {ratio:.0f}x read_csv")


if __name__ == "__main__":
    main()
