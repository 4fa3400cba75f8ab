"""LKE points and the WBK/WBBM check of each profile (REGULATION.md sections 4-5)."""

from decimal import Decimal
from fractions import Fraction

import pytest

from analysis.exact import round_half_up
from analysis.lke import LkeInputError, assess, failures, load_profile, points, profile_names

WORKED_AREAS = {
    "manajemen_perubahan": "6.5",
    "penataan_tatalaksana": "5.6",
    "penataan_sdm": "8.0",
    "akuntabilitas_kinerja": "7.9",
    "penguatan_pengawasan": "10.2",
    "kualitas_pelayanan": "7.0",
}


def worked(**changes):
    hasil = {"ipak": Fraction(98, 25), "ipkp": Fraction(107, 30), "capaian_kinerja": "4.0"}
    hasil.update(changes)
    return assess(load_profile("permenpanrb-90-2021"), WORKED_AREAS, hasil, predikat_wbk=True)


def test_profiles_shipped():
    assert profile_names() == ["bpmp-2023", "kemenkumham-52-2014", "permenpanrb-90-2021"]


def test_points_are_index_over_4_times_weight():
    assert points(4, Fraction(35, 2)) == Fraction(35, 2)  # a perfect 4,00 earns 17,50
    assert points(Fraction("3.92"), Fraction("17.5")) == Fraction("17.15")


def test_worked_example_of_the_spec():
    # REGULATION.md section 5: IPAK 3,92 -> 17,15; IPKP 3,5667 -> 15,60; Bersih 21,15;
    # pengungkit 45,20; total 81,95; WBK holds; WBBM fails on total and Pelayanan Prima.
    a = worked()
    got = {k: a.rounded(k) for k in ("ipak", "ipkp", "bersih_akuntabel", "pengungkit", "total")}
    assert got == {
        "ipak": Decimal("17.15"),
        "ipkp": Decimal("15.60"),
        "bersih_akuntabel": Decimal("21.15"),
        "pengungkit": Decimal("45.20"),
        "total": Decimal("81.95"),
    }
    assert a.verdict("wbk").memenuhi
    wbbm = {f.syarat: (f.nilai, f.minimum, f.selisih) for f in a.verdict("wbbm").gagal}
    assert wbbm["total"] == (Decimal("81.95"), Decimal("85.00"), Decimal("3.05"))
    assert wbbm["pelayanan_prima"] == (Decimal("15.60"), Decimal("15.75"), Decimal("0.15"))
    # The spec names two; these pengungkit figures also miss WBBM's pengungkit >= 48 and the
    # 75 % share in two areas, and every failing condition is reported.
    assert set(wbbm) == {
        "total",
        "pengungkit",
        "penguatan_pengawasan",
        "kualitas_pelayanan",
        "pelayanan_prima",
    }


def test_wbbm_needs_the_wbk_predikat_already_held():
    a = assess(
        load_profile("permenpanrb-90-2021"),
        WORKED_AREAS,
        {"ipak": "3.92", "ipkp": "3.5667", "capaian_kinerja": "4"},
        predikat_wbk=False,
    )
    assert "predikat_wbk" in [f.syarat for f in a.verdict("wbbm").gagal]


def _conditions():
    for name in profile_names():
        profile = load_profile(name)
        for predikat, rules in profile.predikat.items():
            for rule in rules:
                if "nilai" in rule:
                    yield name, predikat, rule["nilai"], Decimal(rule["minimum"])
                elif "setiap_area" in rule:
                    for area in profile.pengungkit:
                        share = Fraction(Decimal(rule["setiap_area"]))
                        yield name, predikat, area.key, round_half_up(area.bobot * share, 2)


@pytest.mark.parametrize(("profile", "predikat", "key", "minimum"), list(_conditions()))
@pytest.mark.parametrize("below", [False, True])
def test_each_threshold_at_the_minimum_and_one_cent_below(profile, predikat, key, minimum, below):
    base = _perfect(profile)
    values = dict(base.values)
    values[key] = Fraction(minimum) - (Fraction(1, 100) if below else 0)
    trial = type(base)(base.profile, values, base.inputs, True)
    failing = {f.syarat: f for f in failures(trial, predikat)}
    if below:
        assert failing[key].selisih == Decimal("0.01")
        assert failing[key].minimum == minimum
    else:
        assert key not in failing


def _perfect(profile):
    p = load_profile(profile)
    hasil = {c.key: (4 if c.dari == "indeks" else c.bobot) for c in p.hasil}
    return assess(p, {a.key: a.bobot for a in p.pengungkit}, hasil, True)


def test_ipak_index_3_60_passes_and_a_lower_one_fails():
    # IPAK points >= 15,75 (index 3,60): points are rounded to 2 decimals before comparing.
    assert "ipak" not in [f.syarat for f in worked(ipak="3.60").verdict("wbk").gagal]
    assert "ipak" in [f.syarat for f in worked(ipak="3.5987").verdict("wbk").gagal]  # 15,74


def test_lowest_passing_index_is_reported():
    wbk = worked().verdict("wbk")
    # 3,5989 / 4 x 17,5 = 15,7452 -> 15,75 passes; 3,5988 -> 15,7447 -> 15,74 fails
    assert wbk.indeks_minimum["ipak"] == Decimal("3.5989")
    assert wbk.indeks_minimum["ipkp"] == Decimal("3.1989")
    assert worked().verdict("wbbm").indeks_minimum["ipkp"] is None  # total < 85 even at 4,00


def test_bpmp_prints_ipak_minimum_15_5():
    p = load_profile("bpmp-2023")
    assert [a.bobot for a in p.pengungkit] == [5, 5, 15, 10, 15, 10]
    for rules in p.predikat.values():
        assert {r.get("minimum") for r in rules if r.get("nilai") == "ipak"} == {"15.50"}


def test_kemenkumham_52_2014_uses_ipk_tlhp_and_ikm():
    p = load_profile("kemenkumham-52-2014")
    a = assess(
        p, {x.key: x.bobot for x in p.pengungkit}, {"ipak": "3.6", "ipkp": "3.2", "tlhp": "4.5"}
    )
    assert a.rounded("ipak") == Decimal("13.50") and a.rounded("ipkp") == Decimal("16.00")
    assert a.verdict("wbk").memenuhi
    assert a.rounded("pengungkit_bersih") == Decimal("78.00")


def test_bad_input_lists_every_problem():
    with pytest.raises(LkeInputError) as caught:
        assess(
            load_profile("permenpanrb-90-2021"),
            {"penataan_sdm": "12", "unknown": 1},
            {"ipak": "4.5", "ipkp": "x"},
        )
    problems = caught.value.problems
    assert "pengungkit.unknown: not part of this profile" in problems
    assert "pengungkit.penataan_sdm: value 12 is outside 0-10" in problems
    assert "pengungkit.manajemen_perubahan: a value is required" in problems
    assert "ipak: value 4.5 is outside 1-4" in problems
    assert "ipkp: value 'x' is not a number" in problems
    assert "capaian_kinerja: a value is required" in problems
