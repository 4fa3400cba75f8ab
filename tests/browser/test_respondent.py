"""A respondent on a phone: scan the loket QR, answer, send, see thanks (real chromium)."""

import os
import urllib.request

import pytest
from sqlalchemy import select

from analysis.periods import now_utc, period_of
from survey_app.extensions import db
from survey_app.models import Layanan, Submission
from survey_app.services.administration.demo import load_demo
from tests.browser.conftest import run_axe
from tests.readback import decode_qr

PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}
SHOTS = os.environ.get("SURVEY_SCREENSHOTS")


def scan_qr(base: str, token: str) -> str:
    png = urllib.request.urlopen(f"{base}/survei/{token}/qr.png", timeout=10).read()
    [url] = decode_qr(png)
    return url


@pytest.mark.browser
def test_scan_answer_submit_with_javascript_off(live_app, browser):
    app, base = live_app
    with app.app_context():
        load_demo(db.session, app.extensions["zisurvey.catalogue"], now_utc())
        db.session.commit()
        layanan = db.session.scalars(select(Layanan).where(Layanan.kode == "BANKUM")).one()
        token, tz, before = layanan.token, layanan.unit.timezone, len(layanan.unit.layanan)
        existing = set(db.session.scalars(select(Submission.id)))
    url = scan_qr(base, token)
    assert url == f"{base}/survei/{token}"

    context = browser.new_context(java_script_enabled=False, **PHONE)
    page = context.new_page()
    page.goto(url)
    assert page.locator("h1").inner_text() == "Rutan Kelas I Makassar"
    # send too early: the error summary lists every unanswered question
    page.get_by_role("button", name="Kirim jawaban").click()
    assert page.locator(".error-summary").is_visible()
    assert "22 pertanyaan yang belum dijawab" in page.locator(".error-summary h2").inner_text()
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/form-errors.png", full_page=False)
    for fieldset in page.locator("fieldset.question[id]").all():
        fieldset.locator("label.choice").nth(3).click()  # the best answer: a tap on its label
    page.locator("fieldset.question[id=U3] label.choice").nth(1).click()
    page.get_by_label("Perempuan").check()
    page.get_by_label("Pendidikan terakhir").select_option("D4/S1")
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/form.png", full_page=True)
    page.get_by_role("button", name="Kirim jawaban").click()
    assert page.locator("h1").inner_text() == "Terima kasih"
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/thanks.png")
    context.close()

    with app.app_context():
        new = db.session.scalars(select(Submission).where(Submission.id.not_in(existing))).all()
        assert len(new) == 1
        [submission] = new
        assert submission.period == period_of(now_utc(), tz)
        answers = {a.item_code: a.value for a in submission.answers}
        assert len(answers) == 9 + 5 + 8 and answers["U3"] == 2 and answers["PK8"] == 4
        assert (submission.jenis_kelamin, submission.pendidikan) == ("P", "D4/S1")
        assert len(db.session.get(Layanan, submission.layanan_id).unit.layanan) == before


SIZES = {  # issue 21.4: a 360x640 phone and a counter tablet of 800x1280
    "phone": {"viewport": {"width": 360, "height": 640}, "is_mobile": True, "has_touch": True},
    "tablet": {"viewport": {"width": 800, "height": 1280}, "has_touch": True},
}


@pytest.mark.browser
@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("path", ["form", "form-errors", "thanks", "home", "chooser", "sent"])
def test_pages_have_no_serious_accessibility_violations(live_app, browser, path, size):
    app, base = live_app
    with app.app_context():
        load_demo(db.session, app.extensions["zisurvey.catalogue"], now_utc())
        db.session.commit()
        token = db.session.scalars(select(Layanan.token)).first()
    context = browser.new_context(bypass_csp=True, **SIZES[size])  # axe is injected inline
    page = context.new_page()
    page.goto(f"{base}/" if path == "home" else f"{base}/survei/{token}")
    if path == "form-errors":
        page.get_by_role("button", name="Kirim jawaban").click()
    if path == "thanks":
        page.goto(f"{base}/survei/{token}/terima-kasih?lapor=1")
    if path == "chooser":
        page.goto(f"{base}/survei/unit/LAPAS-MKS")
    if path == "sent":  # the form of a browser that has just sent its answers
        for fieldset in page.locator("fieldset.question[id]").all():
            fieldset.locator("label.choice").nth(3).click()
        page.get_by_role("button", name="Kirim jawaban").click()
        page.goto(f"{base}/survei/{token}")
        assert "Jawaban Anda sudah terkirim" in page.content()
    violations = run_axe(page)
    # text at 200%: the page reflows, nothing runs off the side or needs scrolling sideways
    page.evaluate("document.documentElement.style.fontSize = '200%'")
    wide = page.evaluate(
        """() => [...document.querySelectorAll('body *')]
            .filter(e => e.getClientRects().length && e.getBoundingClientRect().right >
                     document.documentElement.clientWidth + 1)
            .map(e => e.tagName + '.' + e.className + ': ' + (e.textContent || '').slice(0, 40))"""
    )
    scroll = page.evaluate("document.documentElement.scrollWidth")
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/zoom200-{path}-{size}.png", full_page=True)
    context.close()
    assert [(v["id"], v["help"], len(v["nodes"])) for v in violations] == []
    assert wide == [] and scroll <= SIZES[size]["viewport"]["width"], (wide, scroll)
