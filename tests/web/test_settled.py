"""Settled months' sums kept in memory (issue 20.4): never a figure the rollup no longer holds.

A dashboard keeps a whole subtree's sums of a month that has ended, under that month's version
(``rekap_versi``); every change to such a month (a late answer, an exclusion and its reversal,
an import, a rebuild) gives it a new version in the same transaction. These tests compare the
kept path with a plain read of the rollup after each kind of change, on SQLite and PostgreSQL,
including a change committed between the version read and the sums read.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from sqlalchemy import select
from sqlalchemy.orm import Session

from survey_app.extensions import db
from survey_app.models import RekapVersi, Submission
from survey_app.services.administration.accounts import create_user
from survey_app.services.collection import integrity, rollup
from survey_app.services.collection.integrity import decide
from survey_app.services.collection.submissions import Response, record_submission
from survey_app.services.reporting import settled
from survey_app.services.reporting.aggregates import Tallies, tallies
from tests.conftest import make_layanan, make_unit

MONTHS = ["2026-01", "2026-02", "2026-03", "2026-04"]
RUNNING = "2026-04"  # as if now were April 2026: January to March are kept, April is not


def at(month: str, day: int = 10) -> datetime:
    return datetime(int(month[:4]), int(month[5:]), day, 3, 0, tzinfo=UTC)


def rows(found: Tallies) -> tuple[list, list, list]:
    return sorted(found.submissions), sorted(found.respondents), sorted(found.items)


@pytest.fixture
def world(app, monkeypatch):
    monkeypatch.setattr(rollup, "answering_month", lambda: RUNNING)
    monkeypatch.setattr(settled, "settled_before", lambda: RUNNING)
    kanwil = make_unit("KANWIL", jenis="kanwil")
    lapas, rutan = make_unit("LAPAS", parent=kanwil), make_unit("RUTAN", parent=kanwil)
    layanan = [
        make_layanan(lapas, "KUNJ", ("skm", "ipak")),
        make_layanan(lapas, "TITIP", ("skm",)),
        make_layanan(rutan, "KUNJ", ("skm", "ipak", "ipkp")),
    ]
    catalogue = app.extensions["zisurvey.catalogue"]
    for n in range(16):
        target = layanan[n % 3]
        answers = {"U1": 1 + n % 4, "U5": 1 + (n * 3) % 4}
        if "ipak" in target.instrument_ids:
            answers["AK2"] = 1 + (n * 5) % 4
        response = Response(answers, {"jenis_kelamin": "LP"[n % 2]}, None, f"w{n}")
        record_submission(db.session, catalogue, target, response, at(MONTHS[n % 4]))
    db.session.commit()
    return {"layanan": layanan, "ids": [x.id for x in layanan], "catalogue": catalogue}


@pytest.fixture
def reads(app):
    """The statements that read the rollup, counted as they run."""
    found: list[str] = []  # each statement with its parameters

    def seen(conn, cursor, statement, params, context, executemany):  # noqa: ANN001
        if "FROM rekap_bulanan" in statement:
            found.append(f"{statement} {params}")

    sa.event.listen(db.engine, "before_cursor_execute", seen)
    yield found
    sa.event.remove(db.engine, "before_cursor_execute", seen)


def versions() -> dict[str, int]:
    return {p: v for p, v in db.session.execute(select(RekapVersi.period, RekapVersi.versi))}


def check(ids: list[int]) -> Tallies:
    """The kept path equals a plain read of the rollup, month by month."""
    found = settled.month_tallies(db.session, ids, MONTHS)
    assert rows(found) == rows(tallies(db.session, ids, MONTHS, by="semua"))
    return found


def test_kept_months_are_read_once_and_equal_the_rollup(world, reads):
    ids = world["ids"]
    first = check(ids)
    assert first.total == 16
    reads.clear()
    second = settled.month_tallies(db.session, ids, MONTHS)
    assert rows(second) == rows(first)
    # one read, of the month not kept (the running one)
    assert len(reads) == 1
    assert "2026-04" in reads[0]
    assert not any(month in reads[0] for month in ("2026-01", "2026-02", "2026-03"))
    again = settled.month_tallies(db.session, ids, ["2026-01", "2026-02"])
    assert len(reads) == 1  # only kept months asked: no read of the rollup at all
    assert again.total == first.where(months=["2026-01", "2026-02"]).total
    score = world["catalogue"].instruments["skm"]
    assert again.score(score) == first.where(months=["2026-01", "2026-02"]).score(score)


def test_a_form_answer_of_the_running_month_writes_no_version(world):
    before = versions()
    response = Response({"U1": 4}, {}, None, "running")
    record_submission(db.session, world["catalogue"], world["layanan"][0], response, at(RUNNING))
    db.session.commit()
    assert versions() == before
    assert RUNNING not in versions()
    # a kiosk's queue sent late: the month before is renewed
    late = Response({"U1": 4}, {}, None, "late")
    record_submission(db.session, world["catalogue"], world["layanan"][0], late, at("2026-03", 31))
    db.session.commit()
    assert versions()["2026-03"] != before.get("2026-03")
    assert set(versions()) == set(before) | {"2026-03"}


def test_every_change_to_a_kept_month_is_seen_at_once(world):
    ids, catalogue = world["ids"], world["catalogue"]
    user = create_user(db.session, "admin", "sandi-rahasia-1", "admin")
    db.session.commit()
    check(ids)  # January and February kept
    v = versions()
    # a late answer (a kiosk offline, a form opened before midnight) in January
    late = Response({"U1": 1, "U5": 1}, {}, None, "late")
    record_submission(db.session, catalogue, world["layanan"][1], late, at("2026-01", 31))
    db.session.commit()
    assert versions()["2026-01"] != v.get("2026-01", 0)
    assert check(ids).where(months=["2026-01"]).total == 5
    # an exclusion, its reversal, and again
    chosen = db.session.scalar(
        select(Submission).where(Submission.period == "2026-02").order_by(Submission.id)
    )
    for decision, total in (("kecualikan", 3), ("pertahankan", 4), ("kecualikan", 3)):
        decide(db.session, user, chosen, decision, "lainnya", "uji", at("2026-04"))
        db.session.commit()
        assert check(ids).where(months=["2026-02"]).total == total
    # a rebuild gives every month a new version
    before = versions()
    with db.engine.begin() as connection:
        rollup.rebuild(connection)
    after = versions()
    assert set(after) >= {"2026-01", "2026-02", "2026-03", "2026-04"}
    assert all(after[m] != before.get(m) for m in after)
    check(ids)


def test_a_change_committed_after_the_sums_were_read_is_seen_next_time(app, world, monkeypatch):
    """The race a kept value must survive: the sums of a kept month are read, then another
    transaction changes that month and commits before they are kept. They are kept under the
    version read before the sums, which the change replaced, so the next read reads again (had
    the version been read after the sums, the old sums would be kept as current)."""
    ids, catalogue = world["ids"], world["catalogue"]
    plain = settled.tallies
    done: list[bool] = []

    def meanwhile(*args, **kwargs):  # noqa: ANN002, ANN003
        found = plain(*args, **kwargs)
        if not done:
            done.append(True)
            with Session(db.engine) as other:
                target = other.get(type(world["layanan"][0]), world["layanan"][0].id)
                response = Response({"U1": 2}, {}, None, "meanwhile")
                record_submission(other, catalogue, target, response, at("2026-02"))
                other.commit()
        return found

    db.session.commit()
    monkeypatch.setattr(settled, "tallies", meanwhile)
    first = settled.month_tallies(db.session, ids, MONTHS)
    assert done and first.where(months=["2026-02"]).total == 4  # read before the change
    monkeypatch.setattr(settled, "tallies", plain)
    db.session.commit()  # a new transaction: it sees the other one's commit
    assert check(ids).where(months=["2026-02"]).total == 5


def test_a_layanan_added_below_is_a_new_set(world, reads):
    ids = world["ids"]
    check(ids)
    unit = world["layanan"][2].unit
    extra = make_layanan(unit, "PENGADUAN", ("skm",))
    response = Response({"U1": 3}, {}, None, "baru")
    record_submission(db.session, world["catalogue"], extra, response, at("2026-01"))
    db.session.commit()
    reads.clear()
    found = check([*ids, extra.id])
    assert found.where(months=["2026-01"]).total == 5
    assert reads  # not the kept sums of the three layanan


def test_channel_shares_leave_excluded_answers_out(world):
    """Counted answers per channel: every answer less the excluded ones (one decision per
    answer), equal to the anti-join over the answers."""
    ids, catalogue = world["ids"], world["catalogue"]
    user = create_user(db.session, "admin", "sandi-rahasia-1", "admin")
    for n, source in enumerate(("kiosk", "kiosk", "unggahan")):
        response = Response({"U1": 3}, {}, None, f"kanal{n}")
        record_submission(
            db.session, catalogue, world["layanan"][0], response, at("2026-02"), source=source
        )
    db.session.commit()
    months = ["2026-02", "2026-03"]
    out = list(db.session.scalars(select(Submission).where(Submission.source == "kiosk")))
    out += list(db.session.scalars(select(Submission).where(Submission.period == "2026-03")))[:2]
    for chosen in out:
        decide(db.session, user, chosen, "kecualikan", "lainnya", "uji", at("2026-04"))
    db.session.commit()
    reference = {
        source: n
        for source, n in db.session.execute(
            select(Submission.source, sa.func.count())
            .where(
                Submission.layanan_id.in_(ids),
                Submission.period.in_(months),
                rollup.kept(),
            )
            .group_by(Submission.source)
        )
    }
    found = integrity.channels(db.session, ids, months)
    assert found == {k: v for k, v in reference.items() if v}
    assert "kiosk" not in found and found["unggahan"] == 1 and found["form"] == 6


def test_per_unit_sums_are_kept_and_follow_a_layanan_moved_to_another_unit(world, reads):
    """The units-below sorting by an index reads per unit: kept the same way, and a layanan
    moved to another unit is another key (its answers count for its new unit)."""
    layanan = world["layanan"]
    unit_of = {x.id: x.unit_id for x in layanan}
    found = settled.month_tallies(db.session, list(unit_of), MONTHS, unit_of)
    plain = tallies(db.session, list(unit_of), MONTHS, by="unit")
    assert rows(found) == rows(plain)
    reads.clear()
    assert rows(settled.month_tallies(db.session, list(unit_of), MONTHS, unit_of)) == rows(plain)
    assert len(reads) == 1  # the running month only
    moved = layanan[1]
    moved.unit = layanan[2].unit
    db.session.commit()
    unit_of = {x.id: x.unit_id for x in layanan}
    after = settled.month_tallies(db.session, list(unit_of), MONTHS, unit_of)
    assert rows(after) == rows(tallies(db.session, list(unit_of), MONTHS, by="unit"))
    assert rows(after) != rows(plain)
