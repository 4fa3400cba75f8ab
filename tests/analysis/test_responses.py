"""Reading a responses file: every problem at once, by row and column, or a clean frame."""

import io

import pandas as pd
import pytest

from analysis.responses import ResponsesError, read_responses, read_services
from survey_app.services.catalogue import load_catalogue
from tests.conftest import FIXTURES

SCHEMA = load_catalogue().schema()
HEADER = "submitted_at,layanan,U1,U2\n"


def problems(text: str, **kwargs) -> list[str]:
    with pytest.raises(ResponsesError) as caught:
        read_responses(io.BytesIO(text.encode()), SCHEMA, **kwargs)
    return caught.value.problems


def test_worked_example_reads_clean():
    frame = read_responses(FIXTURES / "worked_example.csv", SCHEMA)
    assert len(frame) == 30
    assert frame["period"].unique().tolist() == ["2026-01"]
    assert frame["umur"].iloc[0] == "20-29"  # years become the coarse band


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("0", "row 1, column U1: value 0 is outside 1-4"),
        ("5", "row 1, column U1: value 5 is outside 1-4"),
        ("2.5", "row 1, column U1: value 2.5 is not a whole number"),
        ("x", "row 1, column U1: value x is not a whole number"),
    ],
)
def test_bad_answers_are_named_by_row_and_column(value, message):
    assert problems(HEADER + f"2026-01-05T08:00:00,KUNJ,{value},3\n") == [message]


def test_every_problem_is_reported_at_once():
    text = HEADER.replace("U2", "U2,foo") + (
        "2026-01-05T08:00:00,KUNJ,5,3,\nnot-a-date,KUNJ,2,3,\n2026-01-05T09:00:00,,,,\n"
    )
    assert problems(text) == ["column foo: unknown column (list it with --ignore to skip it)"]
    found = problems(text, ignore=["foo"])
    assert found == [
        "row 1, column U1: value 5 is outside 1-4",
        "row 2, column submitted_at: value not-a-date is not an ISO 8601 timestamp",
        "row 3, column layanan: a value is required",
        "row 3: no answer to any item",
    ]


def test_empty_file_and_header_only():
    assert problems("") == ["the file is empty"]
    assert problems(HEADER) == ["the file has no data rows"]


def test_missing_required_column_and_duplicate_ids():
    assert problems("layanan,U1\nKUNJ,4\n") == ["column submitted_at: required column is missing"]
    text = "id,submitted_at,layanan,U1\na,2026-01-05T08:00:00,K,4\na,2026-01-05T08:00:00,K,4\n"
    assert problems(text) == ["row 2, column id: value a appears more than once (first on row 1)"]


def test_timestamps_without_offset_are_read_in_the_units_zone():
    text = HEADER + "2026-01-31T23:30:00,KUNJ,4,4\n2026-02-01T00:30:00,KUNJ,4,4\n"
    text += "2026-01-31T23:30:00+07:00,KUNJ,4,4\n"
    frame = read_responses(io.BytesIO(text.encode()), SCHEMA, tz="Asia/Makassar")
    assert frame["period"].tolist() == ["2026-01", "2026-02", "2026-02"]  # 23:30 WIB = 00:30 WITA
    assert str(frame["submitted_at"].iloc[0]) == "2026-01-31 15:30:00+00:00"


def test_xlsx_is_read_like_csv(tmp_path):
    path = tmp_path / "jawaban.xlsx"
    frame = pd.read_csv(FIXTURES / "worked_example.csv")
    frame.to_excel(path, index=False)
    from_xlsx = read_responses(path, SCHEMA)
    from_csv = read_responses(FIXTURES / "worked_example.csv", SCHEMA)
    pd.testing.assert_frame_equal(from_xlsx, from_csv)


def test_services_file_flags():
    text = "kode,nama,kebutuhan_utama\nKUNJ,Kunjungan,ya\nTITIP,Titip,false\nX,Y,mungkin\n"
    with pytest.raises(ResponsesError) as caught:
        read_services(io.BytesIO(text.encode()))
    assert caught.value.problems == [
        "row 3, column kebutuhan_utama: value mungkin is not ya or tidak"
    ]
    good = read_services(io.BytesIO(text.rsplit("X,", 1)[0].encode()))
    assert good["kebutuhan_utama"].tolist() == [True, False]
