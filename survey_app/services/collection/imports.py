"""Storing a responses file (paper forms typed in, a form export) for one unit, all or nothing.

The file is read and checked by :func:`analysis.responses.read_responses`; here each row must also
fit the unit: a known layanan, items its form carries, a time that is not in the future, and what
the public form itself allows (a saran of at most ``SARAN_MAX`` characters, no NUL character).

Importing the same rows again adds nothing: a row with an ``id`` gets the key
``import:<unit>:<id>``; a row without one is stored under its fingerprint, ``sidik:<sha256>`` of
its layanan, time and answers (and, for rows of a file that are identical in all three, which of
them it is: two respondents may well answer alike on a day typed in without times). Uploaded rows
are their own channel, ``unggahan`` (``Submission.source``).
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

import numpy as np
import pandas as pd
from sqlalchemy import Table, insert, select, text
from sqlalchemy.exc import IntegrityError

from analysis.kuesioner import split_code
from analysis.responses import ResponsesError
from instruments import Instrument
from survey_app.models import Answer, KuesionerVersi, Layanan, Submission, Unit
from survey_app.services import DbSession
from survey_app.services.catalogue import Catalogue
from survey_app.services.collection import rollup
from survey_app.services.collection.kuesioner import shown, variant_of

PROFILE_COLUMNS = ("umur", "jenis_kelamin", "pendidikan", "pekerjaan")
UPLOAD = "unggahan"  # Submission.source of every row of a responses file
SARAN_MAX = 1000  # the public form's limit (config SARAN_MAX); callers pass the configured one
CHUNK = 2000  # rows stored per flush: memory stays bounded, progress is reported per chunk


@dataclass(frozen=True)
class ImportResult:
    added: int
    already_there: int
    per_layanan: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class ImportPlan:
    """What an import would do: the rows it would add, and how many are already stored."""

    frame: pd.DataFrame
    keys: list[str]
    existing: set[str]

    @property
    def new_rows(self) -> pd.DataFrame:
        fresh = [key is None or key not in self.existing for key in self.keys]
        return self.frame[fresh]

    def summary(self) -> dict[tuple[str, str], int]:
        """New rows per (layanan, month)."""
        rows = self.new_rows.groupby(["layanan", "period"], observed=True).size()
        return {(str(k[0]), str(k[1])): int(v) for k, v in rows.items()}


KEY_LENGTH = 80  # Submission.idempotency_key


Progress = Callable[[int, int], None]  # (rows done, rows in all)


def plan_import(
    session: DbSession,
    catalogue: Catalogue,
    unit: Unit,
    frame: pd.DataFrame,
    now: datetime,
    saran_max: int = SARAN_MAX,
) -> ImportPlan:
    """Check every row against the unit and find those already stored; store nothing.

    Raises :class:`ResponsesError` listing every row that does not fit.
    """
    layanan = {item.kode: item for item in unit.layanan}
    items = item_columns(catalogue, frame)
    problems = _problems(catalogue, layanan, frame, items, now)
    problems += _not_asked(catalogue, layanan, frame, items)
    problems += _long_ids(unit, frame)
    problems += _form_limits(frame, saran_max)
    if problems:
        raise ResponsesError(problems)
    keys = _keys(unit, frame, items)
    return ImportPlan(frame, keys, _existing(session, keys))


def import_responses(
    session: DbSession,
    catalogue: Catalogue,
    unit: Unit,
    frame: pd.DataFrame,
    now: datetime,
    saran_max: int = SARAN_MAX,
    progress: Progress = lambda done, total: None,
) -> ImportResult:
    """Add every new row of ``frame`` (from ``read_responses``) to ``unit``; flush, not commit.

    Rows are stored :data:`CHUNK` at a time, calling ``progress(done, total)`` after each.
    Raises :class:`ResponsesError` listing every row that does not fit; nothing is added then.
    """
    plan = plan_import(session, catalogue, unit, frame, now, saran_max)
    layanan = {item.kode: item for item in unit.layanan}
    items = item_columns(catalogue, frame)
    fresh = np.flatnonzero([key not in plan.existing for key in plan.keys])
    added: Counter[str] = Counter()
    progress(0, len(fresh))
    for start in range(0, len(fresh), CHUNK):
        chosen = fresh[start : start + CHUNK]
        rows = frame.iloc[chosen]
        stored = _store(session, catalogue, layanan, items, rows, [plan.keys[i] for i in chosen])
        rollup.add(session, cast(list[Submission], stored))  # what it reads: see _Stored
        added.update(rows["layanan"].astype(str))
        progress(min(start + CHUNK, len(fresh)), len(fresh))
    return ImportResult(sum(added.values()), len(plan.existing), dict(added))


def item_columns(catalogue: Catalogue, frame: pd.DataFrame) -> list[str]:
    """The answer columns of a checked frame: item codes and sub-question parts (``U3.1/2``)."""
    return [str(c) for c in frame.columns if catalogue.owner(split_code(str(c))[0]) is not None]


def asked(catalogue: Catalogue, item: Layanan, versi: KuesionerVersi | None) -> dict[str, str]:
    """What the form of ``item`` under ``versi`` asks of each base item code of its
    instruments: the stored codes (``U1``; ``U3.1/2 U3.2/2`` for a split item), or ``""`` for
    an item the version leaves out."""
    variant = variant_of(versi, catalogue.instruments) if versi is not None else None
    out: dict[str, str] = {}
    for ident in item.instrument_ids:
        instrument = catalogue.instruments.get(ident)
        if instrument is None:
            continue
        changes = variant.changes(ident) if variant and ident in variant.instrument_ids else {}
        for code in instrument.codes:
            change = changes.get(code)
            if change is not None and change.dihilangkan:
                out[code] = ""
            elif change is not None and change.sub:
                k = len(change.sub)
                out[code] = " ".join(f"{code}.{j}/{k}" for j in range(1, k + 1))
            else:
                out[code] = code
    return out


def _not_asked(
    catalogue: Catalogue, layanan: dict[str, Layanan], frame: pd.DataFrame, items: list[str]
) -> list[str]:
    """Answers a row's layanan does not ask under its current questionnaire version (the one
    its uploaded rows are stored under): an item its variant leaves out, a single answer to an
    item it asks in sub-questions, sub-questions it does not ask."""
    problems: list[str] = []
    for kode, item in layanan.items():
        rows = (frame["layanan"] == kode).to_numpy()
        if not rows.any():
            continue
        versi = shown(item)
        wants = asked(catalogue, item, versi)
        for column in items:
            code, _part, parts = split_code(column)
            if code not in wants:
                continue  # another survey: _stray_answers says so
            answered = frame.index[rows & frame[column].notna().to_numpy()]
            if not len(answered):
                continue
            stored = wants[code].split()
            if not stored and versi is not None:
                why = (
                    f"does not ask {code} (its questionnaire {versi.varian.nama} "
                    f"v{versi.nomor} leaves it out)"
                )
            elif parts == 1 and column not in stored:
                why = f"asks {code} in {len(stored)} sub-questions ({', '.join(stored)})"
            elif parts > 1 and column not in stored:
                why = f"does not ask {code} in sub-questions of this kind"
            else:
                continue
            problems += [f"row {row}, column {column}: layanan {kode} {why}" for row in answered]
    return problems


@dataclass(frozen=True)
class _StoredAnswer:
    instrument_id: str
    item_code: str
    value: int


@dataclass(frozen=True)
class _Stored:
    """What the rollup reads of a stored submission (``rollup.contributions``)."""

    layanan_id: int
    period: str
    answers: list[_StoredAnswer]
    umur: str | None
    jenis_kelamin: str | None
    pendidikan: str | None
    pekerjaan: str | None


def _store(
    session: DbSession,
    catalogue: Catalogue,
    layanan: dict[str, Layanan],
    items: list[str],
    rows: pd.DataFrame,
    keys: list[str],
) -> list[_Stored]:
    """Insert checked ``rows`` with two multi-row statements (submissions, then answers): a
    15 MB file is 150,000 submissions and 3 million answers, too many to build as objects."""
    ids = {kode: item.id for kode, item in layanan.items()}
    versions = {kode: _versi_id(item) for kode, item in layanan.items()}
    profile = {k: _texts(rows, k) for k in PROFILE_COLUMNS}
    saran = [
        (text.strip() or None) if isinstance(text, str) else None for text in _texts(rows, "saran")
    ]
    submissions = [
        {
            "layanan_id": ids[str(kode)],
            "submitted_at": when.to_pydatetime(),
            "period": period,
            "idempotency_key": key,
            "source": UPLOAD,
            "kuesioner_versi_id": versions[str(kode)],
            "saran": text,
            **{k: profile[k][n] for k in PROFILE_COLUMNS},
        }
        for n, (kode, when, period, key, text) in enumerate(
            zip(rows["layanan"], rows["submitted_at"], rows["period"], keys, saran, strict=True)
        )
    ]
    new_ids = _insert_submissions(session, submissions)
    values = rows[items].to_numpy(dtype="float64")
    found_rows, found_items = np.nonzero(~np.isnan(values))
    owners = {code: catalogue.owner(split_code(code)[0]) for code in items}
    answers = []
    given: list[list[_StoredAnswer]] = [[] for _ in submissions]
    for r, c in zip(found_rows.tolist(), found_items.tolist(), strict=True):
        code, value = items[c], int(values[r, c])
        owner = cast(Instrument, owners[code])  # items are the catalogue's own codes
        answers.append(
            {
                "submission_id": new_ids[r],
                "item_code": code,
                "instrument_id": owner.id,
                "instrument_version": owner.version,
                "scale": owner.scale,
                "value": value,
            }
        )
        given[r].append(_StoredAnswer(owner.id, code, value))
    _insert(session, ANSWER, answers)
    return [
        _Stored(row["layanan_id"], row["period"], given[n], *(row[k] for k in PROFILE_COLUMNS))
        for n, row in enumerate(submissions)
    ]


def _versi_id(item: Layanan) -> int | None:
    """The version an uploaded row of ``item`` is stored under: its variant's newest."""
    versi = shown(item)
    return versi.id if versi is not None else None


