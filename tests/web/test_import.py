"""Storing a responses file: all or nothing, idempotent by id, and scored back exactly."""

import json
from datetime import UTC, datetime

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from analysis.responses import ResponsesError, read_responses
from analysis.scoring import score
from survey_app.cli import main
from survey_app.extensions import db
from survey_app.models import Submission
from survey_app.services.collection.answers import answers_frame
from survey_app.services.collection.imports import import_responses
from tests.conftest import FIXTURES, make_layanan

ALL = ("skm", "ipak", "ipkp")
EXPECTED = json.loads((FIXTURES / "worked_example.expected.json").read_text())
CODES = {
    "skm": [f"U{i}" for i in range(1, 10)],
    "ipak": [f"AK{i}" for i in range(1, 6)],
    "ipkp": [f"PK{i}" for i in range(1, 9)],
}


def stored() -> int:
    return db.session.scalar(select(func.count()).select_from(Submission))


@pytest.fixture
def services(unit):
    return [
        make_layanan(unit, "KUNJ", ALL),
        make_layanan(unit, "TITIP", ALL, kebutuhan_utama=False),
    ]


def run_import(app, unit, path):
    catalogue = app.extensions["zisurvey.catalogue"]
    frame = read_responses(path, catalogue.schema(), tz=unit.timezone)
    result = import_responses(db.session, catalogue, unit, frame, datetime(2026, 3, 1, tzinfo=UTC))
    db.session.commit()
    return result


def test_worked_example_imported_scores_exactly_as_expected(app, unit, services):
    result = run_import(app, unit, FIXTURES / "worked_example.csv")
    assert result.added == 30 and result.already_there == 0
    assert sum(result.per_layanan.values()) == 30
    frame = answers_frame(db.session, [s.id for s in services])
    for instrument, codes in CODES.items():
        assert score(frame, codes).as_dict(instrument) == EXPECTED[instrument]
    submission = db.session.scalars(select(Submission).order_by(Submission.id)).first()
    assert (
        submission.source == "unggahan" and submission.idempotency_key == f"import:{unit.kode}:r001"
    )
    assert submission.umur == "20-29" and submission.period == "2026-01"


def test_importing_the_same_file_again_adds_nothing(app, unit, services):
    run_import(app, unit, FIXTURES / "worked_example.csv")
    again = run_import(app, unit, FIXTURES / "worked_example.csv")
    assert (again.added, again.already_there, stored()) == (0, 30, 30)


def test_rows_that_do_not_fit_the_unit_are_all_reported_and_nothing_is_stored(app, unit, tmp_path):
    make_layanan(unit, "KUNJ", ("skm", "ipak"))  # no IPKP on this form
    path = tmp_path / "jawaban.csv"
    path.write_text(
        "submitted_at,layanan,U1,PK1\n"
        "2026-01-05T08:00:00,KUNJ,4,3\n"
        "2026-01-05T08:00:00,LAIN,4,\n"
        "2027-01-05T08:00:00,KUNJ,4,\n"
        "2026-01-06T08:00:00,KUNJ,3,\n"
    )
    with pytest.raises(ResponsesError) as caught:
        run_import(app, unit, path)
    db.session.rollback()
    assert caught.value.problems == [
        "row 2, column layanan: value LAIN is not a layanan of this unit",
        "rows 1 (1 in all), columns PK1-PK1: layanan KUNJ does not carry ipkp; add it to the "
        "layanan or leave those columns out",
        "row 3, column submitted_at: value 2027-01-05T00:00:00+00:00 is in the future",
    ]
    assert stored() == 0


def test_import_command_is_all_or_nothing_and_idempotent(app, unit, services, tmp_path):
    runner = CliRunner()
    args = ["import", str(FIXTURES / "worked_example.csv"), "--unit", unit.kode]
    first = runner.invoke(main, args, obj=_script_info(app))
    assert first.exit_code == 0, first.output
    assert first.stdout.strip() == "30 jawaban ditambahkan, 0 sudah ada."
    second = runner.invoke(main, args, obj=_script_info(app))
    assert second.stdout.strip() == "0 jawaban ditambahkan, 30 sudah ada."
    bad = tmp_path / "bad.csv"
    bad.write_text(
        (FIXTURES / "worked_example.csv")
        .read_text()
        .replace("r030,", "r031,")
        .replace(",4,4,4,4,4,", ",4,9,4,4,4,", 1)
    )
    third = runner.invoke(main, ["import", str(bad), "--unit", unit.kode], obj=_script_info(app))
    assert third.exit_code == 2 and third.stdout == ""
    assert "is outside 1-4" in third.stderr
    assert stored() == 30


def _script_info(app):
    from flask.cli import ScriptInfo

    return ScriptInfo(create_app=lambda: app)


def test_the_import_command_refuses_a_file_without_ids_twice_and_a_nul(
    app, unit, services, tmp_path
):
    """Issue 18.5 on the command line: a file without ids imported again adds nothing (its
    rows' fingerprints), and a NUL (which the CSV parser would cut a cell short at) is refused."""
    lines = (FIXTURES / "worked_example.csv").read_text().splitlines()
    plain = tmp_path / "tanpa_id.csv"
    plain.write_text("\n".join(line.split(",", 1)[1] for line in lines) + "\n")
    runner, args = CliRunner(), ["import", str(plain), "--unit", unit.kode]
    assert runner.invoke(main, args, obj=_script_info(app)).stdout.strip() == (
        "30 jawaban ditambahkan, 0 sudah ada."
    )
    again = runner.invoke(main, args, obj=_script_info(app))
    assert again.stdout.strip() == "0 jawaban ditambahkan, 30 sudah ada." and stored() == 30
    nul = tmp_path / "nul.csv"
    nul.write_bytes(
        b"\n".join([lines[0].encode(), lines[1].replace("r001", "r9").encode() + b"ada\0"])
    )
    refused = runner.invoke(main, ["import", str(nul), "--unit", unit.kode], obj=_script_info(app))
    assert refused.exit_code == 2 and "baris berkas 2: berisi karakter NUL" in refused.stderr
    assert stored() == 30
