"""Publishing as staff do it (issue 16.7 and 16.9; REGULATION §6), in real chromium: preview,
confirm, the poster's QR decoded and followed to the chooser, a running month as "sementara",
and a withdrawal the public page explains."""

import os
import re

import pytest

from analysis.periods import now_utc, period_of
from survey_app.extensions import db
from survey_app.services.administration.demo import load_demo
from tests.browser.conftest import demo_now, sign_in
from tests.readback import decode_qr, pdf_pages

SHOTS = os.environ.get("ZISURVEY_SHOTS")
PHONE = {"viewport": {"width": 360, "height": 640}, "device_scale_factor": 2, "is_mobile": True}


def shot(page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


@pytest.mark.browser
def test_preview_confirm_follow_the_qr_and_withdraw(live_app, browser):
    app, base = live_app
    with app.app_context():
        load_demo(db.session, app.extensions["zisurvey.catalogue"], now_utc())
        db.session.commit()
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    sign_in(page, base)
    page.goto(f"{base}/staf/unit/LAPAS-MKS?periode=2026-10")
    page.get_by_role("link", name=re.compile("Terbitkan hasil periode ini")).click()
    assert page.locator("h1").inner_text() == "Pratinjau publikasi · Oktober 2026"
    preview = page.locator("section.preview")
    assert preview.locator(".bignum").is_visible()
    poster_preview = page.get_by_role("link", name="poster-a3.pdf").get_attribute("href")
    assert page.request.get(base + poster_preview).headers["content-type"] == "application/pdf"
    shot(page, "publish-preview")
    page.get_by_role("button", name="Terbitkan", exact=True).click()
    assert page.url == f"{base}/hasil/LAPAS-MKS?periode=2026-10"
    assert "Oktober 2026" in page.locator("p.lead").first.inner_text()
    shot(page, "publish-public")

    poster = page.get_by_role("link", name="Poster A3 (PDF)").get_attribute("href")
    [target] = decode_qr(pdf_pages(page.request.get(base + poster).body(), dpi=60)[0])
    assert target == f"{base}/survei/unit/LAPAS-MKS"  # three open layanan: the chooser
    phone = browser.new_context(java_script_enabled=False, **PHONE).new_page()
    phone.goto(target)
    buttons = phone.locator("a.btn.big")
    assert buttons.count() == 3
    shot(phone, "publish-chooser-phone")
    buttons.first.click()
    assert phone.locator("fieldset.question").count() > 5  # the form of that layanan
    phone.context.close()

    page.goto(f"{base}/staf/unit/LAPAS-MKS/publikasi")
    section = page.locator("section.card", has_text="Oktober 2026")
    section.get_by_label("Alasan penarikan").fill("Salah memilih periode; diganti publikasi baru.")
    section.get_by_role("button", name="Tarik publikasi ini").click()
    assert "Publikasi ditarik." in page.content()
    page.goto(f"{base}/hasil/LAPAS-MKS")
    notice = page.locator("section.withdrawn")
    assert "Publikasi Oktober 2026 ditarik" in notice.inner_text()
    assert "Salah memilih periode; diganti publikasi baru." in notice.inner_text()
    assert page.request.get(base + poster).status == 410
    shot(page, "publish-withdrawn")
    context.close()


@pytest.mark.browser
def test_a_running_month_is_published_as_sementara(demo_app, browser):
    app, base = demo_app
    with app.app_context():
        load_demo(db.session, app.extensions["zisurvey.catalogue"], demo_now())
        db.session.commit()
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    sign_in(page, base)
    month = period_of(demo_now(), "Asia/Makassar")  # the running month in the unit's zone
    page.goto(f"{base}/staf/unit/RUTAN-MKS/terbitkan?periode={month}")
    assert "HASIL SEMENTARA s.d." in page.content()
    page.get_by_role("button", name="Terbitkan hasil sementara").click()
    assert "HASIL SEMENTARA s.d." in page.locator("p.sementara").inner_text()
    context.close()
