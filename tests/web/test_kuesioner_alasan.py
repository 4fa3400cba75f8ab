"""The low-score reason beside a sub-question (issue 22 with REGULATION §8): asked beside each
sub-question of a split item as beside a plain item, stored with the answer it explains
(``U3.1/2``), read by staff under the item with the sub-question's wording."""

import html
import io
import re
from datetime import timedelta

from docx import Document
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import AlasanJawaban, Submission
from survey_app.services.collection.submissions import reason_fields, shaped
from tests.web.conftest import signed_in
from tests.web.test_integrity import respondent
from tests.web.test_kuesioner import catalogue, send

REASON_FIELD = re.compile(r'<input[^>]*name="alasan-([A-Z]+\d+(?:-\d)?)"[^>]*>')
VALUES = [4, 3, 2, 4, 3, 4, 4, 3, 1]  # U1, U2, U3-1, U3-2, U5..U9: U3's first part 2, U9 1


def stored() -> dict[str, str]:
    db.session.expire_all()
    return dict(db.session.execute(select(AlasanJawaban.item_code, AlasanJawaban.teks)).all())


def test_the_form_lists_a_reason_field_beside_each_sub_question(app, varian):  # noqa: F811
    layanan, versi = varian
    page = respondent(app).get(f"/survei/{layanan.token}").get_data(as_text=True)
    skm = ["U1", "U2", "U3-1", "U3-2", "U5", "U6", "U7", "U8", "U9"]
    assert REASON_FIELD.findall(page)[:9] == skm  # none for the split U3 itself, none for U4
    assert '<label class="alasan-label" for="alasan-U3-2">Apa yang perlu diperbaiki?' in page
    field = re.search(r'<input[^>]*name="alasan-U3-1"[^>]*>', page).group(0)
    assert 'maxlength="300"' in field and "required" not in field
    # the reason sits inside the sub-question's own fieldset: app.css shows it beside 1 or 2
    fieldset = page[page.index('<fieldset class="question" id="U3-1">') :]
    assert fieldset.index('name="alasan-U3-1"') < fieldset.index("</fieldset>")
    # the data a handler without WTForms reads: field name -> stored code
    instruments, _ = shaped(catalogue(app), layanan, versi)
    fields = reason_fields(instruments)
    assert fields["alasan-U3-1"] == "U3.1/2" and fields["alasan-U3-2"] == "U3.2/2"
    assert fields["alasan-U1"] == "U1" and "alasan-U3" not in fields and "alasan-U4" not in fields
    assert len(fields) == 22  # 7 plain SKM items, 2 sub-questions, 5 IPAK, 8 IPKP


def test_a_reason_beside_a_sub_question_is_stored_and_shown_with_its_wording(
    app,
    varian,  # noqa: F811
    clock,
):
    layanan, _ = varian
    sent = send(
        respondent(app),
        layanan.token,
        VALUES,
        **{
            "alasan-U3-1": "  Pendaftaran dibuka terlambat  ",
            "alasan-U3-2": "dibuang: jawabannya 4",
            "alasan-U9": "Pengaduan tidak dibalas",
        },
    )
    assert sent.status_code == 303, sent.get_data(as_text=True)[:300]
    assert stored() == {"U3.1/2": "Pendaftaran dibuka terlambat", "U9": "Pengaduan tidak dibalas"}
    clock.now += timedelta(minutes=9)
    client = signed_in(app, "kanwil")
    page = client.get("/staf/unit/LAPAS/alasan?periode=2026-01").get_data(as_text=True)
    section = re.search(r'<section class="alasan-unsur" id="alasan-U3">(.*?)</section>', page, re.S)
    text = " ".join(html.unescape(re.sub(r"<[^>]+>", "", section.group(1))).split())
    assert "(1 alasan)" in text
    assert "sub-pertanyaan “Kecepatan pendaftaran kunjungan” · jawaban 2" in text
    assert "Pendaftaran dibuka terlambat" in text
    assert 'id="alasan-U3.1/2"' not in page  # in its item's group, not one of its own
    report = client.get("/staf/unit/LAPAS/laporan-skm.docx?periode=2026-01")
    said = [p.text for p in Document(io.BytesIO(report.data)).paragraphs]
    assert (
        "\u201cPendaftaran dibuka terlambat\u201d (nilai 2, sub-pertanyaan \u201cKecepatan "
        "pendaftaran kunjungan\u201d)" in said
    )
    english = client.get("/staf/unit/LAPAS/alasan?periode=2026-01&lang=en").get_data(as_text=True)
    assert "sub-question “Speed of visit registration”" in html.unescape(
        re.sub(r"<[^>]+>", "", english)
    )


def test_a_reason_for_the_split_item_itself_or_a_left_out_item_is_refused(
    app,
    varian,  # noqa: F811
):
    layanan, _ = varian
    for name in ("alasan-U3", "alasan-U4", "alasan-U3-3"):
        refused = send(respondent(app), layanan.token, VALUES, **{name: "Antrean lama"})
        assert refused.status_code == 400, name
    assert db.session.scalar(select(Submission.id)) is None and stored() == {}
