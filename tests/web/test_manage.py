"""Managing layanan, people served and uploads: only unit admins in scope; every change logged."""

import re

import pytest
from sqlalchemy import func, select

from survey_app.extensions import db
from survey_app.models import AuditLog, Dilayani, Layanan, Submission
from tests.conftest import FIXTURES
from tests.web.conftest import CSRF, signed_in


def csrf(client, path):
    return CSRF.search(client.get(path).get_data(as_text=True)).group(1)


def layanan_id(unit_kode_layanan):
    unit, kode = unit_kode_layanan
    return db.session.scalar(
        select(Layanan.id).where(Layanan.unit_id == unit.id, Layanan.kode == kode)
    )


def stored():
    return db.session.scalar(select(func.count()).select_from(Submission))


MANAGE_GETS = ["/staf/unit/{unit}/layanan", "/staf/layanan/{layanan}", "/staf/unit/{unit}/unggah"]


@pytest.mark.parametrize("route", MANAGE_GETS)
@pytest.mark.parametrize(
    ("user", "unit", "status"),
    [
        ("lapas", "LAPAS", 403),  # a viewer sees the dashboard but changes nothing
        ("kanwil", "LAPAS", 200),
        ("kanwil", "UPT-LAIN", 403),
        ("admin", "UPT-LAIN", 200),
    ],
)
def test_management_pages_need_a_unit_admin_in_scope(app, tree, route, user, unit, status):
    target = {"LAPAS": tree["lapas"], "UPT-LAIN": tree["other"]}[unit]
    path = route.format(unit=unit, layanan=layanan_id((target, "KUNJ")))
    assert signed_in(app, user).get(path).status_code == status


@pytest.mark.parametrize(
    "path",
    [
        "/staf/unit/LAPAS/layanan",
        "/staf/layanan/{id}",
        "/staf/layanan/{id}/dilayani",
        "/staf/unit/LAPAS/unggah",
        "/staf/unit/LAPAS/unggah/abc",
    ],
)
def test_a_viewer_cannot_post_changes(app, tree, path):
    client = signed_in(app, "lapas")
    token = csrf(client, "/staf/unit/LAPAS")
    target = path.format(id=layanan_id((tree["lapas"], "KUNJ")))
    data = {"csrf_token": token, "kode": "BARU", "nama": "x", "period": "2026-01", "jumlah": "5"}
    assert client.post(target, data=data).status_code == 403
    assert db.session.scalar(select(func.count()).select_from(AuditLog)) == 0


def test_adding_a_layanan_defaults_to_skm_and_ipak_and_is_audited(app, tree):
    client = signed_in(app, "kanwil")
    token = csrf(client, "/staf/unit/LAPAS/layanan")
    response = client.post(
        "/staf/unit/LAPAS/layanan",
        data={
            "csrf_token": token,
            "kode": "pb",
            "nama": "Pembebasan Bersyarat",
            "kebutuhan_utama": "y",
        },
    )
    assert response.status_code == 302
    new = db.session.scalar(select(Layanan).where(Layanan.kode == "PB"))
    assert (new.nama, new.kebutuhan_utama, new.instrument_ids) == (
        "Pembebasan Bersyarat",
        True,
        ["skm", "ipak"],
    )
    entry = db.session.scalars(select(AuditLog)).one()
    assert (entry.action, entry.before, entry.after["kode"]) == ("tambah", None, "PB")
    assert entry.pengguna_id == tree["users"]["kanwil"].id
    again = client.post(
        "/staf/unit/LAPAS/layanan", data={"csrf_token": token, "kode": "PB", "nama": "Lagi"}
    )
    assert again.status_code == 422 and "kode PB is already used" in again.get_data(as_text=True)
    bad = client.post(
        "/staf/unit/LAPAS/layanan", data={"csrf_token": token, "kode": "a b", "nama": "x"}
    )
    assert bad.status_code == 422
    assert db.session.scalar(select(func.count()).select_from(Layanan)) == 7


