"""Importing a unit tree with its layanan: CSV (comma or semicolon) or XLSX, every problem per
row as the file numbers it, all or nothing, idempotent by kode; the web flow and the CLI."""

import csv
import io
from datetime import UTC, datetime

import pytest
from click.testing import CliRunner
from flask.cli import ScriptInfo
from openpyxl import Workbook
from sqlalchemy import func, select

from survey_app.cli import main
from survey_app.extensions import db
from survey_app.models import AuditLog, Layanan, Unit
from survey_app.services.administration import unit_import, units
from survey_app.services.administration.unit_template import template_csv, template_xlsx
from tests.web.conftest import CSRF, signed_in

NOW = datetime(2026, 1, 15, 3, 0, tzinfo=UTC)
HEADER = [
    "kode_unit",
    "nama_unit",
    "jenis",
    "kode_induk",
    "zona",
    "jam_buka",
    "jam_tutup",
    "nip_kepala",
    "kode_layanan",
    "nama_layanan",
    "survei",
    "kebutuhan_utama",
]
UPT = [
    ("LAPAS-KDI", "Lapas Kendari"),
    ("RUTAN-KDI", "Rutan Kendari"),
    ("KANIM-KDI", "Kanim Kendari"),
]
SERVICES = [("KUNJ", "Layanan Kunjungan", "skm ipak ipkp", "ya"), ("TITIP", "Penitipan", "", "")]


def tree_rows():
    """Three UPT with two layanan each, listed before their new Kanwil (order is free)."""
    rows = [
        [kode, nama, "upt", "KANWIL-SULTRA", "", "08:00", "15:00", "", *service]
        for kode, nama in UPT
        for service in SERVICES
    ]
    kanwil = ["KANWIL-SULTRA", "Kanwil Sulawesi Tenggara", "kanwil", "", "WITA", "", ""]
    return [HEADER, *rows, [*kanwil, "197001012000031001", "", "", "", ""]]


def write(path, rows, kind, title=None):
    """The rows as a file of ``kind``: comma (UTF-8), semicolon (BOM, CRLF) or xlsx."""
    if kind == "xlsx":
        book = Workbook()
        if title:
            book.active.append([title])
        for row in rows:
            book.active.append(row)
        book.save(path)
        return path
    with open(path, "w", newline="", encoding="utf-8" if kind == "comma" else "utf-8-sig") as out:
        writer = csv.writer(out, delimiter="," if kind == "comma" else ";", lineterminator="\r\n")
        writer.writerows(([title],) if title else ())
        writer.writerows(rows)
    return path


def plan(app, source, actor=None):
    return unit_import.plan_unit_import(
        db.session, app.extensions["zisurvey.catalogue"], source, actor
    )


def apply(app, source, actor=None):
    catalogue = app.extensions["zisurvey.catalogue"]
    found = unit_import.plan_unit_import(db.session, catalogue, source, actor)
    result = unit_import.apply_unit_import(db.session, catalogue, found, actor, NOW, "berkas.csv")
    db.session.commit()
    return found, result


def counts():
    return tuple(db.session.scalar(select(func.count()).select_from(t)) for t in (Unit, Layanan))


def audit_actions():
    rows = db.session.execute(select(AuditLog.action, AuditLog.entity).order_by(AuditLog.id))
    return [tuple(row) for row in rows]


@pytest.mark.parametrize("kind", ["comma", "semicolon", "xlsx"])
def test_three_upt_with_two_layanan_each_under_a_new_kanwil(app, tmp_path, kind):
    path = write(tmp_path / f"unit.{'xlsx' if kind == 'xlsx' else 'csv'}", tree_rows(), kind)
    first, result = apply(app, path)
    assert first.problems == []
    assert [(u.kode, u.action) for u in first.units][0] == (
        "KANWIL-SULTRA",
        "baru",
    )  # parents first
    assert (result.units_created, result.layanan_created) == (4, 6)
    for kode, _nama in UPT:
        upt = db.session.scalar(select(Unit).where(Unit.kode == kode))
        assert (upt.parent.kode, upt.jenis, upt.timezone) == (
            "KANWIL-SULTRA",
            "upt",
            "Asia/Makassar",
        )
        assert upt.jam_tutup.isoformat() == "15:00:00"
        assert [(x.kode, x.kebutuhan_utama, x.instrument_ids) for x in upt.layanan] == [
            ("KUNJ", True, ["skm", "ipak", "ipkp"]),
            ("TITIP", False, ["skm", "ipak"]),  # the defaults
        ]
    kanwil = db.session.scalar(select(Unit).where(Unit.kode == "KANWIL-SULTRA"))
    assert kanwil.nip_kepala == "197001012000031001" and kanwil.parent is None
    assert audit_actions() == [("tambah", "unit")] * 4 + [("tambah", "layanan")] * 6 + [
        ("impor", "unit")
    ]

    again, result = apply(app, path)  # idempotent by kode
    assert again.problems == [] and again.changes == 0 and not result.changed
    assert {u.action for u in again.units} == {"tetap"} and counts() == (4, 6)
    assert len(audit_actions()) == 11

    renamed = tree_rows()
    renamed[1][1] = renamed[2][1] = "Lapas Kelas IIA Kendari"
    renamed[2][9] = "Penitipan Barang"
    path = write(tmp_path / f"ganti.{'xlsx' if kind == 'xlsx' else 'csv'}", renamed, kind)
    third, result = apply(app, path)
    assert [(u.kode, u.changed) for u in third.units if u.action == "ubah"] == [
        ("LAPAS-KDI", ("nama",))
    ]
    assert [(x.kode, x.changed) for x in third.layanan if x.action == "ubah"] == [
        ("TITIP", ("nama",))
    ]
    assert (result.units_updated, result.layanan_updated, counts()) == (1, 1, (4, 6))
    assert audit_actions()[-3:] == [("ubah", "unit"), ("ubah", "layanan"), ("impor", "unit")]


