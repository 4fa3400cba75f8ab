"""Why a respondent scored low, in chromium on a small phone: the field appears beside an answer
of 2 by CSS alone (JavaScript off and on), the reason reaches the staff and never the public."""

import pytest
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import AlasanJawaban, Layanan
from survey_app.services.administration.demo import load_demo
from tests.browser.conftest import demo_now, run_axe, sign_in

SMALL_PHONE = {
    "viewport": {"width": 360, "height": 640},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}
QUESTION = "Apa yang perlu diperbaiki?"


def bankum_token(app) -> str:
    with app.app_context():
        load_demo(db.session, app.extensions["zisurvey.catalogue"], demo_now())
        db.session.commit()
        return db.session.scalars(select(Layanan.token).where(Layanan.kode == "BANKUM")).one()


def answer_with_reason(page, reason: str) -> None:
    """Every item 4, then U3 2 with ``reason``; U5 2 with a text, then changed back to 4."""
    for fieldset in page.locator("fieldset.question[id]").all():
        fieldset.locator("label.choice").nth(3).click()
    u3 = page.locator("fieldset.question[id=U3]")
    field = u3.get_by_label(QUESTION)
    assert field.is_hidden()  # nothing asked beside a 4
    u3.locator("label.choice").nth(1).click()  # answer 2
    assert field.is_visible()
    assert "tidak wajib, paling banyak 300 karakter" in u3.locator(".alasan").inner_text()
    assert field.get_attribute("maxlength") == "300"
    field.fill(reason)
    u5 = page.locator("fieldset.question[id=U5]")
    u5.locator("label.choice").nth(1).click()
    u5.get_by_label(QUESTION).fill("berubah pikiran")
    u5.locator("label.choice").nth(3).click()  # back to 4: hidden again, and not stored
    assert u5.get_by_label(QUESTION).is_hidden()
    assert page.locator("fieldset.question[id=U1]").get_by_label(QUESTION).is_hidden()
    page.get_by_role("button", name="Kirim jawaban").click()
    assert page.locator("h1").inner_text() == "Terima kasih"


@pytest.mark.browser
def test_a_reason_given_with_javascript_off_and_on_reaches_staff_never_the_public(
    live_app, browser
):
    app, base = live_app
    token = bankum_token(app)
    reasons = {
        False: "Nomor antrean tidak dipanggil berurutan (tanpa JS)",
        True: "Loket bantuan hukum sering kosong (dengan JS)",
    }
    refused = []
    for script, reason in reasons.items():
        context = browser.new_context(java_script_enabled=script, **SMALL_PHONE)
        page = context.new_page()
        page.on(
            "console",
            lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None,
        )
        page.goto(f"{base}/survei/{token}")
        answer_with_reason(page, reason)
        context.close()
    assert refused == []
    with app.app_context():
        texts = set(db.session.scalars(select(AlasanJawaban.teks)))
        assert set(reasons.values()) <= texts and "berubah pikiran" not in texts

    context = browser.new_context(**SMALL_PHONE)
    page = context.new_page()
    sign_in(page, base)  # the Kanwil admin: its dashboard, then the Rutan below it
    page.goto(f"{base}/staf/unit/RUTAN-MKS")
    row = page.locator("section#alasan tr", has_text="U3 Waktu Penyelesaian")
    assert row.get_by_text(reasons[True]).is_visible()  # the newest reason of the unsur
    page.get_by_role("link", name="Alasan nilai rendah").click()
    assert page.locator("h1").inner_text() == "Apa yang perlu diperbaiki menurut responden"
    u3 = page.locator("#alasan-U3")
    assert "Waktu Penyelesaian" in u3.locator("h3").inner_text()
    assert all(u3.get_by_text(reason).is_visible() for reason in reasons.values())
    assert u3.get_by_text("jawaban 2 (Kurang cepat)").count() >= 2

    page.goto(f"{base}/staf/unit/RUTAN-MKS")
    page.get_by_role("link", name="Terbitkan hasil periode ini").click()
    preview = page.content()  # the preview shows exactly what will be public: no reason there
    assert all(reason not in preview for reason in reasons.values())
    page.get_by_role("button", name="Terbitkan").first.click()
    assert page.url.startswith(f"{base}/hasil/RUTAN-MKS?periode=")
    public = page.content()
    assert "IKM" in public
    assert all(reason not in public for reason in reasons.values())
    assert QUESTION not in public
    context.close()


@pytest.mark.browser
def test_the_reason_field_and_the_staff_page_have_no_serious_accessibility_violation(
    demo_app, browser
):
    app, base = demo_app
    token = bankum_token(app)
    context = browser.new_context(bypass_csp=True, **SMALL_PHONE)  # axe is injected inline
    page = context.new_page()
    page.goto(f"{base}/survei/{token}")
    page.locator("fieldset.question[id=U3] label.choice").nth(0).click()
    page.locator("fieldset.question[id=AK2] label.choice").nth(1).click()
    assert page.locator("#alasan-U3").is_visible() and page.locator("#alasan-AK2").is_visible()
    violations = run_axe(page)
    sign_in(page, base)
    page.goto(f"{base}/staf/unit/RUTAN-MKS/alasan")
    assert page.locator("section.alasan-unsur").count() >= 3  # the demo's reasons
    violations += run_axe(page)
    context.close()
    assert [(v["id"], v["help"], len(v["nodes"])) for v in violations] == []
