"""A unit's questionnaire variant through the public form (issue 22, docs/kuesioner.md §5):
rendered with its wording, help, sub-questions and extra questions, Biaya absent; answered by
six respondents and scored exactly as computed by hand; "pengarahan Ya" flagged."""

import io
import json
import re
from datetime import timedelta
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from docx import Document
from flask.cli import ScriptInfo
from sqlalchemy import select

from analysis.periods import span_of
from survey_app.cli import main
from survey_app.extensions import db
from survey_app.models import (
    Answer,
    AuditLog,
    JawabanTambahan,
    KuesionerVersi,
    Submission,
    Tiket,
    Tinjauan,
)
from survey_app.services.collection import rollup
from survey_app.services.collection.integrity import report
from survey_app.services.collection.kuesioner import choose, left_out, save_version
from survey_app.services.reporting.aggregates import tallies
from tests.web.conftest import CSRF, KUESIONER, signed_in
from tests.web.helpers import IPAK, SKM, full_answers
from tests.web.test_integrity import respondent
from tests.web.test_kiosk import paired, petugas  # noqa: F401  (the fixture)
from tests.web.test_publish import publish

FIXTURE = KUESIONER
FIELDS = re.compile(r'<input[^>]*name="(csrf_token|kunci|layanan|mulai|versi)"[^>]*value="([^"]*)"')
PK = [f"PK{i}" for i in range(1, 9)]
BASE_U3 = "Bagaimana pendapat Saudara tentang kecepatan waktu dalam memberikan pelayanan?"

# docs/kuesioner.md §5: U1, U2, (U3.1, U3.2), U5..U9 of six respondents; R4 says "steered"
WORKED = [
    (4, 3, 3, 4, 3, 4, 4, 3, 3),
    (3, 3, 2, 3, 3, 3, 4, 3, 4),
    (3, 4, 4, 4, 4, 4, 4, 3, 3),
    (4, 3, 3, 3, 3, 3, 3, 2, 3),
    (2, 3, 3, 2, 3, 4, 4, 3, 4),
    (3, 4, 4, 3, 3, 3, 4, 4, 3),
]
NAMES = ["U1", "U2", "U3-1", "U3-2", "U5", "U6", "U7", "U8", "U9"]


def catalogue(app):
    return app.extensions["zisurvey.catalogue"]


def send(client, token, values, **extra):
    client.delete_cookie("zs-terkirim", path="/survei/")
    page = client.get(f"/survei/{token}").get_data(as_text=True)
    data = dict(FIELDS.findall(page)) | dict(zip(NAMES, map(str, values), strict=True))
    data |= full_answers(IPAK) | full_answers(PK, 3) | extra
    return client.post(f"/survei/{token}", data={k: v for k, v in data.items() if v is not None})


def test_the_form_shows_the_variant(app, varian):
    layanan, versi = varian
    page = respondent(app).get(f"/survei/{layanan.token}").get_data(as_text=True)
    assert (
        "kesesuaian persyaratan layanan Layanan KUNJ di Unit LAPAS?" in page
        or "kesesuaian persyaratan layanan Layanan KUNJ di" in page
    )
    assert "{layanan}" not in page and "{unit}" not in page
    assert "Prosedur: pendaftaran, pemeriksaan barang" in page
    assert 'name="U3-1"' in page and 'name="U3-2"' in page and 'name="U3"' not in page
    assert "Kecepatan pendaftaran kunjungan" in page
    assert 'name="U4"' not in page and "kewajaran biaya" not in page
    assert "Sangat ramah" in page
    assert "Apakah ada petugas yang mengarahkan jawaban Anda?" in page
    assert 'name="tambahan-tahu_dari"' in page and "Media sosial" in page
    assert dict(FIELDS.findall(page))["versi"] == str(versi.id)
    # 8 SKM items with U3 as two questions, 5 IPAK, 8 IPKP
    assert "Pertanyaan 1 dari 22" in page
    english = respondent(app).get(f"/survei/{layanan.token}?lang=en").get_data(as_text=True)
    assert "How well do the requirements of Layanan KUNJ at" in english
    assert "Waiting time until meeting the family" in english
    assert "Did an officer steer your answers?" in english
    assert "Extra questions (optional, not scored)" in english and "Very friendly" in english


