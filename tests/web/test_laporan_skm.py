"""The SKM report and the LKE evidence pack (issue 17.3 and 17.5; REGULATION §8): the DOCX and
the PDF of a demo triwulan opened and read back, every chapter, the NRR table equal to the XLSX
rekap, the RTL rows from the register, the previous period's follow-up with its evidence, the
signature; the free texts; the pack's manifest against its files; jobs; bad input."""

import csv
import hashlib
import io
import re
import zipfile
from datetime import UTC, datetime

import pypdfium2
import pytest
from docx import Document
from openpyxl import load_workbook
from rq import SimpleWorker
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import AuditLog, LaporanTeks, TindakLanjut
from survey_app.services.administration.demo import DEMO_PASSWORD, load_demo
from tests.web.conftest import CSRF, login
from tests.web.test_jobs import queued  # noqa: F401  (the fixture)

NOW = datetime(2026, 11, 29, 2, 0, tzinfo=UTC)  # 29 November, 10.00 WITA
PAGE = "/staf/unit/LAPAS-MKS/laporan-skm?periode=2026-T4"
CHAPTERS = [
    "KATA PENGANTAR",
    "DAFTAR ISI",
    "BAB I PENDAHULUAN",
    "BAB II PENGUMPULAN DATA",
    "BAB III HASIL",
    "BAB IV ANALISIS",
    "BAB V KESIMPULAN",
    "LAMPIRAN 1 KUESIONER",
    "LAMPIRAN 2 HASIL OLAH DATA PER LAYANAN",
    "LAMPIRAN 3 DOKUMENTASI PUBLIKASI",
    "LAMPIRAN 4 LAPORAN TINDAK LANJUT PERIODE SEBELUMNYA",
]


@pytest.fixture
def demo(app, clock):
    load_demo(db.session, app.extensions["zisurvey.catalogue"], NOW)
    db.session.commit()
    clock.now = NOW
    return app


def staff(app, username="kanwil"):
    client = app.test_client()
    assert login(client, username, DEMO_PASSWORD).status_code == 302
    return client


def docx_of(client, periode="2026-T4"):
    answer = client.get(f"/staf/unit/LAPAS-MKS/laporan-skm.docx?periode={periode}")
    assert answer.status_code == 200, answer.get_data(as_text=True)[:500]
    name = f'filename="laporan-skm-LAPAS-MKS-{periode}.docx"'
    assert answer.headers["Content-Disposition"].endswith(name)
    return Document(io.BytesIO(answer.data))


def pdf_text(data: bytes) -> list[str]:
    document = pypdfium2.PdfDocument(data)
    try:
        return [page.get_textpage().get_text_range() for page in document]
    finally:
        document.close()


def rows(table):
    return [[cell.text for cell in row.cells] for row in table.rows]


def table_after(document, caption):
    """The table whose caption paragraph (just before it) starts with ``caption``."""
    body = document.element.body
    for number, element in enumerate(body):
        if element.tag.endswith("}p") and "".join(element.itertext()).startswith(caption):
            following = body[number + 1]
            for table in document.tables:
                if table._tbl is following:
                    return table
    raise AssertionError(f"no table captioned {caption!r}")


def rekap_unit(client):
    book = load_workbook(
        io.BytesIO(client.get("/staf/unit/LAPAS-MKS/rekap.xlsx?periode=2026-T4").data)
    )
    sheet = book["Rekap unit"]
    found = {}
    for row in sheet.iter_rows(values_only=True):
        if row[0] and re.fullmatch(r"U\d", str(row[0])):
            found[row[0]] = (row[2], row[3], row[4], row[5])
        if row[1] == "Nilai IKM":
            found["nilai"] = row[5]
    return found


def koma(value, places):
    return f"{value:.{places}f}".replace(".", ",")


