"""The public form against its physical cost (issue 20.3), under gunicorn on loopback.

Each virtual respondent opens the form (GET) and sends it (POST), the way a phone does. The
baseline is ``benchmarks/bare_form.py``: a bare Flask app that renders a page of the form's
bytes and stores the same rows (submission, answers, rollup upserts) in one transaction with
SQLAlchemy Core, in a database of its own migrated like the app's (SQLite: a second file;
PostgreSQL: a second schema of the same database). Both run under the repository's
``gunicorn.conf.py``; the same client drives both, at each number of clients, in interleaved
rounds; the medians of the rounds are compared with the targets: throughput at least 0.5x the
baseline's, p95 latency at most 2x its p95. Beside them: each server's CPU per GET+POST pair
(its gunicorn process group, from /proc) and how busy the machine was, since on a shared
machine the CPU left over decides throughput; and the rows each stored, counted afterwards
(the same per submission, or the comparison is void).

In process, a form GET (a phone's first visit: no cookie) against the bare app's GET through
the Flask test client, interleaved rounds, median; target at most 3 ms. Beside it the wall and
CPU time of a form POST (complete answers, stored and committed), median of rounds.

    .venv/bin/python benchmarks/submit.py [--seconds 8] [--rounds 3] [--clients 8,32]
        [--workers N] [--database-url postgresql+psycopg://...]
"""

from __future__ import annotations

import argparse
import http.client
import json
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
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
HERE = Path(__file__).resolve().parent
HIDDEN = re.compile(r'name="(csrf_token|kunci|layanan|mulai)"[^>]*value="([^"]*)"')
VALUES = re.compile(r'name="(csrf_token|kunci|mulai)" type="hidden" value="([^"]*)"')
# benchmarks/load.py's baseline (a bare endpoint pair that stores nothing)
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
CLIENT_PROCESSES = 4  # the client's threads spread over processes: its GIL is not the limit
TARGETS = {"throughput": 0.5, "p95": 2.0, "get_ms": 3.0}


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


def serve(
    app: str,
    port: int,
    workers: int | None,
    env: dict[str, str],
    cwd: Path,
    config: bool = False,
) -> subprocess.Popen:
    """gunicorn serving ``app``; with ``config``, under the repository's gunicorn.conf.py
    (its workers unless ``workers`` is given)."""
    settings = ["-c", str(ROOT / "gunicorn.conf.py")] if config else []
    if workers is not None:
        settings += ["-w", str(workers)]
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            *settings,
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
    for _ in range(300):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return process
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("gunicorn did not start")


def survey_body(page: str) -> dict[str, str]:
    fields = dict(HIDDEN.findall(page))
    fields.update({f"U{i}": "4" for i in range(1, 10)})
    fields.update({f"AK{i}": "4" for i in range(1, 6)})
    return fields


