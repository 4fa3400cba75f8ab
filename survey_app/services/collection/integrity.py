"""Survey integrity: flags, and staff review decisions (exclude or keep) per submission.

Flags come from :mod:`analysis.integrity` over the stored rows, so they are always current and
never stored. A decision (exclude or keep) is stored per submission, reversible, audit-logged;
the answers themselves are never edited.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import pandas as pd
from sqlalchemy import func, select, update

from analysis.integrity import FLAGS, Rules, flags
from analysis.kuesioner import split_code
from analysis.periods import Span
from instruments.variant import PENGARAHAN_KODE as PENGARAHAN
from instruments.variant import YA
from survey_app.models import (
    REVIEW_DECISIONS,
    REVIEW_REASONS,
    JawabanTambahan,
    KuesionerVersi,
    Layanan,
    Pengguna,
    Submission,
    Tinjauan,
    Unit,
)
from survey_app.services import DbSession, among, audit, in_months
from survey_app.services.catalogue import Catalogue
from survey_app.services.collection import rollup
from survey_app.services.collection.answers import answers_frame

CATATAN_MAX = 500
UPLOAD = "unggahan"  # the channel of rows from a responses file (Submission.source)
KIOSK = "kiosk"  # the channel of a paired kiosk tablet's answers


class ReviewError(ValueError):
    """A review decision that cannot be saved; the message says why."""


def _steered(session: DbSession, ids: list[int]) -> set[int]:
    """The submissions among ``ids`` whose respondent answered "Ya" to the variant's extra
    question "Apakah ada petugas yang mengarahkan jawaban Anda?" (issue 22)."""
    if not ids:
        return set()
    said_yes = session.execute(
        select(JawabanTambahan.submission_id, Submission.kuesioner_versi_id)
        .join(Submission, Submission.id == JawabanTambahan.submission_id)
        .where(
            JawabanTambahan.submission_id.between(min(ids), max(ids)),
            JawabanTambahan.kode == PENGARAHAN,
            JawabanTambahan.nilai == YA,
        )
    ).all()
    asked = _asks_pengarahan(session, {v for _, v in said_yes if v is not None})
    return {sid for sid, versi in said_yes if versi in asked}


def _asks_pengarahan(session: DbSession, versi_ids: set[int]) -> set[int]:
    """The versions among ``versi_ids`` whose extra question ``pengarahan`` is of the kind
    pengarahan (the stored content's ``jenis``): only that question's "Ya" is a flag, never a
    yes/no question that happens to carry the code."""
    if not versi_ids:
        return set()
    rows = session.execute(
        select(KuesionerVersi.id, KuesionerVersi.isi).where(KuesionerVersi.id.in_(versi_ids))
    )
    return {
        versi
        for versi, isi in rows
        if any(
            isinstance(x, dict) and x.get("kode") == PENGARAHAN and x.get("jenis") == PENGARAHAN
            for x in (isi or {}).get("tambahan") or []
        )
    }


def asked_columns(frame: pd.DataFrame, items: list[str]) -> list[str]:
    """The answer columns the flags read: the instruments' items and, after them, the
    sub-question columns of a unit's variant present in ``frame`` (``U3.1/2``), so
    ``identik``, ``seragam`` and ``cepat`` see every question a version asked."""
    known = set(items)
    parts = sorted(
        str(c)
        for c in frame.columns
        if isinstance(c, str) and split_code(c)[2] > 1 and split_code(c)[0] in known
    )
    return [*items, *parts]


def _extras_asked(session: DbSession, catalogue: Catalogue, frame: pd.DataFrame) -> pd.Series:
    """Per row, the number of extra questions (never scored) its variant version asked; none
    for the base and for a kiosk (a kiosk asks no extra question)."""
    ids = frame["id"].tolist()
    found = session.execute(
        select(Submission.id, Submission.kuesioner_versi_id).where(
            Submission.id.between(min(ids), max(ids)),
            Submission.kuesioner_versi_id.is_not(None),
        )
    )
    versions: dict[int, int] = {int(i): int(v) for i, v in found if v is not None}
    # counted from the stored content, not re-checked against today's rules: a version stored
    # under older rules is still read (the flags are a review aid, never a refusal)
    counts = {
        versi.id: len((versi.isi or {}).get("tambahan") or ())
        for versi in session.scalars(
            select(KuesionerVersi).where(KuesionerVersi.id.in_(set(versions.values())))
        )
    }
    asked = frame["id"].map(lambda i: counts.get(versions.get(int(i), -1), 0))
    return asked.where(frame["source"] != KIOSK, 0).astype("int64")


# -- review ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Flagged:
    submission_id: int
    layanan: str
    submitted_at: datetime
    durasi: int | None
    flags: tuple[str, ...]
    keputusan: str | None
    alasan: str | None


@dataclass(frozen=True)
class Report:
    """The integrity state of a unit over a period."""

    span: Span
    total: int  # every stored submission, excluded ones included
    via_ticket: int
    flagged: dict[str, int]  # per flag
    flagged_any: int
    excluded: dict[str, int]  # per reason
    kept: int
    rows: list[Flagged] = field(default_factory=list)
    via_upload: int = 0  # rows of a responses file (channel "unggahan")
    via_kiosk: int = 0  # answers of a kiosk on the counter (channel "kiosk")
    kiosk_late: int = 0  # of those, kept on the tablet while offline and sent later

    @property
    def excluded_total(self) -> int:
        return sum(self.excluded.values())

    @property
    def ticket_share(self) -> float | None:
        return None if self.total == 0 else self.via_ticket / self.total

    @property
    def upload_share(self) -> float | None:
        return None if self.total == 0 else self.via_upload / self.total

    @property
    def kiosk_share(self) -> float | None:
        return None if self.total == 0 else self.via_kiosk / self.total

    @property
    def counted(self) -> int:
        return self.total - self.excluded_total


def report(
    session: DbSession, catalogue: Catalogue, unit: Unit, layanan_ids: list[int], span: Span
) -> Report:
    """Flags, decisions and ticket share of every submission of ``layanan_ids`` in ``span``."""
    frame = answers_frame(session, layanan_ids, span.months(), with_excluded=True)
    if frame.empty:
        return Report(span, 0, 0, dict.fromkeys(FLAGS, 0), 0, {}, 0)
    placed = _uploads_placed(_with_hours(session, frame)).assign(
        kiosk=frame["source"] == KIOSK,
        pengarahan=frame["id"].isin(_steered(session, frame["id"].tolist())),
    )
    placed["tambahan"] = _extras_asked(session, catalogue, placed)
    marks = flags(placed, asked_columns(frame, catalogue.item_codes()), Rules())
    any_flag = marks.any(axis=1)
    decisions = frame["keputusan"]
    excluded = frame.loc[decisions == "kecualikan", "alasan"]
    rows = [
        Flagged(
            int(row.id),
            str(row.layanan),
            row.submitted_at,
            None if pd.isna(row.durasi) else int(row.durasi),
            tuple(f for f in FLAGS if marks.at[index, f]),
            None if pd.isna(row.keputusan) else str(row.keputusan),
            None if pd.isna(row.alasan) else str(row.alasan),
        )
        for index, row in frame[any_flag | decisions.notna()].iterrows()
    ]
    return Report(
        span=span,
        total=len(frame),
        via_ticket=int(frame["tiket_id"].notna().sum()),
        flagged={f: int(marks[f].sum()) for f in FLAGS},
        flagged_any=int(any_flag.sum()),
        excluded=dict(Counter(str(a) for a in excluded)),
        kept=int((decisions == "pertahankan").sum()),
        rows=rows,
        via_upload=int((frame["source"] == UPLOAD).sum()),
        via_kiosk=int((frame["source"] == KIOSK).sum()),
        kiosk_late=_late(session, layanan_ids, span.months()),
    )


def _late(session: DbSession, layanan_ids: list[int], months: list[str]) -> int:
    """Kiosk answers of ``months`` that reached the server late (kept on the tablet offline)."""
    query = (
        select(func.count())
        .select_from(Submission)
        .where(
            Submission.terlambat,
            Submission.layanan_id.in_(layanan_ids),
            in_months(Submission.period, months),
        )
    )
    return int(session.scalar(query) or 0)


def _with_hours(session: DbSession, frame: pd.DataFrame) -> pd.DataFrame:
    hours = pd.DataFrame(
        session.execute(
            select(Layanan.id, Unit.timezone, Unit.jam_buka, Unit.jam_tutup)
            .join(Layanan.unit)
            .where(Layanan.id.in_(frame["layanan_id"].unique().tolist()))
        ).all(),
        columns=["layanan_id", "timezone", "jam_buka", "jam_tutup"],
    )
    return frame.merge(hours, on="layanan_id", how="left").set_index(frame.index)


def _uploads_placed(frame: pd.DataFrame) -> pd.DataFrame:
    """Uploaded rows for the flags: the file channel of a layanan is their one source (so a
    burst of rows in a file is seen as a burst from one address is), and a row stamped at local
    midnight holds a date only (no window of minutes, no service hours apply to it)."""
    uploaded = frame["source"] == UPLOAD
    if not uploaded.any():
        return frame
    channel = UPLOAD + ":" + frame["layanan_id"].astype(str)
    when = pd.to_datetime(frame["submitted_at"], utc=True)
    midnight = pd.Series(False, index=frame.index)
    for zone, rows in frame[uploaded].groupby("timezone", sort=False).groups.items():
        local = when.loc[rows].dt.tz_convert(str(zone))
        midnight.loc[rows] = local == local.dt.normalize()
    return frame.assign(
        sumber=frame["sumber"].where(~uploaded | frame["sumber"].notna(), channel),
        tanpa_jam=uploaded & midnight,
    )


def decide(
    session: DbSession,
    user: Pengguna,
    submission: Submission,
    keputusan: str,
    alasan: str,
    catatan: str,
    now: datetime,
) -> Tinjauan:
    """Exclude or keep ``submission``, or change an earlier decision; always audit-logged."""
    catatan = catatan.strip()
    if keputusan not in REVIEW_DECISIONS:
        raise ReviewError(f"keputusan harus salah satu dari {', '.join(REVIEW_DECISIONS)}")
    if alasan not in REVIEW_REASONS:
        raise ReviewError(f"alasan harus salah satu dari {', '.join(REVIEW_REASONS)}")
    if alasan == "lainnya" and not catatan:
        raise ReviewError("alasan 'lainnya' perlu catatan")
    if len(catatan) > CATATAN_MAX:
        raise ReviewError(f"catatan paling banyak {CATATAN_MAX} karakter")
    # The submission's row is locked first, so concurrent decisions on one answer run one
    # after the other and each reads the decision before it: the rollup moves once per change
    # of state (two "kecualikan" at once once subtracted the answer twice), and a first
    # decision is inserted once (ten at once once met a unique violation).
    # A no-op UPDATE is that lock on both databases: a row lock on PostgreSQL, the write lock
    # on SQLite (where SELECT ... FOR UPDATE is ignored).
    session.execute(
        update(Submission).where(Submission.id == submission.id).values(id=Submission.id)
    )
    review = session.scalars(
        select(Tinjauan)
        .where(Tinjauan.submission_id == submission.id)
        .execution_options(populate_existing=True)
    ).first()
    before = _state(review)
    was_counted = review is None or review.keputusan != "kecualikan"
    if review is None:
        review = Tinjauan(submission=submission, keputusan=keputusan, alasan=alasan, at=now)
        session.add(review)
    review.keputusan, review.alasan, review.catatan = keputusan, alasan, catatan
    review.pengguna_id, review.at = user.id, now
    audit.record(session, user, "tinjau", "submission", submission.id, before, _state(review), now)
    session.flush()
    counted = keputusan != "kecualikan"
    if counted != was_counted:
        rollup.add(session, [submission], sign=1 if counted else -1)
    return review


def _state(review: Tinjauan | None) -> dict[str, Any] | None:
    if review is None:
        return None
    return {"keputusan": review.keputusan, "alasan": review.alasan, "catatan": review.catatan}


def exclusions(session: DbSession, layanan_ids: list[int], months: list[str]) -> dict[str, int]:
    """How many answers were excluded in ``months``, per reason (for reports and publications)."""
    rows = session.execute(
        select(Tinjauan.alasan, func.count())
        .join(Tinjauan.submission)
        .where(
            Tinjauan.keputusan == "kecualikan",
            among(session, Submission.layanan_id, layanan_ids),
            in_months(Submission.period, months),
        )
        .group_by(Tinjauan.alasan)
        .order_by(Tinjauan.alasan)
    )
    return {alasan: int(n) for alasan, n in rows}


def channels(session: DbSession, layanan_ids: list[int], months: list[str]) -> dict[str, int]:
    """Counted answers of ``months`` per channel (``Submission.source``: form, kiosk,
    unggahan ...), channels without any left out; one read for every share a page shows.

    Every submission per channel, less the excluded ones found from the (few) review decisions:
    an anti-join of a country's month (40,000 rows) cost 40 ms, these two reads a quarter."""
    where = (
        among(session, Submission.layanan_id, layanan_ids),
        in_months(Submission.period, months),
    )
    found: dict[str, int] = {}
    for source, n in session.execute(
        select(Submission.source, func.count()).where(*where).group_by(Submission.source)
    ):
        found[str(source)] = int(n)
    for source, n in session.execute(
        select(Submission.source, func.count())
        .join(Tinjauan, Tinjauan.submission_id == Submission.id)
        .where(*where, Tinjauan.keputusan == "kecualikan")  # one decision per submission
        .group_by(Submission.source)
    ):
        found[str(source)] -= int(n)
    return {source: n for source, n in found.items() if n}
