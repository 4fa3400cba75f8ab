"""Scoring from database tallies equals scoring the pooled raw answers."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.scoring import score, score_totals

ITEMS = ["U1", "U2", "U3"]


def tallies(frame: pd.DataFrame, items, by):
    """What ``SELECT by, item, COUNT(value), SUM(value) ... GROUP BY`` returns, per group."""
    out = {}
    for key, part in frame.groupby(by):
        answered = part[items].notna()
        out[key] = (
            {c: (int(answered[c].sum()), int(part[c].sum())) for c in items if answered[c].any()},
            int(answered.any(axis=1).sum()),
        )
    return out


@settings(max_examples=200)
@given(
    st.lists(
        st.tuples(st.sampled_from("ABC"), *[st.none() | st.integers(1, 5) for _ in ITEMS]),
        min_size=1,
        max_size=40,
    )
)
def test_pooled_tallies_of_groups_equal_the_pooled_raw_answers(rows):
    frame = pd.DataFrame(rows, columns=["layanan", *ITEMS]).astype({c: "float64" for c in ITEMS})
    pooled: dict[str, list[int]] = {}
    respondents = 0
    for items, n in tallies(frame, ITEMS, "layanan").values():
        respondents += n
        for code, (count, total) in items.items():
            pooled.setdefault(code, [0, 0])
            pooled[code][0] += count
            pooled[code][1] += total
    result = score_totals(ITEMS, {c: tuple(v) for c, v in pooled.items()}, respondents, 5)
    expected = score(frame, ITEMS, 5)
    assert result == expected
    assert result.index == expected.index  # exact Fractions, not floats


def test_an_impossible_tally_is_refused():
    with pytest.raises(ValueError, match="U1: a sum of 20 over 4 answers is impossible"):
        score_totals(ITEMS, {"U1": (4, 20)}, 4)
    assert score_totals(ITEMS, {}, 0).index is None
    assert np.isclose(float(score_totals(ITEMS, {"U1": (2, 7)}, 2).index), 3.5)


@settings(max_examples=300)
@given(
    st.sampled_from([4, 5, 10]),
    st.lists(st.none() | st.integers(1, 400), min_size=1, max_size=9),
    st.randoms(use_true_random=False),
)
def test_the_index_is_the_mean_of_the_exact_nrr(scale, counts, rng):
    """indeks = sum of NRR_i x 1/k over the answered items (PermenPANRB 14/2017), computed the
    plain way with one Fraction per item and compared with the common-denominator sum."""
    from fractions import Fraction

    codes = [f"U{i}" for i in range(len(counts))]
    totals = {c: (n, rng.randint(n, n * scale)) for c, n in zip(codes, counts, strict=True) if n}
    result = score_totals(codes, totals, 10, scale)
    answered = [item for item in result.items if item.n]
    expected = (
        sum((item.total / item.n for item in answered), Fraction(0)) / len(answered)
        if answered
        else None
    )
    assert result.index == expected
