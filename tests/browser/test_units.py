"""Issue 15's walk in a real browser: the central admin creates a Kanwil, imports three UPT with
two layanan each from a file through the preview, and creates a unit admin and a petugas loket;
the unit admin sets its password through its link and makes a new link for the petugas, who
sets it, issues a ticket on the counter screen and gets 403 on every figure."""

import os
import re
from pathlib import Path

import pytest
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import Unit
from survey_app.services.administration.accounts import create_user
from survey_app.services.administration.demo import DEMO_PASSWORD
from tests.browser.conftest import sign_in

ROWS = [
    "kode_unit;nama_unit;jenis;kode_induk;jam_buka;jam_tutup;kode_layanan;nama_layanan;survei;"
    "kebutuhan_utama",
    *(
        f"{kode};{nama};upt;KANWIL-SULTRA;08:00;15:00;{layanan}"
        for kode, nama in [
            ("LAPAS-KDI", "Lapas Kendari"),
            ("RUTAN-KDI", "Rutan Kendari"),
            ("KANIM-KDI", "Kantor Imigrasi Kendari"),
        ]
        for layanan in ("KUNJ;Layanan Kunjungan;skm ipak ipkp;ya", "TITIP;Penitipan Barang;;tidak")
    ),
]


NEW = "teh-manis-di-kendari-9"
SHOTS = os.environ.get("ZISURVEY_SHOTS")  # a folder: screenshots of each step, to look at


def shot(page, name):
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


def add_account(page, base, username, role, unit):
    page.goto(f"{base}/staf/pengguna")
    page.get_by_label("Nama pengguna").fill(username)
    page.get_by_label("Peran").select_option(role)
    page.get_by_label("Unit", exact=True).select_option(unit)
    page.get_by_role("button", name="Tambah akun").click()
    assert page.get_by_text(f"Akun {username} dibuat.").is_visible()
    return page.locator("#tautan").input_value()


def set_password(page, link):
    page.goto(link)
    page.get_by_label("Kata sandi baru", exact=True).fill(NEW)
    page.get_by_label("Ulangi kata sandi baru").fill(NEW)
    page.get_by_role("button", name="Simpan kata sandi").click()
    assert page.get_by_text("Kata sandi baru disimpan. Silakan masuk.").is_visible()


def sign_in_with(page, base, username):
    page.goto(f"{base}/staf/masuk")
    page.get_by_label("Nama pengguna").fill(username)
    page.get_by_label("Kata sandi").fill(NEW)
    page.get_by_role("button", name="Masuk").click()


