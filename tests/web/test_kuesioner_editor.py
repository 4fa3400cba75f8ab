"""The staff editor edits everything a variant may change (issue 22 items 2 and 4,
docs/kuesioner.md §7): answer labels' wording, any number of sub-questions within the rules,
extra questions of every kind; its buttons work without JavaScript and keep what was typed; a
refusal names the field in Indonesian (English via the switch) and stores nothing; a saved
version reaches the public form, and its answers are stored."""

import html
import re
from pathlib import Path

import pytest
import yaml
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import Answer, JawabanTambahan, KuesionerVersi, Submission
from survey_app.services.collection.kuesioner import choose, save_version
from tests.web.conftest import CSRF, signed_in
from tests.web.helpers import IPAK, full_answers
from tests.web.test_integrity import respondent

FIELDS = re.compile(r'<input[^>]*name="(csrf_token|kunci|layanan|mulai|versi)"[^>]*value="([^"]*)"')
SKM = [f"U{i}" for i in range(1, 10)]
PK = [f"PK{i}" for i in range(1, 9)]
BASE = {"nama": "Kunjungan", "pakai-skm": "y"}


def post(client, data, lang=""):
    page = client.get("/staf/unit/LAPAS/kuesioner").get_data(as_text=True)
    token = CSRF.search(page).group(1)
    suffix = f"?lang={lang}" if lang else ""
    return client.post(f"/staf/unit/LAPAS/kuesioner{suffix}", data={"csrf_token": token} | data)


def stored() -> list[dict]:
    db.session.expire_all()
    return [v.isi for v in db.session.scalars(select(KuesionerVersi).order_by(KuesionerVersi.id))]


def value_of(page: str, name: str) -> str:
    found = re.search(rf'<input[^>]*name="{re.escape(name)}"[^>]*value="([^"]*)"', page)
    assert found, f"no field {name}"
    return found.group(1)


def choose_for_kunj(tree, clock):
    layanan = next(x for x in tree["lapas"].layanan if x.kode == "KUNJ")
    versi = db.session.scalars(select(KuesionerVersi)).all()[-1]
    choose(db.session, layanan, versi.varian, clock())
    db.session.commit()
    return layanan


def answer(app, layanan, extra=None, skm=None):
    client = respondent(app)
    client.delete_cookie("zs-terkirim", path="/survei/")
    page = client.get(f"/survei/{layanan.token}").get_data(as_text=True)
    data = dict(FIELDS.findall(page)) | full_answers(skm or SKM, 3) | full_answers(IPAK)
    data |= full_answers(PK, 3) | (extra or {})
    return client.post(f"/survei/{layanan.token}", data=data)


# -- labels ---------------------------------------------------------------------------------


def test_label_wording_is_edited_side_by_side_blank_keeps_the_base_word(app, tree, clock):
    client = signed_in(app, "kanwil")
    page = client.get("/staf/unit/LAPAS/kuesioner").get_data(as_text=True)
    # exactly as many label fields as the scale, in order, per language
    assert re.findall(r'name="U7-label(\d)-id"', page) == ["1", "2", "3", "4"]
    assert re.findall(r'name="U7-label(\d)-en"', page) == ["1", "2", "3", "4"]
    assert 'name="U7-label5-id"' not in page
    labels = {"U7-label1-id": "Tidak ramah", "U7-label2-id": "Kurang ramah"}
    labels |= {"U7-label3-id": "Ramah", "U7-label4-id": "Sangat ramah", "U7-label4-en": "Warm"}
    saved = post(client, BASE | labels | {"aksi": "simpan"})
    assert saved.status_code == 302
    label = stored()[0]["instrumen"]["skm"]["U7"]["label"]
    assert label["id"] == ["Tidak ramah", "Kurang ramah", "Ramah", "Sangat ramah"]
    assert len(label["en"]) == 4 and label["en"][3] == "Warm"  # the three blanks: base words
    assert (
        label["en"][:3]
        == [
            x.get("en")
            for x in app.extensions["zisurvey.catalogue"].instruments["skm"].item("U7").labels
        ][:3]
    )
    # the editor shows what was stored, and the public form asks it, in order
    again = client.get("/staf/unit/LAPAS/kuesioner?varian=Kunjungan").get_data(as_text=True)
    assert value_of(again, "U7-label4-id") == "Sangat ramah"
    layanan = choose_for_kunj(tree, clock)
    form = respondent(app).get(f"/survei/{layanan.token}").get_data(as_text=True)
    u7 = form[form.index('name="U7"') - 2000 : form.index('name="U7"') + 3000]
    assert u7.index("Tidak ramah") < u7.index("Kurang ramah") < u7.index("Sangat ramah")


