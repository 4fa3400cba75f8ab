"""Backup and restore of everything a deployment holds, as gzipped JSON lines.

The file starts with a header (format, schema revision, when), then one line per row, table by
table in foreign-key order, and ends with a marker holding the rows per table: a file cut short
(a full disk, a killed process) has no marker and is refused by restore. The file is written
under a temporary name, readable by its owner only, and renamed only once complete. It is read
and written a row at a time, so a million submissions need no more memory than a few. The day's
source salts are never backed up: a restored database cannot tie a stored source hash to
anything. The monthly rollup is derived from the answers: it is not saved, and a restore
rebuilds it. Password hashes are included, so a backup file is as confidential as the database.
"""

from __future__ import annotations

import base64
import gzip
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Boolean,
    Connection,
    Date,
    DateTime,
    Integer,
    LargeBinary,
    String,
    Table,
    Time,
    func,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError, StatementError
from sqlalchemy.types import TypeDecorator

from survey_app.extensions import db
from survey_app.services.collection import rollup

FORMAT = "zisurvey-backup"
VERSION = 1
# salts must not outlive their day; the rollup (and its settled months' versions) is rebuilt
# from the answers on restore
# transient rows: sign-in throttle counts and reset links do not outlive a restore
SKIPPED = {
    "garam_sumber",
    "alembic_version",
    "rekap_bulanan",
    "rekap_versi",
    "percobaan_masuk",
    "reset_sandi",
}
BATCH = 2000
END = "akhir"  # the last line: {"akhir": {table: rows}}


class BackupError(ValueError):
    """A backup that cannot be restored here; the message says why. Nothing was written."""


@dataclass(frozen=True)
class Summary:
    revision: str
    rows: dict[str, int]


def tables() -> list[Table]:
    return [t for t in db.metadata.sorted_tables if t.name not in SKIPPED]


def revision(connection: Connection) -> str:
    return str(connection.execute(text("SELECT version_num FROM alembic_version")).scalar())


