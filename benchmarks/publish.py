"""Publishing: the artefact set of one snapshot, and the public page under load.

1. In one process, the time to produce the full artefact set of a publication (A3 poster,
   X-banner, two social images) against the time to serve its open-data JSON, interleaved.
2. Under gunicorn on loopback, concurrent clients reading the unit's public results page,
   against the same clients reading a static file (app.css) from the same server in the same
   run: requests per second and p95 latency as ratios.

    .venv/bin/python benchmarks/publish.py [--seconds 8] [--clients 8] [--workers 2]
"""

from __future__ import annotations

import argparse
import http.client
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from submit import demo_database, free_port, serve

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
ARTEFACTS = ["poster-a3.pdf", "xbanner-60x160.pdf", "sosial-1080x1080.png", "sosial-1080x1920.png"]
SETUP = """
from sqlalchemy import select
from analysis.periods import now_utc, span_of
from survey_app import create_app
from survey_app.extensions import db
from survey_app.models import Pengguna, Unit
from survey_app.services.publishing import publications as publishing
app = create_app()
with app.app_context():
    catalogue = app.extensions["zisurvey.catalogue"]
    unit = db.session.scalar(select(Unit).where(Unit.kode == "RUTAN-MKS"))
    admin = db.session.scalar(select(Pengguna).where(Pengguna.username == "admin"))
    month = now_utc().strftime("%Y-%m")
    print(publishing.publish(db.session, catalogue, unit, span_of(month), admin, now_utc()).id)
    db.session.commit()
"""


def artefact_set(env: dict[str, str], publication: int, rounds: int) -> None:
    os.environ.update(env)
    from survey_app import create_app

    client = create_app().test_client()
    base = f"/hasil/RUTAN-MKS/{publication}"

    def every() -> None:
        for name in ARTEFACTS:
            assert client.get(f"{base}/{name}").status_code == 200

    def json() -> None:
        assert client.get(f"{base}.json").status_code == 200

    every()
    sets, plain = [], []
    for _ in range(rounds):
        for run, into in ((every, sets), (json, plain)):
            started = time.perf_counter()
            run()
            into.append(time.perf_counter() - started)
    full, base_time = statistics.median(sets), statistics.median(plain)
    print(
        f"artefact set (A3, X-banner, 2 PNG): {full * 1000:7.1f} ms   "
        f"snapshot JSON: {base_time * 1000:5.1f} ms   ratio {full / base_time:.0f}x"
    )


def hammer(port: int, path: str, seconds: float, clients: int) -> tuple[float, float, int]:
    latencies: list[float] = []
    errors: list[int] = []
    stop = time.perf_counter() + seconds

    def client() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        while time.perf_counter() < stop:
            started = time.perf_counter()
            connection.request("GET", path)
            response = connection.getresponse()
            response.read()
            if response.status != 200:
                errors.append(response.status)
            latencies.append(time.perf_counter() - started)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return len(latencies) / seconds, statistics.quantiles(latencies, n=20)[-1] * 1000, len(errors)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=8)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        env = dict(
            os.environ,
            SURVEY_DATABASE_URL=f"sqlite:///{folder}/publish.db",
            SURVEY_SECRET_KEY="bench",
        )
        demo_database(env)
        done = subprocess.run(
            [sys.executable, "-c", SETUP],
            env=env,
            cwd=ROOT,
            check=True,
            capture_output=True,
            text=True,
        )
        publication = int(done.stdout.split()[-1])
        artefact_set(env, publication, args.rounds)
        port = free_port()
        server = serve("survey_app:create_app()", port, args.workers, env, ROOT)
        try:
            static = hammer(port, "/static/app.css", args.seconds, args.clients)
            page = hammer(port, "/hasil/RUTAN-MKS", args.seconds, args.clients)
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait()
    print(
        f"gunicorn -w {args.workers}, {args.clients} clients, {args.seconds:.0f} s each, "
        f"{os.cpu_count()} cores, SQLite"
    )
    print(
        f"static app.css:      {static[0]:8.1f} /s   p95 {static[1]:6.1f} ms   errors {static[2]}"
    )
    print(f"public results page: {page[0]:8.1f} /s   p95 {page[1]:6.1f} ms   errors {page[2]}")
    print(
        f"ratio: throughput {page[0] / static[0]:.2f}x of the static file, "
        f"p95 {page[1] / static[1]:.1f}x"
    )


if __name__ == "__main__":
    main()
