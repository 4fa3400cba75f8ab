"""Checking and storing an uploaded responses file, in the request or as a background job.

The file is read once: :func:`check_upload` reads and checks it and keeps the checked rows
beside it (:func:`uploads.save_checked`); :func:`store_upload` stores those rows (reading the
file only if they are gone). A big file (over ``UPLOAD_JOB_BYTES``) is checked and stored by
``zisurvey worker`` when ``SURVEY_JOBS_REDIS_URL`` is set, with progress; the job's result is
JSON, like every job's (never a pickle in Redis).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from rq import Queue, get_current_job
from rq.job import Job
from sqlalchemy.exc import IntegrityError

from analysis.responses import ResponsesError, read_responses
from survey_app.models import Unit
from survey_app.services import DbSession
from survey_app.services.catalogue import Catalogue
from survey_app.services.collection import pemetaan, uploads
from survey_app.services.collection.imports import SARAN_MAX, import_responses, plan_import

KEEP_SECONDS = 24 * 3600
ALREADY_STORING = (
    "baris yang sama sedang atau baru saja disimpan oleh permintaan lain (klik kedua, atau tab "
    "lain); tidak ada yang disimpan dari permintaan ini: buka lagi pratinjaunya untuk melihat "
    "yang sudah ada"
)


@dataclass(frozen=True)
class Settings:
    """What checking and storing need of the app's configuration."""

    secret: str
    saran_max: int = SARAN_MAX
    max_rows: int = 0

    @classmethod
    def of(cls, config: Any) -> Settings:
        return cls(
            str(config["SECRET_KEY"]),
            int(config["SARAN_MAX"]),
            int(config.get("UPLOAD_MAX_ROWS", 0)),
        )


@dataclass(frozen=True)
class Preview:
    """What confirming an upload would do, or every problem with it (JSON-safe)."""

    problems: list[str] = field(default_factory=list)
    rows: int = 0
    new: int = 0
    existing: int = 0
    per_month: list[tuple[str, str, int]] = field(default_factory=list)  # layanan, month, new

    def as_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Preview:
        months = [(str(a), str(b), int(n)) for a, b, n in data.get("per_month", [])]
        fields = {k: data[k] for k in ("problems", "rows", "new", "existing") if k in data}
        return cls(**fields, per_month=months)


@dataclass(frozen=True)
class Stored:
    """What confirming stored, or the problems that stopped it (nothing stored then)."""

    problems: list[str] = field(default_factory=list)
    added: int = 0
    already_there: int = 0
    months: list[str] = field(default_factory=list)  # the file's months, first to last

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


Document = dict[str, Any] | None  # a confirmed mapping (INTERCHANGE.md), or None


def _read(
    catalogue: Catalogue,
    unit: Unit,
    path: Path,
    ignore: Iterable[str],
    max_rows: int,
    mapping: Document = None,
) -> Any:
    try:
        checked = pemetaan.checked(mapping, catalogue) if mapping else None
    except pemetaan.MappingError as exc:
        raise ResponsesError(exc.problems) from exc
    frame = read_responses(
        path,
        catalogue.schema(),
        tz=unit.timezone,
        ignore=list(ignore),
        known_layanan=[x.kode for x in unit.layanan],
        mapping=checked,
    )
    if max_rows > 0 and len(frame) > max_rows:
        raise ResponsesError(
            [
                f"berkas ini berisi {len(frame)} baris, paling banyak {max_rows} baris per "
                "unggahan; bagi berkas per bulan atau per layanan"
            ]
        )
    return frame


def check_upload(
    session: DbSession,
    catalogue: Catalogue,
    unit: Unit,
    path: Path,
    ignore: Iterable[str],
    now: datetime,
    settings: Settings,
    mapping: Document = None,
) -> Preview:
    """Read and check the upload at ``path`` once (through ``mapping``, a confirmed mapping,
    when given), keep its checked rows, say what it would do."""
    try:
        frame = _read(catalogue, unit, path, ignore, settings.max_rows, mapping)
        plan = plan_import(session, catalogue, unit, frame, now, settings.saran_max)
    except ResponsesError as exc:
        return Preview(problems=list(exc.problems))
    uploads.save_checked(path, frame, settings.secret, pemetaan.digest(mapping))
    new = plan.new_rows
    return Preview(
        rows=len(frame),
        new=len(new),
        existing=len(plan.existing),
        per_month=[(kode, month, n) for (kode, month), n in plan.summary().items()],
    )


