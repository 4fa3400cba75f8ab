"""Integrity in a real browser: a unit admin reviews a burst; a respondent's ticket works once."""

import os
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from analysis.periods import now_utc
from survey_app.extensions import db
from survey_app.models import Layanan, Submission, Tiket, Tinjauan
from survey_app.services.administration.demo import load_demo
from tests.browser.conftest import run_axe, sign_in
from tests.browser.test_respondent import PHONE

SHOTS = os.environ.get("SURVEY_SCREENSHOTS")


@pytest.mark.browser
def test_unit_admin_reviews_a_burst_and_excludes_one(live_app, browser):
    app, base = live_app
    now = now_utc()
    with app.app_context():
        load_demo(db.session, app.extensions["zisurvey.catalogue"], now)
        db.session.commit()
    local = now.astimezone(ZoneInfo("Asia/Makassar"))
    month = (local.replace(day=1) - timedelta(days=1)).strftime("%Y-%m")  # the demo's burst
    context = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    page = context.new_page()
    sign_in(page, base)
    page.goto(f"{base}/staf/unit/LAPAS-MKS?periode={month}")
    page.get_by_role("link", name="Integritas").click()
    assert page.locator("h1").inner_text() == "Integritas survei"
    flagged = page.locator("tr[id^=jawaban-]")
    assert flagged.count() >= 6
    burst = page.locator("tr[id^=jawaban-]", has_text="Banyak kiriman dari satu sumber")
    assert burst.count() == 6
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/integritas.png", full_page=True)
    row = burst.first
    row.get_by_label("Catatan").fill("enam kiriman dalam lima menit dari satu ponsel")
    row.get_by_role("button", name="Simpan").click()
    assert "disimpan" in page.locator(".flash").inner_text()
    assert (
        "Dikecualikan"
        in page.locator(
            "tr[id^=jawaban-]", has_text="Banyak kiriman dari satu sumber"
        ).first.inner_text()
    )
    violations = run_axe(page)
    context.close()
    assert [(v["id"], v["help"], len(v["nodes"])) for v in violations] == []
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Tinjauan)) == 1


@pytest.mark.browser
def test_a_ticket_takes_one_answer_on_a_phone(live_app, browser):
    app, base = live_app
    with app.app_context():
        load_demo(db.session, app.extensions["zisurvey.catalogue"], now_utc())
        layanan = db.session.scalars(select(Layanan).where(Layanan.kode == "BANKUM")).one()
        tiket = Tiket(layanan=layanan, dibuat=now_utc())
        db.session.add(tiket)
        db.session.commit()
        token, tiket_id = tiket.token, tiket.id
    context = browser.new_context(java_script_enabled=False, **PHONE)
    page = context.new_page()
    page.goto(f"{base}/survei/t/{token}")
    for fieldset in page.locator("fieldset.question[id]").all():
        fieldset.locator("label.choice").nth(2).click()
    page.get_by_role("button", name="Kirim jawaban").click()
    assert page.locator("h1").inner_text() == "Terima kasih"
    response = page.goto(f"{base}/survei/t/{token}")
    assert response.status == 410
    assert page.locator("h1").inner_text() == "Tiket survei ini sudah dipakai"
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/tiket-dipakai.png")
    context.close()
    with app.app_context():
        assert db.session.scalar(select(func.count()).where(Submission.tiket_id == tiket_id)) == 1
