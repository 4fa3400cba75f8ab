"""Storing a responses file (paper forms typed in, a form export) for one unit, all or nothing.

The file is read and checked by :func:`analysis.responses.read_responses`; here each row must also
fit the unit: a known layanan, items its form carries, a time that is not in the future. Rows
with an ``id`` get the key ``import:<unit>:<id>``, so importing the same file again adds nothing.
"""

from __future__ import annotations

import secrets
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np
import pandas as pd
from sqlalchemy import select

from analysis.responses import ResponsesError
from survey_app.models import Layanan, Submission, Unit
from survey_app.services import DbSession
from survey_app.services.catalogue import Catalogue
from survey_app.services.collection import rollup
from survey_app.services.collection.submissions import Response, new_submission

PROFILE_COLUMNS = ("umur", "jenis_kelamin", "pendidikan", "pekerjaan")


@dataclass(frozen=True)
class ImportResult:
    added: int
    already_there: int
    per_layanan: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class ImportPlan:
    """What an import would do: the rows it would add, and how many are already stored."""

    frame: pd.DataFrame
    keys: list[str | None]
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


def plan_import(
    session: DbSession, catalogue: Catalogue, unit: Unit, frame: pd.DataFrame, now: datetime
) -> ImportPlan:
    """Check every row against the unit and find those already stored; store nothing.

    Raises :class:`ResponsesError` listing every row that does not fit.
    """
    layanan = {item.kode: item for item in unit.layanan}
    items = [code for code in frame.columns if catalogue.owner(code) is not None]
    problems = _problems(catalogue, layanan, frame, items, now)
    problems += _long_ids(unit, frame)
    if problems:
        raise ResponsesError(problems)
    keys = _keys(unit, frame)
    return ImportPlan(frame, keys, _existing(session, [k for k in keys if k is not None]))


def import_responses(
    session: DbSession, catalogue: Catalogue, unit: Unit, frame: pd.DataFrame, now: datetime
) -> ImportResult:
    """Add every new row of ``frame`` (from ``read_responses``) to ``unit``; flush, not commit.

    Raises :class:`ResponsesError` listing every row that does not fit; nothing is added then.
    """
    plan = plan_import(session, catalogue, unit, frame, now)
    layanan = {item.kode: item for item in unit.layanan}
    items = [code for code in frame.columns if catalogue.owner(code) is not None]
    added: Counter[str] = Counter()
    new: list[Submission] = []
    for row, key in zip(frame.itertuples(index=False), plan.keys, strict=True):
        if key in plan.existing:
            continue
        record = row._asdict()
        target = layanan[str(record["layanan"])]
        response = Response(
            answers={c: int(record[c]) for c in items if not np.isnan(record[c])},
            profile={
                k: str(record[k]) for k in PROFILE_COLUMNS if k in record and _given(record[k])
            },
            saran=str(record["saran"]) if _given(record.get("saran")) else None,
            idempotency_key=key or f"import:{unit.kode}:{_fresh()}",
        )
        when = record["submitted_at"].to_pydatetime()
        new.append(new_submission(catalogue, target, response, when, source="import"))
        added[target.kode] += 1
    session.add_all(new)
    session.flush()
    rollup.add(session, new)
    return ImportResult(sum(added.values()), len(plan.existing), dict(added))


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
        columns = [code for code in instrument.codes if code in items]
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


def _keys(unit: Unit, frame: pd.DataFrame) -> list[str | None]:
    if "id" not in frame.columns:
        return [None] * len(frame)
    return [f"import:{unit.kode}:{value}" if _given(value) else None for value in frame["id"]]


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


def _fresh() -> str:
    return secrets.token_urlsafe(16)
