"""The fixtures are copies of the specification's own (../shared/fixtures): they must not drift."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import FIXTURES

SHARED_FIXTURES = Path(__file__).resolve().parents[1].parent / "shared" / "fixtures"


def shared_files() -> list[Path]:
    if not SHARED_FIXTURES.is_dir():
        return []
    return sorted(p.relative_to(SHARED_FIXTURES) for p in SHARED_FIXTURES.rglob("*") if p.is_file())


def test_the_worked_example_and_its_expected_results_are_in_the_repository():
    expected = json.loads((FIXTURES / "worked_example.expected.json").read_text())
    rows = (FIXTURES / "worked_example.csv").read_text().splitlines()
    assert expected and len(rows) > 1


@pytest.mark.skipif(
    not SHARED_FIXTURES.is_dir(),
    reason=f"comparison skipped: {SHARED_FIXTURES} is not beside this checkout",
)
@pytest.mark.parametrize("name", shared_files() or [Path("-")], ids=str)
def test_each_copy_equals_the_shared_fixture(name):
    copy = FIXTURES / name
    assert copy.is_file(), f"tests/fixtures/{name} is missing: copy it from {SHARED_FIXTURES}"
    assert copy.read_bytes() == (SHARED_FIXTURES / name).read_bytes(), f"{name} differs"
