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
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any, cast

from sqlalchemy import (
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

from survey_app.models import Answer, RekapBulanan, Submission, Tinjauan
from survey_app.services import DbSession

PROFILE_KEYS = ("umur", "jenis_kelamin", "pendidikan", "pekerjaan")

TABLE = cast(Table, RekapBulanan.__table__)
Key = tuple[int, str, str, str]  # layanan_id, period, jenis, kunci
Cell = list[int]  # n, jumlah


def contributions(submissions: Iterable[Submission], sign: int = 1) -> dict[Key, Cell]:
    """What ``submissions`` add to the rollup (``sign=-1``: what taking them out removes)."""
    out: dict[Key, Cell] = defaultdict(lambda: [0, 0])

    def bump(key: Key, value: int = 0) -> None:
        cell = out[key]
        cell[0] += sign
        cell[1] += sign * value

    for s in submissions:
        where = (s.layanan_id, s.period)
        bump((*where, "kiriman", ""))
        for instrument_id in {a.instrument_id for a in s.answers}:
            bump((*where, "responden", instrument_id))
        for answer in s.answers:
            bump((*where, "butir", answer.item_code), answer.value)
        for key in PROFILE_KEYS:
            value = getattr(s, key)
            if value is not None:
                bump((*where, "profil", f"{key}={value}"))
    return dict(out)


def add(session: DbSession, submissions: Iterable[Submission], sign: int = 1) -> None:
    """Count ``submissions`` in (or, with ``sign=-1``, out of) the rollup. They must be
    flushed (their ids and layanan ids set); the caller commits."""
    deltas = contributions(submissions, sign)
    table = TABLE
    rows = [
        {"layanan_id": k[0], "period": k[1], "jenis": k[2], "kunci": k[3], "n": n, "jumlah": j}
        for k, (n, j) in sorted(deltas.items())
    ]
    if sign < 0:  # the rows exist (these submissions were counted); an INSERT would break n >= 0
        c = table.c
        statement = (
            update(table)
            .where(
                c.layanan_id == _bind("layanan_id"),
                c.period == _bind("period"),
                c.jenis == _bind("jenis"),
                c.kunci == _bind("kunci"),
            )
            .values(n=c.n + _bind("n"), jumlah=c.jumlah + _bind("jumlah"))
        )
        renamed = [{f"d_{name}": value for name, value in row.items()} for row in rows]
        if renamed:
            session.connection().execute(statement, renamed)
        return
    dialect = session.get_bind().dialect.name
    upsert = (postgresql if dialect == "postgresql" else sqlite).insert(table)
    upsert = upsert.on_conflict_do_update(
        index_elements=list(table.primary_key.columns),
        set_={
            "n": table.c.n + upsert.excluded.n,
            "jumlah": table.c.jumlah + upsert.excluded.jumlah,
        },
    )
    if rows:  # one statement, compiled once and cached, executed for every row in order
        session.connection().execute(upsert, rows)


def _bind(name: str) -> Any:
    return bindparam(f"d_{name}")


def live() -> list[Select[Any]]:
    """The rollup's rows computed from the raw answers: one GROUP BY per kind (the reference)."""
    kept = ~exists().where(
        Tinjauan.submission_id == Submission.id, Tinjauan.keputusan == "kecualikan"
    )
    by = (Submission.layanan_id, Submission.period)
    joined = Submission.__table__.join(Answer.__table__)

    def kind(name: str) -> Any:
        return literal(name, String)

    zero = literal(0)

    statements: list[Select[Any]] = [
        select(*by, kind("kiriman"), literal("", String), func.count(), zero)
        .where(kept)
        .group_by(*by),
        select(
            *by,
            kind("responden"),
            Answer.instrument_id,
            func.count(func.distinct(Submission.id)),
            zero,
        )
        .select_from(joined)
        .where(kept)
        .group_by(*by, Answer.instrument_id),
        select(*by, kind("butir"), Answer.item_code, func.count(), func.sum(Answer.value))
        .select_from(joined)
        .where(kept)
        .group_by(*by, Answer.item_code),
    ]
    for key in PROFILE_KEYS:
        column = getattr(Submission, key)
        statements.append(
            select(*by, kind("profil"), literal(f"{key}=", String) + column, func.count(), zero)
            .where(kept, column.is_not(None))
            .group_by(*by, column)
        )
    return statements


COLUMNS = ("layanan_id", "period", "jenis", "kunci", "n", "jumlah")


def rebuild(connection: Connection) -> int:
    """Recompute the whole rollup from the answers; return its number of rows."""
    table = TABLE
    connection.execute(delete(table))
    for statement in live():
        connection.execute(insert(table).from_select(COLUMNS, statement))
    return int(connection.scalar(select(func.count()).select_from(table)) or 0)


def differences(connection: Connection, limit: int = 20) -> list[str]:
    """Where the rollup differs from the answers (empty when it is right), at most ``limit``."""
    table = TABLE
    stored = {
        (r[0], r[1], r[2], r[3]): (r[4], r[5])
        for r in connection.execute(select(*[table.c[name] for name in COLUMNS]))
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
