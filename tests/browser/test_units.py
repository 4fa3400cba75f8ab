"""Units in a real browser: the central admin creates a Kanwil, then imports three UPT with two
layanan each from a file, through the preview."""

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
        "upt",
        "WITA",
        "08:00–15:00",
        "2",
    ]
    page.close()
    with app.app_context():
        kanwil = db.session.scalar(select(Unit).where(Unit.kode == "KANWIL-SULTRA"))
        assert [u.kode for u in kanwil.children] == ["KANIM-KDI", "LAPAS-KDI", "RUTAN-KDI"]
        assert all(len(u.layanan) == 2 for u in kanwil.children)
