"""Questionnaire variants: what a variant may and may not change (docs/kuesioner.md §2-§3)."""

from pathlib import Path

import pandas as pd
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.kuesioner import score_answers
from analysis.scoring import score
from instruments import VariantError, apply_variant, content, extras, load_directory, parse_variant

BASE = load_directory()
FIXTURE = Path(__file__).parents[1] / "fixtures" / "kuesioner-kunjungan.yaml"


def kunjungan() -> dict:
    return yaml.safe_load(FIXTURE.read_text(encoding="utf-8"))


def problems_of(raw) -> list[str]:
    with pytest.raises(VariantError) as caught:
        parse_variant(raw, BASE)
    return caught.value.problems


def test_the_worked_example_variant_is_applied_with_placeholders_filled():
    variant = parse_variant(kunjungan(), BASE)
    skm = apply_variant(BASE["skm"], variant, "Kunjungan Keluarga", "Lapas Kelas I Contoh")
    assert skm.codes == ("U1", "U2", "U3", "U5", "U6", "U7", "U8", "U9")
    assert skm.dihilangkan == (
        ("U4", "Layanan kunjungan tidak dipungut biaya menurut ketentuan pemasyarakatan."),
    )
    assert skm.item("U1").question.id == (
        "Bagaimana pendapat Saudara tentang kesesuaian persyaratan layanan Kunjungan Keluarga "
        "di Lapas Kelas I Contoh?"
    )
    assert skm.item("U2").help is not None and skm.item("U2").help.id.startswith("Prosedur")
    assert [s.id for s in skm.item("U3").sub] == [
        "Kecepatan pendaftaran kunjungan",
        "Lama menunggu sampai bertemu keluarga",
    ]
    assert skm.item("U7").labels[3].id == "Sangat ramah"
    assert skm.item("U7").dimension == BASE["skm"].item("U7").dimension
    assert skm.scale == 4 and skm.version == BASE["skm"].version
    assert [x.kode for x in extras(variant, "K", "U")] == ["pengarahan", "tahu_dari"]
    # an instrument outside the variant's set is the base itself
    assert apply_variant(BASE["ipak"], variant, "K", "U") is BASE["ipak"]


def test_content_round_trips():
    variant = parse_variant(kunjungan(), BASE)
    assert content(variant) == kunjungan()
    assert parse_variant(content(variant), BASE) == variant


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"U10": {"bantuan": {"id": "x", "en": "y"}}}, "kode butir U10 tidak ada"),
        ({"U1": {"dihilangkan": "Tidak relevan di unit ini."}}, "U1: butir wajib tidak boleh"),
        ({"U4": {"dihilangkan": "gratis"}}, "alasan dihilangkan 10-300 karakter"),
        (
            {"U4": {"dihilangkan": "Layanan ini gratis.", "bantuan": {"id": "x", "en": "y"}}},
            "tidak boleh diubah bagian lainnya",
        ),
        ({"U7": {"label": {"id": ["a", "b", "c"], "en": ["a", "b", "c"]}}}, "tepat 4 pilihan"),
        (
            {"U7": {"label": {"id": list("abcd"), "en": list("abcd"), "ms": list("abcd")}}},
            "skm U7: label hanya berisi id dan en (bukan ms)",
        ),
        (
            {"U1": {"pertanyaan": {"id": "Bagaimana {layanan} di {kota}?", "en": "How is it?"}}},
            "penanda {kota} tidak dikenal",
        ),
        ({"U3": {"sub": [{"id": "Hanya satu sub", "en": "Only one sub"}]}}, "2-4 butir"),
        ({"U1": {"dimension": {"id": "Lain", "en": "Other"}}}, "kolom dimension tidak dikenal"),
        (
            {"U1": {"pertanyaan": {"id": "<b>Bagaimana</b> persyaratan?", "en": "How is it?"}}},
            "tanpa tag HTML",
        ),
        ({"U2": {"bantuan": {"id": "Lihat <script>x</script>", "en": "See"}}}, "tanpa tag HTML"),
        ({"U4": {"dihilangkan": "Gratis <!-- menurut aturan -->"}}, "tanpa tag HTML"),
        (
            {"U4": {"dihilangkan": "Layanan {layanan} tidak dipungut biaya di {unit}."}},
            "skm U4: alasan dihilangkan berlaku untuk setiap layanan yang memakai varian ini; "
            "tulis tanpa {layanan} atau {unit}",
        ),
    ],
)
def test_skm_variants_that_break_the_rules_are_refused_with_a_reason(change, expected):
    raw = {"nama": "Uji", "instrumen": {"skm": change}}
    assert any(expected in problem for problem in problems_of(raw))


SAME = ["Baik", "baik", "Baik ", "BAIK"]
BASE_U7 = [x.id for x in BASE["skm"].item("U7").labels]
BASE_U7_EN = [x.en for x in BASE["skm"].item("U7").labels]


