"""The monthly rollup (issue 9): always equal to the counted answers, whatever the path.

Dashboards read ``rekap_bulanan`` instead of the answers, so every way answers come, go or stop
counting must keep it exact: the form, an import, a replayed form, a rolled-back transaction, an
exclusion made, reversed and made again, a backup restored, the migration that creates it, and
concurrent submissions to one layanan-month on PostgreSQL.
"""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from flask.cli import ScriptInfo
from flask_migrate import upgrade
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from analysis.responses import read_responses
from analysis.scoring import score
from survey_app import create_app
from survey_app.cli import main
from survey_app.extensions import db
from survey_app.models import Layanan, RekapBulanan, Submission
from survey_app.services.administration.accounts import create_user
from survey_app.services.collection import rollup
from survey_app.services.collection.answers import answers_frame
from survey_app.services.collection.imports import import_responses
from survey_app.services.collection.integrity import decide
from survey_app.services.collection.submissions import Response, record_submission
from survey_app.services.reporting.aggregates import profile_counts, tallies
from tests.conftest import FIXTURES, database_url, empty_database, make_layanan, make_unit

EXPECTED = json.loads((FIXTURES / "worked_example.expected.json").read_text())
ALL = ("skm", "ipak", "ipkp")
MONTHS = ["2026-01", "2026-02", "2026-03"]


def at(month: str, day: int = 10) -> datetime:
    return datetime(int(month[:4]), int(month[5:]), day, 3, 0, tzinfo=UTC)


def differences() -> list[str]:
    with db.engine.connect() as connection:
        return rollup.differences(connection)


def rollup_rows() -> list[tuple]:
    return list(
        db.session.execute(
            select(RekapBulanan.__table__).order_by(*RekapBulanan.__table__.primary_key.columns)
        )
    )


def assert_scores_match_the_raw_answers(catalogue, layanan: list[Layanan]) -> None:
    """Per layanan and month, and pooled: the rollup's scores are those of the raw answers."""
    ids = [x.id for x in layanan]
    found = tallies(db.session, ids, MONTHS)
    pooled = tallies(db.session, ids, MONTHS, by="semua", per_month=False)
    codes = [c for i in catalogue.instruments.values() for c in i.codes]
    raw = answers_frame(db.session, ids, MONTHS, items=codes)
    raw = raw.reindex(columns=[*raw.columns, *[c for c in codes if c not in raw.columns]])
    for instrument in catalogue.instruments.values():
        assert pooled.score(instrument) == score(raw, instrument.codes, instrument.scale)
        for x in layanan:
            for month in MONTHS:
                part = raw[(raw["layanan_id"] == x.id) & (raw["period"] == month)]
                mine = found.where(months=[month], layanan_ids=[x.id]).score(instrument)
                assert mine == score(part, instrument.codes, instrument.scale)
    profile = profile_counts(db.session, ids, MONTHS)
    for key in ("jenis_kelamin", "pendidikan"):
        assert profile[key] == {str(k): int(v) for k, v in raw[key].value_counts().items()}


def test_the_worked_example_imported_is_scored_exactly_from_the_rollup(app, unit):
    catalogue = app.extensions["zisurvey.catalogue"]
    services = [make_layanan(unit, "KUNJ", ALL), make_layanan(unit, "TITIP", ALL)]
    for _ in range(2):  # the second import adds nothing, and the rollup stays as it was
        frame = read_responses(
            FIXTURES / "worked_example.csv", catalogue.schema(), tz=unit.timezone
        )
        import_responses(db.session, catalogue, unit, frame, at("2026-03"))
        db.session.commit()
        found = tallies(db.session, [s.id for s in services], ["2026-01", "2026-02"])
        assert found.total == 30
        for name in ALL:
            assert found.score(catalogue.instruments[name]).as_dict(name) == EXPECTED[name]
    assert differences() == []


def test_a_rolled_back_submission_leaves_the_rollup_as_it_was(app, layanan):
    catalogue = app.extensions["zisurvey.catalogue"]
    kept = Response({"U1": 4, "U2": 3}, {"jenis_kelamin": "P"}, None, "satu")
    record_submission(db.session, catalogue, layanan, kept, at("2026-01"))
    db.session.commit()
    before = rollup_rows()
    lost = Response({"U1": 1, "AK1": 2}, {"jenis_kelamin": "L"}, None, "dua")
    record_submission(db.session, catalogue, layanan, lost, at("2026-01"))
    db.session.rollback()
    assert rollup_rows() == before
    assert (layanan.id, "2026-01", "butir", "U1", 1, 4) in before
    again, new = record_submission(db.session, catalogue, layanan, kept, at("2026-01"))
    db.session.commit()
    assert not new and rollup_rows() == before  # a replayed form adds nothing
    assert differences() == []


