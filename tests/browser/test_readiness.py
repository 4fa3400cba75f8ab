"""The ZI readiness page in a real browser: fill the evaluation, save, read the verdict."""

import pytest

from analysis.periods import period_of
from survey_app.extensions import db
from survey_app.services.administration.demo import load_demo
from tests.browser.conftest import demo_now, run_axe, sign_in


@pytest.mark.browser
def test_unit_admin_fills_the_evaluation_and_sees_the_verdict(demo_app, browser):
    app, base = demo_app
    now = demo_now()
    with app.app_context():
        load_demo(db.session, app.extensions["zisurvey.catalogue"], now)
        db.session.commit()
    month = period_of(now, "Asia/Makassar")
    context = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    page = context.new_page()
    sign_in(page, base)
    page.goto(f"{base}/staf/unit/LAPAS-MKS/zi?tahun={month[:4]}")
    page.fill("#survei_dari", month)  # the demo's last months
    page.fill("#survei_sampai", month)
    for name, value in [
        ("manajemen_perubahan", "3.5"),
        ("penataan_tatalaksana", "3"),
        ("penataan_sdm", "4"),
        ("akuntabilitas_kinerja", "4"),
        ("penguatan_pengawasan", "6"),
        ("kualitas_pelayanan", "4"),
    ]:
        page.fill(f"input[name='{name}.pemenuhan']", value)
        page.fill(f"input[name='{name}.reform']", value)
    page.fill("#capaian_kinerja", "4")
    page.get_by_role("button", name="Simpan evaluasi").click()
    assert page.locator(".flash.ok").inner_text() == "Evaluasi disimpan."
    assert page.locator("h2", has_text="WBK").count() >= 1
    wbk = page.locator("article.figure").first
    assert wbk.locator("p.verdict").inner_text() in ("Memenuhi", "Belum memenuhi")
    assert page.get_by_text("Pengungkit", exact=True).first.is_visible()
    assert page.locator("text=Indeks IPAK terendah yang masih lolos").count() == 2
    violations = run_axe(page)
    context.close()
    assert [(v["id"], v["help"], len(v["nodes"])) for v in violations] == []