def test_the_docx_holds_every_chapter_the_rekap_figures_the_rtl_and_the_signature(demo):
    client = staff(demo)
    document = docx_of(client)
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert headings == CHAPTERS
    text = "\n".join(p.text for p in document.paragraphs)
    assert "LAPORAN" in text and "SURVEI KEPUASAN MASYARAKAT (SKM)" in text
    assert "DAN SURVEI PERSEPSI ANTI KORUPSI (IPAK)" in text  # the title names what it holds
    assert "TRIWULAN IV 2026" in text and "LAPAS KELAS I MAKASSAR" in text

    # BAB III: the NRR table is the XLSX rekap's, row by row
    rekap = rekap_unit(client)
    ikm = rows(table_after(document, "NRR per unsur IKM"))
    assert ikm[0] == ["Kode", "Unsur", "n", "Jumlah nilai", "NRR", "NRR tertimbang"]
    body = {r[0]: r for r in ikm[1:] if r[0]}
    codes = [f"U{n}" for n in range(1, 10)]
    assert sorted(body) == sorted(k for k in rekap if k != "nilai") == codes
    for code, (n, total, nrr, weighted) in ((k, v) for k, v in rekap.items() if k != "nilai"):
        assert body[code][2:] == [str(n), str(int(total)), koma(nrr, 4), koma(weighted, 4)]
    assert ikm[-2][-1] == koma(rekap["nilai"], 2)
    assert re.fullmatch(r"[ABCD] \(.+\)", ikm[-1][-1])

    # BAB IV: the RTL rows are the register's entries of the period
    register = db.session.scalars(
        select(TindakLanjut).where(TindakLanjut.dari == "2026-10").order_by(TindakLanjut.id)
    ).all()
    rtl = rows(table_after(document, "Tabel 4.1 Rencana Tindak Lanjut"))
    assert rtl[0] == ["No", "Prioritas Unsur", "Program/Kegiatan", "Waktu", "Penanggung Jawab"]
    assert [(r[2], r[3], r[4]) for r in rtl[1:]] == [
        (e.program, "Desember 2026", e.penanggung_jawab) for e in register
    ]
    assert rtl[1][1].startswith("U3 ") and rtl[2][1].startswith("U8 ")

    # Lampiran 4: the previous triwulan's follow-up with its status and its photo
    previous = rows(table_after(document, "Tabel L4.1 Tindak lanjut Triwulan III 2026"))
    assert previous[1][2].startswith("Menambah kipas angin") and previous[1][5] == "Selesai"
    assert "20 kursi dan 4 kipas angin terpasang" in previous[1][6]
    assert len(document.inline_shapes) >= 3  # charts and the evidence photo
    assert "Bukti tindak lanjut 1: foto-ruang-tunggu.png" in text

    # the signature, from the unit's data, dated in its zone
    signature = [c.text for t in document.tables for c in t.rows[0].cells if "NIP." in c.text]
    assert signature == [
        "Makassar, 29 November 2026\nKepala Lapas Kelas I Makassar\n\n\n\n"
        "Andi Pratama, A.Md.IP., S.H., M.H.\nNIP. 197805122000031001"
    ]


def test_the_pdf_says_the_same_with_page_numbers_in_its_contents(demo):
    client = staff(demo)
    answer = client.get("/staf/unit/LAPAS-MKS/laporan-skm.pdf?periode=2026-T4")
    assert answer.status_code == 200 and answer.data.startswith(b"%PDF-")
    pages = pdf_text(answer.data)
    text = "\n".join(pages)
    for chapter in CHAPTERS:
        assert chapter in text
    contents = pages[2]  # cover, kata pengantar, daftar isi
    assert "DAFTAR ISI" in contents
    lines = [line.strip() for line in contents.splitlines() if line.strip()]
    numbers = [int(line) for line in lines if line.isdigit()]  # the page numbers, in order
    entries = [line for line in lines if not line.isdigit()][1:]  # after the heading
    for chapter in ("BAB I PENDAHULUAN", "BAB IV ANALISIS", "LAMPIRAN 1 KUESIONER"):
        number = numbers[entries.index(chapter)]
        assert pages[number - 1].lstrip().startswith(chapter)
    rekap = rekap_unit(client)
    assert f"Nilai IKM (indeks x 25) {koma(rekap['nilai'], 2)}" in text.replace("\r\n", " ")
    words = set(text.split())  # table cells wrap: each word of each entry is there
    for entry in db.session.scalars(select(TindakLanjut)):
        assert set(entry.penanggung_jawab.split()) <= words
        assert set(entry.program.split()) <= words
    assert "NIP. 197805122000031001" in pages[[i for i, p in enumerate(pages) if "BAB V" in p][-1]]


