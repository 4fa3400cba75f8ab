"""Print and social artefacts of a publication (issue 6): each file opened and checked."""

import io
import re

import pytest
from PIL import Image

from survey_app.extensions import db
from tests.readback import decode_qr, pdf_info, pdf_pages, pdf_text
from tests.web.conftest import signed_in
from tests.web.test_publish import lapas, publish  # noqa: F401  (the fixture)

SIZES = {"poster-a3.pdf": (841.89, 1190.551), "xbanner-60x160.pdf": (1700.787, 4535.433)}


@pytest.fixture
def published(app, lapas):  # noqa: F811
    publish(signed_in(app, "kanwil"))
    page = app.test_client().get("/hasil/LAPAS").get_data(as_text=True)
    return {name: link for link, name in re.findall(r'href="(/hasil/LAPAS/\d+/([^"/]+))"', page)}


@pytest.mark.parametrize("name", sorted(SIZES))
def test_posters_hold_the_snapshot_in_vector_text_with_embedded_fonts(
    app, published, name, tmp_path
):
    response = app.test_client().get(published[name])
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    pdf = tmp_path / name
    pdf.write_bytes(response.data)
    info = pdf_info(pdf)
    assert info.size == SIZES[name] and info.pages == 1
    text = pdf_text(pdf)
    for expected in (
        "SURVEI KEPUASAN MASYARAKAT",
        "Unit LAPAS",
        "Periode Januari 2026",  # as people read it (issue 16.6)
        "NILAI IKM",
        "87,55",
        "Mutu B · Baik",
        "IPAK",
        "98,00",
        "30 responden",
        "Periode survei: 1 Januari 2026 - 31 Januari 2026",
        "Belum memenuhi jumlah minimal responden",
        "Terima kasih",
    ):
        assert expected in text, expected
    dejavu = {name: embedded for name, embedded in info.fonts.items() if "DejaVuSans" in name}
    assert dejavu and all(dejavu.values())  # vector text in embedded fonts
    [page] = pdf_pages(pdf, dpi=40)
    assert decode_qr(page) == ["http://127.0.0.1:5000/survei/unit/LAPAS"]  # two layanan: chooser


@pytest.mark.parametrize(
    ("name", "size"),
    [("sosial-1080x1080.png", (1080, 1080)), ("sosial-1080x1920.png", (1080, 1920))],
)
def test_social_images_have_their_size_and_a_qr_that_decodes(app, published, name, size):
    response = app.test_client().get(published[name])
    assert response.status_code == 200 and response.mimetype == "image/png"
    image = Image.open(io.BytesIO(response.data))
    assert image.size == size
    assert decode_qr(image) == ["http://127.0.0.1:5000/survei/unit/LAPAS"]
    top = image.crop((0, 0, size[0], 60)).convert("L")
    assert min(top.getdata()) < 100  # the title band is drawn, not left blank


def test_an_unpublished_or_foreign_artefact_is_not_found(app, published, tree):
    link = published["poster-a3.pdf"]
    assert app.test_client().get(link.replace("/LAPAS/", "/RUTAN/")).status_code == 404
    assert app.test_client().get(link.replace("poster-a3.pdf", "poster-a0.pdf")).status_code == 404


def test_the_widget_may_be_framed_anywhere_and_shows_the_latest_result(app, published):
    response = app.test_client().get("/hasil/LAPAS/widget")
    page = response.get_data(as_text=True)
    policy = response.headers["Content-Security-Policy"]
    assert response.status_code == 200 and "frame-ancestors *" in policy
    assert "script-src 'self'" in policy and "<script" not in page
    assert "87,55" in page and "Mutu B" in page and "belum memenuhi minimal" in page
    other = app.test_client().get("/hasil/LAPAS")
    assert "frame-ancestors 'none'" in other.headers["Content-Security-Policy"]
    snippet = '&lt;iframe src="http://127.0.0.1:5000/hasil/LAPAS/widget" width="320"'
    assert snippet in other.get_data(as_text=True)


def test_a_parent_lists_the_latest_result_of_each_unit_below(app, published, tree):
    page = app.test_client().get("/hasil/KANWIL").get_data(as_text=True)
    assert "Hasil unit di bawah Unit KANWIL" in page
    row = re.search(
        r'<a href="/hasil/LAPAS">Unit LAPAS</a></th>\s*<td>(.*?)</td><td>(.*?)</td>', page
    )
    assert row and row.groups() == ("Januari 2026", "87,55 (B)")
    assert re.search(
        r'<a href="/hasil/RUTAN">Unit RUTAN</a></th>\s*<td colspan="2">belum terbit', page
    )


