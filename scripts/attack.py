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
            hardening(base, port, env, Path(folder))
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


def signed_in(base: str, address: str) -> requests.Session:
    """The demo's central admin, signed in from ``address``."""
    session = phone(address)
    page = session.get(f"{base}/staf/masuk", timeout=10).text
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    data = {"csrf_token": token, "username": "admin", "password": "demo-zisurvey"}
    session.post(f"{base}/staf/masuk", data=data, allow_redirects=False, timeout=10)
    return session


def zisurvey(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "survey_app.cli", *args], env=env, cwd=ROOT, capture_output=True,
        text=True,
    )  # fmt: skip


def hardening(base: str, port: int, env: dict[str, str], folder: Path) -> None:
    """The cases of issue 19: a huge range, slow clients, a review race, a backup with a logo."""
    import socket
    import time

    admin = signed_in(base, "203.0.113.150")
    unit = sql(env, "select kode from unit where parent_id is null limit 1")
    started = time.monotonic()
    huge = admin.get(f"{base}/staf/unit/{unit}?dari=1000-01&sampai=5000-12", timeout=60)
    report(
        "long range: ?dari=1000-01&sampai=5000-12",
        [huge.status_code],
        f"answered in {time.monotonic() - started:.2f} s",
    )

    slow = []
    for _ in range(4):
        sock = socket.create_connection(("127.0.0.1", port))
        sock.sendall(
            b"POST /survei/x HTTP/1.1\r\nHost: x\r\nContent-Length: 64\r\n"
            b"Content-Type: application/x-www-form-urlencoded\r\n\r\n"
        )
        slow.append(sock)
    waits, statuses = [], []
    for _ in range(3):
        for sock in slow:
            sock.sendall(b"a")
        started = time.monotonic()
        statuses.append(requests.get(f"{base}/health", timeout=60).status_code)
        waits.append(time.monotonic() - started)
        time.sleep(2)
    for sock in slow:
        sock.close()
    report(
        "slow: 4 bodies at a byte every 2 s, /health beside", statuses, f"max {max(waits):.2f} s"
    )

    target = sql(env, "select min(id) from submission")
    staff = [signed_in(base, f"203.0.113.{160 + n}") for n in range(10)]
    pages = [s.get(f"{base}/staf/unit/{unit}/integritas", timeout=30).text for s in staff]
    tokens = [re.search(r'name="csrf_token"[^>]*value="([^"]+)"', p) for p in pages]
    decisions: list[int] = []

    def decide(session: requests.Session, token: str) -> None:
        data = {
            "csrf_token": token,
            "keputusan": "kecualikan",
            "alasan": "beruntun",
            "catatan": "x",
        }
        url = f"{base}/staf/jawaban/{target}/tinjau"
        decisions.append(session.post(url, data=data, allow_redirects=False).status_code)

    threads = [
        threading.Thread(target=decide, args=(s, m.group(1) if m else ""))
        for s, m in zip(staff, tokens, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    check = zisurvey(env, "rollup")
    report(
        "race: 10 staff exclude one answer at once",
        decisions,
        f"rollup check exit {check.returncode}",
    )

    logo = "89504e470d0a1a0a" + "00" * 64
    update = (
        "from sqlalchemy import text; from survey_app import create_app; "
        "from survey_app.extensions import db; app = create_app()\n"
        "with app.app_context():\n"
        " db.session.execute(text('update unit set logo = :l'),"
        f" {{'l': bytes.fromhex('{logo}')}})\n"
        " db.session.commit()"
    )
    subprocess.run([sys.executable, "-c", update], env=env, cwd=ROOT, check=True)
    path = folder / "cadangan.jsonl.gz"
    made = zisurvey(env, "backup", str(path))
    fresh = dict(env, SURVEY_DATABASE_URL=f"sqlite:///{folder}/pulih.db")
    zisurvey(fresh, "db", "upgrade")
    restored = zisurvey(fresh, "restore", str(path))
    rolled = zisurvey(fresh, "rollup")
    report(
        "backup with a logo, restored into a fresh database",
        [made.returncode, restored.returncode, rolled.returncode],
        "exit codes of backup, restore, rollup check",
    )


if __name__ == "__main__":
    main()
