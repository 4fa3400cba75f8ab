"""The data that leaves and enters follows a unit's questionnaire variant (issue 22,
docs/kuesioner.md §7): the interchange CSV and the XLSX rekap carry an item asked in
sub-questions as its value (the mean, §4) followed by its parts, so ``zisurvey score`` of the
export gives the dashboard's indices; an upload whose headers are the variant's wording is
mapped to the right items and stored as the form stores it."""

import csv
import io
import json
from datetime import timedelta
from fractions import Fraction

from click.testing import CliRunner
from openpyxl import load_workbook
from sqlalchemy import func, select

from survey_app.extensions import db
from survey_app.filecli import files
from survey_app.models import Answer, Submission
from survey_app.services.collection.kuesioner import choose
from survey_app.services.reporting.aggregates import tallies
from tests.web.conftest import signed_in
from tests.web.helpers import IPAK, SKM, full_answers
from tests.web.test_integrity import respondent
from tests.web.test_kuesioner import (
    FIELDS,
    PK,
    WORKED,
    catalogue,
    send,
)
from tests.web.test_upload_integrity import upload
from tests.web.test_upload_mapping import chosen, confirm_import, confirm_mapping, to_mapping

# two respondents on the shipped form (U3 plain, U4 Biaya answered), after the variant's six
BASE = [(4, 4, 3, 2, 4, 3, 4, 4, 3), (3, 3, 4, 3, 3, 4, 3, 3, 4)]


def answered(app, layanan, clock):
    """The worked example's six respondents under the variant, then two on the base form."""
    for number, values in enumerate(WORKED, 1):
        clock.now += timedelta(minutes=7)
        extra = {"tambahan-pengarahan": "ya" if number == 4 else "tidak", "tambahan-tahu_dari": "2"}
        sent = send(respondent(app, f"203.0.113.{number}"), layanan.token, values, **extra)
        assert sent.status_code == 303
    choose(db.session, layanan, None, clock())
    db.session.commit()
    for number, values in enumerate(BASE, 1):
        clock.now += timedelta(minutes=7)
        client = respondent(app, f"198.51.100.{number}")
        page = client.get(f"/survei/{layanan.token}").get_data(as_text=True)
        data = dict(FIELDS.findall(page)) | dict(zip(SKM, map(str, values), strict=True))
        data |= full_answers(IPAK) | full_answers(PK, 3)
        assert client.post(f"/survei/{layanan.token}", data=data).status_code == 303


def cli_score(path, instrument):
    done = CliRunner().invoke(files, ["score", str(path), "--instrument", instrument, "--json"])
    assert done.exit_code == 0, done.output
    return json.loads(done.stdout)


def test_the_exported_csv_scores_to_the_dashboards_indices(app, varian, clock, tmp_path):
    layanan, versi = varian
    answered(app, layanan, clock)
    client = signed_in(app, "kanwil")
    body = client.get("/staf/unit/LAPAS/jawaban.csv?periode=2026-01").get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(body)))
    assert len(rows) == 8
    header = body.splitlines()[0].split(",")
    assert header[3:14] == ["U1", "U2", "U3", "U3.1/2", "U3.2/2", *SKM[3:]]
    first = rows[0]  # R1: U3.1 3, U3.2 4; Biaya left out
    assert (first["U3"], first["U3.1/2"], first["U3.2/2"], first["U4"]) == ("3.5", "3", "4", "")
    assert (rows[2]["U3"], rows[2]["U3.1/2"]) == ("4", "4")  # 4 and 4: a whole number
    assert (rows[6]["U3"], rows[6]["U3.1/2"], rows[6]["U4"]) == ("3", "", "2")  # the base form
    path = tmp_path / "jawaban.csv"
    path.write_text(body, encoding="utf-8")
    for ident in ("skm", "ipak", "ipkp"):
        dashboard = tallies(db.session, [layanan.id], ["2026-01"]).score(
            catalogue(app).instruments[ident]
        )
        assert cli_score(path, ident) == json.loads(json.dumps(dashboard.as_dict(ident)))
    skm = cli_score(path, "skm")
    # U3 pooled exactly: (19 + 19)/2 from the six in parts, 3 + 4 from the two on the base form
    assert skm["nrr"]["U3"] == float(round(Fraction(19 + 7, 8), 4))
    assert skm["nrr"]["U4"] == 2.5 and skm["n"] == 8  # Biaya: only the two who were asked


