"""What keeping the monthly rollup costs a submission, on SQLite and PostgreSQL.

In one process, interleaved: store a submission (14 answers, a profile) and commit, as the form
does, with the rollup kept in the same transaction, and with the rollup update left out (the
baseline, what a submission cost before). Prints the time per submission and the ratio, then
checks the rollup still equals the answers.

    .venv/bin/python benchmarks/rollup.py [--submissions 1500]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
POSTGRES = os.environ.get(
    "SURVEY_BENCH_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
SCHEMA = f"zisurvey_bench_rollup_{os.getpid()}"


def measure(url: str, submissions: int) -> None:
    from survey_app import create_app
    from survey_app.extensions import db
    from survey_app.models import Layanan, LayananInstrumen, Unit
    from survey_app.services.collection import rollup
    from survey_app.services.collection.submissions import Response, record_submission

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})
    with app.app_context():
        db.create_all()
        catalogue = app.extensions["zisurvey.catalogue"]
        unit = Unit(kode="U", nama="Unit", jenis="upt")
        layanan = Layanan(
            unit=unit,
            kode="K",
            nama="Kunjungan",
            instrumen=[
                LayananInstrumen(instrument_id=i, urutan=n) for n, i in enumerate(["skm", "ipak"])
            ],
        )
        db.session.add_all([unit, layanan])
        db.session.commit()
        codes = [*catalogue.instruments["skm"].codes, *catalogue.instruments["ipak"].codes]
        kept = rollup.add
        times: dict[str, list[float]] = {"with the rollup": [], "without (baseline)": []}
        for n in range(submissions):
            name = "with the rollup" if n % 2 else "without (baseline)"
            rollup.add = kept if n % 2 else (lambda *args, **kwargs: None)
            answers = {code: 1 + (n + i) % 4 for i, code in enumerate(codes)}
            response = Response(answers, {"jenis_kelamin": "LP"[n % 2]}, None, f"b{n}")
            when = datetime(2026, 1 + n % 12, 10, 3, tzinfo=UTC)
            started = time.perf_counter()
            record_submission(db.session, catalogue, layanan, response, when)
            db.session.commit()
            times[name].append(time.perf_counter() - started)
        rollup.add = kept
        with db.engine.begin() as connection:
            rollup.rebuild(connection)  # the baseline half was left out; count it in
            assert rollup.differences(connection) == []
        base = statistics.median(times["without (baseline)"])
        print(f"{app.config['SQLALCHEMY_DATABASE_URI'].split(':')[0]}, {submissions} submissions:")
        for name, values in times.items():
            median = statistics.median(values)
            print(f"  {name:<20} {median * 1000:6.2f} ms per submission  {median / base:5.2f}x")
        db.session.remove()
        db.drop_all()
        db.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--submissions", type=int, default=1500)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        measure(f"sqlite:///{folder}/bench.db", args.submissions)
    engine = sa.create_engine(POSTGRES)
    with engine.begin() as connection:
        connection.execute(sa.text(f"CREATE SCHEMA {SCHEMA}"))
    try:
        measure(f"{POSTGRES}?options=-csearch_path%3D{SCHEMA}", args.submissions)
    finally:
        with engine.begin() as connection:
            connection.execute(sa.text(f"DROP SCHEMA {SCHEMA} CASCADE"))
        engine.dispose()


if __name__ == "__main__":
    main()