def test_labels_typed_equal_to_the_base_are_no_change(app, tree):
    client = signed_in(app, "kanwil")
    base = app.extensions["zisurvey.catalogue"].instruments["skm"].item("U1").labels
    same = {f"U1-label{k}-id": x.id for k, x in enumerate(base, 1)}
    assert post(client, BASE | same | {"aksi": "simpan"}).status_code == 302
    assert stored()[0]["instrumen"]["skm"] == {}


# -- sub-questions ---------------------------------------------------------------------------


def test_sub_questions_are_added_and_removed_without_javascript_keeping_what_was_typed(app, tree):
    client = signed_in(app, "kanwil")
    page = client.get("/staf/unit/LAPAS/kuesioner").get_data(as_text=True)
    assert 'name="U3-sub1-id"' not in page and 'name="tambah_sub" value="U3"' in page
    typed = BASE | {"U1-bantuan-id": "Bantuan yang sudah diketik.", "U1-bantuan-en": "Typed help."}
    first = post(client, typed | {"tambah_sub": "U3"})
    body = first.get_data(as_text=True)
    assert (
        first.status_code == 200 and 'name="U3-sub2-id"' in body and 'name="U3-sub3-id"' not in body
    )
    assert value_of(body, "U1-bantuan-id") == "Bantuan yang sudah diketik."
    assert 'class="error-summary"' not in body  # mid-edit: no refusal for the blank rows
    subs = {
        f"U3-sub{j}-{lang}": f"Bagian {j} waktu layanan ({lang})"
        for j in (1, 2)
        for lang in ("id", "en")
    }
    third = post(client, typed | subs | {"tambah_sub": "U3"}).get_data(as_text=True)
    assert value_of(third, "U3-sub2-id") == "Bagian 2 waktu layanan (id)"
    assert value_of(third, "U3-sub3-id") == ""
    # remove the first: the others move up, as typed
    subs3 = subs | {"U3-sub3-id": "Bagian 3 waktu layanan", "U3-sub3-en": "Part 3 of the time"}
    removed = post(client, typed | subs3 | {"hapus_sub": "U3-1"}).get_data(as_text=True)
    assert value_of(removed, "U3-sub1-id") == "Bagian 2 waktu layanan (id)"
    assert value_of(removed, "U3-sub2-id") == "Bagian 3 waktu layanan"
    assert 'name="U3-sub3-id"' not in removed
    assert stored() == []  # the buttons store nothing
    # four is the most (docs/kuesioner.md §2): the add button is gone at four
    four = subs3 | {"U3-sub4-id": "Bagian 4 waktu layanan", "U3-sub4-en": "Part 4 of the time"}
    full = post(client, typed | four | {"aksi": "pratinjau"}).get_data(as_text=True)
    assert 'name="tambah_sub" value="U3"' not in full and "Bagian 4 waktu layanan" in full
    assert post(client, typed | four | {"aksi": "simpan"}).status_code == 302
    assert len(stored()[0]["instrumen"]["skm"]["U3"]["sub"]) == 4


def test_three_sub_questions_reach_the_form_and_their_answers_are_stored(app, tree, clock):
    client = signed_in(app, "kanwil")
    subs = {
        f"U3-sub{j}-{lang}": f"Bagian {j} waktu layanan {lang}"
        for j in (1, 2, 3)
        for lang in ("id", "en")
    }
    assert post(client, BASE | subs | {"aksi": "simpan"}).status_code == 302
    assert [x["id"] for x in stored()[0]["instrumen"]["skm"]["U3"]["sub"]] == [
        "Bagian 1 waktu layanan id",
        "Bagian 2 waktu layanan id",
        "Bagian 3 waktu layanan id",
    ]
    layanan = choose_for_kunj(tree, clock)
    form = respondent(app).get(f"/survei/{layanan.token}").get_data(as_text=True)
    assert 'name="U3-3"' in form and "Bagian 3 waktu layanan id" in form
    names = ["U1", "U2", "U3-1", "U3-2", "U3-3", "U4", "U5", "U6", "U7", "U8", "U9"]
    sent = answer(app, layanan, skm=names)
    assert sent.status_code == 303, sent.get_data(as_text=True)[:300]
    codes = set(db.session.scalars(select(Answer.item_code)))
    assert {"U3.1/3", "U3.2/3", "U3.3/3"} <= codes and "U3" not in codes


