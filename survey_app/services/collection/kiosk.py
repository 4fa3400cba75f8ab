"""Kiosk mode (issue 21.3): a tablet on the counter paired with one layanan, and its answers.

Pairing: a unit's admin or petugas loket makes a one-time code (valid for minutes); the tablet
that types it gets a long random device secret. Only the SHA-256 of either is stored, the code
is gone once used, and a revoked pairing takes no more answers. Every step is audit-logged.

Answers: each carries the device's idempotency key and the time the device recorded it. An
answer that reaches the server at once is placed at the server's time, like the form's; one
kept on the device while the network was down is placed at its recorded time, accepted only
within bounds (not in the future, not older than the hours allowed, not before the pairing)
and marked as sent late (``terlambat``). Two answers of one kiosk are at least a gap apart by
the kiosk's own clock, and an answer kept on a tablet belongs to the pairing it was given under.
Answers refused for good are counted on the kiosk for its staff page.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, update

from survey_app.models import TICKET_ALPHABET, Kiosk, Layanan, Pengguna, Submission
from survey_app.services import DbSession, audit
from survey_app.services.catalogue import Catalogue
from survey_app.services.collection.submissions import (
    Origin,
    Response,
    asked_scales,
    find_submission,
    record_submission,
)

CHANNEL = "kiosk"  # Submission.source of a kiosk's answers
CODE_LENGTH = 8  # 31**8, about 40 bits, valid for minutes and typed under a rate limit
SKEW = timedelta(minutes=2)  # a tablet's clock this far ahead of the server's is "now"
LATE = timedelta(minutes=2)  # recorded this long before it arrived: it was kept offline
KEY = re.compile(r"[A-Za-z0-9_-]{16,64}")
DURASI_MAX = 24 * 3600


class KioskError(ValueError):
    """A kiosk step that cannot be done; the message says why, for the person in front of it."""


class PairingRefused(KioskError):
    """The pairing code is unknown, used, expired or revoked."""

    def __init__(self, message: str, expired: bool = False) -> None:
        super().__init__(message)
        self.expired = expired


# Why an answer was refused for good, as kept on the kiosk for its staff page (each code has
# its Indonesian and English text there); the message to the device says it in full.
REFUSALS = ("masa_depan", "terlalu_lama", "sebelum_pasang", "pemasangan_lain", "isi", "jeda")


class AnswerRefused(KioskError):
    """An answer that will never be accepted; ``kode`` is one of :data:`REFUSALS`."""

    def __init__(self, message: str, kode: str = "isi") -> None:
        super().__init__(message)
        self.kode = kode


class TooSoon(AnswerRefused):
    """A second answer of one kiosk within the minimum gap, by the kiosk's own clock."""

    def __init__(self, message: str, wait: int) -> None:
        super().__init__(message, "jeda")
        self.wait = wait


def digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def printed(code: str) -> str:
    """A pairing code as shown to staff: two groups of four, ``ABCD-EFGH``."""
    return f"{code[:4]}-{code[4:]}"


def issue_code(
    session: DbSession, layanan: Layanan, user: Pengguna, now: datetime, minutes: int
) -> tuple[Kiosk, str]:
    """A new pairing of ``layanan`` waiting for a device, and its one-time code (shown once)."""
    code = "".join(secrets.choice(TICKET_ALPHABET) for _ in range(CODE_LENGTH))
    kiosk = Kiosk(
        layanan=layanan,
        kode_hash=digest(code),
        kode_berlaku_sampai=now + timedelta(minutes=minutes),
        dibuat=now,
        dibuat_oleh=user.id,
    )
    session.add(kiosk)
    session.flush()
    after = {"layanan_id": layanan.id, "berlaku_sampai": kiosk.kode_berlaku_sampai.isoformat()}
    audit.record(session, user, "kode_kiosk", "kiosk", kiosk.id, None, after, now)
    return kiosk, code