def test_the_worked_example_answered_through_the_form_scores_exactly(app, varian, clock):
    layanan, versi = varian
    for number, values in enumerate(WORKED, 1):
        clock.now += timedelta(minutes=7)
        steered = "ya" if number == 4 else "tidak"
        sent = send(
            respondent(app, f"203.0.113.{number}"),
            layanan.token,
            values,
            **{"tambahan-pengarahan": steered, "tambahan-tahu_dari": "2"},
        )
        assert sent.status_code == 303, sent.get_data(as_text=True)[:400]
    stored = db.session.scalars(select(Submission)).all()
    assert len(stored) == 6 and {s.kuesioner_versi_id for s in stored} == {versi.id}
    codes = {a.item_code for a in db.session.scalars(select(Answer))}
    assert {"U3.1/2", "U3.2/2"} <= codes and not {"U3", "U4"} & codes
    extra = db.session.execute(select(JawabanTambahan.kode, JawabanTambahan.nilai)).all()
    assert sorted(extra).count(("pengarahan", "ya")) == 1 and len(extra) == 12

    found = tallies(db.session, [layanan.id], ["2026-01"]).score(catalogue(app).instruments["skm"])
    nrr = {item.code: item.nrr for item in found.items}
    assert nrr == {  # docs/kuesioner.md §5, by hand
        "U1": Fraction(19, 6),
        "U2": Fraction(10, 3),
        "U3": Fraction(19, 6),
        "U4": None,
        "U5": Fraction(19, 6),
        "U6": Fraction(7, 2),
        "U7": Fraction(23, 6),
        "U8": Fraction(3),
        "U9": Fraction(10, 3),
    }
    assert found.n == 6 and found.index == Fraction(53, 16)
    assert (found.indeks, found.nilai, found.mutu.mutu) == (
        Decimal("3.3125"),
        Decimal("82.81"),
        "B",
    )
    with db.engine.connect() as connection:
        assert rollup.differences(connection) == []
    gone = left_out(db.session, catalogue(app).instruments, [layanan.id], ["2026-01"])
    assert [(x.varian, x.versi, x.kode) for x in gone] == [("Kunjungan", 1, "U4")]
    assert gone[0].alasan.startswith("Layanan kunjungan tidak dipungut biaya")

    flagged = report(
        db.session, catalogue(app), tree_unit(layanan), [layanan.id], span_of("2026-01")
    )
    assert flagged.flagged["pengarahan"] == 1
    steered = [row for row in flagged.rows if "pengarahan" in row.flags]
    assert len(steered) == 1 and steered[0].submission_id == stored[3].id


def test_only_the_pengarahan_kind_raises_the_flag(app, varian):
    """A stored version whose ``pengarahan`` code belongs to a plain yes/no question (content
    stored before the parser reserved the code) never flags its "Ya"."""
    layanan, versi = varian
    sent = send(respondent(app), layanan.token, WORKED[0], **{"tambahan-pengarahan": "ya"})
    assert sent.status_code == 303
    span = span_of("2026-01")
    assert (
        report(db.session, catalogue(app), layanan.unit, [layanan.id], span).flagged["pengarahan"]
        == 1
    )
    plain = {"kode": "pengarahan", "jenis": "ya_tidak", "pertanyaan": {"id": "Ya?", "en": "Y?"}}
    versi.isi = versi.isi | {"tambahan": [plain]}
    db.session.commit()
    found = report(db.session, catalogue(app), layanan.unit, [layanan.id], span)
    assert found.flagged["pengarahan"] == 0


def test_a_steered_answer_is_excluded_with_the_reason_pengarahan(app, varian):
    """The flag's own reason on the integrity page (migration 0022): no 'lainnya' and note."""
    from tests.web.test_integrity import review

    layanan, _ = varian
    sent = send(respondent(app), layanan.token, WORKED[0], **{"tambahan-pengarahan": "ya"})
    assert sent.status_code == 303
    submission_id = db.session.scalar(select(Submission.id))
    admin = signed_in(app, "kanwil")
    page = admin.get("/staf/unit/LAPAS/integritas?periode=2026-01").get_data(as_text=True)
    assert re.search(r'<option value="pengarahan"[^>]*>Responden menyatakan diarahkan', page)
    assert review(admin, submission_id, alasan="pengarahan", catatan="").status_code == 303
    assert db.session.get(Tinjauan, submission_id).alasan == "pengarahan"


def tree_unit(layanan):
    return layanan.unit


@pytest.mark.parametrize(
    "changes",
    [
        {"U4": "3"},  # left out by the variant
        {"tambahan-pengarahan": "mungkin"},
        {"tambahan-tahu_dari": "9"},
        {"U3": "3"},  # the plain item of a split one
        {"versi": "999999"},
    ],
)
def test_answers_the_variant_does_not_ask_are_refused(app, varian, changes):
    layanan, _ = varian
    sent = send(respondent(app), layanan.token, WORKED[0], **changes)
    assert sent.status_code == 400
    assert db.session.scalar(select(Submission.id)) is None


def test_a_sub_question_left_blank_is_asked_again(app, varian):
    layanan, _ = varian
    sent = send(respondent(app), layanan.token, WORKED[0], **{"U3-2": None})
    assert sent.status_code == 422
    assert "Pertanyaan ini belum dijawab." in sent.get_data(as_text=True)
    assert db.session.scalar(select(Submission.id)) is None


# -- export and import (zisurvey kuesioner) ----------------------------------------------------


def run(app, *args):
    return CliRunner().invoke(main, list(args), obj=ScriptInfo(create_app=lambda: app))


def versions() -> list[int]:
    db.session.expire_all()
    return list(db.session.scalars(select(KuesionerVersi.nomor).order_by(KuesionerVersi.id)))


