"""Differencing between publications (REGULATION §6; issue 16.8): no demographic count of 1-4 may
follow from adding and subtracting a unit's published counts."""

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.disclosure import recoverable

T4 = frozenset({"2026-10", "2026-11", "2026-12"})
OKT, NOV, DES = (frozenset({m}) for m in ("2026-10", "2026-11", "2026-12"))


def test_the_issue_case_triwulan_minus_november_gives_october():
    # issue 16: "Triwulan IV 15 minus November 11 gives October 4"
    assert recoverable([(T4, 15), (NOV, 11)])
    assert not recoverable([(T4, 20), (NOV, 11)])  # October 9: nothing below 5 follows


def test_a_chain_of_subtractions_and_a_zero_are_followed():
    assert recoverable([(T4, 20), (NOV, 8), (DES, 9)])  # October 3
    assert not recoverable([(T4, 30), (NOV, 8), (DES, 9)])  # October 13
    assert recoverable([(T4, 6), (OKT, 5), (NOV, 0)])  # December 1, a zero counts too


def test_two_publications_of_one_period_differ_by_the_answers_in_between():
    assert recoverable([(T4, 15), (T4, 17)])  # 2 answered after the first publication
    assert not recoverable([(T4, 15), (T4, 25)])
    assert not recoverable([(T4, 15), (T4, 15)])


def test_unrelated_periods_say_nothing():
    assert not recoverable([(T4, 7), (frozenset({"2026-01", "2026-02", "2026-03"}), 9)])


def test_overlapping_periods_reveal_what_neither_nested_nor_disjoint_pairs_show():
    # Sep-Oct 6, Oct-Nov 10, Nov-Dec 7: Sep-Oct - Oct-Nov + Nov-Dec = Sep + Dec = 3
    sep_oct = frozenset({"2026-09", "2026-10"})
    oct_nov = frozenset({"2026-10", "2026-11"})
    nov_dec = frozenset({"2026-11", "2026-12"})
    assert recoverable([(sep_oct, 6), (oct_nov, 10), (nov_dec, 7)])
    assert not recoverable([(sep_oct, 16), (oct_nov, 20), (nov_dec, 17)])  # 13


def test_a_year_of_every_period_counted_consistently_is_fast_and_decided():
    months = [f"2026-{m:02d}" for m in range(1, 13)]
    per_month = [5, 7, 9, 6, 8, 10, 5, 6, 7, 8, 9, 12]
    every = [
        (frozenset(months[i:j]), sum(per_month[i:j])) for i in range(12) for j in range(i + 1, 13)
    ]
    assert not recoverable(every)  # each month 5 or more: nothing below 5 follows
    assert recoverable([*every, (frozenset(months[:1]), 9)])  # January counted again: 9 - 5


def test_only_runs_of_months_are_accepted():
    import pytest

    with pytest.raises(ValueError, match="consecutive"):
        recoverable([(frozenset({"2026-01", "2026-03"}), 7)])


MONTHS = ["2026-01", "2026-02", "2026-03", "2026-04"]


def brute_force(known):
    """Every combination with coefficients -1, 0, 1 that counts a set of months (each month
    once or not at all), or nothing (two counts of the same months): is any of them 1-4?
    A count of 0 first tells that each of its months had nobody (counts are never negative):
    each such month is then known as a count of its own."""
    zeros = {m for months, count in known if count == 0 for m in months}
    known = [*known, *((frozenset({m}), 0) for m in sorted(zeros))]
    for coefficients in itertools.product((-1, 0, 1), repeat=len(known)):
        if not any(coefficients):
            continue
        cover = [
            sum(c for c, (s, _) in zip(coefficients, known, strict=True) if m in s) for m in MONTHS
        ]
        if all(x in (0, 1) for x in cover):
            value = sum(c * v for c, (_, v) in zip(coefficients, known, strict=True))
            if 1 <= abs(value) <= 4:
                return True
    return False


@settings(max_examples=300, deadline=None)
@given(
    atoms=st.fixed_dictionaries({m: st.integers(0, 12) for m in MONTHS}),
    periods=st.lists(
        st.tuples(st.integers(0, 3), st.integers(0, 3)).map(lambda p: (min(p), max(p))),
        min_size=1,
        max_size=5,
    ),
)
def test_it_finds_exactly_what_adding_and_subtracting_runs_of_months_finds(atoms, periods):
    """Publications are runs of whole months (a month, a triwulan, ...) counted at one time;
    only cells of 0 or 5 and more are shown, as the publication does."""
    known = []
    for first, last in periods:
        months = frozenset(MONTHS[first : last + 1])
        count = sum(atoms[m] for m in months)
        if count == 0 or count >= 5:
            known.append((months, count))
    assert recoverable(known) == brute_force(known)
