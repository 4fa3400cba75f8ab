"""Units: created, edited, closed and reopened within the user's scope, every change audited,
every refusal a message naming the field; a closed unit's forms take no new answers."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from survey_app.extensions import db
from survey_app.models import AuditLog, Layanan, Submission, Unit
from survey_app.services.administration import units
from survey_app.services.administration.unit_fields import UnitDetails
from tests.web.conftest import CSRF, signed_in
from tests.web.helpers import IPAK, SKM, full_answers
from tests.web.test_integrity import FIELDS, answer, respondent

NOW = datetime(2026, 1, 15, 3, 0, tzinfo=UTC)


def csrf(client, path="/staf/unit-kerja"):
    return CSRF.search(client.get(path).get_data(as_text=True)).group(1)


def unit(kode):
    return db.session.scalar(select(Unit).where(Unit.kode == kode))


def audits(action=None):
    query = select(AuditLog).order_by(AuditLog.id)
    if action:
        query = query.where(AuditLog.action == action)
    return list(db.session.scalars(query))


def count_units():
    return db.session.scalar(select(func.count()).select_from(Unit))


NEW = {"kode": "lapas-baru", "nama": "Lapas Baru", "jenis": "upt", "induk": "KANWIL"}


# -- scope -------------------------------------------------------------------------------------


def test_a_kanwil_admin_creates_under_its_kanwil_and_not_under_another(app, tree):
    client = signed_in(app, "kanwil")
    token = csrf(client)
    created = client.post("/staf/unit-kerja/baru", data={"csrf_token": token, **NEW})
    assert created.status_code == 302
    new = unit("LAPAS-BARU")  # typed in lower case, stored in capitals
    assert (new.parent.kode, new.timezone, new.jam_buka.isoformat()) == (
        "KANWIL",
        "Asia/Makassar",  # the parent's zone
        "08:00:00",
    )
    entry = audits("tambah")[0]
    assert (entry.entity, entry.entity_id, entry.before) == ("unit", str(new.id), None)
    assert entry.pengguna_id == tree["users"]["kanwil"].id and entry.after["induk"] == "KANWIL"

    before = count_units()
    elsewhere = client.post(
        "/staf/unit-kerja/baru",
        data={"csrf_token": token, **NEW, "kode": "UPT-X", "induk": "KANWIL-LAIN"},
    )
    page = elsewhere.get_data(as_text=True)
    assert elsewhere.status_code == 422
    assert "Unit induk KANWIL-LAIN di luar wilayah Anda" in page
    top = client.post(
        "/staf/unit-kerja/baru", data={"csrf_token": token, **NEW, "kode": "UPT-Y", "induk": ""}
    )
    assert top.status_code == 422 and "Unit induk wajib diisi" in top.get_data(as_text=True)
    assert count_units() == before and len(audits()) == 1


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/staf/unit-kerja"),
        ("get", "/staf/unit-kerja/baru"),
        ("post", "/staf/unit-kerja/baru"),
        ("get", "/staf/unit/LAPAS/ubah"),
        ("post", "/staf/unit/LAPAS/ubah"),
        ("post", "/staf/unit/LAPAS/tutup"),
        ("get", "/staf/unit-kerja/impor"),
        ("get", "/staf/unit-kerja/templat.xlsx"),
    ],
)
def test_a_viewer_gets_403_and_changes_nothing(app, tree, method, path):
    client = signed_in(app, "lapas")
    token = csrf(client, "/staf/unit/LAPAS")
    data = {"csrf_token": token, **NEW} if method == "post" else None
    assert client.open(path, method=method.upper(), data=data).status_code == 403
    assert count_units() == 5 and audits() == []


def test_links_to_the_units_area_only_for_those_who_may_use_it(app, tree):
    kanwil = signed_in(app, "kanwil").get("/staf/unit/KANWIL").get_data(as_text=True)
    assert 'href="/staf/unit-kerja"' in kanwil and 'href="/staf/unit/KANWIL/ubah"' in kanwil
    viewer = signed_in(app, "lapas").get("/staf/unit/LAPAS").get_data(as_text=True)
    assert "/staf/unit-kerja" not in viewer and "/ubah" not in viewer
    admin = signed_in(app, "admin").get("/staf/").get_data(as_text=True)
    assert 'href="/staf/unit-kerja"' in admin


def test_the_list_is_the_users_subtree_as_a_tree(app, tree):
    page = signed_in(app, "kanwil").get("/staf/unit-kerja").get_data(as_text=True)
    assert "KANWIL-LAIN" not in page and "UPT-LAIN" not in page
    assert page.index("Unit KANWIL") < page.index("Unit LAPAS") < page.index("Unit RUTAN")
    assert 'class="depth-1"' in page and "WITA" in page and "08:00–16:00" in page
    rows = units.unit_tree(db.session, None)
    assert [(r.unit.kode, r.depth, r.layanan) for r in rows] == [
        ("KANWIL", 0, 0),
        ("LAPAS", 1, 2),
        ("RUTAN", 1, 2),
        ("KANWIL-LAIN", 0, 0),
        ("UPT-LAIN", 1, 2),
    ]


# -- validation --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"kode": "A"}, "kode", "Kode unit: 2-32 huruf besar, angka dan tanda hubung"),
        ({"kode": "LAPAS MKS"}, "kode", "misalnya LAPAS-MKS"),
        ({"kode": "-LAPAS"}, "kode", "diawali dan diakhiri huruf atau angka"),
        ({"kode": "LAPAS"}, "kode", "Kode unit LAPAS sudah dipakai"),
        ({"nama": "  "}, "nama", "Nama unit wajib diisi"),
        ({"nama": "x" * 201}, "nama", "Nama unit: paling banyak 200 karakter"),
        ({"nama": "Lapas\x00"}, "nama", "karakter kontrol"),
        ({"jenis": "lapas"}, "jenis", "Jenis unit: tulis kementerian, eselon1, kanwil atau upt"),
        ({"zona": "WITB"}, "zona", "Zona waktu: tulis WIB, WITA atau WIT"),
        ({"jam_buka": "8"}, "jam_buka", "Jam buka: tulis jam dan menit, misalnya 08:00"),
        ({"jam_tutup": "24:00"}, "jam_tutup", "Jam tutup: tulis jam dan menit"),
        ({"jam_buka": "16:00", "jam_tutup": "08.00"}, "jam_tutup", "Jam buka harus lebih awal"),
        ({"nip_kepala": "12345"}, "nip_kepala", "NIP kepala: 18 angka"),
        ({"nip_kepala": "١٩٧٠٠١٠١٢٠٠٠٠٣١٠٠١"}, "nip_kepala", "NIP kepala: 18 angka"),
        ({"induk": "TIDAK-ADA"}, "induk", "Unit induk TIDAK-ADA tidak ditemukan"),
        ({"induk": "LAPAS"}, "induk", "Unit upt tidak dapat berada di bawah LAPAS (upt)"),
        ({"jenis": "kementerian"}, "induk", "Kementerian tidak memiliki unit induk"),
        ({"induk": "", "zona": ""}, "zona", "Zona waktu wajib diisi untuk unit tanpa induk"),
    ],
)
def test_each_wrong_field_is_named_in_indonesian_and_nothing_is_stored(
    app, tree, changes, field, message
):
    details = UnitDetails(**{**NEW, "kode": "UPT-BARU", **changes})
    with pytest.raises(units.UnitError) as caught:
        units.create_unit(db.session, details, None, NOW)
    db.session.rollback()
    assert [(p.field, message in p.text()) for p in caught.value.problems] == [(field, True)]
    assert count_units() == 5 and audits() == []


def test_every_wrong_field_is_listed_at_once_on_the_form(app, tree):
    client = signed_in(app, "admin")
    data = {**NEW, "kode": "x", "zona": "WITB", "jam_buka": "25:00", "nip_kepala": "1"}
    page = client.post("/staf/unit-kerja/baru", data={"csrf_token": csrf(client), **data})
    text = page.get_data(as_text=True)
    assert page.status_code == 422
    for expected in ("Kode unit: 2-32", "Zona waktu: tulis", "Jam buka: tulis", "NIP kepala: 18"):
        assert expected in text
    english = client.post(
        "/staf/unit-kerja/baru?lang=en", data={"csrf_token": csrf(client), **data}
    ).get_data(as_text=True)
    assert "Time zone: write WIB, WITA or WIT" in english


def test_zone_is_typed_as_people_say_it_and_stored_as_iana(app, tree):
    details = UnitDetails(
        kode="LAPAS-JPR",
        nama="Lapas Jayapura",
        jenis="UPT",
        induk="kanwil",
        zona="wit",
        jam_buka="07.30",
        jam_tutup="15:00",
        nip_kepala="19700101 200003 1 001",
    )
    new = units.create_unit(db.session, details, None, NOW)
    assert (new.timezone, new.jam_buka.isoformat(), new.nip_kepala) == (
        "Asia/Jayapura",
        "07:30:00",
        "197001012000031001",
    )
    assert audits("tambah")[0].pengguna_id is None  # the command line acts as the central admin


def test_no_cycles_and_a_unit_admin_never_moves_its_own_unit(app, tree):
    kanwil = unit("KANWIL")
    stored = vars(UnitDetails.of(kanwil))
    with pytest.raises(units.UnitError, match="unit ini sendiri atau unit di bawahnya"):
        units.update_unit(
            db.session, kanwil, UnitDetails(**{**stored, "induk": "KANWIL"}), None, NOW
        )
    own = tree["users"]["kanwil"]
    with pytest.raises(units.UnitError, match="tidak dapat memindahkan unit Anda sendiri"):
        details = UnitDetails(**{**stored, "jenis": "eselon1"})
        units.update_unit(db.session, kanwil, details, own, NOW)
    with pytest.raises(units.UnitError, match="membawahi LAPAS"):
        units.update_unit(db.session, kanwil, UnitDetails(**{**stored, "jenis": "upt"}), None, NOW)
    lapas = unit("LAPAS")
    with pytest.raises(units.UnitError, match="Unit induk KANWIL-LAIN di luar wilayah Anda"):
        moved = UnitDetails(**{**vars(UnitDetails.of(lapas)), "induk": "KANWIL-LAIN"})
        units.update_unit(db.session, lapas, moved, own, NOW)
    db.session.rollback()
    assert unit("KANWIL").parent_id is None and unit("KANWIL").jenis == "kanwil"
    assert unit("LAPAS").parent.kode == "KANWIL" and audits() == []


def test_a_unit_admin_edits_its_own_units_details_with_before_and_after(app, tree):
    client = signed_in(app, "kanwil")
    page = client.get("/staf/unit/KANWIL/ubah").get_data(as_text=True)
    assert 'name="kode"' not in page  # the kode never changes
    data = {
        "csrf_token": csrf(client, "/staf/unit/KANWIL/ubah"),
        "nama": "Kanwil Sulawesi Selatan",
        "jenis": "kanwil",
        "induk": "",
        "zona": "WITA",
        "jam_buka": "08:00",
        "jam_tutup": "16:00",
        "kota": "Makassar",
        "kepala": "Budi",
        "nip_kepala": "197001012000031001",
    }
    assert client.post("/staf/unit/KANWIL/ubah", data=data).status_code == 302
    entry = audits("ubah")[0]
    assert (
        entry.before["nama"] == "Unit KANWIL" and entry.after["nama"] == "Kanwil Sulawesi Selatan"
    )
    assert entry.changed == ["kepala", "kota", "nama", "nip_kepala"]
    assert client.post("/staf/unit/KANWIL/ubah", data=data).status_code == 302
    assert len(audits("ubah")) == 1  # saving the same again changes nothing
    other = client.post("/staf/unit/UPT-LAIN/ubah", data=data)
    assert other.status_code == 403


# -- closing -----------------------------------------------------------------------------------


def test_a_closed_unit_keeps_its_data_refuses_new_answers_and_is_shown_closed(app, tree):
    lapas = tree["lapas"]
    kunj = db.session.scalar(select(Layanan).where(Layanan.unit_id == lapas.id))
    assert answer(respondent(app), kunj.token).status_code == 303
    late = respondent(app, "10.0.0.9")
    opened = dict(FIELDS.findall(late.get(f"/survei/{kunj.token}").get_data(as_text=True)))
    client = signed_in(app, "kanwil")
    token = csrf(client, "/staf/unit/LAPAS/ubah")
    assert client.post("/staf/unit/LAPAS/tutup", data={"csrf_token": token}).status_code == 302
    assert unit("LAPAS").aktif is False and kunj.aktif is True
    closed = app.test_client().get(f"/survei/{kunj.token}")
    assert closed.status_code == 410 and "Survei ditutup" in closed.get_data(as_text=True)
    sent = late.post(f"/survei/{kunj.token}", data=opened | full_answers(SKM + IPAK))
    assert sent.status_code == 410  # a form opened before the closing is refused as well
    assert db.session.scalar(select(func.count()).select_from(Submission)) == 1
    assert "ditutup" in client.get("/staf/unit-kerja").get_data(as_text=True)
    assert 'tag off">ditutup' in client.get("/staf/unit/KANWIL").get_data(as_text=True)
    assert "Unit LAPAS" in client.get("/staf/unit/LAPAS").get_data(as_text=True)  # data stays
    assert [e.action for e in audits()] == ["tutup"]
    assert client.post("/staf/unit/LAPAS/buka", data={"csrf_token": token}).status_code == 302
    assert app.test_client().get(f"/survei/{kunj.token}").status_code == 200
    entry = audits("buka")[0]
    assert (entry.before["aktif"], entry.after["aktif"]) == (False, True)


def test_closing_is_refused_for_ones_own_unit_and_over_open_units(app, tree):
    client = signed_in(app, "kanwil")
    token = csrf(client, "/staf/unit/KANWIL/ubah")
    assert client.post("/staf/unit/KANWIL/tutup", data={"csrf_token": token}).status_code == 403
    admin = signed_in(app, "admin")
    refused = admin.post(
        "/staf/unit/KANWIL/tutup", data={"csrf_token": csrf(admin)}, follow_redirects=True
    )
    assert "masih membawahi unit yang aktif (LAPAS, RUTAN)" in refused.get_data(as_text=True)
    assert unit("KANWIL").aktif is True and audits() == []


def test_nothing_is_created_or_reopened_under_a_closed_unit(app, tree):
    for kode in ("UPT-LAIN", "KANWIL-LAIN"):
        units.close_unit(db.session, unit(kode), None, NOW)
    with pytest.raises(units.UnitError, match="Unit induk KANWIL-LAIN ditutup"):
        units.create_unit(db.session, UnitDetails(**{**NEW, "induk": "KANWIL-LAIN"}), None, NOW)
    with pytest.raises(units.UnitError, match="buka kembali unit induk itu dahulu"):
        units.reopen_unit(db.session, unit("UPT-LAIN"), None, NOW)
    assert units.close_unit(db.session, unit("UPT-LAIN"), None, NOW) is False  # already closed