def respondent(port: int, path: str, start: float, stop: float) -> tuple[list[float], list[str]]:
    """GET and POST the form over one kept-alive connection from ``start`` until ``stop``
    (wall-clock seconds): the latency of each pair, and any answer other than 303."""
    latencies: list[float] = []
    errors: list[str] = []
    time.sleep(max(0.0, start - time.time()))
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    while time.time() < stop:
        started = time.perf_counter()
        try:
            connection.request("GET", path)
            response = connection.getresponse()
            page = response.read().decode()
            cookie = response.getheader("Set-Cookie", "").split(";")[0]
            connection.request(
                "POST",
                path,
                body=urlencode(survey_body(page)),
                headers={"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie},
            )
            answer = connection.getresponse()
            answer.read()
        except (OSError, http.client.HTTPException) as exc:
            errors.append(type(exc).__name__)
            connection.close()
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            continue
        if answer.status != 303:
            errors.append(str(answer.status))
        latencies.append(time.perf_counter() - started)
    connection.close()
    return latencies, errors


def client_process(
    port: int, path: str, threads: int, start: float, stop: float
) -> tuple[list[float], list[str]]:
    """``threads`` respondents in this process."""
    results: list[tuple[list[float], list[str]]] = []
    workers = [
        threading.Thread(target=lambda: results.append(respondent(port, path, start, stop)))
        for _ in range(threads)
    ]
    for t in workers:
        t.start()
    for t in workers:
        t.join()
    return [x for r in results for x in r[0]], [x for r in results for x in r[1]]


def cpu_seconds(group: int) -> float:
    """CPU seconds used so far by the processes of a process group (a gunicorn and its
    workers), from /proc; 0 where /proc is not there."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rpartition(")")[2].split()
        except OSError:  # ended meanwhile
            continue
        if int(fields[2]) == group:  # pgrp; utime and stime follow at 11 and 12
            total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def busy_seconds() -> float:
    """CPU seconds of the whole machine spent outside idle and iowait, from /proc/stat."""
    try:
        line = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    except OSError:
        return 0.0
    values = [int(v) for v in line]
    return (sum(values) - values[3] - values[4]) / os.sysconf("SC_CLK_TCK")


def drive(
    pool: ProcessPoolExecutor, port: int, path: str, seconds: float, clients: int, group: int = 0
) -> tuple[float, float, int, float, float]:
    """Pairs per second, p95 latency (ms), failed pairs, the server's CPU ms per pair (its
    process ``group``) and the machine's busy share (0-1) of ``clients`` respondents."""
    cpu, busy, began = cpu_seconds(group), busy_seconds(), time.perf_counter()
    start = time.time() + 0.5
    shares = [clients // CLIENT_PROCESSES + (i < clients % CLIENT_PROCESSES) for i in range(4)]
    futures = [
        pool.submit(client_process, port, path, n, start, start + seconds) for n in shares if n
    ]
    latencies: list[float] = []
    errors: list[str] = []
    for future in futures:
        done, failed = future.result()
        latencies += done
        errors += failed
    if len(latencies) < 2:
        raise RuntimeError(f"port {port}: no answers, failures {sorted(set(errors))}")
    p95 = statistics.quantiles(latencies, n=20)[-1] * 1000
    cpu = (cpu_seconds(group) - cpu) * 1000 / len(latencies)
    busy = (busy_seconds() - busy) / ((time.perf_counter() - began) * (os.cpu_count() or 1))
    return len(latencies) / seconds, p95, len(errors), cpu, busy


def databases(url: str | None, folder: Path) -> tuple[str, str, Any]:
    """The app's database URL, the baseline's, and a function dropping them at the end."""
    if url is None:
        return f"sqlite:///{folder}/ours.db", f"sqlite:///{folder}/bare.db", lambda: None
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    schemas = ("bench_form_ours", "bench_form_bare")

    def recreate(drop_only: bool = False) -> None:
        with engine.begin() as connection:
            for schema in schemas:
                connection.execute(sa.text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
                if not drop_only:
                    connection.execute(sa.text(f"CREATE SCHEMA {schema}"))

    recreate()
    separator = "&" if "?" in url else "?"
    ours, bare = (f"{url}{separator}options=-csearch_path%3D{s}" for s in schemas)
    return ours, bare, lambda: (recreate(drop_only=True), engine.dispose())


def capture(app: Any) -> tuple[str, dict[str, Any]]:
    """The demo layanan's form path and the baseline's spec, from the app's own fresh page."""
    from survey_app.extensions import db
    from survey_app.models import Layanan

    with app.app_context():
        layanan = db.session.query(Layanan).filter_by(kode="TITIP").first()
        catalogue = app.extensions["zisurvey.catalogue"]
        items = [
            (item.code, inst.id, inst.version, inst.scale)
            for inst in (catalogue.instruments[i] for i in layanan.instrument_ids)
            for item in inst.items
        ]
        path, layanan_id, zone = f"/survei/{layanan.token}", layanan.id, layanan.unit.timezone
    page = app.test_client(use_cookies=False).get(path).get_data(as_text=True)
    found = list(VALUES.finditer(page))
    ends = [m.start(2) for m in found[1:]] + [len(page)]
    spec = {
        "head": page[: found[0].start(2)],
        "rest": [[m.group(1), page[m.end(2) : end]] for m, end in zip(found, ends, strict=True)],
        "lengths": {m.group(1): len(m.group(2)) for m in found},
        "layanan_id": layanan_id,
        "timezone": zone,
        "items": items,
    }
    return path, spec


def in_process(app: Any, bare: Any, path: str, rounds: int, count: int = 300) -> list[float]:
    """Median wall and CPU ms of a first-visit form GET, then of the bare GET, interleaved
    rounds (CPU time is what a loaded machine changes least)."""
    figures: list[list[float]] = [[], [], [], []]
    for _ in range(rounds):
        for first, client, target in ((0, app, path), (2, bare, "/form")):
            phone = client.test_client(use_cookies=False)
            wall, cpu = time.perf_counter(), time.process_time()
            for _ in range(count):
                phone.get(target)
            figures[first].append((time.perf_counter() - wall) / count * 1000)
            figures[first + 1].append((time.process_time() - cpu) / count * 1000)
    return [statistics.median(f) for f in figures]


def in_process_post(app: Any, path: str, rounds: int, count: int = 100) -> list[float]:
    """Median wall and CPU ms of a form POST (a complete, valid answer) through the Flask
    test client, each after its own GET (not timed): what one answer costs the server."""
    wall_ms: list[float] = []
    cpu_ms: list[float] = []
    phone = app.test_client()
    for _ in range(rounds):
        wall = cpu = 0.0
        for _ in range(count):
            phone.delete_cookie("zs-terkirim", path="/survei/")
            body = urlencode(survey_body(phone.get(path).get_data(as_text=True)))
            w, c = time.perf_counter(), time.process_time()
            answer = phone.post(path, data=body, content_type="application/x-www-form-urlencoded")
            wall, cpu = wall + time.perf_counter() - w, cpu + time.process_time() - c
            if answer.status_code != 303:
                raise RuntimeError(f"the form POST answered {answer.status_code}")
        wall_ms.append(wall / count * 1000)
        cpu_ms.append(cpu / count * 1000)
    return [statistics.median(wall_ms), statistics.median(cpu_ms)]


def stored(url: str) -> tuple[int, int, int]:
    """Submissions, answers and the rollup's counted submissions of a benchmark database."""
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    with engine.connect() as connection:
        counts = tuple(
            int(connection.scalar(sa.text(query)) or 0)
            for query in (
                "SELECT count(*) FROM submission",
                "SELECT count(*) FROM answer",
                "SELECT sum(n) FROM rekap_bulanan WHERE jenis = 'kiriman'",
            )
        )
    engine.dispose()
    return counts  # type: ignore[return-value]


def verdict(met: bool) -> str:
    return "met" if met else "MISSED"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=8)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--clients", default="8,32")
    parser.add_argument("--workers", type=int, default=None, help="gunicorn.conf.py's by default")
    parser.add_argument("--database-url", default=os.environ.get("SURVEY_BENCH_DATABASE_URL"))
    args = parser.parse_args()
    clients = [int(n) for n in args.clients.split(",")]
    with tempfile.TemporaryDirectory() as name, ProcessPoolExecutor(CLIENT_PROCESSES) as pool:
        folder = Path(name)
        ours_url, bare_url, drop = databases(args.database_url, folder)
        try:
            run(args, clients, folder, ours_url, bare_url, pool)
        finally:
            drop()


def run(args: Any, clients: list[int], folder: Path, ours_url: str, bare_url: str, pool: Any):
    env = dict(
        os.environ,
        SURVEY_SECRET_KEY="bench",
        # every virtual respondent comes from 127.0.0.1: the limit is counted, never reached
        SURVEY_SUBMIT_LIMIT="1000000 per minute",
    )
    ours_env = dict(env, SURVEY_DATABASE_URL=ours_url)
    bare_env = dict(env, SURVEY_DATABASE_URL=bare_url)
    demo_database(ours_env)
    demo_database(bare_env)  # the same schema and demo rows: the same indexes to update

    sys.path.insert(0, str(HERE))
    from bare_form import make_app

    from survey_app import create_app

    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": ours_url,
            "SECRET_KEY": "bench",
            "SUBMIT_LIMIT": env["SURVEY_SUBMIT_LIMIT"],
        }
    )
    path, spec = capture(app)
    (folder / "bare_form.json").write_text(json.dumps(spec), encoding="utf-8")
    bare_env.update(BARE_FORM=str(folder / "bare_form.json"), BARE_DATABASE_URL=bare_url)
    gets = in_process(app, make_app(spec, None), path, max(args.rounds, 5))
    gets += in_process_post(app, path, max(args.rounds, 5))
    before = {"ours": stored(ours_url), "bare": stored(bare_url)}

    servers = {
        "ours": (free_port(), ours_env, ROOT, "survey_app:create_app()", path),
        "bare": (free_port(), bare_env, HERE, "bare_form:app", "/form"),
    }
    processes = {
        name: serve(target, port, args.workers, environ, cwd, config=True)
        for name, (port, environ, cwd, target, _) in servers.items()
    }
    results: dict[tuple[str, int], list[tuple[float, ...]]] = {}
    try:
        for port, _, _, _, target in servers.values():
            ready(port, target)
            drive(pool, port, target, 2, 8)  # warm every worker up
        for round_ in range(args.rounds):
            for n in clients:
                order = list(servers) if round_ % 2 == 0 else list(reversed(servers))
                for name in order:
                    port, _, _, _, target = servers[name]
                    figures = drive(pool, port, target, args.seconds, n, processes[name].pid)
                    results.setdefault((name, n), []).append(figures)
    finally:
        for process in processes.values():
            os.killpg(process.pid, signal.SIGTERM)
            process.wait()
    report(args, results, clients, gets, before, ours_url, bare_url)


