"""Load and fault test: respondents submitting to several layanan on gunicorn + PostgreSQL.

Virtual respondents open a form (GET) and send it (POST) as phones do, spread over every demo
layanan; the same client drives a bare Flask endpoint pair in the same run, and the figures are
printed as ratios to it. Afterwards the database is checked against what clients saw:

* every acknowledged submission (a 303 to the thank-you page) is stored: none lost;
* no form is stored twice, though a client retries after a dropped connection with the same
  form (its key): none doubled;
* every stored submission has all its answers: none partial;
* the monthly rollup equals the GROUP BY over the stored answers.

With ``--readers N``, a second phase adds N readers of the public results pages (each unit's
page and widget, from a publication) beside the same respondents, as when a banner's QR code or
a news post sends people to the results while the service hall is full. The bare run gets the
same mix (readers GET its form page), and the form's figures with and without readers are
compared: reading results must not stall the form.

Faults, when asked for, happen in the middle of the run:

* ``--kill-worker``: a gunicorn worker is killed with SIGKILL four times over the run (the
  master starts another each time);
* ``--restart-database``: the run uses a PostgreSQL cluster of its own (initdb in a temporary
  folder, as the ``postgres`` user), stopped for a few seconds and started again; while it is
  down the form must answer 503 with a "coba lagi" page, and it must recover by itself.

    .venv/bin/python benchmarks/load.py [--seconds 20] [--clients 16] [--workers 2]
        [--kill-worker] [--restart-database] [--readers 8]
"""

from __future__ import annotations

import argparse
import collections
import http.client
import json
import os
import random
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

from submit import BARE, HIDDEN, demo_database, free_port, serve

ROOT = Path(__file__).resolve().parents[1]
PG_BIN = Path("/usr/lib/postgresql/15/bin")
SHARED_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    acknowledged: set[str] = field(default_factory=set)
    sent: set[str] = field(default_factory=set)
    statuses: collections.Counter[int | str] = field(default_factory=collections.Counter)
    retries: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


def answers(page: str) -> dict[str, str]:
    fields = dict(HIDDEN.findall(page))
    codes = set(re.findall(r'name="((?:U|AK|PK)\d+)"', page))
    return fields | {code: str(random.randint(1, 4)) for code in codes}


def respondent(port: int, paths: list[str], body, stop: float, tally: Tally, bare: bool) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    while time.perf_counter() < stop:
        path = random.choice(paths)
        started = time.perf_counter()
        try:
            connection.request("GET", path)
            response = connection.getresponse()
            page = response.read().decode()
        except (OSError, http.client.HTTPException):
            connection.close()
            with tally.lock:
                tally.statuses["GET failed"] += 1
            time.sleep(0.2)
            continue
        if response.status != 200:
            with tally.lock:
                tally.statuses[f"GET {response.status}"] += 1
            time.sleep(0.2)
            continue
        cookie = response.getheader("Set-Cookie", "").split(";")[0]
        data = body(page)
        status = post(connection, port, path, data, cookie, tally)
        with tally.lock:
            tally.statuses[status] += 1
            if status == 303:
                tally.latencies.append(time.perf_counter() - started)
                if not bare:
                    tally.acknowledged.add(data["kunci"])
            if not bare:
                tally.sent.add(data["kunci"])


def post(connection, port, path, data, cookie, tally) -> int | str:
    """POST the form; after a dropped connection retry the same form (same key) up to 3 times."""
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie}
    for attempt in range(4):
        try:
            connection.request("POST", path, body=urlencode(data), headers=headers)
            response = connection.getresponse()
            response.read()
            return response.status
        except (OSError, http.client.HTTPException):
            connection.close()
            with tally.lock:
                tally.retries += 1
            time.sleep(0.2 * (attempt + 1))
    return "POST failed"