@pytest.mark.browser
def test_the_central_admin_creates_a_kanwil_and_imports_its_upt(live_app, browser, tmp_path):
    app, base = live_app
    with app.app_context():
        create_user(db.session, "pusat", DEMO_PASSWORD, "admin", demo=True)
        db.session.commit()
    page = browser.new_page()
    sign_in(page, base, "pusat")
    page.get_by_role("link", name="Kelola unit kerja").click()
    page.get_by_role("link", name="Tambah unit").click()
    page.get_by_label("Kode unit").fill("KANWIL-SULTRA")
    page.get_by_label("Nama unit").fill("Kanwil Sulawesi Tenggara")
    page.get_by_label("Jenis unit").select_option("kanwil")
    page.get_by_label("Unit induk").select_option("")
    page.get_by_label("Zona waktu").select_option("WITA")
    page.get_by_label("Kota").fill("Kendari")
    page.get_by_role("button", name="Tambah unit").click()
    assert page.get_by_text("Unit Kanwil Sulawesi Tenggara ditambahkan.").is_visible()

    path = tmp_path / "upt.csv"
    path.write_text("\n".join(ROWS) + "\n", encoding="utf-8-sig")
    page.get_by_role("link", name="Impor unit dan layanan").click()
    page.get_by_label("Berkas unit dan layanan (.csv atau .xlsx)").set_input_files(str(path))
    page.get_by_role("button", name="Periksa berkas").click()
    summary = "Unit: 3 baru, 0 diubah, 0 tetap. Layanan: 6 baru, 0 diubah, 0 tetap."
    assert page.get_by_text(summary).is_visible()
    page.get_by_role("button", name="Simpan perubahan").click()
    assert page.get_by_text(
        "3 unit dibuat dan 0 diubah; 6 layanan dibuat dan 0 diubah."
    ).is_visible()
    tree = page.locator("table.unit-tree tbody tr")
    assert tree.count() == 4
    assert tree.nth(0).locator("th").inner_text() == "Kanwil Sulawesi Tenggara"
    assert "depth-1" in (tree.nth(1).locator("th").get_attribute("class") or "")
    assert tree.nth(1).inner_text().split("\t")[:6] == [
        "Kantor Imigrasi Kendari",
        "KANIM-KDI",
        "UPT",
        "WITA",
        "08:00–15:00",
        "2",
    ]
    shot(page, "1-units")
    with app.app_context():
        kanwil = db.session.scalar(select(Unit).where(Unit.kode == "KANWIL-SULTRA"))
        assert [u.kode for u in kanwil.children] == ["KANIM-KDI", "LAPAS-KDI", "RUTAN-KDI"]
        assert all(len(u.layanan) == 2 for u in kanwil.children)
        lapas = db.session.scalar(select(Unit).where(Unit.kode == "LAPAS-KDI"))
        kunj = next(x for x in lapas.layanan if x.kode == "KUNJ")
        kunj_id = kunj.id

    # accounts: a unit admin of the Kanwil and a petugas loket of the Lapas
    admin_link = add_account(page, base, "admin.sultra", "unit_admin", "KANWIL-SULTRA")
    shot(page, "2-account-link")
    petugas_link = add_account(page, base, "loket.kdi", "petugas", "LAPAS-KDI")
    assert admin_link != petugas_link
    page.close()

    # the unit admin sets its password, signs in, and makes the petugas a new link
    kanwil_page = browser.new_page()
    set_password(kanwil_page, admin_link)
    sign_in_with(kanwil_page, base, "admin.sultra")
    kanwil_page.get_by_role("link", name="Pengguna").click()
    assert kanwil_page.get_by_role("link", name="pusat").count() == 0  # not in its scope
    kanwil_page.get_by_role("link", name="loket.kdi").click()
    kanwil_page.get_by_role("button", name="Buat tautan kata sandi baru").click()
    new_link = kanwil_page.locator("#tautan").input_value()
    shot(kanwil_page, "3-reset-link")
    assert new_link != petugas_link
    kanwil_page.close()

    # the petugas: the first link no longer works, the new one does
    counter = browser.new_page(viewport={"width": 360, "height": 640})
    counter.goto(petugas_link)
    assert counter.get_by_text("Tautan ini tidak berlaku lagi").is_visible()
    set_password(counter, new_link)
    sign_in_with(counter, base, "loket.kdi")
    assert counter.url == f"{base}/staf/loket"
    shot(counter, "4-loket")
    counter.get_by_role("link", name="Layanan Kunjungan").click()
    counter.get_by_role("button", name="Tampilkan satu tiket").click()
    assert re.search(r"/tiket/layar/\d+$", counter.url)
    assert counter.get_by_alt_text("Kode QR tiket survei sekali pakai").is_visible()
    assert counter.get_by_role("button", name="Keluar").count() == 0  # no staff bar in view
    shot(counter, "5-counter-screen")
    counter.reload()  # a refresh shows the same ticket: nothing is issued again
    with app.app_context():
        from survey_app.models import Tiket

        assert db.session.query(Tiket).filter_by(layanan_id=kunj_id).count() == 1
    for path in (
        "/staf/unit/LAPAS-KDI",
        "/staf/unit/LAPAS-KDI/rekap.xlsx",
        "/staf/unit/LAPAS-KDI/zi",
        "/staf/unit/KANWIL-SULTRA",
        "/staf/pengguna",
        "/staf/unit-kerja",
    ):
        response = counter.request.get(f"{base}{path}")
        assert response.status == 403, path
    counter.close()
