"""What the reports say of a questionnaire variant (issue 22, docs/kuesioner.md §4, §7): the
left-out item noted the same way on the dashboard, the summary PDF, the XLSX rekap and the SKM
report (index, item, reason, variant, versions, layanan), the public page naming the layanan,
and the rekap pooling sub-questions by item code, checked against numbers worked by hand."""

import html
import io
import re
from datetime import timedelta

import pytest
import yaml
from docx import Document
from openpyxl import load_workbook
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import Publikasi
from survey_app.services.collection.kuesioner import choose, save_version
from survey_app.services.publishing.artefacts import content
from tests.readback import pdf_text
from tests.web.conftest import signed_in
from tests.web.test_integrity import respondent
from tests.web.test_kuesioner import FIXTURE, WORKED, catalogue, send
from tests.web.test_publish import publish

REASON = "Layanan kunjungan tidak dipungut biaya menurut ketentuan pemasyarakatan."
# one note for both versions and both layanan (version 1 answered through KUNJ, 2 through TITIP)
NOTE = (
    'IKM U4 (Biaya/Tarif) pada varian kuesioner "Kunjungan" versi 1 dan 2, layanan Layanan '
    f"KUNJ dan Layanan TITIP: {REASON}"
)
NOTE_EN = (
    'IKM U4 (Cost/tariff) in questionnaire variant "Kunjungan" version 1 and 2, service Layanan '
    f"KUNJ and Layanan TITIP: {REASON}"
)


@pytest.fixture
def two_versions(app, tree, varian, clock):  # noqa: F811
    """The worked example's six respondents: R1-R3 through KUNJ under version 1; then a
    version 2 (new help text, U4 still left out) chosen for TITIP too, R4-R6 through TITIP."""
    kunj, _ = varian
    titip = next(x for x in tree["lapas"].layanan if x.kode == "TITIP")
    for number, values in enumerate(WORKED[:3], 1):
        clock.now += timedelta(minutes=7)
        assert send(respondent(app, f"192.0.2.{number}"), kunj.token, values).status_code == 303
    raw = yaml.safe_load(FIXTURE.read_text(encoding="utf-8"))
    raw["instrumen"]["skm"]["U2"]["bantuan"]["id"] = "Prosedur baru: daftar lewat aplikasi."
    second, new = save_version(db.session, catalogue(app).instruments, tree["lapas"], raw, clock())
    assert new and second.nomor == 2
    choose(db.session, titip, second.varian, clock())
    db.session.commit()
    for number, values in enumerate(WORKED[3:], 4):
        clock.now += timedelta(minutes=7)
        assert send(respondent(app, f"192.0.2.{number}"), titip.token, values).status_code == 303
    return kunj, titip


def flat(text: str) -> str:
    return " ".join(html.unescape(text).split())


def test_the_dashboard_and_the_summary_pdf_say_the_left_out_item_with_its_layanan(
    app, two_versions
):
    client = signed_in(app, "kanwil")
    page = client.get("/staf/unit/LAPAS?periode=2026-01").get_data(as_text=True)
    note = re.search(r'<p class="notice-line" id="dihilangkan">(.*?)</p>', page, re.S).group(1)
    assert flat(note).endswith(": " + NOTE)
    assert ">82,81<" in page  # pooled over both versions: the worked example's IKM
    english = client.get("/staf/unit/LAPAS?periode=2026-01&lang=en").get_data(as_text=True)
    note = re.search(r'<p class="notice-line" id="dihilangkan">(.*?)</p>', english, re.S)
    assert flat(note.group(1)).endswith(": " + NOTE_EN)
    client.get("/staf/unit/LAPAS?lang=id")
    summary = client.get("/staf/unit/LAPAS/laporan.pdf?periode=2026-01")
    assert summary.status_code == 200
    assert NOTE in flat(pdf_text(summary.data).replace("\f", " "))


def rekap_rows(sheet):
    return [[c.value for c in row] for row in sheet.iter_rows()]


