"""Long exports as background jobs on Redis (RQ), with progress, so web workers stay free.

Without ``SURVEY_JOBS_REDIS_URL`` (the embedded default) an export is built in the request.
With it, the request enqueues a job and answers at once; ``zisurvey worker`` builds the file,
reporting rows written, and the user who asked downloads it when it is done.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pandas as pd
from redis import Redis
from rq import Queue, get_current_job
from rq.job import Job
from rq.serializers import JSONSerializer
from sqlalchemy import func, select

from analysis.periods import Span, label_of, nama_periode
from survey_app.models import Unit
from survey_app.services import DbSession
from survey_app.services.catalogue import Catalogue
from survey_app.services.collection import integrity
from survey_app.services.collection.answers import answers_pages
from survey_app.services.reporting import dashboard, exports
from survey_app.services.reporting.aggregates import counted
from survey_app.services.reporting.asked import asked_in, extra_answers, question_lines

QUEUE = "zisurvey-ekspor"
KEEP_SECONDS = 24 * 3600  # results and files are kept a day


def queue(url: str | None, name: str = QUEUE) -> Queue | None:
    """The export queue on Redis at ``url`` (None without one). Jobs, their arguments and
    results are JSON, never pickles: a value in Redis cannot run code in a worker."""
    if not url:
        return None
    return Queue(name, connection=Redis.from_url(url), serializer=JSONSerializer)


def write_rekap(
    session: DbSession,
    catalogue: Catalogue,
    unit: Unit,
    span: Span,
    path: Path,
    progress: Callable[[int, int], None] = lambda done, total: None,
    mask: Callable[[str], str] | None = None,
) -> None:
    """The XLSX rekap of ``unit`` over ``span`` into ``path``, calling ``progress(done, total)``
    after each page of answers; ``mask`` rewrites each saran (a copy handed outside)."""
    label = nama_periode(span)  # the titles people read: "Lapas ... - Oktober 2026"
    ids = dashboard.layanan_ids(session, unit)
    instruments = list(catalogue.instruments.values())
    total = int(session.scalar(select(func.count()).where(counted(ids, span.months()))) or 0)
    progress(0, total)

    asked = asked_in(session, catalogue.instruments, unit.nama, ids, span.months())
    items = [*catalogue.item_codes(), *asked.parts]

    def pages() -> Iterator[pd.DataFrame]:
        done = 0
        for page in answers_pages(session, ids, span.months(), items=items):
            if asked.extra_codes:  # the extra questions' answers, for the sheet of them
                first, last = int(page["id"].iloc[0]), int(page["id"].iloc[-1])
                page = page.join(extra_answers(session, first, last), on="id")
            yield page
            done += len(page)
            progress(done, total)

    rekaps = dashboard.rekaps(session, unit, span, instruments, label)
    excluded = integrity.exclusions(session, ids, span.months())
    lines = question_lines(asked, catalogue.instruments)
    exports.rekap_xlsx(path, pages(), instruments, rekaps, excluded, mask, asked, lines)


def enqueue_rekap(jobs: Queue, unit: Unit, span: Span, user_id: int, folder: Path) -> Job:
    return jobs.enqueue(
        run_rekap,
        unit.id,
        span.kind,
        span.first,
        span.last,
        str(folder),
        meta={
            "user_id": user_id,
            "unit": unit.kode,
            "label": label_of(span),
            "done": 0,
            "total": None,
        },
        result_ttl=KEEP_SECONDS,
        failure_ttl=KEEP_SECONDS,
        job_timeout=3600,
    )


def run_rekap(unit_id: int, kind: str, first: str, last: str, folder: str) -> str:
    """The job: runs in ``zisurvey worker`` (inside an app context); returns the file's path."""
    from flask import current_app

    from survey_app.extensions import db

    job = get_current_job()
    unit = db.session.get(Unit, unit_id)
    if unit is None:
        raise ValueError(f"unit {unit_id} is gone")
    span = Span(kind, first, last)
    path = Path(folder) / f"{job.id if job else 'rekap'}.xlsx"
    path.parent.mkdir(parents=True, exist_ok=True)

    def progress(done: int, total: int) -> None:
        if job is not None:
            job.meta.update(done=done, total=total)
            job.save_meta()

    write_rekap(
        db.session, current_app.extensions["zisurvey.catalogue"], unit, span, path, progress
    )
    db.session.rollback()
    return str(path)


def find(jobs: Queue, job_id: str) -> Job | None:
    try:
        return Job.fetch(job_id, connection=jobs.connection, serializer=JSONSerializer)
    except Exception:  # rq raises NoSuchJobError, or a Redis error for a malformed id
        return None