def test_deactivating_closes_the_form_and_logs_before_and_after(app, tree):
    client = signed_in(app, "kanwil")
    ident = layanan_id((tree["lapas"], "KUNJ"))
    token = csrf(client, f"/staf/layanan/{ident}")
    response = client.post(
        f"/staf/layanan/{ident}",
        data={
            "csrf_token": token,
            "nama": "Kunjungan Keluarga",
            "instrumen": ["skm", "ipak", "ipkp"],
        },
    )
    assert response.status_code == 302
    layanan = db.session.get(Layanan, ident)
    assert (layanan.nama, layanan.aktif, layanan.kebutuhan_utama) == (
        "Kunjungan Keluarga",
        False,
        False,
    )
    entry = db.session.scalars(select(AuditLog)).one()
    assert entry.before["aktif"] is True and entry.after["aktif"] is False
    assert entry.before["nama"] == "Layanan KUNJ" and entry.after["nama"] == "Kunjungan Keluarga"
    assert app.test_client().get(f"/survei/{layanan.token}").status_code == 410


def test_people_served_are_information_under_tetap_and_decide_under_sampel(app, tree, clock):
    client = signed_in(app, "kanwil")
    ident = layanan_id((tree["lapas"], "KUNJ"))
    token = csrf(client, f"/staf/layanan/{ident}")
    data = {"csrf_token": token, "period": "2026-01", "jumlah": "250"}
    assert client.post(f"/staf/layanan/{ident}/dilayani", data=data).status_code == 302
    assert db.session.get(Dilayani, (ident, "2026-01")).jumlah == 250
    page = client.get("/staf/unit/LAPAS?periode=2026-01").get_data(as_text=True)
    # REGULATION §3: entering people served never changes the rule by itself
    assert "<td>0</td>\n        <td>30</td>" in page
    assert "target sampel Krejcie-Morgan 152 (250 dilayani)" in page  # beside it, named
    rule = {"csrf_token": token, "aturan_minimal": "sampel", "rumus_sampel": "krejcie_morgan"}
    assert client.post("/staf/unit/LAPAS/aturan-minimal", data=rule).status_code == 303
    page = client.get("/staf/unit/LAPAS?periode=2026-01").get_data(as_text=True)
    assert "<td>0</td>\n        <td>152</td>" in page  # Krejcie-Morgan n for N = 250
    assert "sampel Krejcie-Morgan dari 250 dilayani; minimal tetap 30" in page
    # TITIP has no figure for January: it falls back to tetap, and says so
    assert "<td>0</td>\n        <td>15</td>" in page
    assert "aturan tetap: jumlah dilayani belum diisi" in page
    bad = client.post(
        f"/staf/layanan/{ident}/dilayani",
        data={"csrf_token": token, "period": "2026-1", "jumlah": "-3"},
    )
    assert bad.status_code == 422
    assert db.session.scalar(select(func.count()).select_from(Dilayani)) == 1


def upload(client, name, body, unit="LAPAS"):
    token = csrf(client, f"/staf/unit/{unit}/unggah")
    return client.post(
        f"/staf/unit/{unit}/unggah",
        data={"csrf_token": token, "berkas": (__import__("io").BytesIO(body), name)},
        content_type="multipart/form-data",
    )


def test_upload_preview_then_confirm_then_idempotent_again(app, tree):
    client = signed_in(app, "kanwil")
    body = (FIXTURES / "worked_example.csv").read_bytes()
    sent = upload(client, "jawaban.csv", body)
    assert sent.status_code == 302
    preview = client.get(sent.headers["Location"]).get_data(as_text=True)
    assert "30 baris dibaca: 30 baru, 0 sudah ada." in preview
    assert stored() == 0  # the preview stores nothing
    token = CSRF.search(preview).group(1)
    confirmed = client.post(sent.headers["Location"], data={"csrf_token": token})
    assert confirmed.status_code == 302 and stored() == 30
    # the dashboard of the file's month (January), not of the running month
    assert confirmed.headers["Location"].endswith("/staf/unit/LAPAS?periode=2026-01")
    again = client.get(upload(client, "jawaban.csv", body).headers["Location"])
    assert "30 baris dibaca: 0 baru, 30 sudah ada." in again.get_data(as_text=True)


def test_a_bad_upload_lists_every_problem_and_stores_nothing(app, tree):
    client = signed_in(app, "kanwil")
    body = (FIXTURES / "worked_example.csv").read_text().replace(",4,4,4,4,4,", ",4,9,4,4,4,", 2)
    preview = client.get(upload(client, "jawaban.csv", body.encode()).headers["Location"])
    page = preview.get_data(as_text=True)
    assert preview.status_code == 422
    # in Indonesian, by row and column, with the fix beside (issue 18.3)
    found = re.findall(r"<td>\d+</td><td[^>]*>[A-Z]+\d</td><td>Nilai 9 di luar 1-4.</td>", page)
    assert len(found) == 2 and "Tulis angka 1 sampai 4" in page
    assert "Tidak ada yang disimpan" in page and stored() == 0
    wrong = upload(client, "jawaban.txt", b"hello")
    assert wrong.status_code == 422 and "hanya berkas .csv, .xlsx atau .xls" in wrong.get_data(
        as_text=True
    )


