"""Integrity flags: each rule at its threshold and one step short of it."""

from datetime import UTC, datetime, time, timedelta

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from analysis.integrity import FLAGS, Rules, flags

ITEMS = [f"U{i}" for i in range(1, 10)]
T0 = datetime(2026, 1, 12, 2, 0, tzinfo=UTC)  # 09:00 WIB, inside 08:00-16:00


def rows(n, *, minutes=1.0, sumber="a", values=None, durasi=120, start=T0, **extra):
    """``n`` submissions ``minutes`` apart; answers vary unless ``values`` is given."""
    frame = pd.DataFrame(
        {
            "layanan_id": 1,
            "submitted_at": [start + timedelta(minutes=minutes * i) for i in range(n)],
            "sumber": sumber,
            "durasi": durasi,
            "timezone": "Asia/Jakarta",
            "jam_buka": time(8),
            "jam_tutup": time(16),
            **extra,
        }
    )
    for k, item in enumerate(ITEMS):
        frame[item] = values[k] if values else [(i + k) % 4 + 1 for i in range(n)]
    return frame


@pytest.mark.parametrize(
    ("n", "minutes", "flagged"), [(5, 2.5, True), (4, 2.5, False), (5, 2.51, False)]
)
def test_a_burst_is_five_from_one_source_within_ten_minutes(n, minutes, flagged):
    # 5 rows 2,5 minutes apart span exactly 10 minutes (inside); 2,51 apart span 10,04.
    result = flags(rows(n, minutes=minutes), ITEMS)
    assert result["beruntun"].all() == flagged and result["beruntun"].any() == flagged


def test_only_the_rows_inside_the_burst_are_flagged_and_other_sources_are_not():
    burst = rows(5, minutes=1)
    later = rows(1, start=T0 + timedelta(hours=2))
    other = rows(5, minutes=1, sumber="b").assign(sumber=["b", "c", "d", "e", None])
    frame = pd.concat([burst, later, other], ignore_index=True)
    assert flags(frame, ITEMS)["beruntun"].tolist() == [True] * 5 + [False] * 6


def test_identical_answer_vectors_for_one_layanan():
    same = [1, 2, 3, 4, 1, 2, 3, 4, 1]
    three = rows(3, minutes=14, sumber=None, values=same)  # 28 minutes: inside 30
    assert flags(three, ITEMS)["identik"].all()
    spread = rows(3, minutes=16, sumber=None, values=same)  # 32 minutes
    assert not flags(spread, ITEMS)["identik"].any()
    other_layanan = three.assign(layanan_id=[1, 1, 2])
    assert not flags(other_layanan, ITEMS)["identik"].any()


@pytest.mark.parametrize(("durasi", "fast"), [(17, True), (18, False), (None, False)])
def test_faster_than_two_seconds_per_item(durasi, fast):
    # 9 items x 2 s = 18 s; a submission without a render time is not judged.
    frame = rows(1, durasi=durasi)
    assert flags(frame, ITEMS)["cepat"].item() == fast


@pytest.mark.parametrize(
    ("local", "zone", "outside"),
    [
        ("07:59", "Asia/Jakarta", True),
        ("08:00", "Asia/Jakarta", False),
        ("16:59", "Asia/Jakarta", False),  # an hour's grace after 16:00
        ("17:00", "Asia/Jakarta", True),
        ("08:00", "Asia/Jayapura", False),  # local time of the unit, not of the server
        ("23:30", "Asia/Makassar", True),
    ],
)
def test_outside_service_hours_in_the_units_own_zone(local, zone, outside):
    hour, minute = map(int, local.split(":"))
    when = pd.Timestamp(2026, 1, 12, hour, minute, tz=zone).tz_convert(UTC).to_pydatetime()
    frame = rows(1, start=when, timezone=zone)
    assert flags(frame, ITEMS)["luar_jam"].item() == outside


def test_straight_lining_needs_the_same_value_on_a_long_enough_form():
    assert flags(rows(1, values=[4] * 9), ITEMS)["seragam"].item()
    assert not flags(rows(1, values=[4] * 8 + [3]), ITEMS)["seragam"].item()
    short = rows(1, values=[4] * 9)
    assert not flags(short, ITEMS, Rules(straight_items=10))["seragam"].item()


