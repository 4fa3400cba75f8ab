"""The SKM report and the LKE evidence pack as background jobs (RQ on Redis), with progress,
when SURVEY_JOBS_REDIS_URL is set; the export page and its download serve them like the XLSX
rekap. Arguments and results are JSON: a value in Redis cannot run code in a worker."""

from __future__ import annotations

from pathlib import Path

from flask import current_app
from rq import Queue, get_current_job
from rq.job import Job

from analysis.periods import Span, label_of
from survey_app.dokumen import laporan, paket
from survey_app.models import Unit
from survey_app.services.reporting.jobs import KEEP_SECONDS

KINDS = {"docx": "laporan", "pdf": "laporan", "zip": "paket"}


def enqueue(
    jobs: Queue, unit: Unit, span: Span, fmt: str, user_id: int, folder: Path, base_url: str
) -> Job:
    """Queue the report (``fmt`` docx or pdf) or the pack (``zip``) of ``unit`` over ``span``."""
    name = paket.file_name(unit, span) if fmt == "zip" else laporan.file_name(unit, span, fmt)
    return jobs.enqueue(
        run,
        unit.id,
        span.kind,
        span.first,
        span.last,
        fmt,
        str(folder),
        base_url,
        meta={
            "user_id": user_id,
            "unit": unit.kode,
            "label": label_of(span),
            "jenis": KINDS[fmt],
            "nama": name,
            "done": 0,
            "total": None,
        },
        result_ttl=KEEP_SECONDS,
        failure_ttl=KEEP_SECONDS,
        job_timeout=3600,
    )


def run(
    unit_id: int, kind: str, first: str, last: str, fmt: str, folder: str, base_url: str
) -> str:
    """The job (in ``zisurvey worker``, inside an app context): writes the file, returns its
    path. A request context on ``base_url`` lets the documents print public addresses."""
    from survey_app.extensions import db

    job = get_current_job()
    unit = db.session.get(Unit, unit_id)
    if unit is None:
        raise ValueError(f"unit {unit_id} is gone")
    span = Span(kind, first, last)
    path = Path(folder) / f"{job.id if job else 'dokumen'}.{fmt}"
    path.parent.mkdir(parents=True, exist_ok=True)

    def progress(done: int, total: int) -> None:
        if job is not None:
            job.meta.update(done=done, total=total)
            job.save_meta()

    catalogue = current_app.extensions["zisurvey.catalogue"]
    now = current_app.config["CLOCK"]()
    with current_app.test_request_context("/", base_url=base_url or None):
        if fmt == "zip":
            body = paket.write(db.session, catalogue, unit, span, now, base_url, progress)
        else:
            progress(0, 1)
            body = laporan.write(db.session, catalogue, unit, span, now, fmt, base_url)
            progress(1, 1)
    path.write_bytes(body)
    db.session.rollback()
    return str(path)
