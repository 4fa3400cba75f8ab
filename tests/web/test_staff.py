"""The staff workspace: scope on every unit route, sign-in, and the figures it shows."""

import io
import re
from datetime import UTC, datetime

import pytest
from click.testing import CliRunner
from flask.cli import ScriptInfo
from openpyxl import load_workbook

from analysis.responses import read_responses
from analysis.scoring import score
from survey_app.cli import main
from survey_app.extensions import db
from survey_app.services.collection.imports import import_responses
from tests.conftest import FIXTURES
from tests.readback import pdf_info, pdf_lines, save_pages
from tests.web.conftest import CSRF, PASSWORD, login, signed_in

UNIT_ROUTES = [
    "/staf/unit/{}",
    "/staf/unit/{}/jawaban.csv",
    "/staf/unit/{}/rekap.xlsx",
    "/staf/unit/{}/laporan.pdf",
]


@pytest.mark.parametrize("route", UNIT_ROUTES)
def test_anonymous_users_are_sent_to_sign_in(app, tree, route):
    response = app.test_client().get(route.format("LAPAS"))
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/staf/masuk?next=")


@pytest.mark.parametrize("route", UNIT_ROUTES)
@pytest.mark.parametrize(
    ("user", "unit", "status"),
    [
        ("lapas", "LAPAS", 200),  # a UPT sees itself
        ("lapas", "RUTAN", 403),  # ... not its sibling
        ("lapas", "KANWIL", 403),  # ... nor its parent
        ("kanwil", "LAPAS", 200),  # a Kanwil sees its UPT
        ("kanwil", "KANWIL", 200),
        ("kanwil", "UPT-LAIN", 403),  # ... not another Kanwil's
        ("admin", "UPT-LAIN", 200),  # the central admin sees all
    ],
)
def test_every_unit_route_refuses_another_units_data(app, tree, route, user, unit, status):
    client = signed_in(app, user)
    assert client.get(route.format(unit)).status_code == status


def test_wrong_password_does_not_sign_in(app, tree):
    client = app.test_client()
    response = login(client, "lapas", "salah-sandi-123")
    assert response.status_code == 200
    assert "Nama pengguna atau kata sandi salah." in response.get_data(as_text=True)
    assert client.get("/staf/").status_code == 302


def test_sign_in_is_rate_limited_with_a_friendly_page(app, tree):
    client = app.test_client()
    # names that do not exist: the limit holds for guessing names too (no lockout to hit)
    statuses = [login(client, f"tamu{i}", "salah-sandi-123").status_code for i in range(11)]
    assert statuses[:10] == [200] * 10 and statuses[10] == 429
    assert "Terlalu banyak percobaan" in login(client, "lapas").get_data(as_text=True)


def test_sign_out_and_no_open_redirect(app, tree):
    client = app.test_client()
    token = CSRF.search(client.get("/staf/masuk").get_data(as_text=True)).group(1)
    data = {"csrf_token": token, "username": "lapas", "password": PASSWORD}
    response = client.post("/staf/masuk?next=//evil.example/", data=data)
    assert response.headers["Location"] == "/staf/"
    page = client.get("/staf/unit/LAPAS").get_data(as_text=True)
    token = CSRF.search(page) or re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert client.post("/staf/keluar", data={"csrf_token": token.group(1)}).status_code == 302
    assert client.get("/staf/unit/LAPAS").status_code == 302


@pytest.fixture
def worked(app, tree, clock):
    """The worked example (January 2026) imported into the Lapas."""
    catalogue = app.extensions["zisurvey.catalogue"]
    frame = read_responses(FIXTURES / "worked_example.csv", catalogue.schema(), tz="Asia/Makassar")
    import_responses(db.session, catalogue, tree["lapas"], frame, datetime(2026, 3, 1, tzinfo=UTC))
    db.session.commit()
    clock.now = datetime(2026, 1, 10, 4, tzinfo=UTC)  # 10 January, 12:00 WITA
    return frame