def test_the_workbook_says_which_version_each_row_answered_and_what_each_column_asked(
    app, varian, clock, tmp_path
):
    layanan, versi = varian
    answered(app, layanan, clock)
    client = signed_in(app, "kanwil")
    got = client.get("/staf/unit/LAPAS/rekap.xlsx?periode=2026-01")
    assert got.status_code == 200
    book = load_workbook(io.BytesIO(got.data), read_only=True)
    sheet = [list(r) for r in book["Jawaban"].iter_rows(values_only=True)]
    assert sheet[0][3:8] == ["U1", "U2", "U3", "U3.1/2", "U3.2/2"]
    assert sheet[1][5:9] == [3.5, 3, 4, None]  # R1's U3 as a number, its parts, U4 empty
    asked = [list(r) for r in book["Sebagaimana ditanyakan"].iter_rows(values_only=True)]
    assert asked[0] == [
        "id", "layanan", "kuesioner", "dihilangkan (alasan)",
        "tambahan:pengarahan", "tambahan:tahu_dari",
    ]  # fmt: skip
    assert asked[1][2:] == [
        "Kunjungan v1",
        "U4: Layanan kunjungan tidak dipungut biaya menurut ketentuan pemasyarakatan.",
        "Tidak",
        "Media sosial",
    ]
    assert asked[4][4] == "Ya"  # R4 was steered
    assert asked[7][2:4] == ["dasar", None]
    questions = [list(r) for r in book["Kuesioner"].iter_rows(values_only=True)]
    by_column = {r[2]: r for r in questions[3:]}
    assert by_column["U3.2/2"][3] == "Lama menunggu sampai bertemu keluarga"
    assert "rata-rata U3.1/2, U3.2/2" in by_column["U3"][5]
    assert by_column["U1"][3].endswith("layanan Layanan KUNJ di Unit LAPAS?")
    assert by_column["U4"][5].startswith("dihilangkan: Layanan kunjungan tidak dipungut")
    assert by_column["tambahan:tahu_dari"][3] == "Dari mana Anda mengetahui layanan ini?"


def test_the_export_uploaded_again_stores_the_same_answers_and_adds_nothing_twice(
    app, varian, clock
):
    """The export of the variant's six answers, uploaded to the other layanan of the unit that
    shows the same variant: the parts stored as the form stores them, under its version."""
    layanan, versi = varian
    for number, values in enumerate(WORKED, 1):
        clock.now += timedelta(minutes=7)
        assert (
            send(respondent(app, f"203.0.113.{number}"), layanan.token, values).status_code == 303
        )
    titip = next(x for x in layanan.unit.layanan if x.kode == "TITIP")
    choose(db.session, titip, versi.varian, clock())
    db.session.commit()
    client = signed_in(app, "kanwil")
    body = client.get("/staf/unit/LAPAS/jawaban.csv?periode=2026-01").data
    moved = body.replace(b",KUNJ,", b",TITIP,")
    # no ids: stored under each row's fingerprint
    lines = moved.decode().splitlines()
    text = "\n".join(line.split(",", 1)[1] for line in lines) + "\n"
    sent = upload(client, text.encode())
    assert "/pemetaan" not in sent.headers["Location"]  # the format's own columns
    page = confirm_import(client, sent.headers["Location"], client.get(sent.headers["Location"]))
    assert "6 jawaban ditambahkan" in page
    stored = db.session.scalars(select(Submission).where(Submission.layanan_id == titip.id)).all()
    assert {s.kuesioner_versi_id for s in stored} == {versi.id}
    codes = db.session.scalars(
        select(Answer.item_code).where(Answer.submission_id.in_([s.id for s in stored]))
    ).all()
    assert codes.count("U3.1/2") == 6 and "U3" not in codes and "U4" not in codes
    mine = tallies(db.session, [titip.id], ["2026-01"]).score(catalogue(app).instruments["skm"])
    theirs = tallies(db.session, [layanan.id], ["2026-01"]).score(catalogue(app).instruments["skm"])
    assert mine.as_dict("skm") == theirs.as_dict("skm") and mine.index == Fraction(53, 16)
    again = upload(client, text.encode())
    page = confirm_import(client, again.headers["Location"], client.get(again.headers["Location"]))
    assert "0 jawaban ditambahkan, 6 sudah ada." in page


def variant_sheet(layanan, rows, part_two=True, extra=None):
    """A sheet typed from the variant's paper form: its wording as headers (placeholders
    filled), the sub-questions' wording for U3's parts, no Biaya column."""
    unit = layanan.unit.nama
    headers = [
        "Timestamp",
        "Jenis layanan",
        f"1. Bagaimana pendapat Saudara tentang kesesuaian persyaratan layanan {layanan.nama} "
        f"di {unit}?",
        "2. Bagaimana pemahaman Saudara tentang kemudahan prosedur pelayanan di unit ini?",
        "3a. Kecepatan pendaftaran kunjungan",
        *(["3b. Lama menunggu sampai bertemu keluarga"] if part_two else []),
        "5. Bagaimana pendapat Saudara tentang kesesuaian produk pelayanan antara yang "
        "tercantum dalam standar pelayanan dengan hasil yang diberikan?",
    ]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers)
    for n, values in enumerate(rows):
        cells = list(values) if part_two else [*values[:3], values[4]]
        writer.writerow([f"2026-01-{10 + n:02d}T10:00:00+07:00", layanan.kode, *cells])
    return out.getvalue().encode()