def test_import_export_import_export_is_unchanged(app, tree, tmp_path):
    first = run(app, "kuesioner", "import", "LAPAS", str(FIXTURE))
    assert (
        first.exit_code == 0
        and first.stdout == "Disimpan: varian 'Kunjungan' unit LAPAS versi 1.\n"
    )
    exported = run(app, "kuesioner", "export", "LAPAS", "Kunjungan")
    assert exported.exit_code == 0
    assert yaml.safe_load(exported.stdout) == yaml.safe_load(FIXTURE.read_text(encoding="utf-8"))
    target = tmp_path / "kunjungan.yaml"
    assert (
        run(app, "kuesioner", "export", "LAPAS", "Kunjungan", "--out", str(target)).exit_code == 0
    )
    assert target.read_text(encoding="utf-8") == exported.stdout
    again = run(app, "kuesioner", "import", "LAPAS", str(target))
    assert again.exit_code == 0 and "Tidak ada perubahan" in again.stdout and versions() == [1]
    assert run(app, "kuesioner", "export", "LAPAS", "Kunjungan").stdout == exported.stdout
    # an edit is a new version; the first stays as it was
    edited = target.read_text(encoding="utf-8").replace("Spanduk", "Spanduk/baliho")
    target.write_text(edited, encoding="utf-8")
    assert run(app, "kuesioner", "import", "LAPAS", str(target)).exit_code == 0
    assert versions() == [1, 2]
    first_content = db.session.scalars(select(KuesionerVersi).order_by(KuesionerVersi.id)).first()
    assert first_content.isi == yaml.safe_load(FIXTURE.read_text(encoding="utf-8"))
    audited = db.session.scalars(
        select(AuditLog.action).where(AuditLog.entity == "kuesioner_varian")
    )
    assert list(audited) == ["versi_baru", "versi_baru"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("nama: [tidak, tertutup\n", "berkas bukan YAML yang sah (baris 2"),
        (
            "nama: Uji\ninstrumen: {skm: {}}\ntambahan:\n"
            "  - {kode: a, pertanyaan: {id: Apa?, en: x}}\n",
            "berkas bukan YAML yang sah (baris 4, kolom 35): while parsing a flow mapping "
            "expected ',' or '}', but got '?'",
        ),
        (
            "nama: Uji\ninstrumen: {skm: {}}\nnama: Dua\n",
            "kunci 'nama' ditulis lebih dari sekali (baris 1 dan 3)",
        ),
        (
            "nama: Uji\ninstrumen:\n  skm:\n    U4: {dihilangkan: Layanan ini gratis.}\n"
            "    U4: {bantuan: {id: Bantuan, en: Help}}\n",
            "kunci 'U4' ditulis lebih dari sekali (baris 4 dan 5)",
        ),
        (
            "nama: Uji\ninstrumen:\n  skm:\n    U1:\n      dihilangkan: Tidak relevan di sini.\n",
            "skm U1: butir wajib tidak boleh dihilangkan (yang boleh hanya U4)",
        ),
        ("nama: Uji\ninstrumen:\n  skm:\n    U12: {}\n", "skm: kode butir U12 tidak ada"),
        ("- satu\n- dua\n", "isi kuesioner harus berupa pemetaan"),
    ],
)
def test_a_bad_file_is_refused_in_indonesian_with_exit_2(app, tree, tmp_path, text, expected):
    source = tmp_path / "varian.yaml"
    source.write_text(text, encoding="utf-8")
    result = run(app, "kuesioner", "import", "LAPAS", str(source))
    assert result.exit_code == 2 and expected in result.stderr
    assert "Traceback" not in result.output + result.stderr and result.stdout == ""
    assert versions() == []


def test_the_docs_example_imports_as_written(app, tree, tmp_path):
    """docs/kuesioner.md §6, its YAML block verbatim: it imports, and it is the worked example."""
    docs = (Path(__file__).parents[2] / "docs" / "kuesioner.md").read_text(encoding="utf-8")
    block = re.search(r"^```yaml\n(.*?)^```", docs, re.S | re.M).group(1)
    source = tmp_path / "docs.yaml"
    source.write_text(block, encoding="utf-8")
    result = run(app, "kuesioner", "import", "LAPAS", str(source))
    assert result.exit_code == 0, result.stderr
    stored = db.session.scalars(select(KuesionerVersi)).one()
    assert stored.isi == yaml.safe_load(FIXTURE.read_text(encoding="utf-8"))


def test_unknown_unit_variant_and_unreadable_file_exit_2(app, tree, tmp_path):
    assert "unit 'X' tidak ada" in run(app, "kuesioner", "export", "X", "Kunjungan").stderr
    missing = run(app, "kuesioner", "export", "LAPAS", "Tidak Ada")
    assert missing.exit_code == 2 and "tidak memiliki varian kuesioner" in missing.stderr
    binary = tmp_path / "biner.yaml"
    binary.write_bytes(b"\xff\xfe\x00nama")
    result = run(app, "kuesioner", "import", "LAPAS", str(binary))
    assert result.exit_code == 2 and "bukan teks UTF-8" in result.stderr
    gone = run(app, "kuesioner", "import", "LAPAS", str(tmp_path / "tidak-ada.yaml"))
    assert gone.exit_code == 2 and "tidak dapat dibaca" in gone.stderr


# -- a variant changed in the middle of a month ------------------------------------------------


