"""The tindak lanjut register (issue 17.1 and 17.4): priorities from the lowest NRR, entries
checked and audited, evidence files checked and re-encoded, scope, and the public page."""

import io
import re
from datetime import UTC, datetime

import pytest
from PIL import Image
from sqlalchemy import func, select
from werkzeug.test import EnvironBuilder

from analysis.responses import read_responses
from analysis.scoring import score
from survey_app.extensions import db
from survey_app.models import AuditLog, BuktiTindakLanjut, TindakLanjut
from tests.conftest import FIXTURES
from tests.web.conftest import CSRF, signed_in
from tests.web.test_publish import load, publish

PAGE = "/staf/unit/LAPAS/tindak-lanjut?periode=2026-01"


@pytest.fixture
def lapas(app, tree, clock):
    """The worked example in the Lapas (January 2026), seen on 2 February."""
    load(app, tree["lapas"], FIXTURES / "worked_example.csv")
    clock.now = datetime(2026, 2, 2, tzinfo=UTC)
    return tree["lapas"]


def token_of(client, path=PAGE):
    page = client.get(path).get_data(as_text=True)
    return (CSRF.search(page) or re.search(r'name="csrf_token" value="([^"]+)"', page)).group(1)


def entry(**changed):
    return {
        "unsur": "skm:U5",
        "program": "Menambah kursi dan papan informasi di ruang tunggu",
        "waktu": "2026-02",
        "penanggung_jawab": "Kepala Subseksi Registrasi",
        "status": "rencana",
        "hasil": "",
    } | changed


def add(client, **changed):
    return client.post(PAGE, data={"csrf_token": token_of(client)} | entry(**changed))


def test_the_page_proposes_the_lowest_unsur_first_as_the_dashboard_computes_them(app, lapas):
    catalogue = app.extensions["zisurvey.catalogue"]
    frame = read_responses(FIXTURES / "worked_example.csv", catalogue.schema(), tz="Asia/Makassar")
    lowest = []  # the three lowest of each instrument, SKM first; ties in the item's order
    for instrument in catalogue.instruments.values():
        codes = [item.code for item in instrument.items]
        ranked = sorted(
            (item.nrr, order, item.code) for order, item in enumerate(score(frame, codes).items)
        )
        lowest += [(nrr, code) for nrr, _order, code in ranked[:3]]
    page = signed_in(app, "lapas").get(PAGE).get_data(as_text=True)
    table = page.split("<h2>Unsur terendah periode ini</h2>")[1].split("</table>")[0]
    shown = re.findall(r'<th scope="row">(\w+) · ', table)
    assert shown == [code for _nrr, code in lowest]
    first = next(item for item in score(frame, [lowest[0][1]]).items)
    assert f"<td>{str(first.nrr_rounded).replace('.', ',')}</td>" in table


def test_a_unit_admin_adds_an_entry_and_a_viewer_reads_it(app, lapas):
    kanwil = signed_in(app, "kanwil")
    response = add(kanwil)
    assert response.status_code == 302 and response.headers["Location"].endswith("periode=2026-01")
    stored = db.session.scalars(select(TindakLanjut)).one()
    assert (stored.dari, stored.sampai, stored.unsur, stored.status) == (
        "2026-01",
        "2026-01",
        "U5",
        "rencana",
    )
    viewer = signed_in(app, "lapas")
    page = viewer.get(PAGE).get_data(as_text=True)
    assert "Menambah kursi dan papan informasi" in page and "U5 · " in page
    assert "Tambah tindak lanjut" not in page  # a viewer reads
    assert add(viewer).status_code == 403
    assert viewer.get(f"/staf/tindak-lanjut/{stored.id}").status_code == 403
    assert db.session.scalar(select(func.count()).select_from(TindakLanjut)) == 1
    actions = db.session.scalars(select(AuditLog.action).where(AuditLog.entity == "tindak_lanjut"))
    assert list(actions) == ["tl_tambah"]


@pytest.mark.parametrize(
    ("changed", "message"),
    [
        ({"unsur": "skm:U99"}, "Prioritas unsur"),
        ({"program": "abc"}, "Program/kegiatan"),
        ({"waktu": "Desember"}, "Waktu: tulis bulan seperti 2026-12"),
        ({"waktu": "2026-13"}, "Waktu"),
        ({"waktu": "2026-02-30"}, "Waktu"),
        ({"penanggung_jawab": "Budi 081234567890"}, "tanpa NIP, nomor telepon"),
        ({"penanggung_jawab": "budi@lapas.go.id"}, "tanpa NIP, nomor telepon"),
        ({"penanggung_jawab": "Kasi 198705122010011002"}, "tanpa NIP"),
        ({"status": "tunda"}, "Status"),
    ],
)
def test_a_wrong_entry_is_refused_with_its_field_named_and_nothing_stored(
    app, lapas, changed, message
):
    response = add(signed_in(app, "kanwil"), **changed)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(TindakLanjut)) == 0


