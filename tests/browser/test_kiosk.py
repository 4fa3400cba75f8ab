"""The kiosk on the counter (issue 21.3) in real chromium: paired through the staff page,
answered three times with the network down, sent once each when it returns (after a reload and
the queue replayed twice), the gap and the idle reset under a controlled clock, and every
screen checked with axe at a tablet's and a phone's size."""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from survey_app.extensions import db
from survey_app.models import Layanan, LayananInstrumen, MasaLayanan, Submission, Unit
from survey_app.services.administration.accounts import create_user
from survey_app.services.administration.demo import DEMO_PASSWORD
from tests.browser.conftest import run_axe, sign_in

TABLET = {"viewport": {"width": 800, "height": 1280}, "has_touch": True}
PHONE = {"viewport": {"width": 360, "height": 640}, "has_touch": True}
SHOTS = Path(os.environ.get("SURVEY_KIOSK_SHOTS", "/tmp/kiosk-shots"))

READ_QUEUE = """() => new Promise((resolve, reject) => {
  const open = indexedDB.open("zisurvey-kiosk", 1);
  open.onerror = () => reject(open.error);
  open.onsuccess = () => {
    const request = open.result.transaction("antrean").objectStore("antrean").getAll();
    request.onsuccess = () => { open.result.close(); resolve(request.result); };
  };
})"""
PUT_BACK = """(items) => new Promise((resolve, reject) => {
  const open = indexedDB.open("zisurvey-kiosk", 1);
  open.onsuccess = () => {
    const tx = open.result.transaction("antrean", "readwrite");
    items.forEach((item) => tx.objectStore("antrean").put(item));
    tx.oncomplete = () => { open.result.close(); resolve(items.length); };
    tx.onerror = () => reject(tx.error);
  };
})"""


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def seed(app, instruments=("skm",), faces=False) -> int:
    """A Jakarta unit with one layanan and its petugas loket ``loket``; the layanan's id."""
    with app.app_context():
        unit = Unit(kode="RUTAN-K", nama="Rutan Kelas IIA Kiosk", jenis="upt", kiosk_wajah=faces)
        layanan = Layanan(
            unit=unit,
            kode="KUNJ",
            nama="Layanan Kunjungan",
            instrumen=[
                LayananInstrumen(instrument_id=i, urutan=n) for n, i in enumerate(instruments)
            ],
            masa=[MasaLayanan(dari="2025-01")],
        )
        db.session.add_all([unit, layanan])
        db.session.flush()
        create_user(db.session, "loket", DEMO_PASSWORD, "petugas", unit, demo=True)
        db.session.commit()
        return layanan.id


def pairing_code(browser, base: str, layanan_id: int) -> str:
    context = browser.new_context()
    page = context.new_page()
    sign_in(page, base, "loket")
    page.goto(f"{base}/staf/layanan/{layanan_id}/kiosk")
    page.get_by_role("button", name="Buat kode pemasangan").click()
    code = page.locator("#kode-pemasangan").inner_text()
    context.close()
    return code


def pair(page, base: str, code: str) -> None:
    page.goto(f"{base}/kiosk/")
    page.get_by_label("Kode pemasangan").fill(code)
    page.get_by_role("button", name="Pasangkan").click()
    page.wait_for_selector("#mulai")


def answer_all(page, value: int = 3) -> None:
    """Tap Mulai, then the answer ``value`` on every question screen."""
    page.locator("#mulai").click()
    while page.locator("#pertanyaan").is_visible():
        settle(page)
        page.locator(f"#pilihan button[value='{value}']").click()


def settle(page) -> None:
    """Let a question's buttons take taps: they wait 350 ms after it appears (so that the
    second tap of a double tap does not answer the next question); the tablet's clock is
    the test's, so it is moved on."""
    if page.locator("#pilihan.k-settling").count():
        page.clock.run_for(400)


def kiosk_rows(app) -> list[Submission]:
    with app.app_context():
        return list(db.session.scalars(select(Submission).where(Submission.source == "kiosk")))


def wait_for(condition, seconds: float = 15) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError("condition not met in time")


