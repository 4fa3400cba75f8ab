"""Sustained form submissions per second under gunicorn on loopback, against a bare Flask app.

Each virtual respondent opens the form (GET) and sends it (POST), the way a phone does. The same
client, thread count and gunicorn settings drive a bare Flask endpoint pair in the same run; the
figures are printed as ratios to it, with p95 latency.

    .venv/bin/python benchmarks/submit.py [--seconds 10] [--clients 8] [--workers 2]
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
HIDDEN = re.compile(r'name="(csrf_token|kunci|layanan|mulai)"[^>]*value="([^"]*)"')
BARE = """
from flask import Flask, request
app = Flask(__name__)
@app.get("/form")
def form():
    return "<form>" + "x" * 20000 + "</form>"
@app.post("/form")
def post():
    return "", 303, {"Location": "/thanks"}
"""


def demo_database(env: dict[str, str]) -> None:
    """Migrate the database of ``env`` and load the demo into it, as ``make run`` does."""
    for command in (["db", "upgrade"], ["demo"]):
        subprocess.run(
            [sys.executable, "-m", "survey_app.cli", *command],
            env=env,
            cwd=ROOT,
            check=True,
            capture_output=True,
        )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def serve(app: str, port: int, workers: int, env: dict[str, str], cwd: Path) -> subprocess.Popen:
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-w",
            str(workers),
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            app,
        ],
        env=env,
        cwd=cwd,
        start_new_session=True,
    )
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return process
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("gunicorn did not start")


def respondent(port: int, path: str, body, stop: float, latencies: list[float], errors: list[str]):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    while time.perf_counter() < stop:
        started = time.perf_counter()
        connection.request("GET", path)
        response = connection.getresponse()
        page = response.read().decode()
        cookie = response.getheader("Set-Cookie", "").split(";")[0]
        data = urlencode(body(page))
        connection.request(
            "POST",
            path,
            body=data,
            headers={"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie},
        )
        answer = connection.getresponse()
        answer.read()
        if answer.status != 303:
            errors.append(str(answer.status))
        latencies.append(time.perf_counter() - started)


def drive(port: int, path: str, body, seconds: float, clients: int) -> tuple[float, float, int]:
    latencies: list[float] = []
    errors: list[str] = []
    stop = time.perf_counter() + seconds
    threads = [
        threading.Thread(target=respondent, args=(port, path, body, stop, latencies, errors))
        for _ in range(clients)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    p95 = statistics.quantiles(latencies, n=20)[-1] * 1000
    return len(latencies) / seconds, p95, len(errors)


def survey_body(page: str) -> dict[str, str]:
    fields = dict(HIDDEN.findall(page))
    fields.update({f"U{i}": "4" for i in range(1, 10)})
    fields.update({f"AK{i}": "4" for i in range(1, 6)})
    return fields


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        env = dict(
            os.environ,
            SURVEY_DATABASE_URL=os.environ.get(
                "SURVEY_BENCH_DATABASE_URL", f"sqlite:///{folder}/bench.db"
            ),
            SURVEY_SECRET_KEY="bench",
            # every virtual respondent comes from 127.0.0.1: the limit is counted, never reached
            SURVEY_SUBMIT_LIMIT="1000000 per minute",
        )
        demo_database(env)
        token = subprocess.run(
            [
                sys.executable,
                "-c",
                "from survey_app import create_app; from survey_app.models import Layanan; "
                "from survey_app.extensions import db; app = create_app()\n"
                "with app.app_context():"
                " print(db.session.query(Layanan.token).filter_by(kode='TITIP').scalar())",
            ],
            env=env,
            cwd=ROOT,
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
        (Path(folder) / "bare.py").write_text(BARE)
        results = {}
        for name, app, cwd, path, body in [
            ("bare Flask", "bare:app", Path(folder), "/form", lambda page: {"x": "1"}),
            ("survey form", "survey_app:create_app()", ROOT, f"/survei/{token}", survey_body),
        ]:
            port = free_port()
            server = serve(app, port, args.workers, env, cwd)
            try:
                results[name] = drive(port, path, body, args.seconds, args.clients)
            finally:
                os.killpg(server.pid, signal.SIGTERM)
                server.wait()
    (base_rate, base_p95, _), (rate, p95, errors) = results["bare Flask"], results["survey form"]
    print(
        f"gunicorn -w {args.workers}, {args.clients} clients, {args.seconds:.0f} s each, "
        f"{os.cpu_count()} cores; database {env['SURVEY_DATABASE_URL'].split(':')[0]}"
    )
    print(f"bare Flask GET+POST:  {base_rate:8.1f} /s   p95 {base_p95:7.1f} ms")
    print(f"survey GET+POST:      {rate:8.1f} /s   p95 {p95:7.1f} ms   non-303 answers: {errors}")
    print(f"ratio: throughput {rate / base_rate:.2f}x of bare, p95 {p95 / base_p95:.1f}x of bare")


if __name__ == "__main__":
    main()