def test_a_change_mid_month_keeps_earlier_answers_and_pools_by_item_code(app, varian, clock):
    layanan, first = varian
    # two respondents under version 1 (U3 as a pair, U4 left out)
    for number, values in enumerate(WORKED[:2], 1):
        clock.now += timedelta(minutes=7)
        assert (
            send(respondent(app, f"198.51.100.{number}"), layanan.token, values).status_code == 303
        )
    # on 20 January the unit drops the sub-questions and asks Biaya again: version 2
    clock.now = clock.now.replace(day=20)
    raw = yaml.safe_load(FIXTURE.read_text(encoding="utf-8"))
    del raw["instrumen"]["skm"]["U3"], raw["instrumen"]["skm"]["U4"]
    second, new = save_version(db.session, catalogue(app).instruments, layanan.unit, raw, clock())
    db.session.commit()
    assert new and second.nomor == 2 and second.varian_id == first.varian_id
    client = respondent(app, "198.51.100.9")
    page = client.get(f"/survei/{layanan.token}").get_data(as_text=True)
    assert 'name="U4"' in page and 'name="U3"' in page and 'name="U3-1"' not in page
    fields = dict(FIELDS.findall(page))
    data = fields | full_answers(["U1", "U2", "U5", "U6", "U7", "U8", "U9"], 3)
    data |= {"U3": "4", "U4": "2"} | full_answers(IPAK) | full_answers(PK, 3)
    assert client.post(f"/survei/{layanan.token}", data=data).status_code == 303

    db.session.expire_all()
    kept = db.session.execute(
        select(Submission.id, Submission.kuesioner_versi_id).order_by(Submission.id)
    ).all()
    assert [v for _, v in kept] == [first.id, first.id, second.id]
    assert db.session.get(KuesionerVersi, first.id).isi == yaml.safe_load(
        FIXTURE.read_text(encoding="utf-8")
    )
    found = tallies(db.session, [layanan.id], ["2026-01"]).score(catalogue(app).instruments["skm"])
    nrr = {item.code: item.nrr for item in found.items}
    # U3: values 7/2 and 5/2 (version 1) and 4 (version 2): (7/2 + 5/2 + 4)/3 = 10/3
    assert nrr["U3"] == Fraction(10, 3)
    # U4: only the version-2 respondent answered it
    assert nrr["U4"] == Fraction(2) and {i.code: i.n for i in found.items}["U4"] == 1
    # U1: 4, 3 and 3 -> 10/3; the index now uses all nine items that have answers
    assert nrr["U1"] == Fraction(10, 3) and found.n == 3
    assert found.index == sum(n for n in nrr.values()) / 9
    gone = left_out(db.session, catalogue(app).instruments, [layanan.id], ["2026-01"])
    assert [(x.versi, x.kode) for x in gone] == [(1, "U4")]


def test_a_form_opened_before_the_change_keeps_its_version(app, varian, clock):
    layanan, first = varian
    client = respondent(app)
    page = client.get(f"/survei/{layanan.token}").get_data(as_text=True)
    raw = yaml.safe_load(FIXTURE.read_text(encoding="utf-8"))
    raw["instrumen"]["skm"]["U2"]["bantuan"]["id"] = "Prosedur baru: daftar lewat aplikasi."
    save_version(db.session, catalogue(app).instruments, layanan.unit, raw, clock())
    db.session.commit()
    data = dict(FIELDS.findall(page)) | dict(zip(NAMES, map(str, WORKED[0]), strict=True))
    data |= full_answers(IPAK) | full_answers(PK, 3)
    assert client.post(f"/survei/{layanan.token}", data=data).status_code == 303
    assert db.session.scalar(select(Submission.kuesioner_versi_id)) == first.id


# -- reports say what was left out -------------------------------------------------------------


def test_the_dashboard_and_the_skm_report_say_which_item_was_left_out_and_why(app, varian, clock):
    layanan, _ = varian
    for number, values in enumerate(WORKED, 1):
        clock.now += timedelta(minutes=7)
        assert send(respondent(app, f"192.0.2.{number}"), layanan.token, values).status_code == 303
    client = signed_in(app, "kanwil")
    page = client.get("/staf/unit/LAPAS?periode=2026-01").get_data(as_text=True)
    note = re.search(r'<p class="notice-line" id="dihilangkan">(.*?)</p>', page, re.S).group(1)
    assert (
        "IKM U4 (Biaya/Tarif) pada varian kuesioner &#34;Kunjungan&#34; versi 1, layanan "
        "Layanan KUNJ: Layanan kunjungan tidak dipungut biaya" in note
    )
    assert ">82,81<" in page  # the IKM of the worked example, over the eight items asked
    report = client.get("/staf/unit/LAPAS/laporan-skm.docx?periode=2026-01")
    assert report.status_code == 200
    text = "\n".join(p.text for p in Document(io.BytesIO(report.data)).paragraphs)
    assert (
        'Unsur yang tidak ditanyakan: IKM U4 (Biaya/Tarif) pada varian kuesioner "Kunjungan" '
        "versi 1, layanan Layanan KUNJ: Layanan kunjungan tidak dipungut biaya menurut "
        "ketentuan pemasyarakatan. Indeks memakai" in text
    )
    # the lampiran kuesioner shows the variant as its respondents read it
    document = Document(io.BytesIO(report.data))
    cells = "\n".join(c.text for t in document.tables for r in t.rows for c in r.cells)
    assert "(1) Kecepatan pendaftaran kunjungan (2) Lama menunggu" in cells
    assert "Tidak ditanyakan: Layanan kunjungan tidak dipungut biaya" in cells
    assert "pertanyaan tambahan (tidak dinilai): Apakah ada petugas yang mengarahkan" in text


# -- the staff editor ---------------------------------------------------------------------------


def editor_post(client, data, kode="LAPAS"):
    token = CSRF.search(client.get(f"/staf/unit/{kode}/kuesioner").get_data(as_text=True))
    return client.post(f"/staf/unit/{kode}/kuesioner", data={"csrf_token": token.group(1)} | data)


