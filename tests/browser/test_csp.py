"""With the Content-Security-Policy enforced, the pages still work and nothing is refused."""

import pytest
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import Layanan
from survey_app.services.administration.demo import load_demo
from tests.browser.conftest import demo_now, sign_in


@pytest.mark.browser
def test_public_form_and_staff_charts_work_under_the_policy(demo_app, browser):
    app, base = demo_app
    with app.app_context():
        load_demo(db.session, app.extensions["zisurvey.catalogue"], demo_now())
        db.session.commit()
        token = db.session.scalars(select(Layanan.token)).first()
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    refused = []
    page.on(
        "console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None
    )
    response = page.goto(f"{base}/survei/{token}")
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "'unsafe-inline'" not in policy
    assert response.headers["x-content-type-options"] == "nosniff"
    sign_in(page, base)
    page.wait_for_selector(".chart .main-svg")
    assert page.locator(".chart .main-svg").count() >= 4
    context.close()
    assert refused == []
