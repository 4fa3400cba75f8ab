"""The respondent's minute on a 360x640 phone (issue 21): where one is, clearing an optional
answer, switching language mid-way keeping answers, and back-and-resend storing one record;
with JavaScript off and on (real chromium)."""

import os

import pytest
from sqlalchemy import func, select

from analysis.periods import now_utc
from survey_app.extensions import db
from survey_app.models import Layanan, Submission
from survey_app.services.administration.demo import load_demo

PHONE = {
    "viewport": {"width": 360, "height": 640},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}
SHOTS = os.environ.get("ZISURVEY_SHOTS")


def submissions(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Submission))


@pytest.mark.browser
@pytest.mark.parametrize("script", [False, True], ids=["javascript-off", "javascript-on"])
def test_progress_clearing_language_and_one_record_after_back_and_resend(live_app, browser, script):
    app, base = live_app
    with app.app_context():
        load_demo(db.session, app.extensions["zisurvey.catalogue"], now_utc())
        db.session.commit()
        layanan = db.session.scalars(select(Layanan).where(Layanan.kode == "KUNJ")).first()
        token, total = layanan.token, len(layanan.instrument_ids)
    before = submissions(app)
    context = browser.new_context(java_script_enabled=script, **PHONE)
    page = context.new_page()
    page.goto(f"{base}/survei/{token}")
    questions = page.locator("fieldset.question[id]")
    total = questions.count()
    assert page.locator(".step").first.inner_text() == f"Pertanyaan 1 dari {total}"
    counter = page.locator(".answered")
    assert counter.is_visible()  # kept at the foot of the screen, from the first question
    nothing = counter.screenshot()
    for number in range(3):
        questions.nth(number).locator("label.choice").nth(2).click()
    three = counter.screenshot()
    assert three != nothing  # CSS counters count the checked answers, no script needed
    if script:  # the count drawn is exactly a written "3"
        page.evaluate(
            """n => { const copy = document.querySelector('.answered').cloneNode(true);
                copy.querySelector('.count').textContent = n; copy.id = 'copy';
                copy.querySelector('.count').classList.remove('count');
                document.querySelector('.answered').after(copy); }""",
            "3",
        )
        assert page.locator("#copy").screenshot() == three
        page.evaluate("document.querySelector('#copy').remove()")
    page.get_by_label("Perempuan").check()
    page.get_by_label("Tidak diisi").check()  # taken back
    assert not page.get_by_label("Perempuan").is_checked()
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/form-progress-{script}.png")

    page.get_by_role("button", name="English").click()  # mid-way: the answers stay
    assert page.locator(".step").first.inner_text() == f"Question 1 of {total}"
    assert page.locator(".answered").inner_text().split() == ["Answered", "of", str(total)]
    assert page.locator("fieldset.question[id] input[type=radio]:checked").count() == 3
    for number in range(3, total):
        questions.nth(number).locator("label.choice").nth(3).click()
    page.get_by_role("button", name="Send answers").click()
    assert page.locator("h1").inner_text() == "Thank you"
    assert submissions(app) == before + 1

    page.go_back()  # the form again, from the cache or fetched anew
    if page.get_by_role("button", name="Send answers").count():
        page.get_by_role("button", name="Send answers").click()
    else:
        assert "Your answers have been sent" in page.content()
    page.reload()
    assert submissions(app) == before + 1
    context.close()