@pytest.mark.browser
def test_three_answers_offline_are_sent_once_each_with_the_recorded_period(live_app, browser):
    app, base = live_app
    server = Clock(datetime(2026, 1, 31, 9, 0, tzinfo=UTC))
    app.config["CLOCK"] = server
    layanan_id = seed(app)
    code = pairing_code(browser, base, layanan_id)

    context = browser.new_context(**TABLET)
    page = context.new_page()
    refused = []
    page.on("console", lambda m: refused.append(m.text) if "Content Security" in m.text else None)
    # the tablet's clock: 31 January 23.40 in Jakarta (16.40 UTC)
    tablet = datetime(2026, 1, 31, 16, 40, tzinfo=UTC)
    page.clock.install(time=tablet - timedelta(seconds=10))
    page.clock.pause_at(tablet)
    pair(page, base, code)
    # polled from Python: wait_for_function evaluates its text with eval(), which the kiosk's
    # content security policy (no 'unsafe-eval') refuses
    wait_for(lambda: page.evaluate("() => navigator.serviceWorker.controller !== null"))
    wait_for(lambda: page.evaluate("() => caches.match('/kiosk/').then(Boolean)"))

    context.set_offline(True)
    SHOTS.mkdir(parents=True, exist_ok=True)
    for n in range(3):
        answer_all(page)
        page.wait_for_selector("#status-kirim:has-text('Jaringan sedang terputus')")
        if n == 0:
            page.screenshot(path=str(SHOTS / "terima-kasih-luring.png"))
        page.clock.run_for("00:25")  # past the thank-you screen and the gap
        page.wait_for_selector("#mulai:enabled")
    assert len(page.evaluate(READ_QUEUE)) == 3
    assert kiosk_rows(app) == []

    page.reload()  # offline: the kiosk comes from the service worker's cache
    page.wait_for_selector("#antrean:has-text('3 jawaban menunggu')")
    page.screenshot(path=str(SHOTS / "sambutan-antrean.png"))
    kept = page.evaluate(READ_QUEUE)
    assert len(kept) == 3

    server.now = datetime(2026, 2, 1, 3, 0, tzinfo=UTC)  # 1 February on the server
    context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    wait_for(lambda: len(kiosk_rows(app)) == 3)
    wait_for(lambda: page.evaluate(READ_QUEUE) == [])

    page.reload()
    for _ in range(2):  # the same queue replayed twice: nothing is stored again
        page.evaluate(PUT_BACK, kept)
        page.evaluate("window.dispatchEvent(new Event('online'))")
        wait_for(lambda: page.evaluate(READ_QUEUE) == [])
    rows = kiosk_rows(app)
    assert len(rows) == 3
    assert {r.period for r in rows} == {"2026-01"} and all(r.terlambat for r in rows)
    times = sorted(r.submitted_at for r in rows)
    assert times[0] >= datetime(2026, 1, 31, 16, 40, tzinfo=UTC)
    assert all(b - a >= timedelta(seconds=20) for a, b in zip(times, times[1:], strict=False))
    context.close()
    assert refused == []


@pytest.mark.browser
def test_the_gap_and_the_idle_reset_under_a_controlled_clock(live_app, browser):
    app, base = live_app
    start = datetime(2026, 3, 10, 3, 0, tzinfo=UTC)
    server = Clock(start)
    app.config["CLOCK"] = server
    layanan_id = seed(app)
    code = pairing_code(browser, base, layanan_id)
    context = browser.new_context(**TABLET)
    page = context.new_page()
    page.clock.install(time=start - timedelta(seconds=10))
    page.clock.pause_at(start)
    pair(page, base, code)

    answer_all(page, 4)
    page.wait_for_selector("#status-kirim:has-text('sudah tersimpan')")
    assert len(kiosk_rows(app)) == 1
    page.clock.run_for("00:08")  # the thank-you screen returns to the welcome screen
    page.wait_for_selector("#sambutan:visible")
    assert page.locator("#mulai").is_disabled()
    assert "Kios siap lagi dalam 12 detik" in page.locator("#siap").inner_text()
    # the server refuses a second answer within the gap, whatever the script does
    server.now = start + timedelta(seconds=10)
    status = page.evaluate(
        """() => fetch('/kiosk/jawaban', {method: 'POST', headers: {'Content-Type':
        'application/json'}, body: JSON.stringify({kunci: 'x'.repeat(20), jawaban:
        Object.fromEntries([1,2,3,4,5,6,7,8,9].map(i => ['U' + i, 4])),
        dicatat: Date.now()})}).then(r => r.status)"""
    )
    assert status == 429
    page.clock.run_for("00:12")
    page.wait_for_selector("#mulai:enabled")
    assert page.locator("#siap").inner_text() == ""

    # idle: two answers given, then nobody touches the tablet for the idle time
    page.locator("#mulai").click()
    settle(page)
    # a double tap answers one question: its second tap lands on the next screen and waits
    page.locator("#pilihan button[value='2']").dblclick()
    assert "Pertanyaan 2 dari 9" in page.locator("#langkah").inner_text()
    settle(page)
    page.locator("#pilihan button[value='2']").click()
    assert "Pertanyaan 3 dari 9" in page.locator("#langkah").inner_text()
    page.clock.run_for((app.config["KIOSK_DIAM_DETIK"] - 1) * 1000)
    assert page.locator("#pertanyaan").is_visible()
    page.clock.run_for(2000)
    page.wait_for_selector("#sambutan:visible")
    page.locator("#mulai").click()  # what was answered before is gone
    assert "Pertanyaan 1 dari 9" in page.locator("#langkah").inner_text()
    assert page.locator("#pilihan button[aria-pressed='true']").count() == 0
    assert len(kiosk_rows(app)) == 1
    context.close()


