"""What an attacker tries against a real deployment shape, and what happens (issue 8).

Starts gunicorn (2 workers) on PostgreSQL or SQLite with the rate limits in Redis and the default
limits, as behind one load balancer (``SURVEY_PROXY_COUNT=1``: the balancer appends the client's
address to X-Forwarded-For; each simulated phone has its own), then tries: a flood from one
source, dodging the limit with a forged X-Forwarded-For, replaying one form, racing one ticket
from ten phones, a forged render stamp, a wrong layanan, an oversized body, and guessing a staff
password. Prints one line per
attack with the status codes seen and the rows stored.

    .venv/bin/python scripts/attack.py [--database-url postgresql+psycopg://...]
"""

from __future__ import annotations

import argparse
import collections
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
from submit import demo_database, free_port, serve  # noqa: E402

FIELDS = re.compile(r'name="(csrf_token|kunci|layanan|mulai)"[^>]*value="([^"]*)"')
ANSWERS = {f"U{i}": "4" for i in range(1, 10)} | {f"AK{i}": "4" for i in range(1, 6)}


def phone(address: str) -> requests.Session:
    """A client at ``address``, as the load balancer reports it (the last X-Forwarded-For)."""
    session = requests.Session()
    session.headers["X-Forwarded-For"] = address
    return session


def form(session: requests.Session, url: str) -> dict[str, str]:
    return dict(FIELDS.findall(session.get(url, timeout=10).text)) | ANSWERS


def sql(env: dict[str, str], statement: str) -> str:
    code = (
        "from sqlalchemy import text; from survey_app import create_app; "
        "from survey_app.extensions import db; app = create_app()\n"
        f"with app.app_context(): print(db.session.execute(text({statement!r})).scalar())"
    )
    done = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True)
    return done.stdout.decode().strip()


def report(name: str, statuses: list[int], stored: str) -> None:
    counted = ", ".join(f"{k}x{v}" for k, v in sorted(collections.Counter(statuses).items()))
    print(f"{name:<58} statuses {counted:<24} stored {stored}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        env = dict(
            os.environ,
            SURVEY_DATABASE_URL=args.database_url or f"sqlite:///{folder}/attack.db",
            SURVEY_SECRET_KEY="attack",
            SURVEY_RATELIMIT_STORAGE_URI=os.environ.get(
                "SURVEY_RATELIMIT_STORAGE_URI", "redis://127.0.0.1:6379"
            ),
            SURVEY_PROXY_COUNT="1",
        )
        demo_database(env)
        token = sql(env, "select token from layanan where kode = 'TITIP'")
        port = free_port()
        server = serve("survey_app:create_app()", port, 2, env, ROOT)
        base = f"http://127.0.0.1:{port}"
        url = f"{base}/survei/{token}"
        count = "select count(*) from submission where source = 'form'"
        try:
            attack(base, url, env, count)
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait()


TICKET = (
    "from survey_app import create_app; from survey_app.extensions import db; "
    "from survey_app.models import Layanan; from survey_app.services.collection.tickets import "
    "issue_tickets; from analysis.periods import now_utc; app = create_app()\n"
    "with app.app_context():\n"
    " [t] = issue_tickets(db.session, db.session.query(Layanan).filter_by(kode='TITIP').one(),"
    " 1, now_utc()); db.session.commit(); print(t.token)"
)


def attack(base: str, url: str, env: dict[str, str], count: str) -> None:
    flooder = phone("203.0.113.10")
    flood = [flooder.post(url, data=form(flooder, url), allow_redirects=False) for _ in range(40)]
    statuses = [r.status_code for r in flood]
    report("flood: 40 answers from one phone in seconds", statuses, sql(env, count))

    before = sql(env, count)
    spoofed = []
    for n in range(10):
        headers = {"X-Forwarded-For": f"10.0.{n}.1, 203.0.113.10"}  # forged part first
        spoofed.append(flooder.post(url, data=form(flooder, url), headers=headers).status_code)
    report("dodge: 10 more, forging X-Forwarded-For", spoofed, f"{sql(env, count)} (was {before})")

    replayer = phone("203.0.113.20")
    body = form(replayer, url)
    replay = [replayer.post(url, data=body, allow_redirects=False).status_code for _ in range(5)]
    report("replay: one form posted 5 times", replay, sql(env, count))

    for n, (name, change) in enumerate(
        [
            ("forged render stamp", {"mulai": "x.1.abc"}),
            ("form sent for another layanan", {"layanan": "KUNJ"}),
            ("answer 5 on a 1-4 scale", {"U1": "5"}),
            ("an extra field", {"is_admin": "1"}),
            ("saran of 200 kB", {"saran": "x" * 200_000}),
            ("SQL in saran (stored as text)", {"saran": "'); DROP TABLE submission; --"}),
        ]
    ):
        other = phone(f"198.51.100.{n + 1}")
        response = other.post(url, data=form(other, url) | change, allow_redirects=False)
        report(name, [response.status_code], sql(env, count))

    ticket = subprocess.run(
        [sys.executable, "-c", TICKET], env=env, cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    ticket_url = f"{base}/survei/t/{ticket}"
    phones = [phone(f"192.0.2.{n + 1}") for n in range(10)]
    bodies = [form(p, ticket_url) for p in phones]
    results: list[int] = []
    threads = [
        threading.Thread(
            target=lambda p=p, b=b: results.append(
                p.post(ticket_url, data=b, allow_redirects=False).status_code
            )
        )
        for p, b in zip(phones, bodies, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    on_ticket = (
        "select count(*) from submission s join tiket t on t.id = s.tiket_id "
        f"where t.token = '{ticket}'"
    )
    report("race: one ticket sent from 10 phones at once", results, sql(env, on_ticket))

    guesser = phone("203.0.113.99")
    statuses = []
    for n in range(12):
        page = guesser.get(f"{base}/staf/masuk").text
        csrf = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
        data = {
            "csrf_token": csrf.group(1) if csrf else "",
            "username": "kanwil",
            "password": f"tebakan-{n}",
        }
        response = guesser.post(f"{base}/staf/masuk", data=data, allow_redirects=False)
        statuses.append(response.status_code)
    locked = sql(env, "select terkunci_sampai is not null from pengguna where username = 'kanwil'")
    report("guess: 12 passwords for one staff account", statuses, f"locked={locked}")
    looks = "select count(*) from submission where sumber like '%.%' or sumber like '%:%'"
    print(f"{'stored sources that look like an address':<58} {sql(env, looks)}")


if __name__ == "__main__":
    main()