def reader(port: int, paths: list[str], stop: float, tally: Tally) -> None:
    """GET pages one after another, as people opening the results do."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    while time.perf_counter() < stop:
        started = time.perf_counter()
        try:
            connection.request("GET", random.choice(paths))
            response = connection.getresponse()
            response.read()
        except (OSError, http.client.HTTPException):
            connection.close()
            with tally.lock:
                tally.statuses["GET failed"] += 1
            continue
        with tally.lock:
            tally.statuses[response.status] += 1
            if response.status == 200:
                tally.latencies.append(time.perf_counter() - started)


def drive(
    port, paths, body, seconds, clients, bare=False, during=None, readers=0, read=()
) -> tuple[Tally, Tally]:
    """``clients`` respondents (and ``readers`` readers of ``read``) for ``seconds``."""
    tally, reading = Tally(), Tally()
    stop = time.perf_counter() + seconds
    threads = [
        threading.Thread(target=respondent, args=(port, paths, body, stop, tally, bare))
        for _ in range(clients)
    ] + [
        threading.Thread(target=reader, args=(port, list(read), stop, reading))
        for _ in range(readers)
    ]
    for thread in threads:
        thread.start()
    if during:
        during()
    for thread in threads:
        thread.join()
    return tally, reading


def quantile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[int(q * 100) - 1] * 1000 if values else 0.0


class PrivateCluster:
    """A throwaway PostgreSQL cluster, so stopping it disturbs nobody else."""

    def __init__(self, folder: Path) -> None:
        self.data = folder / "pgdata"
        self.port = free_port()
        folder.chmod(0o777)
        self._as_postgres(PG_BIN / "initdb", "-D", self.data, "-A", "trust", "-U", "postgres")
        self.start()

    def _as_postgres(self, *command: object) -> None:
        line = " ".join(str(c) for c in command)
        subprocess.run(["su", "postgres", "-c", line], check=True, capture_output=True)

    def start(self) -> None:
        options = f"'-p {self.port} -k /tmp -c listen_addresses=127.0.0.1'"
        log = self.data.parent / "postgres.log"  # not our pipe: the server outlives pg_ctl
        self._as_postgres(
            PG_BIN / "pg_ctl", "-D", self.data, "-l", log, "-o", options, "-w", "start"
        )

    def stop(self) -> None:
        self._as_postgres(PG_BIN / "pg_ctl", "-D", self.data, "-m", "fast", "-w", "stop")

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"


def app_env(url: str, folder: str) -> dict[str, str]:
    return dict(
        os.environ,
        SURVEY_DATABASE_URL=url,
        SURVEY_SECRET_KEY="load",
        SURVEY_SUBMIT_LIMIT="1000000 per minute",  # every client is 127.0.0.1
        SURVEY_RATELIMIT_STORAGE_URI=os.environ.get("SURVEY_RATELIMIT_STORAGE_URI", "memory://"),
    )


def python(env: dict[str, str], code: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True
    )
    if done.returncode:
        raise RuntimeError(done.stderr)
    return done.stdout


SETUP = """
from analysis.periods import now_utc, period_of, span_of
from survey_app import create_app
from survey_app.extensions import db
from survey_app.models import Layanan, Pengguna, Unit
from survey_app.services.publishing import publications as publishing
app = create_app()
with app.app_context():
    print(" ".join(t for (t,) in db.session.query(Layanan.token).filter_by(aktif=True)))
    admin = db.session.query(Pengguna).filter_by(role="admin").first()
    units = db.session.query(Unit).order_by(Unit.kode).all()
    month = period_of(now_utc(), "Asia/Jakarta")
    for unit in units:  # what the public pages show: each unit's results of this month
        publishing.publish(
            db.session, app.extensions["zisurvey.catalogue"], unit, span_of(month), admin,
            now_utc(),
        )
    db.session.commit()
    print(" ".join(u.kode for u in units))
"""
CHECK = """
import json
from sqlalchemy import func, select
from survey_app import create_app
from survey_app.extensions import db
from survey_app.models import Answer, Layanan, Submission
from survey_app.services.collection import rollup
app = create_app()
instruments = app.extensions["zisurvey.catalogue"].instruments
with app.app_context():
    expected = {
        x.id: sum(len(instruments[i].codes) for i in x.instrument_ids)
        for x in db.session.query(Layanan)
    }
    rows = db.session.execute(
        select(Submission.idempotency_key, Submission.layanan_id, func.count(Answer.item_code))
        .outerjoin(Answer, Answer.submission_id == Submission.id)
        .where(Submission.idempotency_key.not_like("demo-%"))
        .group_by(Submission.id)
    ).all()
    print(json.dumps([[k, n, expected[layanan]] for k, layanan, n in rows]))
    with db.engine.connect() as connection:
        print(json.dumps(rollup.differences(connection)))
