"""Monthly minimum and Krejcie-Morgan (REGULATION.md section 3)."""

import pytest

from analysis.sample import compliance, krejcie_morgan, minimum, projected, target


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


def test_target_is_the_larger_of_minimum_and_krejcie_morgan():
    assert target(True, None) == 30
    assert target(False, 20) == 19  # N = 20 -> n = 19 > 15
    assert target(True, 20) == 30
    assert target(True, 1000) == 278


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