def test_results_pages_are_cacheable_and_answer_304_until_staff_publish_again(app, published):
    reader = app.test_client()
    for path in ("/hasil/LAPAS", "/hasil/LAPAS/widget", "/hasil/KANWIL"):
        first = reader.get(path)
        assert first.status_code == 200 and "Set-Cookie" not in first.headers
        assert first.cache_control.public and first.cache_control.max_age == 60
        assert {"Cookie", "Accept-Language"} <= set(first.vary)
        again = reader.get(path, headers={"If-None-Match": first.headers["ETag"]})
        assert again.status_code == 304 and again.data == b""
    etag = reader.get("/hasil/LAPAS").headers["ETag"]
    publish(signed_in(app, "kanwil"), periode="2026-02")  # a new result: a new page
    changed = reader.get("/hasil/LAPAS", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and "Februari 2026" in changed.get_data(as_text=True)
    english = reader.get("/hasil/LAPAS?lang=en")  # sets a cookie: never for a shared cache
    assert "Set-Cookie" in english.headers and not english.cache_control.public


def test_an_artefact_is_drawn_once_and_redrawn_when_what_it_shows_changes(
    app, published, monkeypatch
):
    from survey_app import hasil
    from survey_app.services.publishing import artefacts

    hasil._rendered.cache_clear()
    drawn = []
    real = artefacts.poster_pdf
    monkeypatch.setattr(artefacts, "poster_pdf", lambda *a: drawn.append(a[1]) or real(*a))
    reader = app.test_client()
    first = reader.get(published["poster-a3.pdf"]).data
    assert reader.get(published["poster-a3.pdf"]).data == first and drawn == ["a3"]
    client = signed_in(app, "kanwil")
    assert upload_logo(client, logo_png()).status_code == 302
    with_logo = reader.get(published["poster-a3.pdf"]).data
    assert with_logo != first and drawn == ["a3", "a3"]


def logo_png(colour="#c8102e", size=(300, 200)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, format="PNG")
    return out.getvalue()


def upload_logo(client, body, name="logo.png", **extra):
    page = client.get("/staf/unit/LAPAS/layanan").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    data = {"csrf_token": token, "berkas": (io.BytesIO(body), name), **extra}
    return client.post("/staf/unit/LAPAS/logo", data=data, content_type="multipart/form-data")


def test_a_logo_is_checked_reencoded_and_drawn_on_every_artefact(app, published, tmp_path):
    from sqlalchemy import select

    from survey_app.extensions import db
    from survey_app.models import AuditLog, Unit

    admin = signed_in(app, "kanwil")
    bad = upload_logo(admin, b"<svg onload=alert(1)>", "logo.svg")
    assert bad.status_code == 422 and "bukan gambar PNG atau JPEG" in bad.get_data(as_text=True)
    assert upload_logo(admin, logo_png(size=(1200, 800))).status_code == 302
    stored = db.session.scalar(select(Unit.logo).where(Unit.kode == "LAPAS"))
    assert Image.open(io.BytesIO(stored)).size == (600, 400)  # our own PNG, at most 600 px
    assert app.test_client().get("/hasil/LAPAS/logo.png").data == stored

    pdf = tmp_path / "a3.pdf"
    pdf.write_bytes(app.test_client().get(published["poster-a3.pdf"]).data)
    assert (600, 400) in pdf_info(pdf).images  # the logo, as stored
    png = Image.open(io.BytesIO(app.test_client().get(published["sosial-1080x1080.png"]).data))
    assert png.convert("RGB").getpixel((80, 60)) == (200, 16, 46)  # the logo's red, top left
    assert len(decode_qr(png)) == 1  # the QR still decodes

    assert upload_logo(admin, b"", hapus="y").status_code == 302
    assert db.session.scalar(select(Unit.logo).where(Unit.kode == "LAPAS")) is None
    log = db.session.scalars(select(AuditLog).where(AuditLog.action == "logo")).all()
    assert len(log) == 2 and log[1].after == {"logo": None}
    assert app.test_client().get("/hasil/LAPAS/logo.png").status_code == 404


def test_the_printed_qr_opens_the_units_open_layanan_and_the_form_when_one_is_left(
    app, published, tree
):
    """Issue 16.9: "Pindai untuk mengisi survei" leads to a survey, never to the results."""
    poster = app.test_client().get(published["poster-a3.pdf"]).data
    [target] = decode_qr(pdf_pages(poster, dpi=40)[0])
    phone = app.test_client()
    path = target.removeprefix("http://127.0.0.1:5000")
    page = phone.get(path).get_data(as_text=True)
    open_ = [x for x in tree["lapas"].layanan if x.aktif]
    assert len(open_) == 2
    for layanan in open_:
        assert f'<a class="btn big" href="/survei/{layanan.token}">{layanan.nama}</a>' in page
    open_[0].aktif = False
    db.session.commit()
    alone = phone.get(path)  # the same printed QR, now straight to the one form left open
    assert alone.status_code == 302 and alone.headers["Location"] == f"/survei/{open_[1].token}"
    open_[1].aktif = False
    db.session.commit()
    none = phone.get(path)
    assert none.status_code == 410 and "tidak ada layanan" in none.get_data(as_text=True)
    assert phone.get("/survei/unit/TIDAK-ADA").status_code == 404


def test_the_results_page_offers_the_survey_at_its_top(app, published):
    page = app.test_client().get("/hasil/LAPAS").get_data(as_text=True)
    top = page.index('<a class="btn big" href="/survei/unit/LAPAS">Isi survei</a>')
    assert top < page.index("NILAI IKM")