"""


def shared_sql(statement: str) -> None:
    """Run ``statement`` on the shared PostgreSQL (the run's schema is made and dropped here)."""
    command = ["psql", "-q", "-h", "127.0.0.1", "-U", "postgres", "test", "-c", statement]
    subprocess.run(command, check=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--kill-worker", action="store_true")
    parser.add_argument("--restart-database", action="store_true")
    parser.add_argument("--readers", type=int, default=0, help="readers of the results pages")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        cluster = PrivateCluster(Path(folder)) if args.restart_database else None
        url = cluster.url if cluster else os.environ.get("SURVEY_BENCH_DATABASE_URL", SHARED_PG)
        schema = None
        if cluster is None:
            schema = f"zisurvey_load_{os.getpid()}"
            shared_sql(f"CREATE SCHEMA {schema}")
            url = f"{url}?options=-csearch_path%3D{schema}"
        env = app_env(url, folder)
        try:
            run(args, env, folder, cluster)
        finally:
            if cluster:
                cluster.stop()
            if schema:
                shared_sql(f"SET client_min_messages TO warning; DROP SCHEMA {schema} CASCADE")


def run(args, env: dict[str, str], folder: str, cluster: PrivateCluster | None) -> None:
    demo_database(env)
    token_line, unit_line = python(env, SETUP).splitlines()
    tokens, units = token_line.split(), unit_line.split()
    (Path(folder) / "bare.py").write_text(BARE)

    port = free_port()
    server = serve("bare:app", port, args.workers, env, Path(folder))
    bare_mix: tuple[Tally, Tally] | None = None
    try:
        bare, _ = drive(port, ["/form"], lambda page: {"x": "1"}, args.seconds, args.clients, True)
        if args.readers:
            bare_mix = drive(
                port,
                ["/form"],
                lambda page: {"x": "1"},
                args.seconds,
                args.clients,
                True,
                readers=args.readers,
                read=["/form"],
            )
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait()

    port = free_port()
    server = serve("survey_app:create_app()", port, args.workers, env, ROOT)
    events: list[str] = []
    during = None
    if args.kill_worker:
        during = lambda: kill_workers(server.pid, args.seconds, events)  # noqa: E731
    if cluster:
        during = lambda: bounce(cluster, port, tokens[0], args.seconds / 3, events)  # noqa: E731
    mixed: tuple[Tally, Tally] | None = None
    try:
        paths = [f"/survei/{t}" for t in tokens]
        survey, _ = drive(port, paths, answers, args.seconds, args.clients, during=during)
        if args.readers:
            pages = [f"/hasil/{kode}" for kode in units] + [f"/hasil/{k}/widget" for k in units]
            mixed = drive(
                port,
                paths,
                answers,
                args.seconds,
                args.clients,
                readers=args.readers,
                read=pages,
            )
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait()
    if cluster and not ready(cluster):
        cluster.start()
    stored_line, rollup_line = python(env, CHECK).splitlines()
    stored, rollup_off = json.loads(stored_line), json.loads(rollup_line)
    if mixed and bare_mix:
        report_readers(args, bare_mix, mixed, survey, len(units))
        survey.acknowledged |= mixed[0].acknowledged
        survey.sent |= mixed[0].sent
    report(args, bare, survey, stored, events, len(tokens), rollup_off)


def report_readers(
    args, bare: tuple[Tally, Tally], mixed: tuple[Tally, Tally], alone: Tally, units: int
) -> None:
    """The readers of the results pages, and what they did to the form."""
    seconds = args.seconds
    print(f"with {args.readers} readers of {units} units' results pages and widgets:")
    for name, (base, ours) in {
        "results page GET": (bare[1], mixed[1]),
        "form GET+POST": (bare[0], mixed[0]),
    }.items():
        b, o = len(base.latencies) / seconds, len(ours.latencies) / seconds
        print(
            f"  {name:<17} {o:8.1f} /s ({o / b:.3f}x of bare {b:.1f} /s)"
            f"  p50 {quantile(ours.latencies, 0.5):6.1f} ms"
            f" ({quantile(ours.latencies, 0.5) / quantile(base.latencies, 0.5):.1f}x)"
            f"  p95 {quantile(ours.latencies, 0.95):6.1f} ms"
            f" ({quantile(ours.latencies, 0.95) / quantile(base.latencies, 0.95):.1f}x)"
        )
    print(
        f"  form p95 with readers / alone: "
        f"{quantile(mixed[0].latencies, 0.95) / quantile(alone.latencies, 0.95):.2f}x; "
        f"form responses {dict(mixed[0].statuses)}; results responses {dict(mixed[1].statuses)}"
    )


def ready(cluster: PrivateCluster) -> bool:
    done = subprocess.run(
        [PG_BIN / "pg_isready", "-h", "127.0.0.1", "-p", str(cluster.port)], capture_output=True
    )
    return done.returncode == 0


def kill_workers(master: int, seconds: float, events: list[str], times: int = 4) -> None:
    """SIGKILL a busy worker ``times`` times, evenly over the run."""
    started = time.perf_counter()
    for n in range(1, times + 1):
        time.sleep(max(0.0, started + seconds * n / (times + 1) - time.perf_counter()))
        children = subprocess.run(["pgrep", "-P", str(master)], capture_output=True, text=True)
        worker = int(random.choice(children.stdout.split()))
        os.kill(worker, signal.SIGKILL)
        events.append(f"SIGKILL to worker {worker} at {time.perf_counter() - started:.1f} s")


def bounce(cluster: PrivateCluster, port: int, token: str, after: float, events: list[str]):
    time.sleep(after)
    cluster.stop()
    events.append(f"PostgreSQL stopped at {after:.0f} s")
    time.sleep(1.0)
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("GET", f"/survei/{token}")
    response = connection.getresponse()
    page = response.read().decode()
    friendly = "coba lagi" in page and "Traceback" not in page
    events.append(f"while down: GET form -> {response.status}, friendly page: {friendly}")
    time.sleep(3.0)
    cluster.start()
    events.append("PostgreSQL started again")
    for waited in range(30):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        connection.request("GET", f"/survei/{token}")
        response = connection.getresponse()
        response.read()
        if response.status == 200:
            events.append(f"form back to 200 after {waited * 0.2:.1f} s, no restart of the app")
            return
        time.sleep(0.2)
    events.append("form did NOT recover within 6 s")


def report(
    args, bare: Tally, survey: Tally, stored, events: list[str], layanan: int, rollup_off: list
) -> None:
    keys = [key for key, _, _ in stored]
    counts = collections.Counter(keys)
    lost = survey.acknowledged - set(keys)
    doubled = [k for k, n in counts.items() if n > 1]
    partial = [k for k, n, expected in stored if n != expected]
    unknown = set(keys) - survey.sent  # stored, yet no client sent it
    seconds = args.seconds
    base_rate = len(bare.latencies) / seconds
    rate = len(survey.latencies) / seconds
    print(
        f"gunicorn -w {args.workers}, {args.clients} clients, {seconds:.0f} s, "
        f"{os.cpu_count()} cores, PostgreSQL, {layanan} layanan"
    )
    for event in events:
        print(f"  fault: {event}")
    print(
        f"bare Flask GET+POST: {base_rate:8.1f} /s  p50 {quantile(bare.latencies, 0.5):6.1f} ms"
        f"  p95 {quantile(bare.latencies, 0.95):6.1f} ms"
    )
    print(
        f"survey GET+POST:     {rate:8.1f} /s  p50 {quantile(survey.latencies, 0.5):6.1f} ms"
        f"  p95 {quantile(survey.latencies, 0.95):6.1f} ms"
    )
    print(
        f"ratio: throughput {rate / base_rate:.3f}x of bare, "
        f"p50 {quantile(survey.latencies, 0.5) / quantile(bare.latencies, 0.5):.1f}x, "
        f"p95 {quantile(survey.latencies, 0.95) / quantile(bare.latencies, 0.95):.1f}x"
    )
    print(
        f"responses: {dict(survey.statuses)}; client retries after a dropped connection: "
        f"{survey.retries}"
    )
    print(
        f"acknowledged {len(survey.acknowledged)}, stored {len(keys)}: lost {len(lost)}, "
        f"doubled {len(doubled)}, partial {len(partial)}, "
        f"stored without an acknowledgement seen {len(set(keys) - survey.acknowledged)}, "
        f"stored but never sent {len(unknown)}"
    )
    print(
        "monthly rollup equals the stored answers"
        if not rollup_off
        else f"monthly rollup differs from the answers: {rollup_off}"
    )
    if lost or doubled or partial or unknown or rollup_off:
        sys.exit(1)


if __name__ == "__main__":
    main()