def test_the_rekap_notes_the_left_out_item_and_pools_sub_questions_by_item_code(app, two_versions):
    client = signed_in(app, "kanwil")
    book = load_workbook(io.BytesIO(client.get("/staf/unit/LAPAS/rekap.xlsx?periode=2026-01").data))
    expected = {
        # sheet: (n of U3, its sum of values, NRR U3 4 places, nilai IKM, the note)
        # unit: U3 values 7/2, 5/2, 4, 3, 5/2, 7/2 -> 19, NRR 19/6; IKM (159/6)/8 x 25 = 82.8125
        "Rekap unit": (6, 19, 3.1667, 82.81, NOTE),
        # KUNJ (R1-R3): U3 7/2 + 5/2 + 4 = 10, NRR 10/3; items 10+10+10+10+11+12+9+10 = 82,
        # IKM (82/3)/8 x 25 = 1025/12 = 85.4167
        "Rekap KUNJ": (
            3, 10, 3.3333, 85.42,
            'IKM U4 (Biaya/Tarif) pada varian kuesioner "Kunjungan" versi 1, layanan Layanan '
            f"KUNJ: {REASON}",
        ),
        # TITIP (R4-R6): U3 3 + 5/2 + 7/2 = 9, NRR 3; items 9+10+9+9+10+11+9+10 = 77,
        # IKM (77/3)/8 x 25 = 1925/24 = 80.2083
        "Rekap TITIP": (
            3, 9, 3.0, 80.21,
            'IKM U4 (Biaya/Tarif) pada varian kuesioner "Kunjungan" versi 2, layanan Layanan '
            f"TITIP: {REASON}",
        ),
    }  # fmt: skip
    for name, (n, total, nrr, nilai, note) in expected.items():
        rows = rekap_rows(book[name])
        u3 = next(r for r in rows if r[0] == "U3")
        assert u3[2:5] == [n, total, nrr], name
        assert not any(r[0] in ("U3.1/2", "U3.2/2") for r in rows), name
        assert next(r for r in rows if r[0] == "U4")[2:5] == [0, 0, None], name  # no answer
        assert next(r for r in rows if r[1] == "Nilai IKM")[5] == nilai, name
        assert [r[1] for r in rows if r[0] == "Tidak ditanyakan"] == [note], name


def test_the_skm_report_says_it_the_same_way(app, two_versions):
    client = signed_in(app, "kanwil")
    report = client.get("/staf/unit/LAPAS/laporan-skm.docx?periode=2026-01")
    text = "\n".join(p.text for p in Document(io.BytesIO(report.data)).paragraphs)
    assert (
        f"Unsur yang tidak ditanyakan: {NOTE.rstrip('.')}. Indeks memakai unsur yang dijawab"
        in text
    )


def test_the_public_page_names_the_layanan_and_an_older_snapshot_still_renders(app, two_versions):
    assert publish(signed_in(app, "kanwil")).status_code == 303
    reader = app.test_client()
    page = reader.get("/hasil/LAPAS").get_data(as_text=True)
    note = re.search(r'<p class="card" id="dihilangkan">(.*?)</p>', page, re.S).group(1)
    assert flat(note).endswith(f"IKM U4 (layanan Layanan KUNJ, Layanan TITIP): {REASON}")
    english = app.test_client().get("/hasil/LAPAS?lang=en").get_data(as_text=True)
    note = re.search(r'<p class="card" id="dihilangkan">(.*?)</p>', english, re.S).group(1)
    assert flat(note).endswith(f"IKM U4 (service Layanan KUNJ, Layanan TITIP): {REASON}")
    # a snapshot frozen before the layanan were named (no "layanan" key) renders as it did
    stored = db.session.scalars(select(Publikasi)).one()
    data = dict(stored.data)
    assert [x["layanan"] for x in data["dihilangkan"]] == [["Layanan KUNJ"], ["Layanan TITIP"]]
    printed = content(data, "https://contoh.id/s", str).notes
    assert f"IKM tanpa butir U4 (layanan Layanan KUNJ, Layanan TITIP): {REASON}" in printed
    frozen = [{k: v for k, v in x.items() if k != "layanan"} for x in data["dihilangkan"]]
    printed = content(data | {"dihilangkan": frozen}, "https://contoh.id/s", str).notes
    assert f"IKM tanpa butir U4: {REASON}" in printed
    data["dihilangkan"] = [
        {k: v for k, v in x.items() if k != "layanan"} for x in data["dihilangkan"]
    ]
    stored.data = data
    db.session.commit()
    old = app.test_client().get("/hasil/LAPAS")
    assert old.status_code == 200
    page = old.get_data(as_text=True)
    note = re.search(r'<p class="card" id="dihilangkan">(.*?)</p>', page, re.S)
    assert flat(note.group(1)).endswith(f"IKM U4: {REASON}")


