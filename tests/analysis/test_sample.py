"""Monthly minimum, the unit's rule, Krejcie-Morgan and Slovin (REGULATION.md section 3)."""

import pytest

from analysis.sample import (
    Rule,
    compliance,
    krejcie_morgan,
    minimum,
    projected,
    requirement,
    sample_size,
    slovin,
)


@pytest.mark.parametrize(
    ("population", "n"),
    # REGULATION.md section 3 and the Krejcie & Morgan (1970) table
    [(1, 1), (10, 10), (100, 80), (250, 152), (1000, 278), (1_000_000, 384)],
)
def test_krejcie_morgan_table(population, n):
    assert krejcie_morgan(population) == n


@pytest.mark.parametrize("bad", [0, -5, 2.5, True])
def test_krejcie_morgan_refuses_a_population_that_is_not_a_count(bad):
    with pytest.raises(ValueError, match="N"):
        krejcie_morgan(bad)


def test_minimum_is_30_for_kebutuhan_utama_and_15_otherwise():
    assert (minimum(True), minimum(False)) == (30, 15)


@pytest.mark.parametrize(
    ("population", "n"),
    # n = N / (1 + N e^2), e = 0,05, rounded up: 100 / 1,25 = 80; 350 / 1,875 = 186,67 -> 187;
    # 1000 / 3,5 = 285,71 -> 286; 1 / 1,0025 -> 1
    [(1, 1), (100, 80), (350, 187), (1000, 286)],
)
def test_slovin(population, n):
    assert slovin(population) == n


def test_nobody_served_needs_nobody_and_a_formula_is_named():
    assert sample_size(0) == 0 and sample_size(350) == 183 and sample_size(350, "slovin") == 187
    with pytest.raises(ValueError, match="rumus"):
        sample_size(350, "cochran")
    with pytest.raises(ValueError, match="aturan"):
        Rule("maks")


def test_under_tetap_the_fixed_minimum_decides_and_the_sample_is_only_beside_it():
    # issue 16: INTEG (kebutuhan utama), 350 served: Krejcie-Morgan 183 is information only
    r = requirement(Rule("tetap"), True, 350)
    assert (r.aturan, r.minimum, r.lain, r.fallback) == ("tetap", 30, ("sampel", 183), False)
    assert requirement(Rule("tetap"), False, None).lain is None


def test_under_sampel_the_sample_alone_decides_even_below_the_fixed_minimum():
    assert requirement(Rule("sampel"), True, 350).minimum == 183
    assert requirement(Rule("sampel", "slovin"), True, 350).minimum == 187
    small = requirement(Rule("sampel"), True, 20)  # N = 20 -> 19, not max(30, 19)
    assert (small.minimum, small.lain) == (19, ("tetap", 30))


def test_under_sampel_a_month_without_people_served_falls_back_to_tetap_and_says_so():
    r = requirement(Rule("sampel"), False, None)
    assert (r.aturan, r.minimum, r.fallback, r.lain) == ("tetap", 15, True, None)


def test_32_respondents_of_350_served_meet_tetap_and_are_151_short_under_sampel():
    served = [("INTEG", True, 350)]
    under_tetap = compliance("2026-10", served, {"INTEG": 32})
    under_sampel = compliance("2026-10", served, {"INTEG": 32}, Rule("sampel"))
    assert under_tetap.memenuhi and under_tetap.layanan[0].kurang == 0
    assert not under_sampel.memenuhi and under_sampel.layanan[0].kurang == 151


def test_a_month_lists_every_service_short_and_by_how_many():
    result = compliance(
        "2026-01",
        [("KUNJ", True, None), ("TITIP", False, None), ("BANKUM", False, None)],
        {"KUNJ": 31, "TITIP": 14},
    )
    assert not result.memenuhi
    assert [(s.kode, s.n, s.kurang) for s in result.short] == [("TITIP", 14, 1), ("BANKUM", 0, 15)]
    assert result.as_dict()["layanan"][0] == {
        "kode": "KUNJ",
        "kebutuhan_utama": True,
        "n": 31,
        "minimum": 30,
        "memenuhi": True,
    }


def test_projection_at_the_pace_so_far():
    assert projected(10, 10, 31) == 31
    with pytest.raises(ValueError):
        projected(10, 0, 31)