EDIT = {
    "nama": "Kunjungan",
    "pakai-skm": "y",
    "tambahan-1-jenis": "pengarahan",
    "U1-pertanyaan-id": "Bagaimana persyaratan layanan {layanan} di {unit}?",
    "U1-pertanyaan-en": "How are the requirements of {layanan} at {unit}?",
    "U3-sub1-id": "Kecepatan pendaftaran kunjungan",
    "U3-sub1-en": "Speed of visit registration",
    "U3-sub2-id": "Lama menunggu sampai bertemu",
    "U3-sub2-en": "Waiting time until the meeting",
    "U4-hilang": "Layanan kunjungan tidak dipungut biaya.",
}


def test_the_editor_previews_in_a_phone_frame_and_saves_an_audited_version(app, tree):
    client = signed_in(app, "kanwil")
    page = client.get("/staf/unit/LAPAS/kuesioner").get_data(as_text=True)
    assert '<th lang="id">Bahasa Indonesia</th><th lang="en">English</th>' in page
    preview = editor_post(client, EDIT | {"aksi": "pratinjau"})
    body = preview.get_data(as_text=True)
    assert preview.status_code == 200 and 'class="phone-frame"' in body
    frame = body[body.index('class="phone-frame"') :]
    assert "Bagaimana persyaratan layanan (nama layanan) di Unit LAPAS?" in frame or (
        "Bagaimana persyaratan layanan (nama layanan) di" in frame
    )
    assert "Kecepatan pendaftaran kunjungan" in frame and "kewajaran biaya" not in frame
    assert "Apakah ada petugas yang mengarahkan jawaban Anda?" in frame
    # the questions as markup in the frame, not their tags printed as text
    assert '<fieldset class="question"' in frame and "&lt;fieldset" not in frame
    assert versions() == []  # a preview stores nothing
    saved = editor_post(client, EDIT | {"aksi": "simpan"})
    assert saved.status_code == 302 and versions() == [1]
    entry = db.session.scalars(select(AuditLog).where(AuditLog.entity == "kuesioner_varian")).one()
    assert entry.pengguna_id is not None and entry.after["versi"] == 1
    # the saved variant chosen for KUNJ through the page, audited too
    varian = db.session.scalars(select(KuesionerVersi)).one().varian
    layanan = next(x for x in tree["lapas"].layanan if x.kode == "KUNJ")
    token = CSRF.search(client.get("/staf/unit/LAPAS/kuesioner").get_data(as_text=True))
    chosen = client.post(
        "/staf/unit/LAPAS/kuesioner/pilih",
        data={"csrf_token": token.group(1), "layanan": layanan.id, "varian": varian.id},
    )
    assert chosen.status_code == 302
    db.session.expire_all()
    assert db.session.get(type(layanan), layanan.id).kuesioner_varian_id == varian.id
    form = respondent(app).get(f"/survei/{layanan.token}").get_data(as_text=True)
    assert "Bagaimana persyaratan layanan Layanan KUNJ di" in form and 'name="U4"' not in form


def test_the_editor_refuses_a_required_item_left_out_and_stores_nothing(app, tree):
    client = signed_in(app, "kanwil")
    refused = editor_post(client, EDIT | {"aksi": "simpan", "U4-hilang": "gratis"})
    assert refused.status_code == 422
    body = refused.get_data(as_text=True)
    assert "SKM U4 · alasan tidak ditanyakan: Tulis 10-300 karakter (sekarang 6)." in body
    assert versions() == []


def test_a_viewer_reads_the_editor_but_cannot_save(app, tree):
    client = signed_in(app, "lapas")
    assert client.get("/staf/unit/LAPAS/kuesioner").status_code == 200
    assert editor_post(client, EDIT | {"aksi": "simpan"}).status_code == 403
    assert versions() == []


# -- tickets and kiosks follow the variant -----------------------------------------------------


def test_a_one_time_ticket_shows_and_keeps_the_variant(app, varian, clock):
    layanan, versi = varian
    tiket = Tiket(layanan_id=layanan.id, dibuat=clock())
    db.session.add(tiket)
    db.session.commit()
    client = respondent(app)
    page = client.get(f"/survei/t/{tiket.token}").get_data(as_text=True)
    assert 'name="U3-1"' in page and 'name="U4"' not in page
    data = dict(FIELDS.findall(page)) | dict(zip(NAMES, map(str, WORKED[0]), strict=True))
    data |= full_answers(IPAK) | full_answers(PK, 3) | {"tambahan-pengarahan": "ya"}
    assert client.post(f"/survei/t/{tiket.token}", data=data).status_code == 303
    stored = db.session.scalars(select(Submission)).one()
    assert stored.tiket_id == tiket.id and stored.kuesioner_versi_id == versi.id