# -- extra questions -------------------------------------------------------------------------


def test_extra_questions_of_every_kind_are_added_edited_reordered_and_answered(app, tree, clock):
    client = signed_in(app, "kanwil")
    added = post(client, BASE | {"tambah_tambahan": "pilihan"}).get_data(as_text=True)
    assert value_of(added, "tambahan-1-kode") == "tambahan_1"
    assert 'name="tambahan-1-pilihan2-id"' in added and 'name="tambahan-1-pilihan3-id"' not in added
    rows = {
        "tambahan-1-jenis": "pilihan",
        "tambahan-1-kode": "tahu_dari",
        "tambahan-1-pertanyaan-id": "Dari mana Anda mengetahui layanan ini?",
        "tambahan-1-pertanyaan-en": "How did you learn of this service?",
        "tambahan-1-pilihan1-id": "Spanduk",
        "tambahan-1-pilihan1-en": "Banner",
        "tambahan-1-pilihan2-id": "Media sosial",
        "tambahan-1-pilihan2-en": "Social media",
    }
    more = post(client, BASE | rows | {"tambah_pilihan": "1"}).get_data(as_text=True)
    assert value_of(more, "tambahan-1-pilihan2-en") == "Social media"
    rows |= {"tambahan-1-pilihan3-id": "Petugas", "tambahan-1-pilihan3-en": "An officer"}
    with_text = post(client, BASE | rows | {"tambah_tambahan": "teks"}).get_data(as_text=True)
    assert value_of(with_text, "tambahan-2-kode") == "tambahan_1"  # the first code free
    rows |= {
        "tambahan-2-jenis": "teks",
        "tambahan-2-kode": "usul",
        "tambahan-2-pertanyaan-id": "Apa usul Anda untuk ruang tunggu?",
        "tambahan-2-pertanyaan-en": "What would you suggest for the waiting room?",
        "tambahan-3-jenis": "ya_tidak",
        "tambahan-3-kode": "pertama",
        "tambahan-3-pertanyaan-id": "Apakah ini kunjungan pertama Anda?",
        "tambahan-3-pertanyaan-en": "Is this your first visit?",
        "tambahan-4-jenis": "pengarahan",
    }
    # the pengarahan question moved to the top, one step at a time, as a browser would post
    up = dict(rows)
    order = ["pengarahan", "tahu_dari", "usul", "pertama"]
    for n in range(3):
        page = post(client, BASE | up | {"naik_tambahan": str(4 - n)}).get_data(as_text=True)
        up = _rows_of(page)
    assert [up.get(f"tambahan-{n}-kode", "pengarahan") for n in range(1, 5)] == order
    assert stored() == []
    assert post(client, BASE | up | {"aksi": "simpan"}).status_code == 302
    tambahan = stored()[0]["tambahan"]
    assert [x["kode"] for x in tambahan] == order
    assert tambahan[0] == {"kode": "pengarahan", "jenis": "pengarahan"}
    assert [x["id"] for x in tambahan[1]["pilihan"]] == ["Spanduk", "Media sosial", "Petugas"]
    assert tambahan[2]["jenis"] == "teks" and "pilihan" not in tambahan[2]

    layanan = choose_for_kunj(tree, clock)
    form = respondent(app).get(f"/survei/{layanan.token}").get_data(as_text=True)
    assert form.index("Apakah ada petugas") < form.index("Dari mana Anda") < form.index("usul Anda")
    assert (
        "Petugas" in form and 'name="tambahan-usul"' in form and 'name="tambahan-pertama"' in form
    )
    extra = {"tambahan-tahu_dari": "3", "tambahan-usul": "Kursi lebih banyak"}
    extra |= {"tambahan-pertama": "ya", "tambahan-pengarahan": "tidak"}
    sent = answer(app, layanan, extra)
    assert sent.status_code == 303, sent.get_data(as_text=True)[:300]
    kept = dict(db.session.execute(select(JawabanTambahan.kode, JawabanTambahan.nilai)).all())
    assert kept == {
        "tahu_dari": "3",
        "usul": "Kursi lebih banyak",
        "pertama": "ya",
        "pengarahan": "tidak",
    }
    assert db.session.scalar(select(Submission.kuesioner_versi_id)) is not None


