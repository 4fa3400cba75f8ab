"""Invariants of the index (hypothesis)."""

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.scoring import score, score_groups

ITEMS = ["U1", "U2", "U3", "U4"]
answer = st.one_of(st.none(), st.integers(1, 4))
respondent = st.lists(answer, min_size=4, max_size=4).filter(
    lambda r: any(v is not None for v in r)
)


def frame_of(rows, services=None):
    frame = pd.DataFrame([[np.nan if v is None else v for v in r] for r in rows], columns=ITEMS)
    if services is not None:
        frame["layanan"] = services
    return frame


@settings(max_examples=150, deadline=None)
@given(st.lists(respondent, min_size=1, max_size=40), st.randoms())
def test_permuting_respondents_changes_nothing(rows, rnd):
    shuffled = rows[:]
    rnd.shuffle(shuffled)
    assert score(frame_of(rows), ITEMS) == score(frame_of(shuffled), ITEMS)


@settings(max_examples=150, deadline=None)
@given(st.lists(respondent, min_size=1, max_size=40))
def test_a_respondent_answering_4_everywhere_never_lowers_an_index(rows):
    before = score(frame_of(rows), ITEMS)
    after = score(frame_of(rows + [[4, 4, 4, 4]]), ITEMS)
    assert after.index >= before.index
    assert all(a.nrr >= b.nrr for a, b in zip(after.items, before.items, strict=True) if b.n)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.tuples(respondent, st.sampled_from(["KUNJ", "TITIP", "INTEG"])), min_size=1, max_size=40
    )
)
def test_splitting_a_month_into_services_and_pooling_back_gives_the_units_figure(pairs):
    frame = frame_of([r for r, _ in pairs], [s for _, s in pairs])
    unit = score(frame, ITEMS)
    parts = score_groups(frame, ITEMS, ["layanan"])
    pooled = pd.concat([frame[frame["layanan"] == key] for key in parts])
    assert score(pooled, ITEMS) == unit
    # and the services' tallies add up to the unit's, respondent-weighted
    assert sum(part.n for part in parts.values()) == unit.n
    for i, item in enumerate(unit.items):
        assert sum(p.items[i].total for p in parts.values()) == item.total
        assert sum(p.items[i].n for p in parts.values()) == item.n