def test_a_kiosk_shows_the_variant_and_its_answers_keep_the_version(
    app,
    varian,
    petugas,  # noqa: F811
    clock,
):
    layanan, versi = varian
    device = paired(app, layanan)
    page = device.get("/kiosk/").get_data(as_text=True)
    data = json.loads(re.search(r'id="kiosk-data"[^>]*>(.*?)</script>', page, re.S).group(1))
    codes = [q["kode"] for q in data["pertanyaan"]]
    assert data["versi"] == versi.id
    assert codes[:9] == ["U1", "U2", "U3.1/2", "U3.2/2", "U5", "U6", "U7", "U8", "U9"]
    # the sub-question apart from the item's question, shown on its own line (tester 22 #14)
    assert data["pertanyaan"][2]["sub"] == {
        "id": "Kecepatan pendaftaran kunjungan",
        "en": "Speed of visit registration",
    }
    assert data["pertanyaan"][2]["teks"]["id"] == BASE_U3
    assert data["pertanyaan"][0]["sub"] is None
    # a kiosk answer holds every question its screens ask (the IPAK and IPKP ones too)
    answers = dict(zip(codes[:9], WORKED[0], strict=True)) | dict.fromkeys(codes[9:], 4)
    body = {"kunci": "k" * 20, "jawaban": answers, "dicatat": int(clock.now.timestamp() * 1000)}
    assert device.post("/kiosk/jawaban", json=body | {"versi": versi.id}).status_code == 201
    stored = db.session.scalars(select(Submission)).one()
    assert stored.source == "kiosk" and stored.kuesioner_versi_id == versi.id
    # U4 is not on this version's screens: refused, nothing stored
    clock.now += timedelta(minutes=5)
    body = body | {"kunci": "m" * 20, "dicatat": int(clock.now.timestamp() * 1000)}
    refused = device.post(
        "/kiosk/jawaban", json=body | {"versi": versi.id, "jawaban": answers | {"U4": 3}}
    )
    assert refused.status_code == 422
    assert len(db.session.scalars(select(Submission)).all()) == 1


def test_hostile_editor_input_is_refused_or_cleaned_never_a_500(app, tree):
    client = signed_in(app, "kanwil")
    # a NUL anywhere in a post is refused by the app before the editor (400), nothing stored
    nul = editor_post(client, EDIT | {"aksi": "simpan", "asal": "a\x00b"})
    assert nul.status_code == 400 and versions() == []
    refused = editor_post(
        client, EDIT | {"aksi": "simpan", "U1-pertanyaan-id": "Bagaimana {kota} di {unit}?"}
    )
    assert refused.status_code == 422
    assert "Penanda {kota} tidak dikenal" in refused.get_data(as_text=True)
    assert client.get("/staf/unit/LAPAS/kuesioner?varian=a%00b").status_code == 400
    token = CSRF.search(client.get("/staf/unit/LAPAS/kuesioner").get_data(as_text=True))
    bad = client.post(
        "/staf/unit/LAPAS/kuesioner/pilih",
        data={"csrf_token": token.group(1), "layanan": "12x", "varian": "x"},
    )
    assert bad.status_code == 400 and versions() == []
    saved = editor_post(client, EDIT | {"aksi": "simpan", "nama": "Kun\tjungan\r\n"})
    assert saved.status_code == 302
    assert db.session.scalars(select(KuesionerVersi)).one().isi["nama"] == "Kun jungan"


def test_a_publication_says_which_item_was_left_out_and_why(app, varian, clock):
    layanan, _ = varian
    for number, values in enumerate(WORKED, 1):
        clock.now += timedelta(minutes=7)
        assert send(respondent(app, f"192.0.2.{number}"), layanan.token, values).status_code == 303
    published = publish(signed_in(app, "kanwil"))
    assert published.headers["Location"] == "/hasil/LAPAS?periode=2026-01"
    page = app.test_client().get("/hasil/LAPAS").get_data(as_text=True)
    note = re.search(r'<p class="card" id="dihilangkan">(.*?)</p>', page, re.S).group(1)
    assert "IKM U4 (layanan Layanan KUNJ): Layanan kunjungan tidak dipungut biaya" in note
    assert "82,81" in page


def test_the_time_estimate_follows_the_variant_everywhere_it_is_printed(
    app,
    varian,
    clock,
    petugas,  # noqa: F811
):
    """Every SKM item but Biaya split into four sub-questions: 32 + 5 + 8 questions and two
    extra questions, about 6 minutes (the base form's 22 questions: 3); the form, the layanan's
    poster and the kiosk all say so."""
    from instruments import estimate_minutes
    from tests.readback import pdf_text

    layanan, _ = varian
    raw = yaml.safe_load(FIXTURE.read_text(encoding="utf-8"))
    for code in ["U1", "U2", "U3", "U5", "U6", "U7", "U8", "U9"]:
        parts = [
            {"id": f"Bagian {j} dari unsur {code}", "en": f"Part {j} of {code}"} for j in "ABCD"
        ]
        raw["instrumen"]["skm"][code] = {"sub": parts}
    save_version(db.session, catalogue(app).instruments, layanan.unit, raw, clock())
    db.session.commit()
    expected = estimate_minutes(8 * 4 + 5 + 8 + len(raw["tambahan"]))
    assert (expected, estimate_minutes(22)) == (6, 3)

    page = respondent(app, "198.51.100.7").get(f"/survei/{layanan.token}").get_data(as_text=True)
    assert "45 pertanyaan, sekitar 6 menit." in page
    poster = signed_in(app, "kanwil").get(f"/survei/{layanan.token}/poster.pdf")
    assert poster.status_code == 200 and "6 menit" in pdf_text(poster.data)
    from survey_app.services.collection.submissions import form_minutes, unit_minutes

    kiosk = paired(app, layanan).get("/kiosk/").get_data(as_text=True)
    assert '"menit": 6' in kiosk and "sekitar {m} menit" in kiosk
    assert form_minutes(catalogue(app), layanan) == 6
    assert unit_minutes(catalogue(app), layanan.unit) == 6