SUBMISSION = cast(Table, Submission.__table__)
NEXT_IDS = text(
    "SELECT nextval(pg_get_serial_sequence('submission', 'id')) FROM generate_series(1, :n)"
)
ANSWER = cast(Table, Answer.__table__)


def _insert_submissions(session: DbSession, rows: list[dict[str, Any]]) -> list[int]:
    """Insert ``rows`` and return their ids in order. PostgreSQL: ids drawn from the sequence
    first, then one COPY (ten times faster than INSERTs of a thousand rows each)."""
    if session.get_bind().dialect.name != "postgresql":
        statement = insert(SUBMISSION).returning(SUBMISSION.c.id, sort_by_parameter_order=True)
        return list(session.execute(statement, rows).scalars())
    ids = list(
        session.scalars(
            NEXT_IDS,
            {"n": len(rows)},
        )
    )
    _insert(session, SUBMISSION, [{"id": i, **row} for i, row in zip(ids, rows, strict=True)])
    return ids


def _insert(session: DbSession, table: Table, rows: list[dict[str, Any]]) -> None:
    """Insert ``rows`` into ``table``: COPY on PostgreSQL, an executemany elsewhere."""
    if not rows:
        return
    connection = session.connection()
    if connection.dialect.name != "postgresql":
        connection.execute(insert(table), rows)
        return
    names = list(rows[0])
    types = [table.c[name].type for name in names]
    binders = [t.bind_processor(connection.dialect) for t in types]
    driver = connection.connection.driver_connection
    dbapi = connection.dialect.loaded_dbapi
    try:
        _copy(driver, table, names, binders, rows)
    except dbapi.IntegrityError as exc:  # as SQLAlchemy raises it for its own statements
        raise IntegrityError(f"COPY {table.name}", None, exc) from exc


