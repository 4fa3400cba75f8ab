"""The monthly rollup (``rekap_bulanan``): what dashboards read instead of the raw answers.

Per layanan and month it holds the counted submissions, the respondents of each instrument, per
item the number and the sum of the answers, and the respondents per profile answer. Every change
to what counts is applied in the same transaction as the change itself: a submission stored
(:func:`add`), a file imported (:func:`add`), an exclusion made or undone (:func:`add` with
``sign=-1`` / ``+1``). So it always equals the GROUP BY over the counted answers, which
:func:`differences` checks and :func:`rebuild` recomputes (after a restore, or rows loaded
outside the app): ``zisurvey rollup`` / ``zisurvey rollup --rebuild``.

Deltas are written in one sorted order, so two transactions touching the same layanan-month
wait for each other and never deadlock.

A change to a month no form answers into any more (one that ended in WIB: a late kiosk answer,
an upload, an exclusion, a rebuild) also gives that month a new random version
(``rekap_versi``), in the same transaction, after the deltas; a dashboard keeps a settled
month's sums only while its version is unchanged (:mod:`survey_app.services.reporting.settled`).
A form answer writes no version.
"""

from __future__ import annotations

import secrets
from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any, cast
from zoneinfo import ZoneInfo

from sqlalchemy import (
    ColumnElement,
    Connection,
    String,
    Table,
    bindparam,
    delete,
    exists,
    func,
    insert,
    literal,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql import Select

from survey_app.models import Answer, RekapBulanan, RekapVersi, Submission, Tinjauan
from survey_app.services import DbSession, cacheable

ANSWERING_ZONE = ZoneInfo("Asia/Jakarta")  # the westernmost of a unit's zones (models.ZONES)
PROFILE_KEYS = ("umur", "jenis_kelamin", "pendidikan", "pekerjaan")

TABLE = cast(Table, RekapBulanan.__table__)
VERSIONS = cast(Table, RekapVersi.__table__)
Key = tuple[int, str, str, str]  # layanan_id, period, jenis, kunci
Cell = list[int]  # n, jumlah


def contributions(submissions: Iterable[Submission], sign: int = 1) -> dict[Key, Cell]:
    """What ``submissions`` add to the rollup (``sign=-1``: what taking them out removes)."""
    out: dict[Key, Cell] = defaultdict(lambda: [0, 0])
    for s in submissions:
        tally(
            out,
            s.layanan_id,
            s.period,
            [(a.instrument_id, a.item_code, a.value) for a in s.answers],
            {key: getattr(s, key) for key in PROFILE_KEYS},
            sign,
        )
    return dict(out)


def tally(
    out: dict[Key, Cell],
    layanan_id: int,
    period: str,
    answers: Iterable[tuple[str, str, int]],
    profile: Mapping[str, str | None],
    sign: int = 1,
) -> None:
    """Add what one submission of ``layanan_id`` in ``period`` counts to ``out``: its
    ``answers`` as (instrument id, item code, value), its ``profile`` by key (None: not
    given); with ``sign=-1`` what taking it out removes."""

    def bump(key: Key, value: int = 0) -> None:
        cell = out[key]
        cell[0] += sign
        cell[1] += sign * value

    given = list(answers)
    bump((layanan_id, period, "kiriman", ""))
    for instrument_id in {a[0] for a in given}:
        bump((layanan_id, period, "responden", instrument_id))
    for _, code, value in given:
        bump((layanan_id, period, "butir", code), value)
    for key in PROFILE_KEYS:
        answer = profile.get(key)
        if answer is not None:
            bump((layanan_id, period, "profil", f"{key}={answer}"))


def _upsert(dialect: Any) -> Any:
    """Add a row's n and jumlah to the stored ones, or store the row when it is new."""
    statement = dialect.insert(TABLE)
    return statement.on_conflict_do_update(
        index_elements=list(TABLE.primary_key.columns),
        set_={
            "n": TABLE.c.n + statement.excluded.n,
            "jumlah": TABLE.c.jumlah + statement.excluded.jumlah,
        },
    )


COLUMNS = ("layanan_id", "period", "jenis", "kunci", "n", "jumlah")
UPSERT = {
    d.__name__.rpartition(".")[2]: cacheable(_upsert(d), d, COLUMNS) for d in (postgresql, sqlite)
}


def _new_version(dialect: Any) -> Any:
    statement = dialect.insert(VERSIONS)
    return statement.on_conflict_do_update(
        index_elements=[VERSIONS.c.period], set_={"versi": statement.excluded.versi}
    )


NEW_VERSION = {
    d.__name__.rpartition(".")[2]: cacheable(_new_version(d), d, ("period", "versi"))
    for d in (postgresql, sqlite)
}


def answering_month() -> str:
    """The month, ``YYYY-MM``, of now in WIB (UTC+7): every unit's zone is WIB, WITA or WIT, so
    a form answer (stamped in its unit's zone) never falls before it. A change to an earlier
    month is late (a kiosk's queue, an upload, an exclusion) and renews that month's version;
    dashboards keep only months before the UTC month, seven hours later
    (:func:`survey_app.services.reporting.settled.settled_before`)."""
    return datetime.now(ANSWERING_ZONE).strftime("%Y-%m")


def renew(connection: Connection, periods: Iterable[str]) -> None:
    """Give each of ``periods`` a new random version (``rekap_versi``), in the caller's
    transaction, in sorted order."""
    versi = secrets.randbits(62)
    rows = [{"period": p, "versi": versi} for p in sorted(set(periods))]
    if rows:
        connection.execute(NEW_VERSION[connection.dialect.name], rows)


# Taking counted submissions out: their rows exist, and an INSERT ... ON CONFLICT would break
# n >= 0 (PostgreSQL checks the proposed row before it sees the conflict).
SUBTRACT = (
    update(TABLE)
    .where(
        *[
            TABLE.c[name] == bindparam(f"d_{name}")
            for name in ("layanan_id", "period", "jenis", "kunci")
        ]
    )
    .values(n=TABLE.c.n + bindparam("d_n"), jumlah=TABLE.c.jumlah + bindparam("d_jumlah"))
)


def add(session: DbSession, submissions: Iterable[Submission], sign: int = 1) -> None:
    """Count ``submissions`` in (or, with ``sign=-1``, out of) the rollup. They must be
    flushed (their ids and layanan ids set); the caller commits. One cached statement runs
    once per row, in key order."""
    write(session.connection(), contributions(submissions, sign), sign)


def write(connection: Connection, cells: Mapping[Key, Cell], sign: int = 1) -> None:
    """Apply ``cells`` (:func:`contributions`, :func:`tally`) to the rollup on ``connection``
    in the caller's transaction: upserts to count in, updates (``sign=-1``) to take out."""
    rows = [
        {"layanan_id": k[0], "period": k[1], "jenis": k[2], "kunci": k[3], "n": n, "jumlah": j}
        for k, (n, j) in sorted(cells.items())
    ]
    if not rows:
        return
    if sign < 0:
        renamed = [{f"d_{name}": value for name, value in row.items()} for row in rows]
        connection.execute(SUBTRACT, renamed)
    else:
        connection.execute(UPSERT[connection.dialect.name], rows)
    answering = answering_month()
    renew(connection, {key[1] for key in cells if key[1] < answering})


def kept() -> ColumnElement[bool]:
    """A submission staff did not exclude (correlated with ``Submission``)."""
    return ~exists().where(
        Tinjauan.submission_id == Submission.id, Tinjauan.keputusan == "kecualikan"
    )


def live() -> list[Select[Any]]:
    """The rollup's rows computed from the raw answers: one GROUP BY per kind (the reference)."""
    counted = kept()
    by = (Submission.layanan_id, Submission.period)
    joined = Submission.__table__.join(Answer.__table__)

    def kind(name: str) -> Any:
        return literal(name, String)

    zero = literal(0)

    statements: list[Select[Any]] = [
        select(*by, kind("kiriman"), literal("", String), func.count(), zero)
        .where(counted)
        .group_by(*by),
        select(
            *by,
            kind("responden"),
            Answer.instrument_id,
            func.count(func.distinct(Submission.id)),
            zero,
        )
        .select_from(joined)
        .where(counted)
        .group_by(*by, Answer.instrument_id),
        select(*by, kind("butir"), Answer.item_code, func.count(), func.sum(Answer.value))
        .select_from(joined)
        .where(counted)
        .group_by(*by, Answer.item_code),
    ]
    for key in PROFILE_KEYS:
        column = getattr(Submission, key)
        statements.append(
            select(*by, kind("profil"), literal(f"{key}=", String) + column, func.count(), zero)
            .where(counted, column.is_not(None))
            .group_by(*by, column)
        )
    return statements


def rebuild(connection: Connection) -> int:
    """Recompute the whole rollup from the answers; return its number of rows. Every month it
    held or holds now gets a new version (no dashboard keeps sums read before)."""
    before = set(connection.scalars(select(TABLE.c.period).distinct()))
    connection.execute(delete(TABLE))
    for statement in live():
        connection.execute(insert(TABLE).from_select(COLUMNS, statement))
    after = set(connection.scalars(select(TABLE.c.period).distinct()))
    renew(connection, before | after | set(connection.scalars(select(VERSIONS.c.period))))
    return int(connection.scalar(select(func.count()).select_from(TABLE)) or 0)


def differences(connection: Connection, limit: int = 20) -> list[str]:
    """Where the rollup differs from the answers (empty when it is right), at most ``limit``."""
    stored = {
        (r[0], r[1], r[2], r[3]): (r[4], r[5])
        for r in connection.execute(select(*[TABLE.c[name] for name in COLUMNS]))
        if r[4]  # a row counted down to zero is the same as no row
    }
    expected = {
        (r[0], r[1], r[2], r[3]): (int(r[4]), int(r[5]))
        for statement in live()
        for r in connection.execute(statement)
    }
    keys = sorted(set(stored) | set(expected))
    found = [
        f"layanan {k[0]} {k[1]} {k[2]} {k[3] or '-'}: "
        f"tersimpan {stored.get(k, (0, 0))}, seharusnya {expected.get(k, (0, 0))}"
        for k in keys
        if stored.get(k, (0, 0)) != expected.get(k, (0, 0))
    ]
    return found[:limit]
