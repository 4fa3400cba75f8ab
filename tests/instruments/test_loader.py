"""Instrument files: the shipped ones load as the spec says; a broken one stops start-up."""

from pathlib import Path

import pytest

from instruments import InstrumentError, load_directory
from instruments.loader import DEFAULT_DIRECTORY
from survey_app import create_app


def test_shipped_instruments_match_the_spec():
    loaded = load_directory()
    assert {k: (v.index, v.scale, v.codes) for k, v in loaded.items()} == {
        "skm": ("IKM", 4, tuple(f"U{i}" for i in range(1, 10))),
        "ipak": ("IPAK", 4, tuple(f"AK{i}" for i in range(1, 6))),
        "ipkp": ("IPKP", 4, tuple(f"PK{i}" for i in range(1, 9))),
    }
    u4 = loaded["skm"].item("U4")
    assert [t.id for t in u4.labels] == ["Sangat mahal", "Cukup mahal", "Murah", "Gratis"]
    assert u4.question.en and u4.dimension.id == "Biaya/Tarif"


def _copy_with(tmp_path: Path, name: str, text: str) -> Path:
    for path in DEFAULT_DIRECTORY.glob("*.yaml"):
        (tmp_path / path.name).write_text(path.read_text())
    (tmp_path / name).write_text(text)
    return tmp_path


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (
            "id: xx\nversion: '1'\nindex: X\nscale: 4\ntitle: {id: a, en: b}\nitems: []\n",
            "it has no items",
        ),
        (
            "id: xx\nversion: '1'\nindex: X\nscale: 4\ntitle: {id: a, en: b}\nitems:\n"
            "  - {code: X1, dimension: {id: a, en: b}, question: {id: q, en: q},"
            " labels: {id: [a, b, c], en: [a, b, c]}}\n",
            "item X1: labels need 4 entries in id and en",
        ),
        (
            "id: xx\nversion: '1'\nindex: X\nscale: 4\ntitle: {id: a, en: b}\nitems:\n"
            "  - {code: U1, dimension: {id: a, en: b}, question: {id: q, en: q},"
            " labels: {id: [a, b, c, d], en: [a, b, c, d]}}\n",
            "item U1 already belongs to instrument skm",
        ),
        ("id: [unclosed\n", "zz.yaml: "),
    ],
)
def test_a_broken_file_stops_start_up_naming_the_file_and_the_problem(tmp_path, text, problem):
    folder = _copy_with(tmp_path, "zz.yaml", text)
    with pytest.raises(InstrumentError) as caught:
        create_app(
            {
                "INSTRUMENT_DIR": str(folder),
                "SECRET_KEY": "x",
                "SQLALCHEMY_DATABASE_URI": "sqlite://",
            }
        )
    assert str(caught.value).startswith("zz.yaml: ")
    assert problem in str(caught.value)