def test_an_entry_moves_on_to_done_and_is_audited_with_what_changed(app, lapas):
    kanwil = signed_in(app, "kanwil")
    add(kanwil)
    stored = db.session.scalars(select(TindakLanjut)).one()
    path = f"/staf/tindak-lanjut/{stored.id}"
    done = entry(status="selesai", hasil="Sepuluh kursi dipasang pada 20 Februari 2026")
    response = kanwil.post(path, data={"csrf_token": token_of(kanwil, path)} | done)
    assert response.status_code == 302
    db.session.refresh(stored)
    assert stored.status == "selesai" and stored.hasil.startswith("Sepuluh kursi")
    change = db.session.scalars(select(AuditLog).where(AuditLog.action == "tl_ubah")).one()
    assert change.changed == ["hasil", "status"]
    kanwil.post(f"{path}/hapus", data={"csrf_token": token_of(kanwil, path)})
    assert db.session.scalar(select(func.count()).select_from(TindakLanjut)) == 0


def _png_with_metadata() -> bytes:
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text("Author", "Nama Petugas 081234567890")
    out = io.BytesIO()
    Image.new("RGB", (3000, 2000), "teal").save(out, format="PNG", pnginfo=info)
    return out.getvalue()


def _jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (800, 600), "orange").save(out, format="JPEG")
    return out.getvalue()


PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def test_evidence_is_checked_and_pictures_are_drawn_again(app, lapas):
    kanwil = signed_in(app, "kanwil")
    add(kanwil)
    stored = db.session.scalars(select(TindakLanjut)).one()
    path = f"/staf/tindak-lanjut/{stored.id}"

    def send(name, body):
        data = {"csrf_token": token_of(kanwil, path), "berkas": (io.BytesIO(body), name)}
        builder = EnvironBuilder(path=f"{path}/bukti", method="POST", data=data)
        environ = builder.get_environ()
        try:  # a large body is spooled to a temporary file: closed here, as a server would
            kanwil.open(environ)
        finally:
            environ["wsgi.input"].close()
            builder.close()
        return kanwil.get(path).get_data(as_text=True)

    send("foto kursi (1).png", _png_with_metadata())
    send("kursi.jpg", _jpeg())
    send("laporan.pdf", PDF)
    refused = [
        send("bukan.pdf", b"%PDF-1.4 terpotong"),
        send("catatan.txt", b"hanya teks"),
        send("besar.pdf", b"%PDF-" + b"0" * (5 * 1024 * 1024) + b"%%EOF"),
        send("halaman.pdf", b"%PDF-<html><script>alert(1)</script></html>\n%%EOF"),
    ]
    assert "terpotong atau rusak" in refused[0]
    assert "terpotong atau rusak" in refused[3]  # two markers do not make a PDF
    assert "PNG atau JPEG" in refused[1]
    assert "paling besar 5 MB" in refused[2]
    kept = db.session.scalars(select(BuktiTindakLanjut).order_by(BuktiTindakLanjut.id)).all()
    assert [(b.nama, b.jenis) for b in kept] == [
        ("foto-kursi-1.png", "image/png"),
        ("kursi.png", "image/png"),
        ("laporan.pdf", "application/pdf"),
    ]
    with Image.open(io.BytesIO(kept[0].isi)) as picture:
        assert max(picture.size) == 1600 and "Author" not in picture.info  # no metadata kept
    viewer = signed_in(app, "lapas")
    assert viewer.get(f"/staf/bukti/{kept[2].id}").data == PDF
    assert signed_in(app, "rutan_admin").get(f"/staf/bukti/{kept[2].id}").status_code == 403


@pytest.fixture
def rutan_admin(tree):
    from survey_app.services.administration.accounts import create_user
    from tests.web.conftest import PASSWORD

    create_user(db.session, "rutan_admin", PASSWORD, "unit_admin", tree["rutan"])
    db.session.commit()


@pytest.fixture(autouse=True)
def _accounts(request, tree):
    request.getfixturevalue("rutan_admin")


def test_the_public_page_shows_what_was_planned_and_done(app, lapas, clock):
    kanwil = signed_in(app, "kanwil")
    earlier = "/staf/unit/LAPAS/tindak-lanjut?periode=2025-12"
    kanwil.post(
        earlier,
        data={"csrf_token": token_of(kanwil, earlier)}
        | entry(status="selesai", waktu="2026-01-15", hasil="Alur layanan dipasang di loket"),
    )
    add(kanwil, program="Pelatihan keramahan petugas kunjungan")
    assert publish(kanwil).status_code == 303
    page = app.test_client().get("/hasil/LAPAS").get_data(as_text=True)
    section = page.split("<h2>Tindak lanjut</h2>")[1].split("</section>")[0]
    assert "Tindak lanjut hasil Desember 2025" in section  # a month, named
    assert "Alur layanan dipasang di loket" in section and "Selesai" in section
    assert "Pelatihan keramahan petugas kunjungan" in section and "Rencana" in section
    assert "/staf/bukti/" not in page and "Kepala Subseksi" not in section.split("<th")[0]


def test_a_petugas_gets_no_register(app, lapas):
    from survey_app.services.administration.accounts import create_user
    from tests.web.conftest import PASSWORD

    create_user(db.session, "loket", PASSWORD, "petugas", lapas)
    db.session.commit()
    assert signed_in(app, "loket").get(PAGE).status_code == 403
