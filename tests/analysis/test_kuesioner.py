"""Scoring a unit's questionnaire variant: sub-questions and left-out items (issue 22).

Expected values are the hand computation of docs/kuesioner.md §5 (the worked example).
"""

from decimal import Decimal
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.kuesioner import item_totals, respondent_value, score_answers, split_code, sub_code
from analysis.scoring import score

SKM = ["U1", "U2", "U3", "U4", "U5", "U6", "U7", "U8", "U9"]

# docs/kuesioner.md §5: U4 left out, U3 answered as the pair U3.1/2, U3.2/2
WORKED = [
    {"U1": 4, "U2": 3, "U3.1/2": 3, "U3.2/2": 4, "U5": 3, "U6": 4, "U7": 4, "U8": 3, "U9": 3},
    {"U1": 3, "U2": 3, "U3.1/2": 2, "U3.2/2": 3, "U5": 3, "U6": 3, "U7": 4, "U8": 3, "U9": 4},
    {"U1": 3, "U2": 4, "U3.1/2": 4, "U3.2/2": 4, "U5": 4, "U6": 4, "U7": 4, "U8": 3, "U9": 3},
    {"U1": 4, "U2": 3, "U3.1/2": 3, "U3.2/2": 3, "U5": 3, "U6": 3, "U7": 3, "U8": 2, "U9": 3},
    {"U1": 2, "U2": 3, "U3.1/2": 3, "U3.2/2": 2, "U5": 3, "U6": 4, "U7": 4, "U8": 3, "U9": 4},
    {"U1": 3, "U2": 4, "U3.1/2": 4, "U3.2/2": 3, "U5": 3, "U6": 3, "U7": 4, "U8": 4, "U9": 3},
]


def test_the_worked_example_scores_as_computed_by_hand():
    result = score_answers(WORKED, SKM)
    nrr = {item.code: item.nrr for item in result.items}
    # column sums 19, 20, (19+19)/2, -, 19, 21, 23, 18, 20 over n = 6
    assert nrr == {
        "U1": Fraction(19, 6),
        "U2": Fraction(10, 3),
        "U3": Fraction(19, 6),  # (7/2+5/2+4+3+5/2+7/2)/6 = 38/(6*2)
        "U4": None,
        "U5": Fraction(19, 6),
        "U6": Fraction(7, 2),
        "U7": Fraction(23, 6),
        "U8": Fraction(3),
        "U9": Fraction(10, 3),
    }
    assert result.n == 6
    assert result.missing_items == ("U4",)
    assert result.index == Fraction(53, 16)  # (53/2) x 1/8, k = 8 items present
    assert result.indeks == Decimal("3.3125")
    assert result.index * 25 == Fraction(1325, 16)  # 82,8125
    assert result.nilai == Decimal("82.81")
    assert result.mutu is not None and result.mutu.mutu == "B"
    rounded = {item.code: item.nrr_rounded for item in result.items}
    assert rounded["U1"] == Decimal("3.1667") and rounded["U8"] == Decimal("3.0000")
    assert {i.code: i.nilai for i in result.items}["U7"] == Decimal("95.83")
    # not x 1/9 as if Biaya were 0: that would be 73,61 (C)
    assert result.nilai != Decimal("73.61")


def test_a_respondent_value_is_the_mean_of_his_sub_answers():
    assert respondent_value([3, 4]) == Fraction(7, 2)
    with pytest.raises(ValueError):
        respondent_value([])


def test_stored_codes_of_sub_questions():
    assert sub_code("U3", 1, 2) == "U3.1/2"
    assert split_code("PK8.3/4") == ("PK8", 3, 4)
    assert split_code("U3") == ("U3", 1, 1)
    with pytest.raises(ValueError):
        sub_code("U3", 3, 2)


def test_pooling_plain_answers_and_parts_of_two_sizes_is_exact():
    # 2 plain answers summing 7; 1 respondent in 2 parts (3, 4); 1 respondent in 3 parts (2, 2, 3)
    tallies = {"U3": (2, 7), "U3.1/2": (1, 3), "U3.2/2": (1, 4), "U3.1/3": (1, 2)}
    tallies |= {"U3.2/3": (1, 2), "U3.3/3": (1, 3)}
    n, total = item_totals(tallies)["U3"]
    assert (n, total) == (4, Fraction(7) + Fraction(7, 2) + Fraction(7, 3))


def test_parts_answered_by_different_numbers_are_refused():
    with pytest.raises(ValueError, match="different numbers"):
        item_totals({"U3.1/2": (3, 9), "U3.2/2": (2, 6)})


def test_an_answer_off_the_scale_is_refused():
    with pytest.raises(ValueError, match="outside 1-4"):
        score_answers([{"U1": 5}], SKM)


answer = st.integers(1, 4)
respondent = st.fixed_dictionaries({code: answer for code in SKM})


@settings(max_examples=100, deadline=None)
@given(st.lists(respondent, min_size=1, max_size=30))
def test_an_unchanged_variant_scores_as_the_base(rows):
    frame = pd.DataFrame(rows, columns=SKM).astype("float64")
    assert score_answers(rows, SKM) == score(frame, SKM)


@settings(max_examples=100, deadline=None)
@given(st.lists(respondent, min_size=1, max_size=30), st.integers(2, 4))
def test_sub_questions_answered_alike_score_as_the_plain_item(rows, parts):
    split = [
        {k: v for k, v in row.items() if k != "U3"}
        | {sub_code("U3", j, parts): row["U3"] for j in range(1, parts + 1)}
        for row in rows
    ]
    assert score_answers(split, SKM) == score_answers(rows, SKM)


@settings(max_examples=100, deadline=None)
@given(st.lists(respondent, min_size=1, max_size=30))
def test_leaving_out_an_item_gives_the_mean_of_the_other_items(rows):
    without = [{k: v for k, v in row.items() if k != "U4"} for row in rows]
    result = score_answers(without, SKM)
    present = [c for c in SKM if c != "U4"]
    frame = pd.DataFrame(rows, columns=SKM).astype("float64")
    frame["U4"] = np.nan
    assert result.index == score(frame[present], present).index