@pytest.mark.parametrize(
    ("labels", "expected"),
    [
        ({"id": SAME, "en": ["A", "B", "C", "D"]}, "skm U7: label (id) posisi 1 dan 2 sama"),
        (
            {"id": ["Buruk", "Cukup", "Baik", "Sangat baik"], "en": ["Bad", "Fair", "fair", "x"]},
            "skm U7: label (en) posisi 2 dan 3 sama",
        ),
        (
            {"id": BASE_U7[::-1], "en": BASE_U7_EN},
            "skm U7: label (id) posisi 1 'Sangat sopan dan ramah' adalah label baku posisi 4",
        ),
        (
            {"id": ["tidak  SOPAN dan ramah", "a", "b", "c"], "en": ["a", "b", "c", "d"]},
            "",  # position 1 of the base, reworded in case and spaces only: allowed
        ),
        (
            {"id": ["a", "b", "c", "Tidak sopan dan RAMAH"], "en": ["a", "b", "c", "d"]},
            "skm U7: label (id) posisi 4 'Tidak sopan dan RAMAH' adalah label baku posisi 1",
        ),
    ],
)
def test_labels_that_repeat_or_reorder_the_scale_are_refused(labels, expected):
    raw = {"nama": "Uji", "instrumen": {"skm": {"U7": {"label": labels}}}}
    if not expected:
        parse_variant(raw, BASE)
        return
    assert any(expected in p for p in problems_of(raw)), problems_of(raw)


def test_no_ipak_or_ipkp_indicator_may_be_left_out():
    raw = {
        "nama": "Uji",
        "instrumen": {
            "ipak": {"AK5": {"dihilangkan": "Tidak ada biaya di layanan ini."}},
            "ipkp": {"PK5": {"dihilangkan": "Tidak ada biaya di layanan ini."}},
        },
    }
    found = problems_of(raw)
    assert any("ipak AK5: butir wajib" in p and "semua butir wajib" in p for p in found)
    assert any("ipkp PK5: butir wajib" in p for p in found)


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ({"kode": "x", "jenis": "ya_tidak"}, "kode 'x'"),
        ({"kode": "skor", "jenis": "angka"}, "jenis 'angka'"),
        (
            {
                "kode": "pilih",
                "jenis": "pilihan",
                "pertanyaan": {"id": "Pilih satu saja", "en": "Pick one of these"},
                "pilihan": [{"id": "A", "en": "A"}],
            },
            "pilihan harus 2-8",
        ),
        (
            {
                "kode": "arah",
                "jenis": "pengarahan",
                "pertanyaan": {"id": "Diarahkan petugas?", "en": "Steered?"},
            },
            "teks baku",
        ),
    ],
)
def test_bad_extra_questions_are_refused(extra, expected):
    raw = {"nama": "Uji", "instrumen": {"skm": {}}, "tambahan": [extra]}
    assert any(expected in p for p in problems_of(raw))


@pytest.mark.parametrize("jenis", ["ya_tidak", "teks"])
def test_the_code_pengarahan_is_reserved_for_the_pengarahan_question(jenis):
    extra = {"kode": "pengarahan", "jenis": jenis, "pertanyaan": {"id": "Diarahkan?", "en": "?"}}
    extra["pertanyaan"] = {"id": "Apakah Anda diarahkan?", "en": "Were you steered at all?"}
    raw = {"nama": "Uji", "instrumen": {"skm": {}}, "tambahan": [extra]}
    assert any(
        "tambahan 1: kode 'pengarahan' khusus untuk jenis pengarahan" in p for p in problems_of(raw)
    )


def test_unknown_instrument_and_missing_name_are_refused():
    found = problems_of({"instrumen": {"xyz": {}}})
    assert any("nama varian wajib" in p for p in found)
    assert any("instrumen xyz tidak dikenal" in p for p in found)


@pytest.mark.parametrize("instrument", sorted(BASE))
def test_an_unchanged_variant_shows_the_base(instrument):
    variant = parse_variant({"nama": "Sama", "instrumen": {instrument: {}}}, BASE)
    assert apply_variant(BASE[instrument], variant, "L", "U") == BASE[instrument]


answer = st.integers(1, 4)


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_an_unchanged_variant_scores_identically_to_the_base(data):
    variant = parse_variant({"nama": "Sama", "instrumen": {i: {} for i in BASE}}, BASE)
    for base in BASE.values():
        shown = apply_variant(base, variant, "L", "U")
        rows = data.draw(
            st.lists(
                st.fixed_dictionaries({c: answer for c in shown.codes}), min_size=1, max_size=20
            )
        )
        frame = pd.DataFrame(rows, columns=list(base.codes)).astype("float64")
        assert score_answers(rows, base.codes, base.scale) == score(frame, base.codes, base.scale)


def test_each_problem_names_its_field_for_an_editor():
    """The editor marks the field a problem concerns: each problem carries its path, a message
    key and the figures of its wording, and reads as its Indonesian text (the CLI prints it)."""
    raw = kunjungan()
    raw["instrumen"]["skm"]["U7"]["label"]["en"][1] = "x" * 61
    raw["instrumen"]["skm"]["U3"]["sub"].append({"id": "Pendek", "en": "Waiting for the guard"})
    raw["tambahan"][1]["pilihan"][0]["en"] = "<b>Banner</b>"
    found = {(p.path, p.key): p for p in problems_of(raw)}
    label = found[(("skm", "U7", "label", 2, "en"), "panjang")]
    assert label == "skm U7 label 2 (en): 1-60 karakter (ada 61)"
    assert label.params == {"min": 1, "max": 60, "n": 61}
    assert (("skm", "U3", "sub", 3, "id"), "panjang") in found
    assert (("tambahan", 2, "pilihan", 1, "en"), "html") in found
