"""Issue 18.3 in a real browser: the kanwil uploads a Google Forms export of the worked example,
sees the proposed mapping (marked as proposed, the email column skipped), confirms it, imports
the rows (87,55), uploads the same file again with the saved mapping offered, and nothing is
added. Screenshots at 1280 wide and 360x640 go to ZISURVEY_SHOTS when it is set."""

import os
from pathlib import Path

import pytest
from sqlalchemy import func, select

from analysis.periods import now_utc
from survey_app.extensions import db
from survey_app.models import Submission, Unit
from survey_app.services.administration.demo import load_demo
from tests.browser.conftest import run_axe, sign_in
from tests.conftest import make_layanan
from tests.web.gforms import google_forms

SHOTS = os.environ.get("ZISURVEY_SHOTS")
NAMES = {"KUNJ": "Layanan Kunjungan", "TITIP": "Penitipan Barang"}
ALL = ("skm", "ipak", "ipkp")


def shot(page, name):
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


def add_test_unit(app):
    with app.app_context():
        load_demo(db.session, app.extensions["zisurvey.catalogue"], now_utc())
        kanwil = db.session.scalar(select(Unit).where(Unit.kode == "KANWIL-SULSEL"))
        unit = Unit(
            kode="LAPAS-UJI", nama="Lapas Uji", jenis="upt", timezone="Asia/Makassar",
            parent=kanwil,
        )  # fmt: skip
        db.session.add(unit)
        db.session.commit()
        kunj = make_layanan(unit, "KUNJ", ALL)
        titip = make_layanan(unit, "TITIP", ALL, kebutuhan_utama=False)
        kunj.nama, titip.nama = NAMES["KUNJ"], NAMES["TITIP"]
        db.session.commit()


def stored(app) -> int:
    with app.app_context():
        unit = db.session.scalar(select(Unit).where(Unit.kode == "LAPAS-UJI"))
        ids = [x.id for x in unit.layanan]
        return db.session.scalar(
            select(func.count()).select_from(Submission).where(Submission.layanan_id.in_(ids))
        )


def send(page, base, path):
    page.goto(f"{base}/staf/unit/LAPAS-UJI/unggah")
    page.get_by_label("Berkas jawaban (.csv atau .xlsx)").set_input_files(str(path))
    page.get_by_role("button", name="Periksa berkas").click()
    assert page.locator("h1").inner_text() == "Petakan kolom berkas"


@pytest.mark.browser
def test_a_google_forms_export_is_mapped_confirmed_and_adds_nothing_again(
    live_app, browser, tmp_path
):
    app, base = live_app
    add_test_unit(app)
    path = tmp_path / "Survei Kepuasan (Jawaban).csv"
    path.write_bytes(google_forms(NAMES))
    context = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    page = context.new_page()
    sign_in(page, base)
    send(page, base, path)

    # proposed, never applied by itself: every target marked, the email column always skipped
    email = page.get_by_label("Alamat email")
    assert email.input_value() == ""
    assert page.locator(".tag.pribadi").count() == 1
    assert page.locator(".map-row .tag.diusulkan").count() >= 25
    assert page.get_by_label("Cap waktu").input_value() == "submitted_at"
    assert (
        page.get_by_label(
            "1. Bagaimana pendapat Saudara tentang kesesuaian", exact=False
        ).input_value()
        == "U1"
    )
    assert page.get_by_label("Google Forms: 2026/01/31", exact=False).is_checked()
    assert page.get_by_text("5 Jan 2026 08.00 WITA").first.is_visible()  # read back
    assert page.get_by_label("Layanan Kunjungan", exact=True).input_value() == "KUNJ"
    assert page.get_by_text("30 baris dibaca: 30 baru, 0 sudah ada.").is_visible()
    assert stored(app) == 0
    shot(page, "1-pemetaan-1280")
    assert [(v["id"], len(v["nodes"])) for v in run_axe(page)] == []
    phone = context.new_page()
    phone.set_viewport_size({"width": 360, "height": 640})
    phone.goto(page.url)
    shot(phone, "2-pemetaan-360")
    phone.close()

    # adjust: a wrong choice is told beside its field, then corrected and confirmed
    page.get_by_label("Pekerjaan").select_option("umur")
    page.get_by_role("button", name="Periksa lagi").click()
    assert page.get_by_text('umur sudah dipilih untuk kolom "Umur"', exact=False).first.is_visible()
    shot(page, "3-pemetaan-salah-1280")
    page.get_by_label("Pekerjaan").select_option("pekerjaan")
    page.get_by_label("Nama pemetaan", exact=False).fill("Google Forms bulanan")
    page.get_by_role("button", name="Simpan pemetaan dan lanjutkan").click()
    assert page.locator("h1").inner_text() == "Pratinjau unggahan"
    assert page.get_by_text("30 baris dibaca: 30 baru, 0 sudah ada.").is_visible()
    shot(page, "4-pratinjau-1280")
    page.get_by_role("button", name="Simpan 30 jawaban").click()
    assert page.get_by_text("30 jawaban ditambahkan, 0 sudah ada.").is_visible()
    assert stored(app) == 30
    page.goto(f"{base}/staf/unit/LAPAS-UJI?periode=2026-01")
    assert page.locator(".figure .nilai").first.inner_text() == "87,55"

    # next month: the saved mapping is offered; the same rows again add nothing ("sudah ada")
    send(page, base, path)
    assert page.get_by_text('Pemetaan tersimpan "Google Forms bulanan"', exact=False).is_visible()
    assert page.locator(".map-row .tag.tersimpan").count() >= 25
    assert page.get_by_text("30 baris dibaca: 0 baru, 30 sudah ada.").is_visible()
    shot(page, "5-tersimpan-1280")
    page.get_by_role("button", name="Simpan pemetaan dan lanjutkan").click()
    assert page.get_by_text("30 baris dibaca: 0 baru, 30 sudah ada.").is_visible()
    page.get_by_role("button", name="Simpan 0 jawaban").click()
    assert page.get_by_text("0 jawaban ditambahkan, 30 sudah ada.").is_visible()
    assert stored(app) == 30
    context.close()