def test_staff_write_the_free_texts_per_period_and_go_back_to_the_default(demo):
    client = staff(demo)
    page = client.get(PAGE).get_data(as_text=True)
    assert "Laporan SKM" in page and "Paket bukti LKE (ZIP)" in page
    token = CSRF.search(page).group(1)
    defaults = {
        key: re.search(rf'<textarea[^>]*name="{key}"[^>]*>\n?(.*?)</textarea>', page, re.S)
        .group(1)
        .replace("&#34;", '"')
        for key in ("pengantar", "latar_belakang", "tim", "kesimpulan")
    }
    assert "Tim Survei Kepuasan Masyarakat Lapas Kelas I Makassar" in defaults["tim"]
    team = "Penanggung Jawab: Kepala Lapas; Ketua: Kepala Seksi Bimaswat; Anggota: 4 staf."
    saved = client.post(PAGE, data={"csrf_token": token, **defaults, "tim": team})
    assert saved.status_code == 303
    stored = db.session.scalars(select(LaporanTeks)).all()
    assert [(t.bagian, t.teks, t.dari, t.sampai) for t in stored] == [
        ("tim", team, "2026-10", "2026-12")
    ]  # only what changed; the defaults stay defaults
    audit = db.session.scalars(select(AuditLog).where(AuditLog.entity == "laporan_teks")).one()
    where = {"unit": "LAPAS-MKS", "dari": "2026-10", "sampai": "2026-12"}
    assert audit.after == where | {"teks": team} and audit.before == where | {"teks": None}
    document = docx_of(client)
    assert team in [p.text for p in document.paragraphs]
    assert team not in "\n".join(p.text for p in docx_of(client, "2026-T3").paragraphs)

    emptied = client.post(PAGE, data={"csrf_token": token, **defaults, "tim": ""})
    assert emptied.status_code == 303
    assert db.session.scalars(select(LaporanTeks)).all() == []


def test_a_bad_text_is_refused_with_the_reason_and_nothing_is_stored(demo):
    client = staff(demo)
    token = CSRF.search(client.get(PAGE).get_data(as_text=True)).group(1)
    long = client.post(PAGE, data={"csrf_token": token, "kesimpulan": "x" * 6001})
    assert long.status_code == 422
    assert "Paling banyak 6000 karakter." in long.get_data(as_text=True)
    nul = client.post(PAGE, data={"csrf_token": token, "pengantar": "a\x00b"})
    assert nul.status_code == 400  # refused before any form reads it (security.py)
    assert db.session.scalars(select(LaporanTeks)).all() == []


def test_viewers_read_and_download_but_do_not_write(demo):
    viewer = staff(demo, "lapas")
    page = viewer.get(PAGE).get_data(as_text=True)
    assert "Simpan teks" not in page and "Kata pengantar" in page
    assert viewer.post(PAGE, data={"tim": "x"}).status_code in (400, 403)
    assert viewer.get("/staf/unit/LAPAS-MKS/laporan-skm.pdf?periode=2026-T4").status_code == 200
    assert viewer.get("/staf/unit/RUTAN-MKS/laporan-skm.pdf?periode=2026-T4").status_code == 403
    assert staff(demo, "loket").get(PAGE).status_code == 403  # a petugas sees no figures
    assert db.session.scalars(select(LaporanTeks)).all() == []


@pytest.mark.parametrize(
    "query", ["periode=2026-T5", "periode=abc", "periode=2026-13", "dari=2026-05&sampai=2026-01"]
)
def test_a_bad_period_is_a_clear_400(demo, query):
    client = staff(demo)
    for path in ("laporan-skm", "laporan-skm.docx", "laporan-skm.pdf", "bukti-lke.zip"):
        answer = client.get(f"/staf/unit/LAPAS-MKS/{path}?{query}")
        assert answer.status_code == 400, path


def test_a_period_without_answers_still_makes_a_report_that_says_so(demo):
    document = docx_of(staff(demo), "2025-T1")
    text = "\n".join(p.text for p in document.paragraphs)
    assert "Belum ada jawaban pada periode ini." in text
    assert "belum ada responden yang dihitung" in text


def publish_t4(client):
    from tests.web.test_publish import publish

    assert publish(client, "2026-T4", kode="LAPAS-MKS").status_code == 303