def test_the_editor_never_saves_a_new_variant_over_another_of_that_name(app, tree):
    """An empty editor given the name of an existing variant: refused, and refused again when
    sent a second time from the refusal page; the existing variant keeps its one version."""
    client = signed_in(app, "kanwil")
    assert editor_post(client, EDIT | {"aksi": "simpan"}).status_code == 302
    copy = {"nama": "Kunjungan", "pakai-skm": "y", "U2-bantuan-id": "Bantuan singkat."}
    copy |= {"U2-bantuan-en": "Short help."}
    refused = editor_post(client, copy | {"aksi": "simpan"})
    body = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "Nama varian Kunjungan sudah dipakai" in body
    assert 'name="asal" value=""' in body  # still a new variant, not an edit of Kunjungan
    again = editor_post(client, copy | {"aksi": "simpan", "asal": ""})
    assert again.status_code == 422 and versions() == [1]
    # editing Kunjungan itself (asal = its name) adds its version 2
    edited = editor_post(client, EDIT | {"aksi": "simpan", "asal": "Kunjungan"} | copy)
    assert edited.status_code == 302 and versions() == [1, 2]


def test_the_editor_refuses_a_left_out_item_with_other_changes(app, tree):
    client = signed_in(app, "kanwil")
    both = EDIT | {"U4-pertanyaan-id": "Bagaimana biaya layanan ini menurut Anda?"}
    both |= {"U4-pertanyaan-en": "How is the fee of this service?", "aksi": "simpan"}
    refused = editor_post(client, both)
    assert refused.status_code == 422
    assert "tidak boleh diubah bagian lainnya" in refused.get_data(as_text=True)
    assert versions() == []


def test_the_kiosk_shows_the_variant_help_text(app, varian, petugas):  # noqa: F811
    layanan, _ = varian
    page = paired(app, layanan).get("/kiosk/").get_data(as_text=True)
    data = json.loads(re.search(r'id="kiosk-data">(.*?)</script>', page, re.S).group(1))
    helps = {q["kode"]: q["bantuan"] for q in data["pertanyaan"]}
    assert helps["U2"]["id"].startswith("Prosedur: pendaftaran") and helps["U1"] is None
    assert 'id="bantuan"' in page


# -- an anti-corruption item asked in sub-questions (tester 22 #3) ------------------------------


@pytest.fixture
def split_ak1(app, varian, clock):
    layanan, _ = varian
    raw = yaml.safe_load(FIXTURE.read_text(encoding="utf-8"))
    raw["instrumen"]["ipak"] = {
        "AK1": {
            "sub": [
                {"id": "Tidak ada pungutan di loket", "en": "No levy at the counter"},
                {"id": "Tidak ada pungutan di ruang tunggu", "en": "No levy in the waiting room"},
            ]
        }
    }
    versi, _ = save_version(db.session, catalogue(app).instruments, layanan.unit, raw, clock())
    db.session.commit()
    return layanan, versi


@pytest.mark.parametrize(("first", "second", "lapor"), [("4", "2", True), ("3", "4", False)])
@pytest.mark.parametrize("ticket", [False, True])
def test_a_split_anti_corruption_item_answered_low_says_where_to_report(
    app, split_ak1, clock, first, second, lapor, ticket
):
    layanan, versi = split_ak1
    url = f"/survei/{layanan.token}"
    if ticket:
        tiket = Tiket(layanan_id=layanan.id, dibuat=clock())
        db.session.add(tiket)
        db.session.commit()
        url = f"/survei/t/{tiket.token}"
    client = respondent(app)
    page = client.get(url).get_data(as_text=True)
    assert 'name="AK1-1"' in page and 'name="AK1"' not in page
    data = dict(FIELDS.findall(page)) | dict(zip(NAMES, map(str, WORKED[0]), strict=True))
    data |= full_answers(IPAK[1:]) | full_answers(PK, 3) | {"AK1-1": first, "AK1-2": second}
    sent = client.post(url, data=data)
    assert sent.status_code == 303, sent.get_data(as_text=True)[:400]
    assert db.session.scalars(select(Submission)).one().kuesioner_versi_id == versi.id
    assert sent.headers["Location"].endswith("?lapor=1#terima-kasih") is lapor


def test_the_skm_report_prints_a_split_items_sum_so_that_it_gives_its_nrr(app, varian, clock):
    """U3 asked as a pair: values 7/2 and 4, Jumlah nilai 15/2 = 7,50 over n = 2 gives the
    printed NRR 3,7500 (rounded to a whole 8 it would give 4); the footnote says why."""
    layanan, _ = varian
    for number, values in enumerate([WORKED[0], WORKED[2]], 1):
        clock.now += timedelta(minutes=7)
        assert send(respondent(app, f"192.0.2.{number}"), layanan.token, values).status_code == 303
    report = signed_in(app, "kanwil").get("/staf/unit/LAPAS/laporan-skm.docx?periode=2026-01")
    document = Document(io.BytesIO(report.data))
    rows = [[c.text for c in r.cells] for t in document.tables for r in t.rows]
    u3 = [row for row in rows if row[0] == "U3" and len(row) == 6]
    assert len(u3) == 2  # BAB III and Lampiran 2
    assert all(row[2:5] == ["2", "7,50", "3,7500"] for row in u3)
    u1 = next(row for row in rows if row[0] == "U1" and len(row) == 6)
    assert u1[2:5] == ["2", "7", "3,5000"]  # a whole sum stays whole
    text = "\n".join(p.text for p in document.paragraphs)
    assert (
        "U3 ditanyakan dalam beberapa sub-pertanyaan: nilai seorang responden untuk butir itu "
        "adalah rata-rata jawaban sub-pertanyaannya" in text
    )


