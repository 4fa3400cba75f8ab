"""Golden cases for the index: the worked example, every mutu boundary and the float traps."""

import json
from decimal import Decimal
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest

from analysis.exact import round_half_up
from analysis.mutu import classify
from analysis.scoring import score, score_groups
from tests.conftest import FIXTURES

SKM = [f"U{i}" for i in range(1, 10)]
IPAK = [f"AK{i}" for i in range(1, 6)]
IPKP = [f"PK{i}" for i in range(1, 9)]


@pytest.fixture(scope="module")
def worked() -> pd.DataFrame:
    return pd.read_csv(FIXTURES / "worked_example.csv")


@pytest.mark.parametrize(("instrument", "items"), [("skm", SKM), ("ipak", IPAK), ("ipkp", IPKP)])
def test_worked_example_gives_the_expected_json(worked, instrument, items):
    # Source: ../shared/fixtures/worked_example.expected.json (REGULATION.md section 2)
    expected = json.loads((FIXTURES / "worked_example.expected.json").read_text())[instrument]
    assert score(worked, items).as_dict(instrument) == expected


def test_worked_example_u9_blank_is_excluded_not_zero(worked):
    # REGULATION.md: NRR U9 = 102/29 = 3,5172; index 3,5019; nilai 87,55; mutu B
    result = score(worked, SKM)
    u9 = result.items[-1]
    assert (u9.n, u9.total) == (29, 102)
    assert u9.nrr_rounded == Decimal("3.5172")
    assert (result.indeks, result.nilai, result.mutu.mutu) == (
        Decimal("3.5019"),
        Decimal("87.55"),
        "B",
    )


def test_weights_are_exactly_one_ninth_not_0_11(worked):
    # The peers multiply by 0,111 (87,46) or 0,11 (86,67); 1/9 gives 87,55.
    exact = score(worked, SKM).index
    assert round_half_up(
        sum(i.nrr for i in score(worked, SKM).items) * Fraction("0.111") * 25, 2
    ) == Decimal("87.46")
    assert round_half_up(exact * 25, 2) == Decimal("87.55")


def test_all_answers_4_give_exactly_100():
    frame = pd.DataFrame([[4] * 9] * 7, columns=SKM)
    result = score(frame, SKM)
    assert (result.nilai, result.mutu.mutu, result.mutu.kinerja) == (
        Decimal("100.00"),
        "A",
        "Sangat baik",
    )


@pytest.mark.parametrize(
    ("nilai", "mutu"),
    [
        ("100.00", "A"),
        ("88.31", "A"),
        ("88.30", "B"),
        ("76.61", "B"),
        ("76.60", "C"),
        ("65.00", "C"),
        ("64.99", "D"),
        ("25.00", "D"),
    ],
)
def test_every_mutu_boundary(nilai, mutu):
    assert classify(Decimal(nilai)).mutu == mutu


@pytest.mark.parametrize("nilai", ["24.99", "100.01", "88.305"])
def test_classify_refuses_values_outside_the_scale_or_unrounded(nilai):
    with pytest.raises(ValueError, match="nilai"):
        classify(Decimal(nilai))


def _single_item(index: str, n: int = 5000) -> pd.DataFrame:
    """n answers of 3 and 4 whose exact mean is ``index`` (4 decimals)."""
    total = int(Fraction(index) * n)
    fours = total - 3 * n
    return pd.DataFrame({"U1": [4] * fours + [3] * (n - fours)})


@pytest.mark.parametrize(
    ("index", "nilai", "mutu"),
    # index x 25 lands exactly on a half cent: 88,305 / 76,605 / 64,995 round up
    [("3.5322", "88.31", "A"), ("3.0642", "76.61", "B"), ("2.5998", "65.00", "C")],
)
def test_float_traps_round_half_up_from_exact_index(index, nilai, mutu):
    frame = _single_item(index) if Fraction(index) >= 3 else _low_item(index)
    result = score(frame, ["U1"])
    assert result.index == Fraction(index)
    assert (result.nilai, result.mutu.mutu) == (Decimal(nilai), mutu)


def _low_item(index: str, n: int = 5000) -> pd.DataFrame:
    total = int(Fraction(index) * n)
    threes = total - 2 * n
    return pd.DataFrame({"U1": [3] * threes + [2] * (n - threes)})


def test_a_blank_never_changes_another_items_denominator():
    frame = pd.DataFrame({"U1": [4, 4, 2], "U2": [4, np.nan, 2]})
    result = score(frame, ["U1", "U2"])
    assert [(i.n, i.total) for i in result.items] == [(3, 10), (2, 6)]
    assert result.index == (Fraction(10, 3) + Fraction(6, 2)) / 2
    assert result.n == 3


def test_respondent_with_no_answer_to_the_instrument_does_not_count():
    frame = pd.DataFrame({"U1": [4, np.nan], "AK1": [3, 4]})
    assert score(frame, ["U1"]).n == 1
    assert score(frame, ["AK1"]).n == 2


def test_six_point_scale_is_mapped_linearly_to_1_4():
    # 1 + 3(x-1)/(k-1): 6 -> 4, 1 -> 1, 3 -> 2,2
    frame = pd.DataFrame({"U1": [6, 1, 3]})
    item = score(frame, ["U1"], scale=6).items[0]
    assert item.nrr == (4 + 1 + Fraction(11, 5)) / 3


@pytest.mark.parametrize("bad", [0, 5, 2.5])
def test_score_refuses_answers_off_the_scale(bad):
    with pytest.raises(ValueError, match="whole numbers in 1-4"):
        score(pd.DataFrame({"U1": [4, bad]}), ["U1"])


def test_groups_are_scored_from_their_own_answers():
    frame = pd.DataFrame({"layanan": ["A", "A", "B"], "U1": [4, 2, 1]})
    groups = score_groups(frame, ["U1"], ["layanan"])
    assert groups["A"].index == 3 and groups["B"].index == 1
    assert score(frame, ["U1"]).index == Fraction(7, 3)  # pooled, not (3 + 1) / 2


def test_per_item_mutu_uses_the_same_table(worked):
    items = {i.code: i.mutu.mutu for i in score(worked, SKM).items}
    # NRR x 25: U4 3,8333 -> 95,83 (A); U8 3,1667 -> 79,17 (B); U1 3,5667 -> 89,17 (A)
    assert (items["U4"], items["U8"], items["U1"]) == ("A", "B", "A")


def test_half_cents_round_up_where_float_rounding_goes_down():
    # 8 respondents answering 29 in all: index 3,625, nilai 90,625 exactly. Python's round()
    # on the float gives 90,62 (half-even on the binary value); half-up gives 90,63.
    frame = pd.DataFrame({"U1": [4, 4, 4, 4, 4, 3, 3, 3]})
    assert round(29 / 8 * 25, 2) == 90.62
    assert score(frame, ["U1"]).nilai == Decimal("90.63")


def test_item_nilai_comes_from_the_exact_nrr_not_the_rounded_one():
    # 7 answers summing to 10: NRR 10/7 = 1,428571..; x 25 = 35,714.. -> 35,71. Going through the
    # rounded NRR 1,4286 gives 35,715 -> 35,72: double rounding.
    item = score(pd.DataFrame({"U1": [2, 2, 2, 1, 1, 1, 1]}), ["U1"]).items[0]
    assert item.nrr_rounded == Decimal("1.4286")
    assert item.nilai == Decimal("35.71")
    assert round_half_up(item.nrr_rounded * 25, 2) == Decimal("35.72")