def test_the_english_dashboard_says_the_mutu_in_english(app, worked):
    client = signed_in(app, "lapas")
    page = client.get("/staf/unit/LAPAS?periode=2026-01&lang=en").get_data(as_text=True)
    assert re.search(r'class="nilai">87[.,]55<.*?Grade B · Good<', page, re.S)
    assert re.search(r'class="nilai">98[.,]00<.*?Grade A · Very good<', page, re.S)
    assert "Baik" not in page and "baik" not in page  # no band word left in Indonesian


def test_dashboard_shows_the_worked_example_and_the_minimum_table(app, worked, clock):
    client = signed_in(app, "lapas")
    page = client.get("/staf/unit/LAPAS?periode=2026-01").get_data(as_text=True)
    # REGULATION.md worked example: IKM 87,55 (B), IPAK 98,00 (A), IPKP 89,17 (A)
    assert re.search(r'class="nilai">87,55<.*?Mutu B · Baik', page, re.S)
    assert re.search(r'class="nilai">98,00<.*?Mutu A · Sangat baik', page, re.S)
    assert re.search(r'class="nilai">89,17<', page)
    kunj, titip = (int((worked["layanan"] == k).sum()) for k in ("KUNJ", "TITIP"))
    assert f"<td>{kunj}</td>\n        <td>30</td>" in page
    assert f"<td>{titip}</td>\n        <td>15</td>" in page
    assert "Sisa 21 hari di bulan ini." in page
    # at the pace of 10 days, both reach their minimum by the 31st
    assert f"proyeksi akhir bulan: {round(kunj * 31 / 10)}" in page
    assert round(kunj * 31 / 10) >= 30 and "diproyeksikan tidak mencapai minimal" not in page
    clock.now = datetime(2026, 1, 28, 4, tzinfo=UTC)  # the same answers by the 28th: too slow
    late = client.get("/staf/unit/LAPAS").get_data(as_text=True)
    short = (round(kunj * 31 / 28) < 30) + (round(titip * 31 / 28) < 15)  # 20 -> 22, 10 -> 11
    assert short == 2 and late.count("diproyeksikan tidak mencapai minimal") == short


def test_parent_unit_lists_its_units_with_their_figures(app, worked):
    page = signed_in(app, "kanwil").get("/staf/unit/KANWIL?periode=2026-01").get_data(as_text=True)
    row = re.search(
        r'<a href="/staf/unit/LAPAS\?periode=2026-01">Unit LAPAS</a>.*?</tr>', page, re.S
    )
    assert row and "87,55 (B)" in row.group(0) and "98,00 (A)" in row.group(0)
    assert "Unit RUTAN" in page and "UPT-LAIN" not in page


def test_semester_and_custom_range_are_recomputed_from_raw_answers(app, worked):
    client = signed_in(app, "lapas")
    for query in ("periode=2026-S1", "periode=2026", "dari=2025-12&sampai=2026-02"):
        assert ">87,55<" in client.get(f"/staf/unit/LAPAS?{query}").get_data(as_text=True)
    assert ">87,55<" not in client.get("/staf/unit/LAPAS?periode=2026-02").get_data(as_text=True)
    assert client.get("/staf/unit/LAPAS?periode=2026-13").status_code == 400


def test_csv_export_round_trips_through_the_import(app, worked):
    body = signed_in(app, "lapas").get("/staf/unit/LAPAS/jawaban.csv?periode=2026-01").data
    catalogue = app.extensions["zisurvey.catalogue"]
    again = read_responses(io.BytesIO(body), catalogue.schema(), filename="x.csv")
    for instrument in catalogue.instruments.values():
        assert score(again, instrument.codes) == score(worked, instrument.codes)
    assert len(again) == 30