def test_a_language_switch_keeps_the_version_the_draft_was_answered_under(app, varian, clock):
    """Tester 22 #6: answered under v1, v2 saved (U3 plain again, Biaya asked), then the
    language switched: the English page still asks v1's questions with v1 in its hidden field,
    and the answers are stored under v1; a new visit gets v2."""
    layanan, first = varian
    client = respondent(app)
    page = client.get(f"/survei/{layanan.token}").get_data(as_text=True)
    raw = yaml.safe_load(FIXTURE.read_text(encoding="utf-8"))
    del raw["instrumen"]["skm"]["U3"], raw["instrumen"]["skm"]["U4"]
    second, _ = save_version(db.session, catalogue(app).instruments, layanan.unit, raw, clock())
    db.session.commit()
    data = dict(FIELDS.findall(page)) | dict(zip(NAMES, map(str, WORKED[0]), strict=True))
    switched = client.post(f"/survei/{layanan.token}", data=data | {"bahasa": "en"})
    assert switched.status_code == 303
    english = client.get(switched.headers["Location"]).get_data(as_text=True)
    assert 'name="U3-1"' in english and 'name="U4"' not in english
    assert dict(FIELDS.findall(english))["versi"] == str(first.id)
    answers = dict(FIELDS.findall(english)) | dict(zip(NAMES, map(str, WORKED[0]), strict=True))
    answers |= full_answers(IPAK) | full_answers(PK, 3)
    sent = client.post(f"/survei/{layanan.token}", data=answers)
    assert sent.status_code == 303, sent.get_data(as_text=True)[:300]
    assert db.session.scalar(select(Submission.kuesioner_versi_id)) == first.id
    fresh = respondent(app, "198.51.100.9").get(f"/survei/{layanan.token}").get_data(as_text=True)
    assert dict(FIELDS.findall(fresh))["versi"] == str(second.id) and 'name="U4"' in fresh


def test_the_reports_lampiran_fills_the_names_in_extra_questions(app, varian, clock):
    """Tester 22 #10: an extra question holding {unit}/{layanan} is printed in Lampiran 1 as
    the respondents read it, with the layanan's and the variant's unit's names."""
    layanan, _ = varian
    raw = yaml.safe_load(FIXTURE.read_text(encoding="utf-8"))
    raw["tambahan"].append(
        {
            "kode": "catatan",
            "jenis": "teks",
            "pertanyaan": {
                "id": "Catatan untuk petugas {unit} ({layanan})?",
                "en": "A note for the staff?",
            },
        }
    )
    save_version(db.session, catalogue(app).instruments, layanan.unit, raw, clock())
    db.session.commit()
    assert send(respondent(app), layanan.token, WORKED[0]).status_code == 303
    report = signed_in(app, "kanwil").get("/staf/unit/LAPAS/laporan-skm.docx?periode=2026-01")
    text = "\n".join(p.text for p in Document(io.BytesIO(report.data)).paragraphs)
    unit = layanan.unit.nama
    assert f"Catatan untuk petugas {unit} ({layanan.nama})? (jawaban singkat)" in text
    assert "{unit}" not in text and "{layanan}" not in text


def lampiran_1(app) -> str:
    report = signed_in(app, "kanwil").get("/staf/unit/LAPAS/laporan-skm.docx?periode=2026-01")
    text = "\n".join(p.text for p in Document(io.BytesIO(report.data)).paragraphs)
    start = text.rindex("LAMPIRAN 1 KUESIONER")  # after the table of contents
    return text[start : text.index("LAMPIRAN 2", start)]


def test_lampiran_1_shows_the_base_only_when_answered_under_it_and_names_each_table(
    app, varian, clock
):
    """Tester 22 #15: all answered under the variant: no base SKM table (its U4 was never
    asked); IPAK and IPKP, which the variant keeps as the base, stay; one answer under the
    base brings the base SKM table back. Every table says what it is."""
    layanan, _ = varian
    assert send(respondent(app), layanan.token, WORKED[0]).status_code == 303
    unit = layanan.unit.nama
    only_variant = lampiran_1(app)
    assert "Kuesioner dasar: Survei Kepuasan Masyarakat" not in only_variant
    assert "Kuesioner dasar: Survei Persepsi Anti Korupsi (IPAK)" in only_variant
    assert f'Varian kuesioner "Kunjungan" versi 1 ({unit}): Survei Kepuasan' in only_variant
    choose(db.session, layanan, None, clock())
    db.session.commit()
    client = respondent(app, "198.51.100.20")
    page = client.get(f"/survei/{layanan.token}").get_data(as_text=True)
    data = dict(FIELDS.findall(page)) | full_answers(SKM) | full_answers(IPAK)
    assert client.post(f"/survei/{layanan.token}", data=data | full_answers(PK)).status_code == 303
    both = lampiran_1(app)
    assert "Kuesioner dasar: Survei Kepuasan Masyarakat" in both
    assert f'Varian kuesioner "Kunjungan" versi 1 ({unit})' in both
