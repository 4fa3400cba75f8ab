"""The staff dashboard in a real browser: sign in, charts drawn from the app's own plotly.js."""

import pytest
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import Unit
from survey_app.services.administration.demo import load_demo
from tests.browser.conftest import demo_now, run_axe, sign_in

SIZES = {"laptop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


@pytest.mark.browser
@pytest.mark.parametrize("size", ["laptop", "phone"])
def test_kanwil_signs_in_and_sees_charts_and_its_units(demo_app, browser, size):
    app, base = demo_app
    with app.app_context():
        load_demo(db.session, app.extensions["zisurvey.catalogue"], demo_now())
        db.session.commit()
        assert db.session.scalar(select(Unit).where(Unit.kode == "KANWIL-SULSEL"))
    context = browser.new_context(viewport=SIZES[size], bypass_csp=True)  # for axe
    page = context.new_page()
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(f"{base}/staf/")
    assert page.url.startswith(f"{base}/staf/masuk")
    sign_in(page, base)
    page.wait_for_selector(".chart .main-svg")  # plotly drew at least one chart
    assert page.locator("h1").inner_text() == "Kanwil Ditjenpas Sulawesi Selatan"
    assert page.locator(".chart .main-svg").count() >= 4  # NRR per index + the trend
    assert page.get_by_role("link", name="Lapas Kelas I Makassar").is_visible()
    assert all(url.startswith(base) for url in requests)  # nothing from a CDN
    page.get_by_role("link", name="Lapas Kelas I Makassar").click()
    assert page.locator("h1").inner_text() == "Lapas Kelas I Makassar"
    assert page.locator("table.data progress").count() == 3
    violations = run_axe(page)
    context.close()
    assert [(v["id"], v["help"], len(v["nodes"])) for v in violations] == []
