"""The questionnaire variant editor in a real browser (issue 22): edit, preview on a phone
frame, save a version, choose it for a layanan, see it on the public form."""

import pytest

from analysis.periods import now_utc
from survey_app.extensions import db
from survey_app.services.administration.demo import load_demo
from tests.browser.conftest import run_axe, sign_in


@pytest.mark.browser
def test_unit_admin_edits_a_variant_and_sees_the_preview(live_app, browser):
    app, base = live_app
    with app.app_context():
        load_demo(db.session, app.extensions["zisurvey.catalogue"], now_utc())
        db.session.commit()
    context = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    page = context.new_page()
    sign_in(page, base)
    page.goto(f"{base}/staf/unit/LAPAS-MKS/kuesioner")
    page.fill("#nama", "Kunjungan")
    page.fill("#U1-pertanyaan-id", "Bagaimana persyaratan layanan {layanan} di {unit}?")
    page.fill("#U1-pertanyaan-en", "How are the requirements of {layanan} at {unit}?")
    page.fill("#U3-sub1-id", "Kecepatan pendaftaran kunjungan")
    page.fill("#U3-sub1-en", "Speed of visit registration")
    page.fill("#U3-sub2-id", "Lama menunggu sampai bertemu")
    page.fill("#U3-sub2-en", "Waiting time until the meeting")
    page.fill("#U4-hilang", "Layanan kunjungan tidak dipungut biaya.")
    page.check("input[name='pengarahan']")
    page.get_by_role("button", name="Pratinjau").click()
    frame = page.locator(".phone-frame")
    assert frame.is_visible()
    assert "Kecepatan pendaftaran kunjungan" in frame.inner_text()
    assert "Apakah ada petugas yang mengarahkan jawaban Anda?" in frame.inner_text()
    assert "Biaya" not in frame.inner_text()
    assert run_axe(page) == []
    page.get_by_role("button", name="Simpan sebagai versi baru").click()
    assert "Disimpan sebagai versi 1." in page.locator(".flash").first.inner_text()
    # chosen for the first layanan: its public form on a phone shows the variant, and passes axe
    page.select_option("select[name='varian'] >> nth=0", label="Kunjungan")
    page.get_by_role("button", name="Pakai").first.click()
    with app.app_context():
        from sqlalchemy import select

        from survey_app.models import Layanan

        token = db.session.scalars(
            select(Layanan.token).where(Layanan.kuesioner_varian_id.is_not(None))
        ).one()
    phone = browser.new_context(viewport={"width": 360, "height": 740}, bypass_csp=True)
    form = phone.new_page()
    form.goto(f"{base}/survei/{token}")
    assert form.locator("input[name='U3-1']").count() == 4
    assert form.locator("input[name='U4']").count() == 0
    assert "Apakah ada petugas yang mengarahkan jawaban Anda?" in form.content()
    assert run_axe(form) == []
    phone.close()
    context.close()