BAD = [
    HEADER,
    ["KANWIL-X", "Kanwil X", "kanwil", "", "WITA", "", "", "", "", "", "", ""],
    [
        "LAPAS-X",
        "Lapas X",
        "upt",
        "KANWIL-X",
        "",
        "16:00",
        "08:00",
        "",
        "KUNJ",
        "Kunjungan",
        "",
        "",
    ],
    ["LAPAS-X", "Lapas Y", "", "", "", "", "", "", "TITIP", "Titip", "skm foo", "mungkin"],
    ["lapas x", "Lapas", "upt", "KANWIL-X", "WITB", "", "", "", "", "", "", ""],
    ["RUTAN-X", "Rutan X", "upt", "TIDAK-ADA", "", "", "", "", "", "", "", ""],
    ["RUTAN-Y", "Rutan Y", "upt", "LAPAS-X", "", "", "", "123", "", "", "", ""],
    ["LAPAS-X", "", "", "", "", "", "", "", "KUNJ", "Kunjungan", "", ""],
]
BAD_CELLS = [
    (3, "jam_tutup"),
    (4, "nama_unit"),
    (4, "survei"),
    (4, "kebutuhan_utama"),
    (5, "kode_unit"),
    (5, "zona"),
    (6, "kode_induk"),
    (7, "kode_induk"),
    (7, "nip_kepala"),
    (8, "kode_layanan"),
]


@pytest.mark.parametrize(
    ("kind", "title"), [("comma", None), ("semicolon", "Daftar unit"), ("xlsx", "Daftar unit")]
)
def test_every_problem_is_listed_per_row_and_nothing_is_stored(app, tree, tmp_path, kind, title):
    path = write(tmp_path / f"salah.{'xlsx' if kind == 'xlsx' else 'csv'}", BAD, kind, title)
    found = plan(app, path)
    shift = 1 if title else 0  # rows as the sheet numbers them, a title line above the header
    assert [(p.row, p.field) for p in found.problems] == [(r + shift, c) for r, c in BAD_CELLS]
    texts = [str(p) for p in found.problems]
    assert texts[1] == (
        f"baris {4 + shift}, kolom nama_unit: Nilai Lapas Y berbeda dari baris {3 + shift} "
        "(Lapas X) untuk unit LAPAS-X yang sama: samakan isinya."
    )
    assert "Unit upt tidak dapat berada di bawah LAPAS-X (upt)" in texts[7]
    before = (counts(), audit_actions())
    with pytest.raises(units.UnitError):
        unit_import.apply_unit_import(
            db.session, app.extensions["zisurvey.catalogue"], found, None, NOW
        )
    db.session.rollback()
    assert (counts(), audit_actions()) == before


def test_a_kanwil_admin_imports_within_its_subtree_only(app, tree, tmp_path):
    rows = [
        HEADER,
        ["UPT-BARU", "Upt Baru", "upt", "KANWIL", "", "", "", "", "", "", "", ""],
        ["UPT-JAUH", "Upt Jauh", "upt", "KANWIL-LAIN", "", "", "", "", "", "", "", ""],
        ["UPT-LAIN", "Diganti", "", "", "", "", "", "", "", "", "", ""],
        ["KANWIL-2", "Kanwil Dua", "kanwil", "", "WIB", "", "", "", "", "", "", ""],
        ["KANWIL", "Kanwil Baru", "eselon1", "", "", "", "", "", "", "", "", ""],
    ]
    found = plan(app, write(tmp_path / "u.csv", rows, "comma"), tree["users"]["kanwil"])
    assert [(p.row, p.field, p.text()[:40]) for p in found.problems] == [
        (3, "kode_induk", "Unit induk KANWIL-LAIN di luar wilayah A"),
        (4, "kode_unit", "Unit UPT-LAIN di luar wilayah Anda: Anda"),
        (5, "kode_induk", "Unit induk wajib diisi: Anda mengelola u"),
        (6, "kode_induk", "Anda tidak dapat memindahkan unit Anda s"),
    ]
    with pytest.raises(units.NotAllowed):
        plan(app, write(tmp_path / "u.csv", rows, "comma"), tree["users"]["lapas"])