def _rows_of(page: str) -> dict[str, str]:
    """The extra questions' fields of a re-rendered editor, as the browser would send them."""
    out = dict(re.findall(r'<input[^>]*name="(tambahan-\d+-[a-z0-9-]+)"[^>]*value="([^"]*)"', page))
    for name, body in re.findall(
        r'<select[^>]*name="(tambahan-\d+-jenis)"[^>]*>(.*?)</select>', page, re.S
    ):
        out[name] = re.search(r'<option value="([^"]+)" selected', body).group(1)
    for name, text in re.findall(
        r'<textarea[^>]*name="(tambahan-\d+-pertanyaan-(?:id|en))"[^>]*>([^<]*)</textarea>', page
    ):
        out[name] = text
    return out


def test_a_removed_extra_question_is_gone_and_the_others_keep_their_text(app, tree):
    client = signed_in(app, "kanwil")
    rows = {
        "tambahan-1-jenis": "ya_tidak",
        "tambahan-1-kode": "pertama",
        "tambahan-1-pertanyaan-id": "Apakah ini kunjungan pertama Anda?",
        "tambahan-1-pertanyaan-en": "Is this your first visit?",
        "tambahan-2-jenis": "teks",
        "tambahan-2-kode": "usul",
        "tambahan-2-pertanyaan-id": "Apa usul Anda untuk ruang tunggu?",
        "tambahan-2-pertanyaan-en": "What would you suggest?",
    }
    page = post(client, BASE | rows | {"hapus_tambahan": "1"}).get_data(as_text=True)
    assert _rows_of(page) == {
        "tambahan-1-jenis": "teks",
        "tambahan-1-kode": "usul",
        "tambahan-1-pertanyaan-id": "Apa usul Anda untuk ruang tunggu?",
        "tambahan-1-pertanyaan-en": "What would you suggest?",
    }


# -- refusals --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (
            {"U7-label2-id": "x" * 61},
            "U7-label2-id",
            "SKM U7 · label jawaban 2 (id): Tulis 1-60 karakter (sekarang 61).",
        ),
        (
            {"U2-bantuan-en": "<b>Help</b>", "U2-bantuan-id": "Bantuan"},
            "U2-bantuan-en",
            "tanpa tag HTML",
        ),
        (
            {"U3-sub1-id": "Hanya satu sub-pertanyaan", "U3-sub1-en": "Only one sub-question"},
            "U3-sub",
            "SKM U3 · sub-pertanyaan: Isi 2-4 baris.",
        ),
        (
            {
                f"U3-sub{j}-{lang}": f"Bagian {j} dari waktu"
                for j in range(1, 6)
                for lang in ("id", "en")
            },
            "U3-sub",
            "Isi 2-4 baris.",
        ),
        (
            {"U4-hilang": "gratis"},
            "U4-hilang",
            "SKM U4 · alasan tidak ditanyakan: Tulis 10-300 karakter (sekarang 6).",
        ),
        (
            {
                "tambahan-1-jenis": "pilihan",
                "tambahan-1-kode": "asal",
                "tambahan-1-pertanyaan-id": "Dari mana Anda datang hari ini?",
                "tambahan-1-pertanyaan-en": "Where?",
                "tambahan-1-pilihan1-id": "Kota",
                "tambahan-1-pilihan1-en": "City",
            },
            "tambahan-1-pertanyaan-en",
            "Pertanyaan tambahan 1 · pertanyaan (en): Tulis 10-300 karakter (sekarang 6).",
        ),
        (
            {
                "tambahan-1-jenis": "pilihan",
                "tambahan-1-kode": "asal",
                "tambahan-1-pertanyaan-id": "Dari mana Anda datang hari ini?",
                "tambahan-1-pertanyaan-en": "Where did you come from?",
                "tambahan-1-pilihan1-id": "Kota",
                "tambahan-1-pilihan1-en": "City",
            },
            "tambahan-1-pilihan",
            "Pertanyaan tambahan 1 · pilihan: Isi 2-8 baris.",
        ),
        (
            {"tambahan-1-jenis": "pengarahan", "tambahan-2-jenis": "pengarahan"},
            "tambahan-2-jenis",
            "Pertanyaan pengarahan hanya boleh satu.",
        ),
        (
            {
                "tambahan-1-jenis": "teks",
                "tambahan-1-kode": "Usul Saya",
                "tambahan-1-pertanyaan-id": "Apa usul Anda untuk kami?",
                "tambahan-1-pertanyaan-en": "What do you suggest?",
            },
            "tambahan-1-kode",
            "Kode ditulis huruf kecil",
        ),
        (
            {"U1-pertanyaan-id": "Bagaimana {kota} di {unit}?"},
            "U1-pertanyaan-id",
            "Penanda {kota} tidak dikenal",
        ),
    ],
)
def test_a_refusal_names_and_marks_the_field_and_stores_nothing(app, tree, data, field, message):
    client = signed_in(app, "kanwil")
    refused = post(client, BASE | data | {"aksi": "simpan"})
    body = refused.get_data(as_text=True)
    assert refused.status_code == 422
    summary = body[
        body.index('class="error-summary"') : body.index(
            "</div>", body.index('class="error-summary"')
        )
    ]
    assert message in summary and f'href="#{field}"' in summary
    marked = re.search(rf'<[^>]*id="{re.escape(field)}"[^>]*>', body).group(0)
    assert 'aria-invalid="true"' in marked or 'class="invalid"' in marked
    assert f'id="{field}-masalah"' in body  # the reason printed beside the field as well
    assert stored() == []


