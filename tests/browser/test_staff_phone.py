"""Staff pages on a 360x640 phone: no page scrolls sideways; a wide table scrolls inside its own
box, which a keyboard can reach (axe: serious and critical violations none)."""

import pytest

from analysis.periods import span_of
from survey_app.extensions import db
from survey_app.services.administration.demo import load_demo
from tests.browser.conftest import demo_now, run_axe, sign_in

SMALL_PHONE = {
    "viewport": {"width": 360, "height": 640},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}


@pytest.mark.browser
def test_staff_pages_do_not_scroll_sideways_on_a_phone(demo_app, browser):
    app, base = demo_app
    now = demo_now()
    with app.app_context():
        load_demo(db.session, app.extensions["zisurvey.catalogue"], now)
        db.session.commit()
    triwulan = f"{now:%Y}-T{(now.month - 1) // 3 + 1}"
    assert span_of(triwulan)  # a period the pages read
    paths = [
        "/staf/unit/KANWIL-SULSEL",
        f"/staf/unit/KANWIL-SULSEL?periode={triwulan}",
        f"/staf/unit/KANWIL-SULSEL?periode={triwulan}&urut=skm",
        "/staf/unit/LAPAS-MKS",
        f"/staf/unit/LAPAS-MKS/integritas?periode={triwulan}",
        "/staf/unit/LAPAS-MKS/alasan",
        "/staf/unit/LAPAS-MKS/zi",
        "/staf/unit/LAPAS-MKS/layanan",
        "/staf/unit/LAPAS-MKS/kuesioner",
        "/staf/unit/LAPAS-MKS/tindak-lanjut",
        f"/staf/unit/LAPAS-MKS/laporan-skm?periode={triwulan}",
        "/staf/unit/LAPAS-MKS/terbitkan",
        "/staf/unit-kerja",
        "/staf/pengguna",
    ]
    context = browser.new_context(**SMALL_PHONE, bypass_csp=True)
    page = context.new_page()
    sign_in(page, base, "admin")
    page.wait_for_load_state("load")
    wide: dict[str, int] = {}
    faults: dict[str, list[str]] = {}
    for path in paths:
        response = page.goto(f"{base}{path}", wait_until="load")
        assert response is not None and response.status == 200, path
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > 360:
            wide[path] = width
        found = [v["id"] for v in run_axe(page)]
        if found:
            faults[path] = found
    context.close()
    assert wide == {}
    assert faults == {}
