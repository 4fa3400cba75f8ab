"""Periods: months in the unit's zone, and larger periods scored from pooled raw answers."""

from datetime import UTC, datetime
from fractions import Fraction

import pandas as pd
import pytest

from analysis.periods import period_of, periods_of, span, span_label, span_labels
from analysis.scoring import score, score_groups


@pytest.mark.parametrize(
    ("utc", "tz", "month"),
    [
        (datetime(2026, 1, 31, 15, 30, tzinfo=UTC), "Asia/Makassar", "2026-01"),  # 23:30 WITA
        (datetime(2026, 1, 31, 16, 30, tzinfo=UTC), "Asia/Makassar", "2026-02"),  # 00:30 WITA
        (datetime(2026, 1, 31, 16, 30, tzinfo=UTC), "Asia/Jakarta", "2026-01"),  # 23:30 WIB
        (datetime(2026, 1, 31, 15, 30, tzinfo=UTC), "Asia/Jayapura", "2026-02"),  # 00:30 WIT
    ],
)
def test_month_in_the_units_zone(utc, tz, month):
    assert period_of(utc, tz) == month
    assert periods_of(pd.Series([pd.Timestamp(utc)]), tz).astype(str).tolist() == [month]


@pytest.mark.parametrize(
    ("month", "kind", "label"),
    [
        ("2026-03", "triwulan", "2026-T1"),
        ("2026-04", "triwulan", "2026-T2"),
        ("2026-06", "semester", "2026-S1"),
        ("2026-07", "semester", "2026-S2"),
        ("2026-12", "tahun", "2026"),
        ("2026-12", "bulan", "2026-12"),
    ],
)
def test_span_labels(month, kind, label):
    assert span_label(month, kind) == label


def test_span_dates():
    second = span("semester", 2026, 2)
    assert (second.first, second.last, str(second.end_date)) == ("2026-07", "2026-12", "2026-12-31")
    assert len(span("triwulan", 2026, 1).months()) == 3
    with pytest.raises(ValueError, match="does not exist"):
        span("triwulan", 2026, 5)


def test_a_semester_is_pooled_from_raw_answers_not_averaged_from_months():
    # January: 1 respondent answering 4; February: 3 respondents answering 2.
    frame = pd.DataFrame(
        {"period": ["2026-01", "2026-02", "2026-02", "2026-02"], "U1": [4, 2, 2, 2]}
    )
    frame["semester"] = span_labels(frame["period"], "semester")
    semester = score_groups(frame, ["U1"], ["semester"])["2026-S1"]
    months = score_groups(frame, ["U1"], ["period"])
    assert semester.index == Fraction(10, 4) == score(frame, ["U1"]).index
    assert (months["2026-01"].index + months["2026-02"].index) / 2 == 3  # the wrong way: 3,00