def test_xlsx_rekap_is_laid_out_per_unsur(app, worked):
    body = signed_in(app, "lapas").get("/staf/unit/LAPAS/rekap.xlsx?periode=2026-01").data
    book = load_workbook(io.BytesIO(body))
    assert book.sheetnames == ["Jawaban", "Rekap unit", "Rekap KUNJ", "Rekap TITIP"]
    assert book["Jawaban"].max_row == 31
    rows = {r[0]: r for r in book["Rekap unit"].iter_rows(values_only=True) if r[0]}
    u9 = rows["U9"]  # n 29, total 102, NRR 3,5172, weighted 3,5172/9 = 0,3908
    assert u9[2:6] == (29, 102, 3.5172, 0.3908)
    nilai = [r for r in book["Rekap unit"].iter_rows(values_only=True) if r[1] == "Nilai IKM"]
    assert nilai[0][5] == 87.55


def test_create_user_command(app, tree):
    runner = CliRunner()
    info = ScriptInfo(create_app=lambda: app)
    args = ["create-user", "--username", "baru", "--role", "viewer", "--unit", "RUTAN"]
    done = runner.invoke(main, [*args, "--password", "cukup-panjang"], obj=info)
    assert done.exit_code == 0 and "Akun baru (viewer) dibuat." in done.stdout
    short = runner.invoke(main, [*args, "--password", "pendek"], obj=info)
    assert short.exit_code == 2 and "paling sedikit 10 karakter" in short.stderr


@pytest.mark.parametrize(
    ("username", "role", "unit", "password", "says"),
    [
        ("lain", "viewer", "RUTAN", "password123", "terlalu umum"),
        ("lain", "viewer", "RUTAN", "aaaaaaaaaaaa", "terlalu umum"),
        ("lain", "viewer", "RUTAN", "demo-zisurvey", "terlalu umum"),  # the README's demo
        ("lain", "viewer", "RUTAN", "p" + "ankasila-" * 30, "paling banyak 200"),
        ("operator", "viewer", "RUTAN", "operator-2026", "memuat nama pengguna"),
        ("x" * 65, "viewer", "RUTAN", "cukup-panjang-1", "2-64 karakter"),
        ("nama\x00", "viewer", "RUTAN", "cukup-panjang-1", "2-64 karakter"),
        ("pusat", "admin", "RUTAN", "cukup-panjang-1", "admin pusat tidak terikat unit"),
        ("KANWIL", "viewer", "RUTAN", "cukup-panjang-1", "sudah dipakai"),  # beside kanwil
    ],
)
def test_create_user_refuses_what_it_should_with_one_clear_line(
    app, tree, username, role, unit, password, says
):
    from sqlalchemy import func, select

    from survey_app.models import Pengguna

    before = db.session.scalar(select(func.count()).select_from(Pengguna))
    args = ["create-user", "--username", username.replace("\\x00", "\x00"), "--role", role]
    done = CliRunner().invoke(
        main,
        [*args, "--unit", unit, "--password", password],
        obj=ScriptInfo(create_app=lambda: app),
    )
    assert done.exit_code == 2 and says in done.stderr, done.output
    assert "Traceback" not in done.output and "scrypt" not in done.output
    assert db.session.scalar(select(func.count()).select_from(Pengguna)) == before


def test_usernames_are_one_account_whatever_their_case(app, tree):
    client = app.test_client()
    assert login(client, " KanWil ").status_code == 302  # signs in as kanwil