def test_missing_columns_are_named():
    with pytest.raises(ValueError, match="durasi, sumber"):
        flags(rows(1).drop(columns=["sumber", "durasi"]), ITEMS)


@given(st.permutations(range(8)))
def test_the_order_of_rows_never_changes_which_are_flagged(order):
    frame = pd.concat(
        [rows(5, minutes=2), rows(3, minutes=20, sumber="z", values=[2] * 9)], ignore_index=True
    )
    expected = flags(frame, ITEMS)
    shuffled = frame.iloc[list(order)]
    pd.testing.assert_frame_equal(flags(shuffled, ITEMS).sort_index(), expected)
    assert list(expected.columns) == list(FLAGS)
    assert np.asarray(expected.to_numpy(), dtype=bool).any()


def test_a_kiosk_is_one_source_by_design_and_never_a_burst():
    # a busy counter: ten kiosk answers in ten minutes, all from the one paired tablet
    kiosk = rows(10, minutes=1, sumber="kiosk:1", kiosk=True)
    assert not flags(kiosk, ITEMS)["beruntun"].any()
    # the same rows not marked as a kiosk's are a burst; the other flags still reach a kiosk
    assert flags(kiosk.drop(columns="kiosk"), ITEMS)["beruntun"].all()
    fast = rows(1, durasi=5, kiosk=True)
    assert flags(fast, ITEMS)["cepat"].all()
    alike = rows(3, minutes=5, values=[4] * 9, kiosk=True)
    assert flags(alike, ITEMS)["identik"].all() and flags(alike, ITEMS)["seragam"].all()


def test_a_kiosk_mark_missing_on_some_rows_is_read_as_not_a_kiosk():
    frame = rows(6, minutes=1, kiosk=[True, None, None, None, None, False])
    assert flags(frame, ITEMS)["beruntun"].tolist() == [False] + [True] * 5


# -- a unit's questionnaire variant (issue 22): sub-questions and extra questions -------------

# U3 split in two (stored U3.1/2, U3.2/2), U4 left out: 8 plain columns and 2 parts, 10 answers
VARIANT = ["U1", "U2", "U3.1/2", "U3.2/2", "U5", "U6", "U7", "U8", "U9"]


def variant_rows(n, values, **extra):
    """``n`` submissions under the variant, one minute apart, all giving ``values``."""
    frame = rows(n, sumber=None, **extra).drop(columns=["U3", "U4"])
    for code, value in zip(VARIANT, values, strict=True):
        frame[code] = value
    return frame


@pytest.mark.parametrize(
    ("durasi", "tambahan", "fast"),
    [
        (17, None, True),  # 9 questions (7 plain items and 2 sub-questions) x 2 s = 18 s
        (18, None, False),
        (21, 2, True),  # and two extra questions asked: 11 x 2 s = 22 s
        (22, 2, False),
        (22, 0, False),
    ],
)
def test_cepat_counts_the_sub_questions_and_the_extra_questions_asked(durasi, tambahan, fast):
    frame = variant_rows(1, [4, 3, 3, 4, 3, 4, 4, 3, 3], durasi=durasi)
    if tambahan is not None:
        frame["tambahan"] = tambahan
    all_columns = ITEMS + ["U3.1/2", "U3.2/2"]  # what the service passes: every column
    assert flags(frame, all_columns)["cepat"].item() == fast


def test_identik_compares_the_sub_question_answers_too():
    # three respondents, the same plain answers, one differing only in a sub-question
    same = [4, 3, 3, 4, 3, 4, 4, 3, 3]
    frame = pd.concat(
        [variant_rows(2, same), variant_rows(1, [4, 3, 3, 2, 3, 4, 4, 3, 3])], ignore_index=True
    )
    columns = ITEMS + ["U3.1/2", "U3.2/2"]
    assert not flags(frame, columns)["identik"].any()
    frame.loc[2, "U3.2/2"] = 4  # now all three give the same ten answers
    assert flags(frame, columns)["identik"].all()


def test_seragam_reads_the_sub_question_answers_too():
    # every plain answer 4 but one sub-question 2: not straight-lined
    frame = variant_rows(1, [4, 4, 4, 2, 4, 4, 4, 4, 4])
    columns = ITEMS + ["U3.1/2", "U3.2/2"]
    assert not flags(frame, columns)["seragam"].item()
    frame["U3.2/2"] = 4
    assert flags(frame, columns)["seragam"].item()