def test_another_users_upload_cannot_be_opened(app, tree):
    kanwil = signed_in(app, "kanwil")
    location = upload(kanwil, "jawaban.csv", (FIXTURES / "worked_example.csv").read_bytes())
    admin = signed_in(app, "admin")
    assert admin.get(location.headers["Location"]).status_code == 404


def test_files_as_units_save_them_upload_like_the_command_line(app, tree):
    """The external kinds through the web: a `;` CSV from Excel id-ID, a workbook cut short."""
    client = signed_in(app, "kanwil")
    body = (FIXTURES / "external" / "excel_idID_semicolon.csv").read_bytes()
    sent = upload(client, "rekap.csv", body)
    preview = client.get(sent.headers["Location"])
    assert "30 baris dibaca: 30 baru, 0 sudah ada." in preview.get_data(as_text=True)
    token = CSRF.search(preview.get_data(as_text=True)).group(1)
    assert client.post(sent.headers["Location"], data={"csrf_token": token}).status_code == 302
    assert stored() == 30
    page = client.get("/staf/unit/LAPAS?periode=2026-01").get_data(as_text=True)
    assert "87,55" in page

    cut = (FIXTURES / "external" / "xlsx_truncated_download.xlsx").read_bytes()
    preview = client.get(upload(client, "rekap.xlsx", cut).headers["Location"])
    text = preview.get_data(as_text=True)
    assert preview.status_code == 422 and "rusak atau tidak lengkap" in text
    assert stored() == 30


def test_an_upload_belongs_to_its_unit_page_is_private_and_swept_after_a_day(app, tree):
    import os
    import time
    from pathlib import Path

    from click.testing import CliRunner
    from flask.cli import ScriptInfo

    from survey_app.cli import main

    client = signed_in(app, "kanwil")
    sent = upload(client, "jawaban.csv", (FIXTURES / "worked_example.csv").read_bytes())
    location = sent.headers["Location"]
    assert client.get(location).status_code == 200
    assert client.get(location.replace("/LAPAS/", "/RUTAN/")).status_code == 404  # same user
    token = location.rsplit("/", 1)[-1].split("?")[0]
    [kept] = (Path(app.instance_path) / "unggahan").glob(f"*-{token}.csv")
    assert kept.stat().st_mode & 0o777 == 0o600
    old = time.time() - 2 * 24 * 3600
    os.utime(kept, (old, old))
    done = CliRunner().invoke(main, ["sweep"], obj=ScriptInfo(create_app=lambda: app))
    assert done.exit_code == 0 and "berkas lama dihapus." in done.output
    assert not kept.exists() and client.get(location).status_code == 404


def test_renaming_a_layanan_keeps_the_surveys_it_carries(app, tree):
    """Issue 16.1: the edit form showed every survey unticked, so a rename dropped IPKP."""

    client = signed_in(app, "kanwil")
    target = layanan_id((tree["lapas"], "KUNJ"))
    page = client.get(f"/staf/layanan/{target}").get_data(as_text=True)
    ticked = re.findall(r'<input checked[^>]*name="instrumen"[^>]*value="(\w+)"', page)
    ticked += re.findall(r'<input[^>]*name="instrumen"[^>]*value="(\w+)"[^>]*checked', page)
    assert sorted(set(ticked)) == ["ipak", "ipkp", "skm"]
    fields = dict(re.findall(r'name="(csrf_token|kode|nama)"[^>]*value="([^"]*)"', page))
    data = fields | {"nama": "Layanan Kunjungan Keluarga", "kebutuhan_utama": "y", "aktif": "y"}
    data["instrumen"] = sorted(set(ticked))  # what the browser sends back, untouched
    assert client.post(f"/staf/layanan/{target}", data=data).status_code == 302
    kept = db.session.get(Layanan, target)
    db.session.refresh(kept)
    assert kept.nama == "Layanan Kunjungan Keluarga"
    assert sorted(kept.instrument_ids) == ["ipak", "ipkp", "skm"]
