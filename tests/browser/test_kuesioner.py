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


LONG = "Sangatsangatsangatsangatsangatsangatsangatsangatramahsekali"  # 59 characters, no space


def long_worded_variant(app, layanan_id: int) -> str:
    """A variant with a label and a question holding a word of about 60 characters, a split U3
    and a short-text extra question, chosen for ``layanan_id``; the layanan's token."""
    from survey_app.models import Layanan
    from survey_app.services.collection.kuesioner import choose, save_version

    with app.app_context():
        layanan = db.session.get(Layanan, layanan_id)
        raw = {
            "nama": "Panjang",
            "instrumen": {
                "skm": {
                    "U1": {"pertanyaan": {"id": f"Bagaimana {LONG}?", "en": f"How {LONG}?"}},
                    "U3": {
                        "sub": [
                            {"id": "Tidak ada diskriminasi di loket", "en": "No bias at the desk"},
                            {"id": "Lama menunggu di ruang tunggu", "en": "Waiting time here"},
                        ]
                    },
                    "U7": {"label": {"id": ["a", "b", "c", LONG], "en": ["a", "b", "c", LONG]}},
                }
            },
            "tambahan": [
                {
                    "kode": "catatan",
                    "jenis": "teks",
                    "pertanyaan": {"id": "Catatan singkat untuk petugas?", "en": "A short note?"},
                }
            ],
        }
        catalogue = app.extensions["zisurvey.catalogue"]
        versi, _ = save_version(db.session, catalogue.instruments, layanan.unit, raw, now_utc())
        choose(db.session, layanan, versi.varian, now_utc())
        db.session.commit()
        return layanan.token


WIDE = "() => document.documentElement.scrollWidth"


@pytest.mark.browser
def test_long_words_wrap_at_360px_on_the_form_and_the_kiosk_and_the_short_text_is_styled(
    live_app, browser
):
    """Tester 22 #12-#14: a 60-character word in a label or question never widens a 360px
    page (form and kiosk); the short-text extra question is a full-width input with its hint,
    and its error is listed at the top; the kiosk puts the sub-question on its own line."""
    from tests.browser.test_kiosk import PHONE, pair, pairing_code, seed, settle

    app, base = live_app
    layanan_id = seed(app)
    token = long_worded_variant(app, layanan_id)
    phone = browser.new_context(**PHONE)
    form = phone.new_page()
    form.goto(f"{base}/survei/{token}")
    assert LONG in form.content()
    assert form.evaluate(WIDE) <= 360
    extra = form.locator("input[name='tambahan-catatan']")
    assert extra.bounding_box()["width"] > 250
    assert "Tidak wajib, paling banyak 200 karakter" in form.content()
    extra.fill("x" * 199)
    extra.evaluate("(el, value) => { el.maxLength = 500; el.value = value; }", "x" * 201)
    form.get_by_role("button", name="Kirim jawaban").click()
    summary = form.locator(".error-summary")
    assert "Jawaban terlalu panjang" in summary.inner_text()
    assert summary.locator("a[href='#tambahan-catatan']").count() == 1
    assert form.evaluate(WIDE) <= 360

    code = pairing_code(browser, base, layanan_id)
    kiosk = phone.new_page()
    pair(kiosk, base, code)
    kiosk.locator("#mulai").click()
    settle(kiosk)
    assert LONG in kiosk.locator("#soal").inner_text()
    assert kiosk.evaluate(WIDE) <= 360
    for _ in range(2):  # U1, U2: then U3's first sub-question
        kiosk.locator("#pilihan button[value='3']").click()
        settle(kiosk)
    sub = kiosk.locator("#soal .k-sub")
    assert sub.inner_text() == "Tidak ada diskriminasi di loket"
    assert sub.bounding_box()["y"] > kiosk.locator("#soal").bounding_box()["y"] + 5
    for _ in range(5):  # U3.2, U5, U6, U7 (the long label)
        kiosk.locator("#pilihan button[value='3']").click()
        settle(kiosk)
        assert kiosk.evaluate(WIDE) <= 360
    phone.close()