def test_the_evidence_pack_holds_each_file_once_with_its_hash_and_lke_item(demo):
    client = staff(demo)
    publish_t4(client)
    answer = client.get("/staf/unit/LAPAS-MKS/bukti-lke.zip?periode=2026-T4")
    assert answer.status_code == 200
    assert answer.headers["Content-Disposition"].endswith(
        'filename="bukti-lke-skm-LAPAS-MKS-2026-T4.zip"'
    )
    pack = zipfile.ZipFile(io.BytesIO(answer.data))
    listed = list(csv.DictReader(io.StringIO(pack.read("manifest.csv").decode("utf-8-sig"))))
    assert sorted(r["berkas"] for r in listed) == sorted(
        n for n in pack.namelist() if n != "manifest.csv"
    )
    for row in listed:
        body = pack.read(row["berkas"])
        assert hashlib.sha256(body).hexdigest() == row["sha256"]
        assert int(row["ukuran_byte"]) == len(body)
    items = {r["butir_lke"] for r in listed}
    assert items == {
        "Survei dilakukan (laporan SKM sesuai PermenPANRB 14/2017)",
        "Hasil survei dipublikasikan",
        "Tindak lanjut hasil survei",
    }
    names = pack.namelist()
    assert "1-laporan-skm/laporan-skm-LAPAS-MKS-2026-T4.pdf" in names
    assert "1-laporan-skm/laporan-skm-LAPAS-MKS-2026-T4.docx" in names
    months = sorted(n for n in names if "/rekap-bulanan/" in n)  # December has not begun
    assert months == [
        "1-laporan-skm/rekap-bulanan/rekap-LAPAS-MKS-2026-10.xlsx",
        "1-laporan-skm/rekap-bulanan/rekap-LAPAS-MKS-2026-11.xlsx",
    ]
    assert "2-publikasi/LAPAS-MKS-2026-T4-poster-a3.pdf" in names
    assert "3-tindak-lanjut/bukti/01-01-foto-ruang-tunggu.png" in names
    follow_up = pdf_text(pack.read("3-tindak-lanjut/laporan-tindak-lanjut-LAPAS-MKS-2026-T4.pdf"))
    text = "\n".join(follow_up).replace("\r\n", " ")
    assert "mengacu pada Laporan Survei Kepuasan Masyarakat Lapas Kelas I Makassar" in text
    assert "Triwulan III 2026" in text and "Selesai" in text
    with pack.open("1-laporan-skm/rekap-bulanan/rekap-LAPAS-MKS-2026-10.xlsx") as sheet:
        assert "Rekap unit" in load_workbook(io.BytesIO(sheet.read())).sheetnames


def test_an_unpublished_period_says_in_the_manifest_what_is_missing(demo):
    pack = zipfile.ZipFile(
        io.BytesIO(staff(demo).get("/staf/unit/LAPAS-MKS/bukti-lke.zip?periode=2026-T4").data)
    )
    listed = list(csv.DictReader(io.StringIO(pack.read("manifest.csv").decode("utf-8-sig"))))
    missing = [r for r in listed if not r["berkas"]]
    assert [(r["butir_lke"], r["keterangan"]) for r in missing] == [
        ("Hasil survei dipublikasikan", "Belum ada berkas untuk butir ini pada periode ini")
    ]


def test_with_a_queue_the_report_is_built_by_a_worker(demo, queued):  # noqa: F811
    client = staff(demo)
    asked = client.get("/staf/unit/LAPAS-MKS/laporan-skm.pdf?periode=2026-T4")
    assert asked.status_code == 303
    progress = client.get(asked.headers["Location"]).get_data(as_text=True)
    assert "Laporan SKM LAPAS-MKS · Triwulan IV 2026" in progress
    SimpleWorker([queued], connection=queued.connection, serializer=queued.serializer).work(
        burst=True
    )
    done = client.get(asked.headers["Location"]).get_data(as_text=True)
    link = re.search(r'href="(/staf/ekspor/[^"]+/berkas)"', done).group(1)
    file = client.get(link)
    assert file.headers["Content-Disposition"].endswith(
        'filename="laporan-skm-LAPAS-MKS-2026-T4.pdf"'
    )
    assert "BAB III HASIL" in "\n".join(pdf_text(file.data))


def run_cli(app, *args):
    from click.testing import CliRunner
    from flask.cli import ScriptInfo

    from survey_app.cli import main

    return CliRunner().invoke(main, list(args), obj=ScriptInfo(create_app=lambda: app))


def test_the_command_line_writes_the_report_and_refuses_bad_input_in_one_line(demo, tmp_path):
    target = tmp_path / "laporan.docx"
    done = run_cli(demo, "laporan", "LAPAS-MKS", "--periode", "2026-T4", "--format", "docx",
                   "--out", str(target))  # fmt: skip
    assert done.exit_code == 0, done.output
    headings = [p.text for p in Document(target).paragraphs if p.style.name == "Heading 1"]
    assert headings == CHAPTERS
    unknown = run_cli(demo, "laporan", "TIDAK-ADA", "--periode", "2026-T4")
    assert unknown.exit_code == 2 and "unit 'TIDAK-ADA' tidak ada" in unknown.output
    bad = run_cli(demo, "laporan", "LAPAS-MKS", "--periode", "2026-T9")
    assert bad.exit_code == 2 and "tulis seperti 2026-T4" in bad.output
    assert "Traceback" not in unknown.output + bad.output


