"""The questionnaire variant editor in a real browser (issue 22): edit a variant (a reworded
item, answer labels, three sub-questions, an extra one-choice question, the pengarahan
question, Biaya left out) with the editor's buttons, see it in the phone frame, save a version,
choose it for a layanan and find it on the public form on a 360x640 phone."""

import os
from pathlib import Path

import pytest
from sqlalchemy import select

from analysis.periods import now_utc
from survey_app.extensions import db
from survey_app.models import Layanan
from survey_app.services.administration.demo import load_demo
from tests.browser.conftest import run_axe, sign_in

# screenshots of the editor and the form, for a person to look at (not compared)
SHOTS = Path(os.environ.get("SURVEY_SHOTS", "/tmp/edit-shots"))


def press(page, selector: str) -> None:
    """Click an editor button: the page is posted and rendered again by the server."""
    with page.expect_navigation():
        page.click(selector)


@pytest.mark.browser
def test_unit_admin_edits_a_variant_and_sees_the_preview(live_app, browser):
    app, base = live_app
    with app.app_context():
        load_demo(db.session, app.extensions["zisurvey.catalogue"], now_utc())
        db.session.commit()
    SHOTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    page = context.new_page()
    sign_in(page, base)
    page.goto(f"{base}/staf/unit/LAPAS-MKS/kuesioner")
    page.fill("#nama", "Kunjungan")
    page.fill("#U1-pertanyaan-id", "Bagaimana persyaratan layanan {layanan} di {unit}?")
    page.fill("#U1-pertanyaan-en", "How are the requirements of {layanan} at {unit}?")
    page.click("#U7 details.labels summary")  # the labels are folded until typed in
    for k, (word_id, word_en) in enumerate(
        [("Tidak ramah", "Unfriendly"), ("Kurang ramah", "Not very friendly")], 1
    ):
        page.fill(f"#U7-label{k}-id", word_id)
        page.fill(f"#U7-label{k}-en", word_en)
    page.fill("#U4-hilang", "Layanan kunjungan tidak dipungut biaya.")
    press(page, "button[name='tambah_sub'][value='U3']")  # two empty rows: the least
    assert page.input_value("#U7-label2-id") == "Kurang ramah"  # kept through the re-render
    subs = [
        ("Kecepatan pendaftaran kunjungan", "Speed of visit registration"),
        ("Lama menunggu sampai bertemu", "Waiting time until the meeting"),
    ]
    for j, (text_id, text_en) in enumerate(subs, 1):
        page.fill(f"#U3-sub{j}-id", text_id)
        page.fill(f"#U3-sub{j}-en", text_en)
    press(page, "button[name='tambah_sub'][value='U3']")
    page.fill("#U3-sub3-id", "Kejelasan jadwal kunjungan")
    page.fill("#U3-sub3-en", "Clarity of the visiting hours")
    press(page, "button[name='tambah_tambahan'][value='pilihan']")
    page.fill("#tambahan-1-kode", "tahu_dari")
    page.fill("#tambahan-1-pertanyaan-id", "Dari mana Anda mengetahui layanan ini?")
    page.fill("#tambahan-1-pertanyaan-en", "How did you learn of this service?")
    for j, (text_id, text_en) in enumerate(
        [("Spanduk", "Banner"), ("Media sosial", "Social media")], 1
    ):
        page.fill(f"#tambahan-1-pilihan{j}-id", text_id)
        page.fill(f"#tambahan-1-pilihan{j}-en", text_en)
    press(page, "button[name='tambah_pilihan'][value='1']")
    page.fill("#tambahan-1-pilihan3-id", "Petugas")
    page.fill("#tambahan-1-pilihan3-en", "An officer")
    press(page, "button[name='tambah_tambahan'][value='pengarahan']")
    assert page.input_value("#U3-sub3-id") == "Kejelasan jadwal kunjungan"
    page.get_by_role("button", name="Pratinjau").first.click()
    frame = page.locator(".phone-frame[lang='id']")
    assert frame.is_visible()
    shown = frame.inner_text()
    english = page.locator(".phone-frame[lang='en']").inner_text()
    assert "Clarity of the visiting hours" in english and "Unfriendly" in english
    assert "Kejelasan jadwal kunjungan" in shown and "Kecepatan pendaftaran kunjungan" in shown
    assert "Kurang ramah" in shown
    assert "Dari mana Anda mengetahui layanan ini?" in shown and "Media sosial" in shown
    assert "Apakah ada petugas yang mengarahkan jawaban Anda?" in shown
    assert "Biaya" not in shown
    page.screenshot(path=str(SHOTS / "editor-full.png"), full_page=True)
    frame.screenshot(path=str(SHOTS / "editor-preview.png"))
    page.locator("#tambahan").screenshot(path=str(SHOTS / "editor-extra.png"))
    page.locator("#U3").screenshot(path=str(SHOTS / "editor-u3.png"))
    assert run_axe(page) == []
    # a refusal marks its field: an option left empty
    page.fill("#tambahan-1-pilihan3-en", "")
    page.get_by_role("button", name="Simpan sebagai versi baru").first.click()
    assert page.locator("#masalah").is_visible()
    assert page.get_attribute("#tambahan-1-pilihan3-en", "aria-invalid") == "true"
    page.locator("#tambahan").screenshot(path=str(SHOTS / "editor-refusal.png"))
    assert run_axe(page) == []
    page.fill("#tambahan-1-pilihan3-en", "An officer")
    page.get_by_role("button", name="Simpan sebagai versi baru").first.click()
    assert "Disimpan sebagai versi 1." in page.locator(".flash").first.inner_text()
    # chosen for the first layanan: its public form on a phone shows the variant, and passes axe
    page.select_option("select[name='varian'] >> nth=0", label="Kunjungan")
    page.get_by_role("button", name="Pakai").first.click()
    with app.app_context():
        token = db.session.scalars(
            select(Layanan.token).where(Layanan.kuesioner_varian_id.is_not(None))
        ).one()
    phone = browser.new_context(viewport={"width": 360, "height": 640}, bypass_csp=True)
    form = phone.new_page()
    form.goto(f"{base}/survei/{token}")
    assert form.locator("input[name='U3-3']").count() == 4
    assert form.locator("input[name='U4']").count() == 0
    assert "Kejelasan jadwal kunjungan" in form.content()
    u7 = form.locator("fieldset", has=form.locator("input[name='U7']")).first.inner_text()
    assert "Tidak ramah" in u7 and "Kurang ramah" in u7
    extra = form.locator("fieldset", has=form.locator("input[name='tambahan-tahu_dari']")).first
    assert "Dari mana Anda mengetahui layanan ini?" in extra.inner_text()
    assert all(word in extra.inner_text() for word in ("Spanduk", "Media sosial", "Petugas"))
    assert "Apakah ada petugas yang mengarahkan jawaban Anda?" in form.content()
    # nothing wider than the phone
    assert form.evaluate("document.documentElement.scrollWidth") <= 360
    extra.scroll_into_view_if_needed()
    form.screenshot(path=str(SHOTS / "form-360x640-extra.png"))
    assert run_axe(form) == []
    phone.close()
    context.close()