def pair(session: DbSession, typed: str, now: datetime) -> tuple[Kiosk, str]:
    """Pair the device that typed ``typed`` (spaces, dashes and case ignored): the pairing and
    the device secret to keep in its cookie. Raises :class:`PairingRefused`."""
    code = "".join(typed.split()).replace("-", "").upper()
    kiosk = session.scalar(select(Kiosk).where(Kiosk.kode_hash == digest(code))) if code else None
    if kiosk is None or kiosk.dicabut is not None:
        raise PairingRefused("Kode pemasangan tidak dikenal atau sudah dipakai.")
    if kiosk.kode_berlaku_sampai <= now:
        raise PairingRefused("Kode pemasangan sudah kedaluwarsa.", expired=True)
    secret = secrets.token_urlsafe(32)
    kiosk.kode_hash, kiosk.rahasia_hash, kiosk.dipasang = None, digest(secret), now
    audit.record(session, None, "pasang_kiosk", "kiosk", kiosk.id, None, {"dipasang": True}, now)
    session.flush()
    return kiosk, secret


def revoke(session: DbSession, kiosk: Kiosk, user: Pengguna, now: datetime) -> bool:
    """End a pairing (or an unused code); its answers stay. Whether it changed."""
    if kiosk.dicabut is not None:
        return False
    kiosk.dicabut, kiosk.dicabut_oleh, kiosk.kode_hash = now, user.id, None
    audit.record(session, user, "cabut_kiosk", "kiosk", kiosk.id, None, {"dicabut": True}, now)
    session.flush()
    return True


def device(session: DbSession, secret: str) -> Kiosk | None:
    """The live pairing of a device secret, or None (unknown or revoked)."""
    if not secret or len(secret) > 100:
        return None
    kiosk = session.scalar(select(Kiosk).where(Kiosk.rahasia_hash == digest(secret)))
    return kiosk if kiosk is not None and kiosk.dicabut is None else None


def kiosks(session: DbSession, layanan: Layanan) -> list[Kiosk]:
    """The pairings of ``layanan``, newest first."""
    return list(
        session.scalars(
            select(Kiosk).where(Kiosk.layanan_id == layanan.id).order_by(Kiosk.id.desc())
        )
    )


def answer_counts(session: DbSession, ids: list[int]) -> dict[int, int]:
    """Stored answers per kiosk pairing."""
    rows = session.execute(
        select(Submission.kiosk_id, func.count())
        .where(Submission.kiosk_id.in_(ids))
        .group_by(Submission.kiosk_id)
    )
    return {int(k): int(n) for k, n in rows}


@dataclass(frozen=True)
class KioskAnswer:
    """One respondent's answers as the kiosk sent them."""

    kunci: str  # the device's idempotency key of this answer
    answers: Mapping[str, int]
    dicatat: datetime  # when the device recorded it (aware)
    durasi: int | None = None  # seconds from the first question to the last answer
    pasangan: int | None = None  # the pairing the kiosk's page was shown under
    versi: int | None = None  # the questionnaire variant version shown (issue 22)


@dataclass(frozen=True)
class Bounds:
    gap: timedelta  # the least time between two answers of one kiosk
    max_age: timedelta  # how long an answer may wait on the device


def record(
    session: DbSession,
    catalogue: Catalogue,
    kiosk: Kiosk,
    answer: KioskAnswer,
    now: datetime,
    bounds: Bounds,
) -> tuple[Submission, bool]:
    """Store ``answer`` of ``kiosk``: the submission and whether it is new (the same key sent
    again returns the first and adds nothing). Raises :class:`AnswerRefused` (its ``kode``
    says why: broken or incomplete content, a time out of bounds, given under another
    pairing), :class:`TooSoon` (within the gap of another answer by the kiosk's clock) or
    :class:`SubmissionRejected`. Checked in that order, after the key: a repeat is never
    refused, and broken content is never told to wait."""
    if not KEY.fullmatch(answer.kunci):
        raise AnswerRefused("kunci jawaban tidak sah")
    key = f"kiosk:{kiosk.id}:{answer.kunci}"
    existing = find_submission(session, key)
    if existing is not None:
        return existing, False
    scales = asked_scales(session, catalogue, kiosk.layanan, answer.versi)  # issue 22
    _check_complete(scales, answer.answers)
    if answer.pasangan is not None and answer.pasangan != kiosk.id:
        raise AnswerRefused(
            "jawaban diberikan pada pemasangan kios yang lain (sudah dicabut)", "pemasangan_lain"
        )
    when, late = placed(kiosk, answer.dicatat, now, bounds.max_age)
    durasi = None if answer.durasi is None else min(max(answer.durasi, 0), DURASI_MAX)
    # One kiosk's answers one after the other (a no-op UPDATE locks its row on both
    # databases), so two sent at once cannot both pass the gap; the same key sent twice at
    # once finds the first once the lock is had.
    session.execute(update(Kiosk).where(Kiosk.id == kiosk.id).values(id=Kiosk.id))
    existing = find_submission(session, key)
    if existing is not None:
        return existing, False
    recorded = min(answer.dicatat, now)
    _check_gap(session, kiosk, recorded, bounds.gap)
    response = Response(answer.answers, {}, None, key, kuesioner_versi_id=answer.versi)
    origin = Origin(durasi=durasi, kiosk_id=kiosk.id, terlambat=late, kiosk_dicatat=recorded)
    return record_submission(
        session, catalogue, kiosk.layanan, response, when, source=CHANNEL, origin=origin
    )