@pytest.fixture
def two_units(app, tree, varian, clock):  # noqa: F811
    """The Lapas's variant "Kunjungan" answered through KUNJ (R1-R3), and the Rutan's own
    variant of the same name (another reason) answered through its KUNJ (R4-R6)."""
    kunj, _ = varian
    raw = yaml.safe_load(FIXTURE.read_text(encoding="utf-8"))
    raw["instrumen"]["skm"]["U4"]["dihilangkan"] = "Kunjungan di rutan tidak dipungut biaya."
    rutan = tree["rutan"]
    versi, _ = save_version(db.session, catalogue(app).instruments, rutan, raw, clock())
    layanan = next(x for x in rutan.layanan if x.kode == "KUNJ")
    choose(db.session, layanan, versi.varian, clock())
    db.session.commit()
    for number, values in enumerate(WORKED, 1):
        clock.now += timedelta(minutes=7)
        token = (kunj if number <= 3 else layanan).token
        assert send(respondent(app, f"192.0.2.{number}"), token, values).status_code == 303
    return kunj, layanan


def test_a_parent_names_each_childs_variant_and_fills_unit_with_the_child(app, two_units):
    client = signed_in(app, "kanwil")
    page = client.get("/staf/unit/KANWIL?periode=2026-01").get_data(as_text=True)
    note = flat(re.search(r'id="dihilangkan">(.*?)</p>', page, re.S).group(1))
    assert note.endswith(
        ': IKM U4 (Biaya/Tarif) pada varian kuesioner "Kunjungan" versi 1 unit Unit LAPAS, '
        f"layanan Layanan KUNJ: {REASON} "
        'IKM U4 (Biaya/Tarif) pada varian kuesioner "Kunjungan" versi 1 unit Unit RUTAN, '
        "layanan Layanan KUNJ: Kunjungan di rutan tidak dipungut biaya."
    )
    assert ".;" not in note
    english = client.get("/staf/unit/KANWIL?periode=2026-01&lang=en").get_data(as_text=True)
    assert 'variant "Kunjungan" version 1 of unit Unit RUTAN, service' in flat(english)
    client.get("/staf/unit/KANWIL?lang=id")
    # one unit's own page covers one unit: its note names no unit
    own = flat(client.get("/staf/unit/LAPAS?periode=2026-01").get_data(as_text=True))
    assert 'varian kuesioner "Kunjungan" versi 1, layanan Layanan KUNJ' in own
    report = client.get("/staf/unit/KANWIL/laporan-skm.docx?periode=2026-01")
    document = Document(io.BytesIO(report.data))
    text = "\n".join(p.text for p in document.paragraphs)
    cells = "\n".join(c.text for t in document.tables for r in t.rows for c in r.cells)
    for owner in ("Unit LAPAS", "Unit RUTAN"):
        assert f'Varian kuesioner "Kunjungan" versi 1 ({owner})' in text + cells
        assert f"layanan Layanan KUNJ di {owner}?" in cells  # the one layanan choosing it
    assert "di Unit KANWIL?" not in cells
