"""A live server and Debian's chromium driven by Playwright."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from werkzeug.serving import make_server

from analysis.periods import now_utc
from survey_app import create_app
from survey_app.extensions import db
from survey_app.services.administration import demo
from survey_app.services.administration.demo import DEMO_PASSWORD

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
def live_app(tmp_path: Path) -> Iterator[tuple[Flask, str]]:
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'live.db'}",
            "SECRET_KEY": "browser-test",
        }
    )
    server = make_server("127.0.0.1", 0, app, threaded=True)
    base = f"http://127.0.0.1:{server.server_port}"
    app.config["BASE_URL"] = base
    with app.app_context():
        db.create_all()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield app, base
    server.shutdown()
    thread.join()
    with app.app_context():
        db.engine.dispose()


def _demo_shift() -> timedelta:
    local = now_utc().astimezone(ZoneInfo(demo.TZ))
    if local.day != 1:
        return timedelta(0)
    return local - local.replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(hours=1)


DEMO_SHIFT = _demo_shift()


def demo_now() -> datetime:
    """Now; but on the first day of a month in the demo's zone (WITA), an hour before that day
    began, running as the real clock runs. The demo's answers come in service hours up to now,
    so on the first day its running month has none yet, and a page that shows the running
    month (a dashboard's default, a running month's publication) would be empty; these tests
    run the app on this clock (``demo_app``) and load the demo at it."""
    return now_utc() - DEMO_SHIFT


@pytest.fixture
def demo_app(live_app: tuple[Flask, str]) -> tuple[Flask, str]:
    """The live app on :func:`demo_now`, for tests of the demo's running month."""
    app, base = live_app
    app.config["CLOCK"] = demo_now
    return app, base


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"chromium not found at {CHROMIUM}: apt-get install chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield browser
        browser.close()


def run_axe(page) -> list[dict]:
    """Serious and critical axe-core violations of the page.

    axe is injected as an inline script, which the app's CSP refuses: contexts that run it are
    opened with ``bypass_csp=True``; test_csp.py checks the pages with the policy enforced.
    """
    if not AXE.exists():
        pytest.fail("axe-core missing: run npm ci")
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document)")
    return [v for v in result["violations"] if v["impact"] in ("serious", "critical")]


def sign_in(page, base: str, username: str = "kanwil") -> None:
    """Sign a demo account in through the sign-in form, as staff do."""
    if not page.url.startswith(f"{base}/staf/masuk"):
        page.goto(f"{base}/staf/masuk")
    page.get_by_label("Nama pengguna").fill(username)
    page.get_by_label("Kata sandi").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Masuk").click()