def backup(connection: Connection, path: Path, now: datetime) -> Summary:
    """Write every table to ``path`` (gzip), in foreign-key order; return the rows per table.

    Binary columns (a unit's logo) are written as base64. Nothing is left at ``path`` unless
    the whole backup was written: a failure removes the temporary file and raises.
    """
    counts: dict[str, int] = {}
    head = revision(connection)
    partial = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "wb") as raw, gzip.open(raw, "wt", encoding="utf-8") as out:
            header = {"format": FORMAT, "version": VERSION, "revision": head}
            out.write(json.dumps(header | {"dibuat": now.isoformat()}) + "\n")
            for table in tables():
                counts[table.name] = 0
                primary = list(table.primary_key.columns)
                rows = connection.execution_options(yield_per=BATCH).execute(
                    select(table).order_by(*primary)
                )
                for row in rows.mappings():
                    out.write(json.dumps({"t": table.name, "r": _plain(dict(row))}) + "\n")
                    counts[table.name] += 1
            out.write(json.dumps({END: counts}) + "\n")
        partial.replace(path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return Summary(head, counts)


def restore(connection: Connection, path: Path) -> Summary:
    """Load a backup into an empty database at the same schema revision, all or nothing.

    The caller runs this inside one transaction; any problem raises :class:`BackupError`.
    """
    by_name = {t.name: t for t in tables()}
    try:
        here = revision(connection)
    except DBAPIError as exc:
        raise BackupError(
            "this database has no zisurvey schema yet: run `zisurvey db upgrade` first"
        ) from exc
    try:
        with gzip.open(path, "rt", encoding="utf-8") as lines:
            header = _header(next(lines, ""))
            if header["revision"] != here:
                raise BackupError(
                    f"the backup is of schema {header['revision']}, this database is at {here}: "
                    "restore into a database upgraded to the backup's revision"
                )
            filled = [t.name for t in by_name.values() if connection.scalar(_count(t))]
            if filled:
                raise BackupError(f"the database is not empty (tables {', '.join(filled)})")
            counts = _load(connection, by_name, lines)
    except (OSError, EOFError, UnicodeDecodeError) as exc:
        raise BackupError(f"the file cannot be read as a zisurvey backup: {exc}") from exc
    except (IntegrityError, DataError) as exc:
        first = str(exc.orig).splitlines()[0]
        raise BackupError(f"a row of the backup breaks a rule of the schema: {first}") from exc
    except (StatementError, DBAPIError) as exc:
        first = str(exc.orig if isinstance(exc, DBAPIError) else exc).splitlines()[0]
        raise BackupError(f"a row of the backup cannot be stored here: {first}") from exc
    _reset_sequences(connection, list(by_name.values()))
    rollup.rebuild(connection)
    return Summary(str(header["revision"]), counts)


def _load(
    connection: Connection, by_name: dict[str, Table], lines: Iterator[str]
) -> dict[str, int]:
    counts = dict.fromkeys(by_name, 0)
    batch: list[dict[str, Any]] = []
    links: list[tuple[Table, dict[str, Any]]] = []  # self-references, set once all rows are in
    current: Table | None = None
    ended: dict[str, int] | None = None
    for number, line in enumerate(lines, start=2):
        if ended is not None:
            raise BackupError(f"line {number}: rows after the end marker")
        try:
            record = json.loads(line)
            if END in record:
                ended = dict(record[END])
                continue
            table = by_name[record["t"]]
            row = _typed(table, record["r"])
        except (ValueError, KeyError, TypeError) as exc:
            raise BackupError(f"line {number}: not a row this schema holds ({exc})") from exc
        if table is not current and batch and current is not None:
            connection.execute(insert(current), batch)
            batch = []
        current = table
        for column in _self_references(table):
            if row.get(column) is not None:
                links.append((table, {"id": row["id"], column: row[column]}))
                row[column] = None
        batch.append(row)
        counts[table.name] += 1
        if len(batch) >= BATCH:
            connection.execute(insert(table), batch)
            batch = []
    if ended is None:
        raise BackupError("the backup is incomplete (no end marker): it was cut short; use another")
    if ended != {name: n for name, n in counts.items() if name in ended or n}:
        raise BackupError(f"the backup's rows ({counts}) differ from its end marker ({ended})")
    if batch and current is not None:
        connection.execute(insert(current), batch)
    for table, link in links:
        [(column, value)] = [(k, v) for k, v in link.items() if k != "id"]
        connection.execute(update(table).where(table.c.id == link["id"]).values({column: value}))
    return counts


def _self_references(table: Table) -> list[str]:
    """Columns pointing at the same table (a unit's parent): a parent may come after a child."""
    return [fk.parent.name for fk in table.foreign_keys if fk.column.table is table]


def _header(line: str) -> dict[str, Any]:
    try:
        header = json.loads(line)
    except ValueError as exc:
        raise BackupError("this is not a zisurvey backup (no header line)") from exc
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise BackupError("this is not a zisurvey backup (wrong header)")
    if header.get("version") != VERSION:
        raise BackupError(f"backup format version {header.get('version')} is not {VERSION}")
    return header


def _count(table: Table) -> Any:
    return select(func.count()).select_from(table)


def _plain(row: dict[str, Any]) -> dict[str, Any]:
    """A row as JSON holds it: times as ISO text, bytes as base64, decimals as text."""
    return {k: _plain_value(v) for k, v in row.items()}


def _plain_value(value: Any) -> Any:
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, bytes | memoryview):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, Decimal):
        return str(value)
    return value


def _typed(table: Table, row: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for name, value in row.items():
        declared = table.columns[name].type
        kind = declared.impl if isinstance(declared, TypeDecorator) else declared
        if value is not None and isinstance(kind, DateTime):
            value = datetime.fromisoformat(value)
        elif value is not None and isinstance(kind, Time):
            value = time.fromisoformat(value)
        elif value is not None and isinstance(kind, Date):
            value = date.fromisoformat(value)
        elif value is not None and isinstance(kind, LargeBinary):
            value = base64.b64decode(value)
        elif value is not None and isinstance(kind, Boolean) and not isinstance(value, bool):
            raise TypeError(f"{table.name}.{name}: {value!r} is not true or false")
        elif (
            value is not None
            and isinstance(kind, Integer)
            and (isinstance(value, bool) or not isinstance(value, int))
        ):
            raise TypeError(f"{table.name}.{name}: {value!r} is not a whole number")
        elif value is not None and isinstance(kind, String) and not isinstance(value, str):
            raise TypeError(f"{table.name}.{name}: {value!r} is not text")
        out[name] = value
    return out


def _reset_sequences(connection: Connection, tables_: list[Table]) -> None:
    """PostgreSQL: move each id sequence past the restored ids (SQLite needs nothing)."""
    if connection.dialect.name != "postgresql":
        return
    for table in tables_:
        if "id" in table.columns and table.columns["id"].autoincrement is not False:
            name = table.name
            connection.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                    f"COALESCE((SELECT MAX(id) FROM {name}), 0) + 1, false)"
                )
            )