def _copy(
    driver: Any, table: Table, names: list[str], binders: list[Any], rows: list[dict[str, Any]]
) -> None:
    with driver.cursor() as cursor:
        columns = ", ".join(names)
        with cursor.copy(f"COPY {table.name} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(
                    [
                        row[n] if b is None else b(row[n])
                        for n, b in zip(names, binders, strict=True)
                    ]
                )


def _texts(rows: pd.DataFrame, column: str) -> list[str | None]:
    if column not in rows.columns:
        return [None] * len(rows)
    return [str(v) if _given(v) else None for v in rows[column].tolist()]


def _problems(
    catalogue: Catalogue,
    layanan: dict[str, Layanan],
    frame: pd.DataFrame,
    items: list[str],
    now: datetime,
) -> list[str]:
    problems = []
    unknown = ~frame["layanan"].isin(list(layanan))
    problems += [
        f"row {row}, column layanan: value {value} is not a layanan of this unit"
        for row, value in frame.loc[unknown, "layanan"].items()
    ]
    problems += _stray_answers(catalogue, layanan, frame, items)
    future = frame["submitted_at"] > pd.Timestamp(now)
    problems += [
        f"row {row}, column submitted_at: value {value.isoformat()} is in the future"
        for row, value in frame.loc[future, "submitted_at"].items()
    ]
    return problems