@pytest.mark.browser
def test_the_editor_buttons_work_under_the_content_security_policy(live_app, browser):
    """The buttons post to the page itself (``formaction``): allowed by ``form-action 'self'``,
    with no script at all."""
    app, base = live_app
    with app.app_context():
        load_demo(db.session, app.extensions["zisurvey.catalogue"], now_utc())
        db.session.commit()
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, java_script_enabled=False
    )
    page = context.new_page()
    refused = []
    page.on(
        "console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None
    )
    sign_in(page, base)
    page.goto(f"{base}/staf/unit/LAPAS-MKS/kuesioner")
    page.fill("#U2-bantuan-id", "Bantuan yang diketik sebelum menambah.")
    press(page, "button[name='tambah_sub'][value='U3']")
    assert page.locator("#U3-sub2-id").count() == 1
    assert page.input_value("#U2-bantuan-id") == "Bantuan yang diketik sebelum menambah."
    press(page, "button[name='tambah_tambahan'][value='teks']")
    assert page.input_value("#tambahan-1-kode") == "tambahan_1"
    context.close()
    assert refused == []


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
    with form.expect_navigation(wait_until="load"):  # measured with the stylesheet applied:
        form.get_by_role("button", name="Kirim jawaban").click()  # a busy server sends it late
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


@pytest.mark.browser
def test_the_preview_follows_the_typing_in_both_languages(live_app, browser):
    """The live preview (static/kuesioner.js, under the staff pages' CSP): typed wording shows
    in the Indonesian and the English phone frames without a button, and nothing is stored."""
    from survey_app.models import KuesionerVersi

    app, base = live_app
    with app.app_context():
        load_demo(db.session, app.extensions["zisurvey.catalogue"], now_utc())
        db.session.commit()
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    refused = []
    page.on(
        "console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None
    )
    sign_in(page, base)
    page.goto(f"{base}/staf/unit/LAPAS-MKS/kuesioner")
    page.fill("#nama", "Kunjungan")
    page.check("input[name='pakai-skm']")
    page.fill("#U1-pertanyaan-id", "Bagaimana persyaratan layanan {layanan} di {unit}?")
    page.fill("#U1-pertanyaan-en", "How are the requirements of {layanan} at {unit}?")
    indonesian = "#pratinjau .phone-frame[lang='id'] .phone-screen"
    english = "#pratinjau .phone-frame[lang='en'] .phone-screen"
    page.wait_for_selector(f"{indonesian}:has-text('Bagaimana persyaratan layanan')")
    page.wait_for_selector(f"{english}:has-text('How are the requirements of')")
    assert "Lapas Kelas I Makassar" in page.inner_text(indonesian)  # {unit} filled
    assert "Question 1 of" in page.inner_text(english)
    page.screenshot(path=str(SHOTS / "editor-live-preview.png"), full_page=False)
    context.close()
    with app.app_context():
        assert db.session.scalars(select(KuesionerVersi)).all() == []
    assert refused == []