def test_an_upload_in_the_variants_wording_is_mapped_and_stored_as_the_form_stores_it(app, varian):
    layanan, versi = varian
    client = signed_in(app, "kanwil")
    body = variant_sheet(layanan, [(4, 3, 3, 4, 3), (3, 3, 2, 3, 3)])
    location, page = to_mapping(client, body)
    data = chosen(page.get_data(as_text=True))
    assert [data[f"kolom_{n}"] for n in range(7)] == [
        "submitted_at", "layanan", "U1", "U2", "U3.1/2", "U3.2/2", "U5",
    ]  # fmt: skip
    preview_url, preview = confirm_mapping(client, location, page.get_data(as_text=True))
    assert "2 baris dibaca: 2 baru, 0 sudah ada." in preview.get_data(as_text=True)
    assert "U4" not in preview.get_data(as_text=True).split("baris dibaca")[0][-200:]
    done = confirm_import(client, preview_url, preview)
    assert "2 jawaban ditambahkan" in done
    stored = db.session.scalars(select(Submission)).all()
    assert {s.kuesioner_versi_id for s in stored} == {versi.id}
    parts = db.session.execute(
        select(Answer.item_code, func.sum(Answer.value)).group_by(Answer.item_code)
    ).all()
    assert dict(parts) == {"U1": 7, "U2": 6, "U3.1/2": 5, "U3.2/2": 7, "U5": 6}
    found = tallies(db.session, [layanan.id], ["2026-01"]).score(catalogue(app).instruments["skm"])
    assert {i.code: i.nrr for i in found.items}["U3"] == Fraction(12, 4)  # (3+4+2+3)/(2*2)


def test_english_wording_is_proposed_too(app, varian):
    layanan, _ = varian
    client = signed_in(app, "kanwil")
    headers = [
        "Timestamp",
        "Jenis layanan",
        f"How well do the requirements of {layanan.nama} at {layanan.unit.nama} match the service?",
        "Waiting time until meeting the family",
        "Speed of visit registration",
    ]
    body = (",".join(headers) + "\n2026-01-10T10:00:00+07:00,KUNJ,4,3,2\n").encode()
    _location, page = to_mapping(client, body)
    data = chosen(page.get_data(as_text=True))
    assert [data[f"kolom_{n}"] for n in range(2, 5)] == ["U1", "U3.2/2", "U3.1/2"]


def problems_of(client, body):
    location, page = to_mapping(client, body)
    data = chosen(page.get_data(as_text=True)) | {"aksi": "periksa"}
    checked = client.post(location, data=data)
    return checked.status_code, checked.get_data(as_text=True)


def test_bad_sub_question_columns_are_told_in_indonesian_and_nothing_is_stored(app, varian):
    layanan, _ = varian
    client = signed_in(app, "kanwil")
    # U3's first part without its pair
    status, text = problems_of(client, variant_sheet(layanan, [(4, 3, 3, 4, 3)], part_two=False))
    assert status == 422
    assert "Sub-pertanyaan U3 tanpa pasangannya U3.2/2." in text
    # a part left blank while the other is answered, and a value out of the scale
    body = variant_sheet(layanan, [(4, 3, 3, "", 3), (3, 3, 5, 3, 3)])
    status, text = problems_of(client, body)
    assert status == 422
    assert "Kosong, padahal sub-pertanyaan lain dari U3 dijawab." in text
    assert "Nilai 5 di luar 1-4." in text
    assert "is outside" not in text and "a value is required" not in text
    assert db.session.scalar(select(func.count()).select_from(Submission)) == 0


def test_answers_the_layanans_variant_does_not_ask_are_refused_in_indonesian(app, varian):
    layanan, _ = varian
    client = signed_in(app, "kanwil")
    body = (
        b"submitted_at,layanan,U1,U3,U4\n"
        b"2026-01-10T10:00:00+07:00,KUNJ,4,3,2\n"
    )  # fmt: skip
    preview = client.get(upload(client, body).headers["Location"])
    text = preview.get_data(as_text=True)
    assert preview.status_code == 422, text
    assert (
        "Layanan KUNJ tidak menanyakan U4 (kuesioner Kunjungan versi 1 menghilangkannya)." in text
    )
    assert "Layanan KUNJ menanyakan U3 dalam 2 sub-pertanyaan (U3.1/2, U3.2/2)" in text
    assert db.session.scalar(select(func.count()).select_from(Submission)) == 0