def test_file_level_problems_name_the_column(app, tmp_path):
    odd = write(tmp_path / "k.csv", [["kode_unit", "nama", "Zona"], ["A-1", "x", "WIB"]], "comma")
    assert [str(p) for p in plan(app, odd).problems] == [
        "Kolom nama tidak dikenal atau ganda. Kolom yang dikenal: "
        "kode_unit, nama_unit, jenis, kode_induk, zona, jam_buka, jam_tutup, kota, alamat, "
        "kepala, nip_kepala, kode_layanan, nama_layanan, survei, kebutuhan_utama."
    ]
    broken = tmp_path / "rusak.xlsx"
    broken.write_bytes(b"PK\x03\x04 not really a workbook")
    assert plan(app, broken).problems[0].text().startswith("Berkas tidak dapat dibaca:")


def test_the_templates_import_as_they_are(app):
    csv_bytes = template_csv()
    assert csv_bytes.startswith(b"\xef\xbb\xbfkode_unit;nama_unit;jenis;")
    for source in (csv_bytes, template_xlsx()):
        found = plan(app, io.BytesIO(source))
        assert found.problems == []
        assert [(u.kode, u.action) for u in found.units] == [
            ("KANWIL-CONTOH", "baru"),
            ("LAPAS-CONTOH", "baru"),
        ]
        assert [(x.kode, x.kebutuhan_utama) for x in found.layanan] == [
            ("KUNJ", True),
            ("TITIP", False),
        ]


# -- the web flow ------------------------------------------------------------------------------


def upload(client, body, name):
    page = client.get("/staf/unit-kerja/impor").get_data(as_text=True)
    return client.post(
        "/staf/unit-kerja/impor",
        data={"csrf_token": CSRF.search(page).group(1), "berkas": (io.BytesIO(body), name)},
        content_type="multipart/form-data",
    )


def test_upload_preview_confirm_and_a_second_time_nothing_to_do(app, tree, tmp_path):
    client = signed_in(app, "admin")
    assert client.get("/staf/unit-kerja/templat.xlsx").data.startswith(b"PK")
    assert client.get("/staf/unit-kerja/templat.csv").headers["Content-Type"].startswith("text/csv")
    body = write(tmp_path / "u.csv", tree_rows(), "semicolon").read_bytes()
    sent = upload(client, body, "unit.csv")
    assert sent.status_code == 302
    preview = client.get(sent.headers["Location"])
    page = preview.get_data(as_text=True)
    assert preview.status_code == 200 and counts() == (5, 6)  # the preview stores nothing
    assert "Unit: 4 baru, 0 diubah, 0 tetap. Layanan: 6 baru, 0 diubah, 0 tetap." in page
    token = CSRF.search(page).group(1)
    done = client.post(sent.headers["Location"], data={"csrf_token": token}, follow_redirects=True)
    assert "4 unit dibuat dan 0 diubah; 6 layanan dibuat dan 0 diubah." in done.get_data(
        as_text=True
    )
    assert counts() == (9, 12)
    twice = client.post(sent.headers["Location"], data={"csrf_token": token}, follow_redirects=True)
    assert "Impor ini sudah disimpan" in twice.get_data(as_text=True)  # a second click
    assert twice.status_code == 200 and counts() == (9, 12)
    again = client.get(upload(client, body, "unit.csv").headers["Location"]).get_data(as_text=True)
    assert "Tidak ada perubahan: isi berkas sudah sama dengan data tersimpan." in again
    assert "Simpan perubahan" not in again


def test_a_wrong_file_is_shown_row_by_row_and_confirming_stores_nothing(app, tree, tmp_path):
    client = signed_in(app, "admin")
    sent = upload(client, write(tmp_path / "salah.csv", BAD, "comma").read_bytes(), "salah.csv")
    preview = client.get(sent.headers["Location"])
    page = preview.get_data(as_text=True)
    assert preview.status_code == 422
    assert "Berkas tidak dapat disimpan: 10 masalah. Tidak ada yang disimpan." in page
    assert "<td>7</td><td>nip_kepala</td><td>NIP kepala: 18 angka" in page
    token = CSRF.search(client.get("/staf/unit-kerja/impor").get_data(as_text=True)).group(1)
    confirm = client.post(sent.headers["Location"], data={"csrf_token": token})
    assert confirm.status_code == 422 and counts() == (5, 6) and audit_actions() == []
    assert upload(client, b"kode_unit\nX-1\n", "unit.txt").status_code == 422


