"""A responses file with an item asked in sub-questions (issue 22, docs/kuesioner.md §4): the
parts ``U3.1/2``, ``U3.2/2`` beside the item's mean are read, checked and scored exactly; a
plain file reads exactly as before (a fraction in an item column is still refused)."""

import io
from decimal import Decimal
from fractions import Fraction

import pytest

from analysis.kuesioner import score_answers, score_frame, value_text
from analysis.mapping import MappingError, parse_mapping
from analysis.responses import ResponsesError, read_responses
from survey_app.services.catalogue import load_catalogue
from tests.analysis.test_kuesioner import SKM, WORKED

SCHEMA = load_catalogue().schema()
HEAD = "submitted_at,layanan,U1,U2,U3,U3.1/2,U3.2/2,U4,U5,U6,U7,U8,U9\n"


def read(text: str):
    return read_responses(io.BytesIO(text.encode()), SCHEMA)


def problems(text: str) -> list[str]:
    with pytest.raises(ResponsesError) as caught:
        read(text)
    return caught.value.problems


def worked_csv() -> str:
    """docs/kuesioner.md §5 as the export writes it: U3 the mean, its parts after, U4 empty."""
    lines = [HEAD]
    for n, r in enumerate(WORKED, 1):
        mean = value_text(Fraction(r["U3.1/2"] + r["U3.2/2"], 2))
        cells = [r["U1"], r["U2"], mean, r["U3.1/2"], r["U3.2/2"], ""]
        cells += [r[c] for c in SKM[4:]]
        lines.append(f"2026-01-0{n}T08:00:00+07:00,KUNJ," + ",".join(map(str, cells)) + "\n")
    return "".join(lines)


def test_the_worked_example_in_parts_scores_as_computed_by_hand():
    frame = read(worked_csv())
    result = score_frame(frame, SKM)
    # docs/kuesioner.md §5: index 53/16, IKM 82,81 B; U3 19/6; U4 left out
    assert result.index == Fraction(53, 16) and result.nilai == Decimal("82.81")
    assert {i.code: i.nrr for i in result.items}["U3"] == Fraction(19, 6)
    assert {i.code: i.nrr for i in result.items}["U4"] is None and result.n == 6
    assert result.as_dict("skm") == score_answers(WORKED, SKM).as_dict("skm")
    assert frame["U3"].isna().all()  # the parts carry the answer; the mean is not read twice


def test_a_fraction_in_a_plain_item_column_is_still_refused():
    text = "submitted_at,layanan,U1,U3\n2026-01-05T08:00:00,KUNJ,4,2.5\n"
    assert problems(text) == ["row 1, column U3: value 2.5 is not a whole number"]


def test_plain_rows_and_rows_in_parts_pool_by_item_code():
    text = (
        "submitted_at,layanan,U3,U3.1/2,U3.2/2,U3.1/3,U3.2/3,U3.3/3\n"
        "2026-01-05T08:00:00,KUNJ,4,,,,,\n"
        "2026-01-05T09:00:00,KUNJ,3.5,3,4,,,\n"
        "2026-01-05T10:00:00,KUNJ,2.3333,,,2,2,3\n"
        "2026-01-05T11:00:00,KUNJ,,,,1,2,2\n"
    )
    result = score_frame(read(text), SKM)
    # (4 + 7/2 + 7/3 + 5/3) / 4 = 23/2 / 4 = 23/8
    assert {i.code: i.nrr for i in result.items}["U3"] == Fraction(23, 8) and result.n == 4


@pytest.mark.parametrize(
    ("columns", "row", "expected"),
    [
        ("U3.1/2", "3", ["column U3.1/2: a sub-question of U3 whose other part U3.2/2 is missing"]),
        (
            "U3.1/2,U3.2/2",
            "3,",
            [
                "row 1, column U3.2/2: a value is required when another sub-question of U3 is "
                "answered (U3.1/2, U3.2/2)"
            ],
        ),
        ("U3.1/2,U3.2/2", "3,5", ["row 1, column U3.2/2: value 5 is outside 1-4"]),
        ("U3.1/2,U3.2/2", "3,2.5", ["row 1, column U3.2/2: value 2.5 is not a whole number"]),
        (
            "U3,U3.1/2,U3.2/2",
            "3,3,4",
            ["row 1, column U3: value 3 is not the mean of its sub-questions (3.5)"],
        ),
        (
            "U3.1/2,U3.2/2,U3.3/2",
            "3,4,4",
            ["column U3.3/2: unknown column (list it with --ignore to skip it)"],
        ),
    ],
)
def test_bad_sub_question_columns_are_named_and_nothing_is_read(columns, row, expected):
    text = f"submitted_at,layanan,U1,{columns}\n2026-01-05T08:00:00,KUNJ,4,{row}\n"
    assert problems(text) == expected


def test_a_mapping_may_name_sub_question_parts_but_no_part_beyond_its_count():
    scales = SCHEMA.item_scales
    targets = ["submitted_at", "layanan", *scales]
    mapping = parse_mapping({"kolom": {"U3.1/2": "Kecepatan", "U3.2/2": "Lama"}}, targets, scales)
    assert mapping.kolom == {"U3.1/2": "Kecepatan", "U3.2/2": "Lama"}
    with pytest.raises(MappingError, match="'U3.3/2' is not a column"):
        parse_mapping({"kolom": {"U3.3/2": "Lama"}}, targets, scales)


@pytest.mark.parametrize(
    ("value", "text"),
    [(Fraction(4), "4"), (Fraction(7, 2), "3.5"), (Fraction(13, 4), "3.25"),
     (Fraction(7, 3), "2.3333"), (Fraction(11, 3), "3.6667")],
)  # fmt: skip
def test_an_items_value_is_written_exactly_or_half_up_to_4_places(value, text):
    assert value_text(value) == text


def test_an_items_cell_beside_its_parts_is_named_as_written():
    text = (
        "submitted_at,layanan,U3,U3.1/2,U3.2/2\n"
        "2026-01-05T08:00:00,KUNJ,3.5,3,4\n"
        "2026-01-05T09:00:00,KUNJ,3,3,4\n"
    )
    assert problems(text) == [
        "row 2, column U3: value 3 is not the mean of its sub-questions (3.5)"
    ]
