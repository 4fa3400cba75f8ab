"""Staff pages speak Indonesian when input is bad (issue 16.10): a bad parameter gets its own
message with a format hint, inside the staff layout, with a way back; English only through the
language switch."""

import pytest

from tests.web.conftest import signed_in


@pytest.mark.parametrize(
    ("query", "said"),
    [
        ("periode=2026-T5", "tulis seperti 2026-11 (bulan), 2026-T4 (triwulan)"),
        ("periode=november", "Periode \u201cnovember\u201d tidak dikenal"),
        ("periode=1999-01", "2026-S2 (semester) atau 2026 (tahun)"),
        ("dari=2026-05&sampai=2026-01", "Dari tidak boleh sesudah Sampai"),
        ("dari=2026-5&sampai=2026-06", "tulis Dari dan Sampai seperti 2026-01"),
    ],
)
def test_a_bad_period_says_how_to_write_it_inside_the_staff_layout(app, tree, query, said):
    client = signed_in(app, "kanwil")
    for path in ("/staf/unit/LAPAS", "/staf/unit/LAPAS/alasan", "/staf/unit/LAPAS/rekap.xlsx"):
        answer = client.get(f"{path}?{query}", headers={"Referer": "http://localhost/staf/"})
        page = answer.get_data(as_text=True)
        assert answer.status_code == 400, path
        assert said in page
        assert "Ruang staf" in page and 'href="/staf/"' in page  # the staff layout, a way back
        assert "Silakan isi formulir dari tautan kode QR" not in page  # the respondents' text


def test_the_way_back_is_the_page_one_came_from_on_this_site_only(app, tree):
    client = signed_in(app, "kanwil")
    came_from = "http://localhost/staf/unit/LAPAS?periode=2026-01"
    page = client.get("/staf/unit/LAPAS?periode=x", headers={"Referer": came_from}).get_data(
        as_text=True
    )
    assert 'href="/staf/unit/LAPAS?periode=2026-01"' in page
    elsewhere = client.get(
        "/staf/unit/LAPAS?periode=x", headers={"Referer": "https://jahat.example/staf/"}
    ).get_data(as_text=True)
    assert "jahat.example" not in elsewhere


def test_english_through_the_switch(app, tree):
    client = signed_in(app, "kanwil")
    client.get("/staf/?lang=en")
    page = client.get("/staf/unit/LAPAS?periode=2026-T5&lang=en").get_data(as_text=True)
    assert "write it like 2026-11 (month), 2026-T4 (quarter)" in page
    assert "tulis seperti" not in page


def test_a_bad_year_on_the_zi_page_is_said_in_indonesian(app, tree):
    page = signed_in(app, "kanwil").get("/staf/unit/LAPAS/zi?tahun=20x6")
    assert page.status_code == 400
    assert "Tahun: tulis empat angka antara 2014 dan 2100, seperti 2026." in page.get_data(
        as_text=True
    )