# -- the command line --------------------------------------------------------------------------


def run(app, *args):
    return CliRunner().invoke(main, list(args), obj=ScriptInfo(create_app=lambda: app))


def test_unit_add_import_and_list_from_the_command_line(app, tmp_path):
    added = run(app, "unit", "add", "--kode", "kanwil-x", "--nama", "Kanwil X", "--jenis", "kanwil")
    assert added.exit_code == 2 and "Zona waktu wajib diisi" in added.stderr
    args = ["--kode", "KANWIL-X", "--nama", "Kanwil X", "--jenis", "kanwil", "--zona", "WITA"]
    added = run(app, "unit", "add", *args, "--jam", "07:30-15:30")
    assert added.exit_code == 0 and added.stdout == "Unit KANWIL-X (Kanwil X) ditambahkan.\n"
    assert db.session.scalars(select(AuditLog)).one().pengguna_id is None

    rows = [r if r[0] != "KANWIL-SULTRA" else [*r[:3], "KANWIL-X", *r[4:]] for r in tree_rows()]
    rows[-1][2] = "eselon1"  # wrong: an eselon1 below a Kanwil
    bad = run(app, "unit", "import", str(write(tmp_path / "a.csv", rows, "comma")))
    assert bad.exit_code == 2 and counts() == (1, 0)
    assert bad.stderr.splitlines() == [
        "1 masalah; tidak ada yang disimpan:",
        "baris 8, kolom kode_induk: Unit eselon1 tidak dapat berada di bawah KANWIL-X "
        "(kanwil): unit induk harus lebih tinggi (kementerian > eselon1 > kanwil > upt).",
    ]
    rows[-1][2] = "kanwil"
    rows[-1][3] = ""
    good = str(write(tmp_path / "b.csv", rows, "comma"))
    dry = run(app, "unit", "import", good, "--dry-run")
    assert dry.exit_code == 0 and counts() == (1, 0)
    assert dry.stdout.splitlines()[-1] == (
        "Pemeriksaan saja, tidak disimpan: unit: 4 baru, 0 diubah, 0 tetap; "
        "layanan: 6 baru, 0 diubah, 0 tetap."
    )
    assert run(app, "unit", "import", good).exit_code == 0 and counts() == (5, 6)
    again = run(app, "unit", "import", good)
    assert again.stdout.startswith("Tidak ada perubahan (unit: 0 baru, 0 diubah, 4 tetap;")
    listed = run(app, "unit", "list").stdout.splitlines()
    assert (
        listed[0]
        == "KANWIL-SULTRA  Kanwil Sulawesi Tenggara  (kanwil, WITA, 08:00-16:00, 0 layanan)"
    )
    assert listed[1] == "  KANIM-KDI  Kanim Kendari  (upt, WITA, 08:00-15:00, 2 layanan)"
    assert listed[-1] == "KANWIL-X  Kanwil X  (kanwil, WITA, 07:30-15:30, 0 layanan)"


@pytest.mark.parametrize("title", [None, "Daftar unit Kanwil Sultra"])
def test_an_nip_typed_as_a_number_in_excel_is_refused_on_its_row(app, tmp_path, title):
    rows = tree_rows()
    rows[-1][7] = 197001012000031001  # a number cell: Excel keeps 15 significant digits
    found = plan(app, write(tmp_path / "unit.xlsx", rows, "xlsx", title))
    nip = [p for p in found.problems if p.field == "nip_kepala"]
    assert [p.row for p in nip] == [len(rows) + (1 if title else 0)]
    assert "ubah format sel NIP menjadi Teks" in nip[0].message
    assert counts() == (0, 0)
    rows[-1][7] = "197001012000031001"  # typed as text: taken exactly
    assert plan(app, write(tmp_path / "teks.xlsx", rows, "xlsx", title)).problems == []


def test_a_database_never_set_up_is_one_line_saying_what_to_run(tmp_path):
    from survey_app import create_app

    fresh = create_app(
        {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'kosong.db'}", "SECRET_KEY": "x"}
    )
    done = run(fresh, "unit", "list")
    assert done.exit_code == 2 and "Traceback" not in done.output
    assert done.stderr.strip() == (
        "zisurvey: basis data belum disiapkan: jalankan dulu zisurvey db upgrade"
    )
    with fresh.app_context():
        from survey_app.extensions import db

        db.engine.dispose()