def _check_complete(scales: Mapping[str, int], answers: Mapping[str, int]) -> None:
    """Every question the layanan's form asks (``scales``: stored code -> scale, of its
    variant version when it has one), each within its scale, and nothing else: the kiosk asks
    them all, one a screen, so anything less is not its answer."""
    if not scales:
        raise AnswerRefused("layanan ini tidak membawa survei")
    missing = [code for code in scales if code not in answers]
    unknown = [code for code in answers if code not in scales]
    outside = [c for c, v in answers.items() if c in scales and not 1 <= v <= scales[c]]
    if missing or unknown or outside:
        parts = [
            f"{label} {', '.join(codes)}"
            for label, codes in (
                ("tidak dijawab:", missing),
                ("tidak ada pada kuesioner layanan ini:", unknown),
                ("di luar skala:", outside),
            )
            if codes
        ]
        raise AnswerRefused("jawaban tidak lengkap atau tidak sesuai; " + "; ".join(parts))


def note_refusal(session: DbSession, kiosk: Kiosk, kode: str, now: datetime) -> None:
    """Count an answer of ``kiosk`` refused for good, keeping ``now`` and why (``kode``, one
    of :data:`REFUSALS`) as the last one, for the staff's kiosk page. The caller commits."""
    session.execute(
        update(Kiosk)
        .where(Kiosk.id == kiosk.id)
        .values(ditolak=Kiosk.ditolak + 1, ditolak_terakhir=now, ditolak_alasan=kode)
    )


def placed(
    kiosk: Kiosk, dicatat: datetime, now: datetime, max_age: timedelta
) -> tuple[datetime, bool]:
    """The time an answer is stored at, and whether it came late. Raises
    :class:`AnswerRefused` when the recorded time is out of bounds: ahead of the server's by
    more than :data:`SKEW`, older than ``max_age``, or before the pairing (less :data:`SKEW`,
    for a tablet's clock a little behind)."""
    if dicatat > now + SKEW:
        raise AnswerRefused(
            "waktu perangkat berada di masa depan: periksa jam tablet", "masa_depan"
        )
    if dicatat < now - max_age:
        hours = int(max_age.total_seconds() // 3600)
        raise AnswerRefused(
            f"jawaban lebih lama dari {hours} jam tidak diterima lagi", "terlalu_lama"
        )
    if kiosk.dipasang is None or dicatat < kiosk.dipasang - SKEW:
        raise AnswerRefused("jawaban tercatat sebelum perangkat ini dipasangkan", "sebelum_pasang")
    if dicatat >= now - LATE:
        return now, False
    return dicatat, True


def _check_gap(session: DbSession, kiosk: Kiosk, recorded: datetime, gap: timedelta) -> None:
    """Refuse (:class:`TooSoon`) an answer recorded by the kiosk's clock within ``gap`` of
    another of its answers; measured on the device's clock, so answers kept offline and sent
    together are as far apart as when they were given."""
    nearest = session.scalar(
        select(Submission.kiosk_dicatat)
        .where(
            Submission.kiosk_id == kiosk.id,
            Submission.kiosk_dicatat > recorded - gap,
            Submission.kiosk_dicatat < recorded + gap,
        )
        .order_by(Submission.kiosk_dicatat.desc())
        .limit(1)
    )
    if nearest is not None:
        wait = max(1, int((nearest + gap - recorded).total_seconds() + 0.999))
        raise TooSoon(
            f"Jawaban berikutnya dari kios ini baru dapat diterima {wait} detik lagi.", wait
        )