# what a new user found when trying to break it (closing note of issue 17)


def test_control_characters_from_a_respondent_or_a_pasted_word_text_never_break_the_docx(demo):
    from survey_app.models import Submission

    submission = db.session.scalars(
        select(Submission).where(Submission.period == "2026-11").order_by(Submission.id)
    ).first()
    submission.saran = "antre\x0blama\x1b sekali\x0c"  # stored before inputs were cleaned
    db.session.commit()
    client = staff(demo)
    page = client.get(PAGE).get_data(as_text=True)
    token = CSRF.search(page).group(1)
    pasted = "Kata pengantar\x0bbaris kedua dari Word\x07."
    assert client.post(PAGE, data={"csrf_token": token, "pengantar": pasted}).status_code == 303
    stored = db.session.scalars(select(LaporanTeks)).one().teks
    assert stored == "Kata pengantar\nbaris kedua dari Word."
    document = docx_of(client)
    text = "\n".join(p.text for p in document.paragraphs)
    assert "baris kedua dari Word." in text
    assert client.get("/staf/unit/LAPAS-MKS/bukti-lke.zip?periode=2026-T4").status_code == 200


def test_a_long_unit_code_saves_its_texts_on_every_database(demo):
    client = staff(demo)  # KANWIL-SULSEL:2026-10:2026-12:latar_belakang is 44 characters
    page_path = "/staf/unit/KANWIL-SULSEL/laporan-skm?periode=2026-T4"
    token = CSRF.search(client.get(page_path).get_data(as_text=True)).group(1)
    sent = client.post(
        page_path, data={"csrf_token": token, "latar_belakang": "Latar belakang Kanwil."}
    )
    assert sent.status_code == 303
    audit = db.session.scalars(select(AuditLog).where(AuditLog.entity == "laporan_teks")).one()
    assert audit.after["unit"] == "KANWIL-SULSEL" and len(audit.entity_id) <= 40


def test_saving_one_text_never_freezes_a_default_written_from_older_figures(demo):
    client = staff(demo)
    page = client.get(PAGE).get_data(as_text=True)
    fields = dict(re.findall(r'<input[^>]*name="(asal_\w+)"[^>]*value="([0-9a-f]{64})"', page))
    texts = {
        key: re.search(rf'<textarea[^>]*name="{key}"[^>]*>\n?(.*?)</textarea>', page, re.S)
        .group(1)
        .replace("&#34;", '"')
        .replace("&#39;", "'")
        .replace("&amp;", "&")
        for key in ("pengantar", "latar_belakang", "tim", "kesimpulan")
    }
    assert len(fields) == 4
    from survey_app.models import Layanan, Unit

    layanan = db.session.scalars(  # a respondent answers while the page is open
        select(Layanan).join(Unit).where(Unit.kode == "LAPAS-MKS")
    ).first()
    phone = demo.test_client()
    form = phone.get(f"/survei/{layanan.token}").get_data(as_text=True)
    hidden = dict(re.findall(r'name="(csrf_token|kunci|layanan|mulai)"[^>]*value="([^"]*)"', form))
    items = set(re.findall(r'name="([A-Z]+\d)" type="radio"', form))
    sent_form = phone.post(f"/survei/{layanan.token}", data=hidden | dict.fromkeys(items, "4"))
    assert sent_form.status_code == 303
    sent = client.post(
        PAGE,
        data={"csrf_token": CSRF.search(page).group(1), **fields, **texts, "tim": "Tim baru."},
    )
    assert sent.status_code == 303
    assert [t.bagian for t in db.session.scalars(select(LaporanTeks))] == ["tim"]
    written = client.get(PAGE).get_data(as_text=True)
    assert written.count("Teks ini ditulis sendiri") == 1


def test_evidence_files_of_one_name_stay_apart_in_the_pack(demo):
    from survey_app.services.followup import register

    entry = db.session.scalars(select(TindakLanjut).where(TindakLanjut.status == "selesai")).one()
    photo = entry.bukti[0].isi
    register.add_evidence(db.session, entry, "foto-ruang-tunggu.png", photo, None, NOW)
    db.session.commit()
    pack = zipfile.ZipFile(
        io.BytesIO(staff(demo).get("/staf/unit/LAPAS-MKS/bukti-lke.zip?periode=2026-T4").data)
    )
    names = [n for n in pack.namelist() if "/bukti/" in n]
    assert names == [
        "3-tindak-lanjut/bukti/01-01-foto-ruang-tunggu.png",
        "3-tindak-lanjut/bukti/01-02-foto-ruang-tunggu.png",
    ]
    assert len(pack.namelist()) == len(set(pack.namelist()))