def screens(page, base: str, layanan_id: int, code: str, app, shoot: str | None):
    """Walk every kiosk screen; yield its name once it is showing."""
    page.goto(f"{base}/kiosk/")
    yield "pasang"
    page.get_by_label("Kode pemasangan").fill("SALAH-123")
    page.get_by_role("button", name="Pasangkan").click()
    yield "pasang-salah"
    page.get_by_label("Kode pemasangan").fill(code)
    page.get_by_role("button", name="Pasangkan").click()
    page.wait_for_selector("#mulai:enabled")
    yield "sambutan"
    page.locator("[data-lang=en]").click()
    yield "sambutan-en"
    page.locator("[data-lang=id]").click()
    page.locator("#mulai").click()
    yield "pertanyaan"
    while page.locator("#pertanyaan").is_visible():
        settle(page)
        page.locator("#pilihan button[value='1']").click()
    page.wait_for_selector("#status-kirim:has-text('sudah tersimpan')")
    yield "terima-kasih"
    page.clock.run_for("00:09")
    page.wait_for_selector("#sambutan:visible")
    yield "sambutan-tunggu"


@pytest.mark.browser
@pytest.mark.parametrize("size", ["tablet", "phone"])
def test_every_kiosk_screen_passes_axe(live_app, browser, size):
    app, base = live_app
    start = datetime(2026, 3, 10, 3, 0, tzinfo=UTC)
    app.config["CLOCK"] = Clock(start)
    layanan_id = seed(app, instruments=("skm", "ipak"), faces=True)
    code = pairing_code(browser, base, layanan_id)
    context = browser.new_context(bypass_csp=True, **(TABLET if size == "tablet" else PHONE))
    page = context.new_page()
    page.clock.install(time=start)  # running: axe waits on timers of its own
    SHOTS.mkdir(parents=True, exist_ok=True)
    seen = []
    for name in screens(page, base, layanan_id, code, app, size):
        seen.append(name)
        problems = run_axe(page)
        assert problems == [], (name, [(v["id"], v["nodes"][0]["html"]) for v in problems])
        # no text is cut off or scrolls sideways (what 200% zoom on the tablet also needs)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= page.viewport_size["width"], (name, width)
        if size == "tablet":
            page.screenshot(path=str(SHOTS / f"{name}.png"))
    assert len(seen) == 7
    with app.app_context():  # closed: the kiosk says so
        layanan = db.session.get(Layanan, layanan_id)
        layanan.aktif = False
        db.session.commit()
    page.goto(f"{base}/kiosk/")
    assert "Survei ditutup" in page.locator("h1").inner_text()
    assert run_axe(page) == []
    if size == "tablet":
        page.screenshot(path=str(SHOTS / "ditutup.png"))
    context.close()


@pytest.mark.browser
def test_the_kiosk_reads_at_200_percent_zoom(live_app, browser):
    """A tablet at 200% zoom is 400 CSS pixels wide: every screen still fits, text at least
    as large as at 100%."""
    app, base = live_app
    start = datetime(2026, 3, 10, 3, 0, tzinfo=UTC)
    app.config["CLOCK"] = Clock(start)
    layanan_id = seed(app, faces=True)
    code = pairing_code(browser, base, layanan_id)
    context = browser.new_context(viewport={"width": 400, "height": 640}, device_scale_factor=2)
    page = context.new_page()
    page.clock.install(time=start)
    pair(page, base, code)
    size = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    assert size >= 16
    page.locator("#mulai").click()
    assert page.evaluate("document.documentElement.scrollWidth") <= 400
    question = page.evaluate(
        "parseFloat(getComputedStyle(document.getElementById('soal')).fontSize)"
    )
    assert question >= 24
    context.close()


def test_nothing_of_a_kiosk_is_on_the_phone_form(live_app):
    app, _ = live_app
    with app.app_context():
        count = db.session.scalar(select(func.count()).select_from(Submission))
    assert count == 0