ANSWER = st.integers(min_value=1, max_value=4)
SUBMIT = st.tuples(
    st.just("kirim"),
    st.integers(0, 2),  # which layanan
    st.sampled_from(MONTHS),
    st.dictionaries(
        st.sampled_from(["U1", "U5", "U9", "AK1", "AK3", "PK2", "PK8"]), ANSWER, min_size=1
    ),
    st.sampled_from([None, "L", "P"]),
    st.sampled_from([None, "SMA", "D4/S1"]),
)
REVIEW = st.tuples(
    st.just("tinjau"), st.integers(0, 1000), st.sampled_from(["kecualikan", "pertahankan"])
)
REPLAY = st.tuples(st.just("ulang"), st.integers(0, 1000))


@pytest.fixture
def world(app):
    kanwil = make_unit("KANWIL", jenis="kanwil")
    lapas, rutan = make_unit("LAPAS", parent=kanwil), make_unit("RUTAN", parent=kanwil)
    layanan = [
        make_layanan(lapas, "KUNJ", ALL),
        make_layanan(lapas, "TITIP", ("skm", "ipak"), kebutuhan_utama=False),
        make_layanan(rutan, "KUNJ", ("skm", "ipak", "ipkp")),
    ]
    user = create_user(db.session, "admin", "sandi-rahasia-1", "admin")
    db.session.commit()
    return {"layanan": layanan, "user": user, "keys": []}


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(operations=st.lists(st.one_of(SUBMIT, SUBMIT, REVIEW, REPLAY), min_size=1, max_size=12))
def test_any_mix_of_answers_and_reviews_keeps_the_rollup_equal_to_the_answers(
    app, world, operations
):
    """Submissions, replays, exclusions made, undone and made twice: after each commit the
    rollup equals the GROUP BY over the counted answers, and scores equal the raw answers'."""
    catalogue = app.extensions["zisurvey.catalogue"]
    layanan, keys = world["layanan"], world["keys"]
    for operation in operations:
        if operation[0] == "kirim":
            _, which, month, answers, sex, school = operation
            target = layanan[which]
            carried = set(target.instrument_ids)
            answers = {c: v for c, v in answers.items() if catalogue.owner(c).id in carried}
            if not answers:
                continue
            profile = {"jenis_kelamin": sex or "", "pendidikan": school or ""}
            key = f"k{len(keys)}-{which}"
            record_submission(
                db.session, catalogue, target, Response(answers, profile, None, key), at(month)
            )
            keys.append((key, target, month, answers, profile))
        elif operation[0] == "ulang" and keys:
            key, target, month, answers, profile = keys[operation[1] % len(keys)]
            _, new = record_submission(
                db.session, catalogue, target, Response(answers, profile, None, key), at(month)
            )
            assert not new
        elif operation[0] == "tinjau":
            ids = list(db.session.scalars(select(Submission.id).order_by(Submission.id)))
            if ids:
                chosen = db.session.get(Submission, ids[operation[1] % len(ids)])
                decide(
                    db.session, world["user"], chosen, operation[2], "lainnya", "uji", at("2026-03")
                )
        db.session.commit()
    assert differences() == []
    assert_scores_match_the_raw_answers(catalogue, layanan)


def cli(app, *args):
    return CliRunner().invoke(main, list(args), obj=ScriptInfo(create_app=lambda: app))