def _stray_answers(
    catalogue: Catalogue, layanan: dict[str, Layanan], frame: pd.DataFrame, items: list[str]
) -> list[str]:
    """One message per (layanan, survey) answered in the file but not on that layanan's form."""
    problems = []
    for instrument in catalogue.instruments.values():
        columns = [code for code in items if split_code(code)[0] in instrument.codes]
        if not columns:
            continue
        answered = frame[columns].notna().any(axis=1)
        for kode, item in layanan.items():
            if instrument.id in item.instrument_ids:
                continue
            rows = list(frame.index[answered & (frame["layanan"] == kode)])
            if rows:
                shown = ", ".join(map(str, rows[:10])) + (", ..." if len(rows) > 10 else "")
                problems.append(
                    f"rows {shown} ({len(rows)} in all), columns {columns[0]}-{columns[-1]}: "
                    f"layanan {kode} does not carry {instrument.id}; add it to the layanan "
                    f"or leave those columns out"
                )
    return problems


def _long_ids(unit: Unit, frame: pd.DataFrame) -> list[str]:
    """An ``id`` too long for the stored key (``import:<unit>:<id>``, 80 characters)."""
    if "id" not in frame.columns:
        return []
    room = KEY_LENGTH - len(f"import:{unit.kode}:")
    return [
        f"row {row}, column id: value {str(value)[:20]}... is longer than {room} characters"
        for row, value in frame["id"].items()
        if _given(value) and len(str(value)) > room
    ]


def _form_limits(frame: pd.DataFrame, saran_max: int) -> list[str]:
    """What the public form refuses: a saran over ``saran_max`` characters (trimmed, as it is
    stored), and a NUL character in any text (no one types it; PostgreSQL cannot store it)."""
    problems = []
    texts = [c for c in ("id", "saran") if c in frame.columns]
    for column in texts:
        values = frame[column].dropna().astype(str)
        for row in values.index[values.str.contains("\x00", regex=False)]:
            problems.append(
                f"baris {row}, kolom {column}: berisi karakter NUL (\\0) yang tidak dapat "
                "disimpan; hapus karakter itu (simpan ulang berkas sebagai CSV UTF-8)"
            )
    if "saran" in frame.columns:
        saran = frame["saran"].dropna().astype(str).str.strip()
        for row, length in saran.str.len()[saran.str.len() > saran_max].items():
            problems.append(
                f"baris {row}, kolom saran: {length} karakter, lebih dari {saran_max} karakter "
                f"yang diterima formulir; persingkat saran itu"
            )
    return sorted(problems, key=lambda p: int(p.split(",")[0].removeprefix("baris ")))


def _keys(unit: Unit, frame: pd.DataFrame, items: list[str]) -> list[str]:
    """Each row's key: ``import:<unit>:<id>`` when it has an id, else its fingerprint."""
    prints = fingerprints(unit, frame, items)
    if "id" not in frame.columns:
        return prints
    return [
        f"import:{unit.kode}:{value}" if _given(value) else sidik
        for value, sidik in zip(frame["id"], prints, strict=True)
    ]


def fingerprints(unit: Unit, frame: pd.DataFrame, items: list[str]) -> list[str]:
    """``sidik:<sha256>`` of each row's layanan (its id: unique across units), time (to the
    nanosecond, UTC) and answers, and its place among the rows of ``frame`` identical in those
    (the first, the second, ...), so such rows are all stored once and none twice."""
    ids = {item.kode: item.id for item in unit.layanan}
    layanan = frame["layanan"].astype(str).map(ids).astype("Int64").astype(str)
    stamps = pd.to_datetime(frame["submitted_at"], utc=True).astype("int64").astype(str)
    answers = pd.Series("", index=frame.index)
    for code in sorted(items):
        value = frame[code]
        shown = value.fillna(0).astype("int64").astype(str).where(value.notna(), "")
        answers = answers + f"{code}=" + shown + ";"
    content = layanan + "|" + stamps + "|" + answers
    place = content.groupby(content, sort=False).cumcount().astype(str)
    return [
        "sidik:" + hashlib.sha256(text.encode()).hexdigest()
        for text in (content + "#" + place).tolist()
    ]


def _existing(session: DbSession, keys: list[str]) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(keys), 1000):  # keep IN lists a reasonable size
        chunk = keys[start : start + 1000]
        found.update(
            session.scalars(
                select(Submission.idempotency_key).where(Submission.idempotency_key.in_(chunk))
            )
        )
    return found


def _given(value: object) -> bool:
    return value is not None and not (isinstance(value, float) and np.isnan(value)) and value != ""