def test_a_range_of_months_links_to_itself(demo):
    client = staff(demo)
    page = client.get("/staf/unit/LAPAS-MKS/laporan-skm?dari=2026-09&sampai=2026-11")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    links = re.findall(r'href="(/staf/unit/LAPAS-MKS/[^"]*periode=[^"]*)"', text)
    assert links and all("2026-09..2026-11" in link for link in links)
    for link in links:
        if "laporan-skm.pdf" in link or "tindak-lanjut" in link:
            assert client.get(link.replace("&amp;", "&")).status_code == 200, link


def test_the_pack_masks_personal_details_in_the_saran_of_its_rekaps(demo):
    from survey_app.models import Submission

    submission = db.session.scalars(
        select(Submission).where(Submission.period == "2026-10").order_by(Submission.id)
    ).first()
    submission.saran = "hubungi saya 0812-3456-7890 atau (0411) 123456, budi@contoh.id"
    db.session.commit()
    pack = zipfile.ZipFile(
        io.BytesIO(staff(demo).get("/staf/unit/LAPAS-MKS/bukti-lke.zip?periode=2026-T4").data)
    )
    with pack.open("1-laporan-skm/rekap-bulanan/rekap-LAPAS-MKS-2026-10.xlsx") as file:
        sheet = load_workbook(io.BytesIO(file.read()))["Jawaban"]
    saran = [row[-1] for row in sheet.iter_rows(values_only=True) if row[-1]]
    assert "hubungi saya [disamarkan] atau [disamarkan], [disamarkan]" in saran
    assert not any("0812" in str(s) or "@" in str(s) for s in saran)


def test_a_kanwil_report_shows_every_layanan_below_it_by_unit(demo):
    document = Document(
        io.BytesIO(
            staff(demo).get("/staf/unit/KANWIL-SULSEL/laporan-skm.docx?periode=2026-T4").data
        )
    )
    sample = rows(table_after(document, "Tabel 2.2 Populasi dan sampel per layanan"))
    services = {row[1] for row in sample[1:]}
    assert "Lapas Kelas I Makassar · Layanan Kunjungan" in services
    assert "Rutan Kelas I Makassar · Layanan Kunjungan" in services
    assert {row[0] for row in sample[1:]} == {"Oktober 2026", "November 2026"}  # not December
    text = "\n".join(p.text for p in document.paragraphs)
    # each unit under its own rule; October judged (Bantuan Hukum 11 of 15), November running
    assert (
        "Rutan Kelas I Makassar: aturan minimal tetap (30/15 per bulan); 0 dari 1 bulan "
        "memenuhi. November 2026 masih berjalan." in text
    )
    assert "Lapas Kelas I Makassar: aturan minimal tetap (30/15 per bulan);" in text
    short = [r for r in sample if r[1] == "Rutan Kelas I Makassar · Bantuan Hukum"]
    assert short[0][3:] == ["15", "11", "kurang 4"] and short[1][5] == "bulan berjalan"
    assert "masih berjalan: laporan ini memuat jawaban sampai dengan 29 November 2026" in text
    headings = [p.text for p in document.paragraphs]
    assert "TRIWULAN IV 2026 (SEMENTARA s.d. 29 NOVEMBER 2026)" in headings
    captions = [p.text for p in document.paragraphs if p.text.startswith("Tabel ")]
    assert len(captions) == len(set(captions))  # no number used twice


def test_a_period_that_has_not_begun_has_no_report(demo):
    client = staff(demo)
    for path in ("laporan-skm", "laporan-skm.docx", "bukti-lke.zip"):
        answer = client.get(f"/staf/unit/LAPAS-MKS/{path}?periode=2027-T1")
        assert answer.status_code == 400
        assert "Periode ini belum dimulai" in answer.get_data(as_text=True)


def test_profile_shares_add_up_to_all_respondents(demo):
    document = docx_of(staff(demo))
    table = rows(table_after(document, "Tabel 3.2 Responden menurut"))
    shares = [float(r[2].rstrip("%").replace(",", ".")) for r in table[1:]]
    assert abs(sum(shares) - 100) < 0.5
