"""The public results page on a phone (issue 6): no JavaScript needed, no serious axe finding."""

import os
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from analysis.periods import now_utc, span_of
from survey_app.extensions import db
from survey_app.models import Pengguna, Unit
from survey_app.services.administration.demo import load_demo
from survey_app.services.publishing import publications as publishing
from tests.browser.conftest import run_axe
from tests.browser.test_respondent import PHONE

SHOTS = os.environ.get("SURVEY_SCREENSHOTS")


@pytest.mark.browser
@pytest.mark.parametrize(
    "path", ["/hasil/RUTAN-MKS", "/hasil/RUTAN-MKS/widget", "/hasil/KANWIL-SULSEL"]
)
def test_public_results_on_a_phone(live_app, browser, path):
    app, base = live_app
    with app.app_context():
        catalogue = app.extensions["zisurvey.catalogue"]
        load_demo(db.session, catalogue, now_utc())
        unit = db.session.scalar(select(Unit).where(Unit.kode == "RUTAN-MKS"))
        admin = db.session.scalar(select(Pengguna).where(Pengguna.username == "admin"))
        local = now_utc().astimezone(ZoneInfo("Asia/Makassar"))
        month = (local.replace(day=1) - timedelta(days=1)).strftime("%Y-%m")  # complete month
        publication = publishing.publish(
            db.session, catalogue, unit, span_of(month), admin, now_utc()
        )
        db.session.commit()
        nilai = next(r["nilai"] for r in publication.data["indeks"] if r["indeks"] == "IKM")
    context = browser.new_context(java_script_enabled=False, **PHONE)
    page = context.new_page()
    page.goto(base + path)
    body = page.locator("body").inner_text()
    if path.endswith("KANWIL-SULSEL"):
        assert "Rutan Kelas I Makassar" in body and "belum terbit" in body
    else:
        assert f"{float(nilai):.2f}".replace(".", ",") in body
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390  # nothing wider than the phone
    if SHOTS:
        name = path.strip("/").replace("/", "-")
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)
    context.close()
    checked = browser.new_context(bypass_csp=True, **PHONE)
    page = checked.new_page()
    page.goto(base + path)
    violations = run_axe(page)
    checked.close()
    assert [(v["id"], v["help"], len(v["nodes"])) for v in violations] == []