def test_the_rollup_command_finds_a_wrong_rollup_and_rebuilds_it(app, layanan):
    catalogue = app.extensions["zisurvey.catalogue"]
    for n, value in enumerate([4, 3, 3]):
        response = Response({"U1": value, "AK1": 2}, {}, None, f"r{n}")
        record_submission(db.session, catalogue, layanan, response, at("2026-02"))
    db.session.commit()
    right = rollup_rows()
    ok = cli(app, "rollup")
    assert ok.exit_code == 0 and "sama dengan jawaban" in ok.stdout
    db.session.execute(sa.update(RekapBulanan).where(RekapBulanan.kunci == "U1").values(jumlah=99))
    db.session.commit()
    wrong = cli(app, "rollup")
    assert wrong.exit_code == 1
    assert f"layanan {layanan.id} 2026-02 butir U1: tersimpan (3, 99), seharusnya (3, 10)" in (
        wrong.stderr
    )
    assert "zisurvey rollup --rebuild" in wrong.stderr
    rebuilt = cli(app, "rollup", "--rebuild")
    assert rebuilt.exit_code == 0 and f"{len(right)} baris" in rebuilt.stdout
    db.session.expire_all()
    assert rollup_rows() == right
    assert cli(app, "rollup").exit_code == 0


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_the_migration_fills_the_rollup_from_answers_already_stored(backend, tmp_path):
    """A deployment upgrading to 0007 gets its past months in the rollup, exclusions left out."""
    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": database_url(backend, tmp_path), "SECRET_KEY": "t"}
    )
    with app.app_context():
        empty_database()
        upgrade(revision="0006")
        statements = [
            "INSERT INTO unit (id, kode, nama, jenis, timezone, jam_buka, jam_tutup) "
            "VALUES (1, 'U', 'Unit', 'upt', 'Asia/Jakarta', '08:00', '16:00')",
            "INSERT INTO layanan (id, unit_id, kode, nama, kebutuhan_utama, aktif, token) "
            "VALUES (1, 1, 'K', 'Kunjungan', true, true, 'tok')",
            "INSERT INTO pengguna (id, username, password_hash, role, aktif, gagal_masuk) "
            "VALUES (1, 'admin', 'x', 'admin', true, 0)",
        ]
        for n in range(1, 5):
            statements.append(
                "INSERT INTO submission (id, layanan_id, submitted_at, period, idempotency_key, "
                f"source, jenis_kelamin) VALUES ({n}, 1, '2026-0{n % 2 + 1}-05 03:00:00+00', "
                f"'2026-0{n % 2 + 1}', 'k{n}', 'form', '{'L' if n < 3 else 'P'}')"
            )
            for code, instrument in (("U1", "skm"), ("U2", "skm"), ("AK1", "ipak")):
                statements.append(
                    "INSERT INTO answer (submission_id, item_code, instrument_id, "
                    f"instrument_version, scale, value) VALUES ({n}, '{code}', '{instrument}', "
                    f"'1', 4, {n})"
                )
        statements.append(
            "INSERT INTO tinjauan (submission_id, keputusan, alasan, catatan, pengguna_id, at) "
            "VALUES (3, 'kecualikan', 'cepat', '', 1, '2026-02-06 03:00:00+00')"
        )
        with db.engine.begin() as connection:
            for statement in statements:
                connection.execute(sa.text(statement))
        upgrade()
        assert differences() == []
        found = tallies(db.session, [1], ["2026-01", "2026-02"])
        # submissions 2 and 4 in January; 1 and 3 in February, where 3 is excluded
        assert found.counts("2026-01") == {"1": 2} and found.counts("2026-02") == {"1": 1}
        assert {(1, "2026-01", "U1", 2, 6), (1, "2026-02", "U1", 1, 1)} <= set(found.items)
        assert profile_counts(db.session, [1], ["2026-01", "2026-02"])["jenis_kelamin"] == {
            "L": 2,
            "P": 1,
        }
        db.session.remove()
        empty_database()
        db.engine.dispose()


@pytest.mark.parametrize("backend", ["postgresql"])  # SQLite has one writer at a time
def test_concurrent_submissions_to_one_layanan_month_wait_never_deadlock_and_all_count(
    app, backend, layanan
):
    """Eight workers storing answers at once into the same rollup rows (PostgreSQL row locks)."""
    catalogue = app.extensions["zisurvey.catalogue"]
    errors: list[BaseException] = []
    start = threading.Barrier(8)
    engine, layanan_id = db.engine, layanan.id

    def worker(number: int) -> None:
        try:
            with Session(engine) as session:
                mine = session.get(Layanan, layanan_id)
                start.wait()
                for n in range(15):
                    answers = {"U1": 1 + (number + n) % 4, "AK1": 4, "U9": 2}
                    response = Response(answers, {"jenis_kelamin": "P"}, None, f"w{number}-{n}")
                    record_submission(session, catalogue, mine, response, at("2026-01"))
                    session.commit()
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert db.session.scalar(select(func.count()).select_from(Submission)) == 120
    found = tallies(db.session, [layanan.id], ["2026-01"])
    assert found.counts("2026-01") == {str(layanan.id): 120}
    assert differences() == []


@pytest.mark.parametrize("backend", ["postgresql"])  # SQLite has one writer at a time
def test_simultaneous_decisions_on_one_answer_move_the_rollup_once(app, backend, layanan):
    """Ten staff deciding on one answer at once (issue 19.2): once 44 became 42 and a 500."""
    catalogue = app.extensions["zisurvey.catalogue"]
    for n in range(3):
        response = Response({"U1": 4, "AK1": 4}, {}, None, f"r{n}")
        record_submission(db.session, catalogue, layanan, response, at("2026-01"))
    admin = create_user(db.session, "pengawas", "sandi-rahasia-1", "admin")
    db.session.commit()
    target = db.session.scalars(select(Submission).order_by(Submission.id)).first().id
    engine, admin_id = db.engine, admin.id

    def race(keputusan: list[str]) -> list[BaseException]:
        errors: list[BaseException] = []
        start = threading.Barrier(len(keputusan))

        def worker(choice: str) -> None:
            try:
                with Session(engine) as session:
                    user = session.get(type(admin), admin_id)
                    submission = session.get(Submission, target)
                    start.wait()
                    decide(session, user, submission, choice, "beruntun", "uji", at("2026-01"))
                    session.commit()
            except BaseException as exc:  # noqa: BLE001 - reported by the main thread
                errors.append(exc)

        threads = [threading.Thread(target=worker, args=(c,)) for c in keputusan]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return errors

    kiriman = (RekapBulanan.jenis == "kiriman") & (RekapBulanan.layanan_id == layanan.id)
    assert race(["kecualikan"] * 10) == []  # ten first decisions at once
    assert differences() == []
    assert db.session.scalar(select(RekapBulanan.n).where(kiriman)) == 2  # out once, not ten times
    assert race(["kecualikan", "pertahankan"] * 5) == []  # and back and forth
    assert differences() == []