def test_pdf_report_holds_the_figures_method_and_minimum_table(app, worked, tmp_path, clock):
    clock.now = datetime(2026, 2, 3, 4, tzinfo=UTC)  # January has ended: it is judged
    body = signed_in(app, "kanwil").get("/staf/unit/LAPAS/laporan.pdf?periode=2026-01").data
    pdf = tmp_path / "laporan.pdf"
    pdf.write_bytes(body)
    info = pdf_info(pdf)
    assert info.size == (595.276, 841.89)  # A4
    text = pdf_lines(pdf)
    assert "RINGKASAN HASIL SURVEI" in text and "Unit LAPAS" in text
    assert "1 Januari 2026 – 31 Januari 2026" in text
    assert re.search(r"IKM .*30\s+3,5019\s+87,55\s+B\s+Baik", text)
    assert re.search(r"IPAK .*30\s+3,9200\s+98,00\s+A\s+Sangat baik", text)
    assert "Aturan minimal unit: tetap (30/15)" in text and "Σ NRR × 1/k" in text
    assert "0 dari 1 bulan memenuhi" in text
    assert re.search(r"Layanan KUNJ\s+ya\s+-\s+20\s+30\s+kurang 10", text)
    assert (
        "Layanan di bawah minimal: Januari 2026: Layanan KUNJ (20/30); Januari 2026: Layanan TITIP"
        in text
    )
    # IKM, IPAK and IPKP per layanan with n and mutu, and the note where n is short
    per_layanan = text[text.index("Indeks per layanan") :]
    assert re.search(
        r"Layanan\s+20\s+88,13\s+98,25 \(A\)\s+88,44 \(A\)\s+n di bawah minimal", per_layanan
    )
    assert per_layanan.count("n di bawah minimal: Januari 2026") == 2  # KUNJ and TITIP
    assert re.search(
        r"U9\s+Sarana dan Prasarana\s+29\s+3,5172\s+87,93\s+B", text
    )  # 87,93 < 88,31: B
    assert len(save_pages(pdf, tmp_path, dpi=40)) >= 2


def test_csv_export_is_streamed_in_pages_that_add_up_to_the_whole(app, worked, tree):
    from survey_app.services.collection.answers import answers_frame, answers_pages
    from survey_app.services.reporting import dashboard, exports

    instruments = list(app.extensions["zisurvey.catalogue"].instruments.values())
    ids = dashboard.layanan_ids(db.session, tree["lapas"])
    pages = list(answers_pages(db.session, ids, ["2026-01"], size=7))
    assert [len(p) for p in pages] == [7, 7, 7, 7, 2]
    chunked = b"".join(exports.interchange_csv_chunks(pages, instruments))
    whole = exports.interchange_csv(answers_frame(db.session, ids, ["2026-01"]), instruments)
    assert chunked == whole and chunked.count(b"\n") == 31
    empty = b"".join(exports.interchange_csv_chunks([], instruments))
    assert empty.startswith(b"id,submitted_at,layanan,U1,") and empty.count(b"\n") == 1


def test_xlsx_is_written_page_by_page_in_constant_memory(app, worked, tree, tmp_path):
    from analysis.periods import span_of
    from survey_app.services.collection.answers import answers_pages
    from survey_app.services.reporting import dashboard
    from survey_app.services.reporting.exports import rekap_xlsx

    catalogue = app.extensions["zisurvey.catalogue"]
    instruments = list(catalogue.instruments.values())
    ids = dashboard.layanan_ids(db.session, tree["lapas"])
    seen = []

    def pages():
        for page in answers_pages(
            db.session, ids, ["2026-01"], size=7, items=catalogue.item_codes()
        ):
            seen.append(len(page))
            yield page

    rekaps = dashboard.rekaps(db.session, tree["lapas"], span_of("2026-01"), instruments, "2026-01")
    path = tmp_path / "rekap.xlsx"
    rekap_xlsx(path, pages(), instruments, rekaps, {})
    assert seen == [7, 7, 7, 7, 2]  # never more than a page of answers at once
    book = load_workbook(path)
    ids_written = [row[0] for row in book["Jawaban"].iter_rows(min_row=2, values_only=True)]
    assert len(ids_written) == 30 and len(set(ids_written)) == 30
    nilai = [r for r in book["Rekap unit"].iter_rows(values_only=True) if r[1] == "Nilai IKM"]
    assert nilai[0][5] == 87.55