def test_a_refusal_reads_in_english_through_the_switch(app, tree):
    client = signed_in(app, "kanwil")
    refused = post(client, BASE | {"U7-label2-id": "x" * 61, "aksi": "simpan"}, lang="en")
    body = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert "SKM U7 · answer label 2 (id): Write 1-60 characters (now 61)." in body
    assert stored() == []


def test_too_many_extra_questions_cannot_be_added_and_are_refused_when_sent(app, tree):
    client = signed_in(app, "kanwil")
    rows = {}
    for n in range(1, 7):
        rows |= {f"tambahan-{n}-jenis": "ya_tidak", f"tambahan-{n}-kode": f"tanya_{n}"}
        rows |= {f"tambahan-{n}-pertanyaan-id": f"Pertanyaan ya atau tidak {n}?"}
        rows |= {f"tambahan-{n}-pertanyaan-en": f"Yes or no question {n}?"}
    five = {k: v for k, v in rows.items() if not k.startswith("tambahan-6-")}
    page = post(client, BASE | five | {"tambah_tambahan": "teks"}).get_data(as_text=True)
    assert 'name="tambahan-6-jenis"' not in page and 'name="tambah_tambahan"' not in page
    refused = post(client, BASE | rows | {"aksi": "simpan"})
    assert refused.status_code == 422
    assert "Pertanyaan tambahan paling banyak 5." in refused.get_data(as_text=True)
    assert stored() == []


# -- a variant made by file: the editor shows and keeps all of it ---------------------------