def store_upload(
    session: DbSession,
    catalogue: Catalogue,
    unit: Unit,
    path: Path,
    ignore: Iterable[str],
    now: datetime,
    settings: Settings,
    progress: Callable[[int, int], None] = lambda done, total: None,
    mapping: Document = None,
) -> Stored:
    """Store the checked rows of the upload at ``path`` (flush, not commit); rows already
    stored are found again at this moment, so a second confirmation adds nothing."""
    try:
        frame = uploads.load_checked(path, settings.secret, pemetaan.digest(mapping))
        if frame is None:
            frame = _read(catalogue, unit, path, ignore, settings.max_rows, mapping)
        result = import_responses(
            session, catalogue, unit, frame, now, settings.saran_max, progress
        )
    except ResponsesError as exc:
        return Stored(problems=list(exc.problems))
    except IntegrityError:  # the same rows stored meanwhile (a second click, another tab)
        return Stored(problems=[ALREADY_STORING])
    months = sorted({str(m) for m in frame["period"].dropna().unique()})
    return Stored(added=result.added, already_there=result.already_there, months=months)


# -- background jobs -------------------------------------------------------------------------


def job_id(kind: str, owner: int, unit_id: int, token: str, mapping: Document = None) -> str:
    """One job per upload, step (``pratinjau`` or ``simpan``) and mapping: a reload finds it
    again, another mapping of the same file is another job."""
    tail = f"-{pemetaan.digest(mapping)}" if mapping else ""
    return f"unggah-{kind}-{owner}-{unit_id}-{token}{tail}"


def find_job(jobs: Queue, ident: str) -> Job | None:
    try:
        return Job.fetch(ident, connection=jobs.connection, serializer=jobs.serializer)
    except Exception:  # rq raises NoSuchJobError, or a Redis error for a malformed id
        return None


def enqueue(
    jobs: Queue,
    kind: str,
    owner: int,
    unit: Unit,
    path: Path,
    token: str,
    ignore: list[str],
    mapping: Document = None,
) -> Job:
    """The job of ``kind`` for this upload: the one already queued, running or done, else new."""
    ident = job_id(kind, owner, unit.id, token, mapping)
    found = find_job(jobs, ident)
    if found is not None and found.get_status(refresh=True) != "failed":
        return found
    runner = run_preview if kind == "pratinjau" else run_store
    return jobs.enqueue(
        runner,
        unit.id,
        str(path),
        ignore,
        mapping,
        job_id=ident,
        meta={"user_id": owner, "unit": unit.kode, "done": 0, "total": None},
        result_ttl=KEEP_SECONDS,
        failure_ttl=KEEP_SECONDS,
        job_timeout=3600,
    )


def _context() -> tuple[Any, Catalogue, datetime, Settings]:
    from flask import current_app

    from survey_app.extensions import db

    config = current_app.config
    catalogue = current_app.extensions["zisurvey.catalogue"]
    return db.session, catalogue, config["CLOCK"](), Settings.of(config)


def run_preview(
    unit_id: int, path: str, ignore: list[str], mapping: Document = None
) -> dict[str, Any]:
    """The job: runs in ``zisurvey worker`` (inside an app context); returns the preview."""
    session, catalogue, now, settings = _context()
    unit = session.get(Unit, unit_id)
    if unit is None:
        raise ValueError(f"unit {unit_id} is gone")
    preview = check_upload(session, catalogue, unit, Path(path), ignore, now, settings, mapping)
    session.rollback()  # a preview only reads
    return preview.as_json()


def run_store(
    unit_id: int, path: str, ignore: list[str], mapping: Document = None
) -> dict[str, Any]:
    """The job that stores the checked rows, reporting rows stored as it goes; commits."""
    session, catalogue, now, settings = _context()
    unit = session.get(Unit, unit_id)
    if unit is None:
        raise ValueError(f"unit {unit_id} is gone")
    job = get_current_job()

    def progress(done: int, total: int) -> None:
        if job is not None:
            job.meta.update(done=done, total=total)
            job.save_meta()

    stored = store_upload(
        session, catalogue, unit, Path(path), ignore, now, settings, progress, mapping
    )
    if stored.problems:
        session.rollback()
    else:
        session.commit()
    return stored.as_json()