def ready(port: int, path: str, seconds: float = 120) -> None:
    """Wait until the server answers ``path`` with 200 (its workers have booted)."""
    stop = time.time() + seconds
    while True:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        try:
            connection.request("GET", path)
            if connection.getresponse().status == 200:
                return
        except (OSError, http.client.HTTPException):
            if time.time() > stop:
                raise
        finally:
            connection.close()
        time.sleep(0.2)


def report(args, results, clients, gets, before, ours_url, bare_url) -> None:  # noqa: ANN001
    engine = ours_url.split(":")[0]
    after = {"ours": stored(ours_url), "bare": stored(bare_url)}
    print(
        f"gunicorn.conf.py (gthread), workers {args.workers or 'from the conf'}, "
        f"{os.cpu_count()} cores, database {engine}; {args.rounds} interleaved rounds of "
        f"{args.seconds:.0f} s, medians"
    )
    for name in ("ours", "bare"):
        made = [a - b for a, b in zip(after[name], before[name], strict=True)]
        print(
            f"  stored by {name}: {made[0]} submissions, {made[1]} answers "
            f"({made[1] / max(made[0], 1):.1f} each), rollup kiriman +{made[2]}"
        )
    for n in clients:
        ours = [statistics.median(x) for x in zip(*results[("ours", n)], strict=True)]
        bare = [statistics.median(x) for x in zip(*results[("bare", n)], strict=True)]
        ratio, p95_ratio = ours[0] / bare[0], ours[1] / bare[1]
        print(f"{n} clients (GET+POST pairs):")
        for label, name, (rate, p95, _, cpu, busy) in (
            ("bare Flask + Core", "bare", bare),
            ("survey form", "ours", ours),
        ):
            failed = sum(int(r[2]) for r in results[(name, n)])
            print(
                f"  {label:18} {rate:6.1f} /s  p95 {p95:7.1f} ms  server CPU {cpu:5.1f} ms a "
                f"pair, machine {busy:4.0%} busy, failed {failed}"
            )
        print(
            f"  throughput {ratio:.2f}x of bare (target >= {TARGETS['throughput']}x: "
            f"{verdict(ratio >= TARGETS['throughput'])}), p95 {p95_ratio:.2f}x of bare "
            f"(target <= {TARGETS['p95']}x: {verdict(p95_ratio <= TARGETS['p95'])})"
        )
        pairs = zip(results[("ours", n)], results[("bare", n)], strict=True)
        rounds = ", ".join(f"{o[0]:.0f}/{b[0]:.0f}" for o, b in pairs)
        print(f"  per round, ours/bare pairs per second: {rounds}")
    get_ms, get_cpu, bare_ms, bare_cpu, post_ms, post_cpu = gets
    print(
        f"in process, a first-visit form GET: {get_ms:.2f} ms wall ({get_cpu:.2f} ms CPU) against "
        f"{bare_ms:.2f} ms ({bare_cpu:.2f} ms CPU) for the bare GET of the same bytes "
        f"({get_ms / bare_ms:.1f}x); target <= {TARGETS['get_ms']} ms: wall "
        f"{verdict(get_ms <= TARGETS['get_ms'])}, CPU {verdict(get_cpu <= TARGETS['get_ms'])}"
    )
    print(
        f"in process, a form POST (complete answers, stored and committed): {post_ms:.2f} ms "
        f"wall ({post_cpu:.2f} ms CPU)"
    )


if __name__ == "__main__":
    main()