def all_fields(page: str) -> dict[str, str]:
    """What a browser sends for the editor form as rendered (texts, checked boxes, selects)."""
    form = page[page.index('class="kuesioner-editor"') :]
    form = form[: form.index("</form>")]
    out = {}
    for tag in re.findall(r"<input[^>]*>", form):
        name = re.search(r'name="([^"]+)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if name is None or ('type="checkbox"' in tag and " checked" not in tag):
            continue
        out[name.group(1)] = html.unescape(value.group(1)) if value else ""
    for name, text in re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>([^<]*)</textarea>', form):
        out[name] = html.unescape(text)
    for name, body in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', form, re.S):
        out[name] = re.search(r'<option value="([^"]*)" selected', body).group(1)
    return out


def test_the_editor_keeps_everything_of_an_imported_variant(app, tree, clock):
    fixture = Path(__file__).parents[1] / "fixtures" / "kuesioner-kunjungan.yaml"
    raw = yaml.safe_load(fixture.read_text(encoding="utf-8"))
    instruments = app.extensions["zisurvey.catalogue"].instruments
    save_version(db.session, instruments, tree["lapas"], raw, clock())
    db.session.commit()
    client = signed_in(app, "kanwil")
    page = client.get("/staf/unit/LAPAS/kuesioner?varian=Kunjungan").get_data(as_text=True)
    fields = all_fields(page)
    assert fields["U7-label4-id"] == "Sangat ramah" and fields["tambahan-2-pilihan2-id"]
    again = client.post("/staf/unit/LAPAS/kuesioner", data=fields | {"aksi": "simpan"})
    assert again.status_code == 302
    assert "Tidak ada perubahan" in client.get(again.headers["Location"]).get_data(as_text=True)
    assert len(stored()) == 1


def test_text_typed_for_an_instrument_not_ticked_is_refused_by_name_never_dropped(app, tree):
    client = signed_in(app, "kanwil")
    typed = {
        "AK1-bantuan-id": "Diskriminasi: antrean didahulukan karena kenalan.",
        "AK1-bantuan-en": "Discrimination: queue jumping for acquaintances.",
    }
    for aksi in ("simpan", "pratinjau"):
        response = post(client, BASE | typed | {"aksi": aksi})
        page = html.unescape(response.get_data(as_text=True))
        assert response.status_code == 422, aksi
        assert (
            "Survei Persepsi Anti Korupsi tidak dicentang, tetapi ada isian pada butir AK1. "
            "Centang instrumen itu untuk menyimpannya, atau kosongkan isiannya." in page
        )
        assert value_of(page, "AK1-bantuan-id") == typed["AK1-bantuan-id"]  # kept as typed
    assert stored() == []
    english = post(client, BASE | typed | {"aksi": "simpan"}, lang="en").get_data(as_text=True)
    assert "Anti-Corruption" in html.unescape(english) and "not ticked" in english
    assert post(client, BASE | typed | {"pakai-ipak": "y", "aksi": "simpan"}).status_code == 302
    assert stored()[0]["instrumen"]["ipak"]["AK1"]["bantuan"]["id"] == typed["AK1-bantuan-id"]


# -- codes and names across versions ----------------------------------------------------------

YA_TIDAK = {
    "tambahan-1-jenis": "ya_tidak",
    "tambahan-1-kode": "tambahan_1",
    "tambahan-1-pertanyaan-id": "Apakah antrean hari ini tertib?",
    "tambahan-1-pertanyaan-en": "Was today's queue orderly?",
}


def test_a_new_extra_question_never_takes_a_code_an_earlier_version_used(app, tree, clock):
    """A code keeps one question across versions (exports put its answers in one column): a
    question added after one was removed gets a fresh code, and a code typed back for a
    question of another kind is refused, nothing stored."""
    client = signed_in(app, "kanwil")
    assert post(client, BASE | YA_TIDAK | {"aksi": "simpan"}).status_code == 302
    edit = BASE | {"asal": "Kunjungan"}  # version 2 drops the question, then adds a choice
    added = post(client, edit | {"tambah_tambahan": "pilihan"}).get_data(as_text=True)
    assert value_of(added, "tambahan-1-kode") == "tambahan_2"
    choice = {
        "tambahan-1-jenis": "pilihan",
        "tambahan-1-kode": "tambahan_1",  # typed back by hand
        "tambahan-1-pertanyaan-id": "Dari mana Anda mengetahui layanan ini?",
        "tambahan-1-pertanyaan-en": "How did you learn of this service?",
        "tambahan-1-pilihan1-id": "Spanduk",
        "tambahan-1-pilihan1-en": "Banner",
        "tambahan-1-pilihan2-id": "Teman",
        "tambahan-1-pilihan2-en": "A friend",
    }
    refused = post(client, edit | choice | {"aksi": "simpan"})
    assert refused.status_code == 422
    assert "Kode tambahan_1 dipakai versi 1 untuk pertanyaan lain" in html.unescape(
        refused.get_data(as_text=True)
    )
    assert len(stored()) == 1
    fresh = choice | {"tambahan-1-kode": "tambahan_2"}
    assert post(client, edit | fresh | {"aksi": "simpan"}).status_code == 302
    assert [x["kode"] for x in stored()[1]["tambahan"]] == ["tambahan_2"]


def test_a_name_differing_only_in_capitals_is_the_same_name(app, tree, clock):
    client = signed_in(app, "kanwil")
    assert post(client, BASE | {"aksi": "simpan"}).status_code == 302
    U1 = {"U1-bantuan-id": "Persyaratan ada di papan.", "U1-bantuan-en": "On the board."}
    copy = BASE | U1 | {"asal": "Kunjungan", "nama": "KUNJUNGAN", "aksi": "salin"}
    refused = post(client, copy)
    assert refused.status_code == 422
    assert "sudah dipakai varian lain" in refused.get_data(as_text=True)
    assert len(stored()) == 1
