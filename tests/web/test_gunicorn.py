"""The shipped gunicorn.conf.py, run as the README says: slow clients do not stall the site, and
no client address reaches the log (issue 19.7)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def served(tmp_path):
    port = free_port()
    env = dict(
        os.environ,
        SURVEY_DATABASE_URL=f"sqlite:///{tmp_path / 'g.db'}",
        SURVEY_SECRET_KEY="gunicorn-test",
        ZISURVEY_BIND=f"127.0.0.1:{port}",
        ZISURVEY_WORKERS="2",
    )
    log = (tmp_path / "gunicorn.log").open("w")
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "-c", "gunicorn.conf.py",
         *os.environ.get("ZISURVEY_TEST_GUNICORN_ARGS", "").split(), "survey_app:create_app()"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    for _ in range(150):
        try:
            urllib.request.urlopen(f"{base}/health", timeout=1)
            break
        except OSError:
            time.sleep(0.1)
    yield base, port, tmp_path / "gunicorn.log"
    server.terminate()
    server.wait(timeout=30)
    log.close()


def test_four_slow_bodies_do_not_stall_health(served):
    base, port, _log = served
    slow = []
    for _ in range(4):  # four clients sending a form body one byte every 2 s
        sock = socket.create_connection(("127.0.0.1", port))
        sock.sendall(
            b"POST /staf/masuk HTTP/1.1\r\nHost: x\r\n"
            b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 64\r\n\r\n"
        )
        slow.append(sock)
    try:
        for _ in range(3):
            for sock in slow:
                sock.sendall(b"a")
            started = time.monotonic()
            with urllib.request.urlopen(f"{base}/health", timeout=10) as response:
                assert response.status == 200
            assert time.monotonic() - started < 2.0
            time.sleep(2)
    finally:
        for sock in slow:
            sock.close()


def test_the_error_log_holds_no_client_address(served):
    base, port, log = served
    with socket.create_connection(("127.0.0.1", port)) as sock:
        sock.sendall(b"G@RBAGE / HTTP/1.1\r\nHost: x\r\n\r\n")  # gunicorn logs this request
        sock.recv(1024)
    urllib.request.urlopen(f"{base}/health", timeout=5).read()
    time.sleep(0.5)
    text = log.read_text()
    assert "Invalid request" in text  # the line is written ...
    assert "127.0.0.1" not in text  # ... with its address blanked
