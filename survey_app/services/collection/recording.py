"""A form's answers stored as rows (issue 20.3): the public form's write path.

:func:`~survey_app.services.collection.submissions.record_submission` builds ORM objects and
lets the unit of work flush them, which cost the form more than the writes themselves. Here
the same rows are written with SQLAlchemy Core statements on the session's connection, in its
transaction (the request commits): the submission with its idempotency check folded into the
INSERT (``ON CONFLICT (idempotency_key) DO NOTHING``, on SQLite and PostgreSQL alike), its
answers, the reasons of low answers, the extra answers, and the rollup's upserts. The checks
are :mod:`~survey_app.services.collection.submissions`' own, in the same order, so a refused
post is refused with the same reason.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, insert, select
from sqlalchemy.dialects import postgresql, sqlite

from analysis.periods import period_of
from survey_app.models import AlasanJawaban, Answer, JawabanTambahan, Layanan, Submission
from survey_app.services import DbSession, cacheable
from survey_app.services.catalogue import Catalogue
from survey_app.services.clean import clean_text
from survey_app.services.collection import rollup
from survey_app.services.collection.submissions import (
    Origin,
    Response,
    SubmissionRejected,
    answer_rows,
    check_shape,
    profile_values,
    reasons,
    version_of,
)

SUBMISSION = cast(Table, Submission.__table__)
ANSWERS = insert(cast(Table, Answer.__table__))
REASONS = insert(cast(Table, AlasanJawaban.__table__))
EXTRAS = insert(cast(Table, JawabanTambahan.__table__))


def _new(dialect: Any) -> Any:
    """INSERT the submission unless its idempotency key is stored already; RETURNING its id
    (no row: the key was there, nothing written)."""
    return (
        dialect.insert(SUBMISSION)
        .on_conflict_do_nothing(index_elements=[SUBMISSION.c.idempotency_key])
        .returning(SUBMISSION.c.id)
    )


COLUMNS = [c.name for c in SUBMISSION.c if c.name != "id"]
NEW = {d.__name__.rpartition(".")[2]: cacheable(_new(d), d, COLUMNS) for d in (postgresql, sqlite)}
OWNER = select(SUBMISSION.c.layanan_id).where(SUBMISSION.c.idempotency_key == bindparam("key"))


def record_response(
    session: DbSession,
    catalogue: Catalogue,
    layanan: Layanan,
    response: Response,
    now: datetime,
    origin: Origin,
) -> bool:
    """Store the form's ``response`` for ``layanan`` at the server time ``now``, as
    :func:`~survey_app.services.collection.submissions.record_submission` does (the same rows,
    checks and refusals), with Core statements in the session's transaction; the caller
    commits.

    Returns whether it is new: a second post with the same idempotency key (also sent at the
    same moment from another connection: the database decides) stores nothing. Raises
    :class:`SubmissionRejected` as ``record_submission`` does, and when the key belongs to a
    submission of another layanan. A one-time ticket that carried another answer meanwhile
    fails the ticket's UNIQUE constraint (``IntegrityError``), for the caller to tell.
    """
    answers = answer_rows(catalogue, layanan, response.answers)
    profile = profile_values(catalogue, response.profile)
    versi = version_of(session, layanan, response.kuesioner_versi_id)
    tambahan = check_shape(catalogue, layanan, versi, response)
    alasan = reasons(response) if layanan.unit.tanya_alasan is not False else {}
    period = period_of(now, layanan.unit.timezone)
    connection = session.connection()
    row = {
        "layanan_id": layanan.id,
        "submitted_at": now,
        "period": period,
        "idempotency_key": response.idempotency_key,
        "source": "form",
        "umur": None,
        "jenis_kelamin": None,
        "pendidikan": None,
        "pekerjaan": None,
        **profile,
        "saran": clean_text(response.saran or "").strip() or None,
        "sumber": origin.sumber,
        "durasi": origin.durasi,
        "tiket_id": origin.tiket.id if origin.tiket is not None else None,
        "kiosk_id": origin.kiosk_id,
        "terlambat": origin.terlambat,
        "kuesioner_versi_id": versi.id if versi is not None else None,
        "kiosk_dicatat": origin.kiosk_dicatat,
    }
    key = connection.execute(NEW[connection.dialect.name], row).scalar()
    if key is None:  # sent before (or at the same moment, and that one was stored)
        if connection.scalar(OWNER, {"key": response.idempotency_key}) != layanan.id:
            raise SubmissionRejected("this submission belongs to another layanan")
        return False
    connection.execute(ANSWERS, [{"submission_id": key, **a} for a in answers])
    if alasan:
        connection.execute(
            REASONS,
            [{"submission_id": key, "item_code": c, "teks": t} for c, t in alasan.items()],
        )
    if tambahan:
        connection.execute(
            EXTRAS,
            [{"submission_id": key, "kode": k, "nilai": v} for k, v in sorted(tambahan.items())],
        )
    cells: dict[rollup.Key, rollup.Cell] = defaultdict(lambda: [0, 0])
    counted = [(str(a["instrument_id"]), str(a["item_code"]), int(a["value"])) for a in answers]
    rollup.tally(cells, layanan.id, period, counted, profile)
    rollup.write(connection, cells)
    return True
