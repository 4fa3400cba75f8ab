"""QR codes and the loket poster, checked by decoding them as a phone would."""

from urllib.parse import urlparse

from tests.readback import decode_qr, pdf_info, pdf_pages, pdf_text

decoded_urls = decode_qr


def test_qr_png_decodes_to_the_form_and_the_form_opens(app, layanan):
    client = app.test_client()
    png = client.get(f"/survei/{layanan.token}/qr.png")
    assert png.mimetype == "image/png"
    [url] = decoded_urls(png.data)
    assert url == f"http://127.0.0.1:5000/survei/{layanan.token}"
    page = client.get(urlparse(url).path)
    assert page.status_code == 200 and layanan.nama in page.get_data(as_text=True)


def test_qr_svg_is_a_vector_image(app, layanan):
    svg = app.test_client().get(f"/survei/{layanan.token}/qr.svg")
    assert svg.mimetype == "image/svg+xml"
    assert svg.data.startswith(b"<?xml") and b"<svg" in svg.data and b"<path" in svg.data


def test_poster_is_an_a4_page_with_names_url_and_a_scannable_qr(app, layanan, tmp_path):
    response = app.test_client().get(f"/survei/{layanan.token}/poster.pdf")
    assert response.mimetype == "application/pdf"
    pdf = tmp_path / "poster.pdf"
    pdf.write_bytes(response.data)
    info = pdf_info(pdf)
    assert info.pages == 1 and info.size == (595.276, 841.89)  # A4
    text = pdf_text(pdf)
    url = f"http://127.0.0.1:5000/survei/{layanan.token}"
    assert layanan.unit.nama in text and layanan.nama in text and url in text
    assert "Pindai kode QR ini" in text
    [page] = pdf_pages(pdf, dpi=60)
    assert decode_qr(page) == [url]
