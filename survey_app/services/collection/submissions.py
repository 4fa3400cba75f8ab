"""Recording a respondent's answers: once per encounter, under the server's clock."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from analysis.kuesioner import split_code, sub_code
from analysis.periods import period_of
from instruments import Extra, Instrument, apply_variant, estimate_minutes, extras
from instruments.variant import SHORT_TEXT_MAX, TIDAK, YA
from survey_app.models import (
    AlasanJawaban,
    Answer,
    JawabanTambahan,
    KuesionerVarian,
    KuesionerVersi,
    Layanan,
    Submission,
    Tiket,
    Unit,
)
from survey_app.services import DbSession
from survey_app.services.catalogue import Catalogue
from survey_app.services.clean import clean_text
from survey_app.services.collection import rollup
from survey_app.services.collection.kuesioner import shown, variant_of

ALASAN_MAX = 300  # characters of one reason (the column's width)
LOW_ANSWERS = (1, 2)  # the answers a respondent may say why of (REGULATION §8)
ALASAN = "alasan-"  # the reason beside the radio group U3 is alasan-U3 (U3-1: alasan-U3-1)


class SubmissionRejected(ValueError):
    """Answers that cannot be stored (tampered or empty); nothing was added."""


@dataclass(frozen=True)
class Response:
    """What a respondent sent, already parsed: item code -> answer, the optional profile, and
    per item the optional reason (alasan) of a low answer."""

    answers: Mapping[str, int]
    profile: Mapping[str, str]
    saran: str | None
    idempotency_key: str
    alasan: Mapping[str, str] = field(default_factory=dict)
    # a unit's variant (issue 22): the answers to its extra questions (code -> answer, never
    # scored) and the version the form was given under (None: the shipped base)
    tambahan: Mapping[str, str] = field(default_factory=dict)
    kuesioner_versi_id: int | None = None


@dataclass(frozen=True)
class Origin:
    """Where a form submission came from, for the integrity flags (nothing that identifies)."""

    sumber: str | None = None  # the day's salted hash of the source
    durasi: int | None = None  # seconds from rendering the form to sending it
    tiket: Tiket | None = None  # the one-time link it came through
    kiosk_id: int | None = None  # the kiosk pairing it came through
    terlambat: bool = False  # kept on a kiosk while offline, sent later
    kiosk_dicatat: datetime | None = None  # the kiosk's clock when it recorded the answer


class TicketUsed(SubmissionRejected):
    """The one-time link already carried a submission."""


def find_layanan(session: DbSession, token: str) -> Layanan | None:
    """The layanan of a public token with its unit and instrument links, in one query: the
    form reads all three on every request."""
    return (
        session.scalars(
            select(Layanan)
            .options(joinedload(Layanan.unit), joinedload(Layanan.instrumen))
            .where(Layanan.token == token)
        )
        .unique()
        .first()
    )


def find_submission(session: DbSession, idempotency_key: str) -> Submission | None:
    return session.scalar(select(Submission).where(Submission.idempotency_key == idempotency_key))


def record_submission(
    session: DbSession,
    catalogue: Catalogue,
    layanan: Layanan,
    response: Response,
    now: datetime,
    source: str = "form",
    origin: Origin | None = None,
) -> tuple[Submission, bool]:
    """Store ``response`` for ``layanan`` at the server time ``now``.

    Returns the submission and whether it is new: a second call with the same idempotency key
    returns the first submission and adds nothing. Raises :class:`SubmissionRejected` when an
    answer is outside its scale, belongs to an instrument the layanan does not carry, or when
    there is no answer at all, and :class:`TicketUsed` when its one-time link was used before.

    The reasons of low answers (:func:`reasons`) are stored with the answers, in the same
    transaction, when the layanan's unit asks for them (``Unit.tanya_alasan``); never edited.
    """
    existing = find_submission(session, response.idempotency_key)
    if existing is not None:
        if existing.layanan_id != layanan.id:
            raise SubmissionRejected("this submission belongs to another layanan")
        return existing, False
    origin = origin or Origin()
    tiket = origin.tiket
    if tiket is not None and tiket.id is not None and ticket_submission(session, tiket):
        raise TicketUsed("this one-time link was used already")
    submission = new_submission(catalogue, layanan, response, now, source)
    versi = version_of(session, layanan, response.kuesioner_versi_id)
    tambahan = check_shape(catalogue, layanan, versi, response)
    # a unit not flushed yet reads None: asking is on by default
    alasan = reasons(response) if layanan.unit.tanya_alasan is not False else {}
    submission.sumber, submission.durasi, submission.tiket = (
        origin.sumber,
        origin.durasi,
        origin.tiket,
    )
    submission.kiosk_id, submission.terlambat = origin.kiosk_id, origin.terlambat
    submission.kuesioner_versi_id = versi.id if versi else None
    submission.tambahan = [JawabanTambahan(kode=k, nilai=v) for k, v in sorted(tambahan.items())]
    submission.kiosk_dicatat = origin.kiosk_dicatat
    session.add(submission)
    session.flush()
    store_reasons(session, submission.id, alasan)
    rollup.add(session, [submission])
    return submission, True


def reason_fields(instruments: Iterable[Instrument]) -> dict[str, str]:
    """Every "Apa yang perlu diperbaiki?" field a form of ``instruments`` (a variant applied)
    offers: field name -> the stored code its reason is kept under, one beside each radio
    group: ``alasan-U1`` -> ``U1``; for an item split into k sub-questions one beside each,
    ``alasan-U3-1`` -> ``U3.1/2`` (the answer it explains); none for a left-out item.

    The data a form handler needs (with or without WTForms): which reason fields to accept,
    and under which code :func:`reasons` and :func:`store_reasons` keep them."""
    return {
        f"{ALASAN}{item.code}-{j}" if item.sub else ALASAN + item.code: (
            sub_code(item.code, j, len(item.sub)) if item.sub else item.code
        )
        for instrument in instruments
        for item in instrument.items
        for j in range(1, max(1, len(item.sub)) + 1)
    }


def store_reasons(session: DbSession, submission_id: int, alasan: Mapping[str, str]) -> None:
    """Add the reasons :func:`reasons` kept (stored code -> text) of a flushed submission,
    beside its answers (the row points to the answer it explains)."""
    session.add_all(
        AlasanJawaban(submission_id=submission_id, item_code=code, teks=teks)
        for code, teks in alasan.items()
    )


def reasons(response: Response) -> dict[str, str]:
    """The reasons of ``response`` to store, by stored code (``U1``, or ``U3.1/2`` beside a
    sub-question): trimmed, beside an answer of 1 or 2.

    An empty reason is none. A reason beside an answer of 3 or 4 is dropped silently: the form
    hides the field then, but keeps what was typed before the respondent changed their mind.
    A reason for an item not answered, or longer than :data:`ALASAN_MAX`, cannot come from the
    form and is refused (:class:`SubmissionRejected`).
    """
    kept = {}
    for code, text in sorted(response.alasan.items()):
        teks = clean_text(text or "").strip()
        if not teks:
            continue
        if code not in response.answers:
            raise SubmissionRejected(f"alasan for item {code}, which was not answered")
        if len(teks) > ALASAN_MAX:
            raise SubmissionRejected(f"alasan for item {code} is over {ALASAN_MAX} characters")
        if response.answers[code] in LOW_ANSWERS:
            kept[code] = teks
    return kept


def form_version(session: DbSession, layanan: Layanan, posted: str) -> KuesionerVersi | None:
    """The version a posted form names in its hidden field (``''``: the base); raises
    :class:`SubmissionRejected` for anything but a version of the layanan's unit."""
    if not posted:
        return None
    if not (posted.isascii() and posted.isdigit() and len(posted) < 10):
        raise SubmissionRejected("the form's questionnaire version is malformed")
    return version_of(session, layanan, int(posted))


def version_of(session: DbSession, layanan: Layanan, versi_id: int | None) -> KuesionerVersi | None:
    """The variant version a form was given under: one of the layanan's unit's variants (a
    form opened before the layanan's variant changed keeps the version it showed)."""
    if versi_id is None:
        return None
    versi = session.get(KuesionerVersi, versi_id)
    varian = session.get(KuesionerVarian, versi.varian_id) if versi is not None else None
    if versi is None or varian is None or varian.unit_id != layanan.unit_id:
        raise SubmissionRejected("the form's questionnaire version is not one of this unit's")
    return versi


def shaped(
    catalogue: Catalogue, layanan: Layanan, versi: KuesionerVersi | None
) -> tuple[tuple[Instrument, ...], tuple[Extra, ...]]:
    """The instruments (variant applied, placeholders filled) and extra questions of the form
    of ``layanan`` under ``versi`` (None: the shipped base)."""
    base = catalogue.instruments
    variant = variant_of(versi, base) if versi is not None else None
    nama, unit = layanan.nama, layanan.unit.nama
    shown = tuple(
        apply_variant(base[i], variant, nama, unit) for i in layanan.instrument_ids if i in base
    )
    return shown, extras(variant, nama, unit)


def form_minutes(catalogue: Catalogue, layanan: Layanan) -> int:
    """The honest time estimate (whole minutes, ``instruments.estimate_minutes``) of the form
    ``layanan`` shows now: every question of its variant's newest version (each sub-question
    one, a left-out item none) and its extra questions; the shipped base without a variant."""
    instruments, asked = shaped(catalogue, layanan, shown(layanan))
    questions = sum(max(1, len(item.sub)) for i in instruments for item in i.items)
    return estimate_minutes(questions + len(asked))


def unit_minutes(catalogue: Catalogue, unit: Unit) -> int:
    """The estimate printed on a unit's own QR (its chooser): its longest open form."""
    open_ = [x for x in unit.layanan if x.aktif] or list(unit.layanan)
    return max((form_minutes(catalogue, x) for x in open_), default=estimate_minutes(0))


def asked_scales(
    session: DbSession, catalogue: Catalogue, layanan: Layanan, versi_id: int | None
) -> dict[str, int]:
    """Stored code -> scale of every question the form of ``layanan`` under the version
    ``versi_id`` asks (None: the base): ``U3.1/2``, ``U3.2/2`` for a split item, no left-out
    item. Raises :class:`SubmissionRejected` for a version not of the layanan's unit."""
    instruments, _ = shaped(catalogue, layanan, version_of(session, layanan, versi_id))
    return {
        f"{item.code}.{j}/{len(item.sub)}" if item.sub else item.code: instrument.scale
        for instrument in instruments
        for item in instrument.items
        for j in range(1, max(1, len(item.sub)) + 1)
    }


def check_shape(
    catalogue: Catalogue, layanan: Layanan, versi: KuesionerVersi | None, response: Response
) -> dict[str, str]:
    """Refuse answers the form of ``versi`` does not ask (a left-out item, a sub-question
    answered in part, a plain answer to a split item) and return the extra answers to store:
    yes/no as ``ya``/``tidak``, a choice by its number, a short text cleaned."""
    if versi is None and not response.tambahan:
        return {}
    instruments, asked = shaped(catalogue, layanan, versi)
    allowed = {
        f"{item.code}.{j}/{len(item.sub)}" if item.sub else item.code
        for instrument in instruments
        for item in instrument.items
        for j in range(1, max(1, len(item.sub)) + 1)
    }
    if versi is not None:
        off = sorted(set(response.answers) - allowed)
        if off:
            raise SubmissionRejected(f"item {', '.join(off)} is not on this version's form")
        split = {split_code(c)[0] for c in allowed if "." in c}
        for code in split:
            given = [c for c in response.answers if split_code(c)[0] == code]
            if given and len(given) != split_code(given[0])[2]:
                raise SubmissionRejected(f"item {code}: every sub-question must be answered")
    return _extra_answers(asked, response.tambahan)


def _extra_answers(asked: tuple[Extra, ...], given: Mapping[str, str]) -> dict[str, str]:
    kinds = {x.kode: x for x in asked}
    out = {}
    for kode, value in given.items():
        extra = kinds.get(kode)
        if extra is None:
            raise SubmissionRejected(f"extra question {kode} is not on this form")
        if extra.jenis == "teks":
            teks = clean_text(value or "").strip()
            if len(teks) > SHORT_TEXT_MAX:
                raise SubmissionRejected(f"{kode} is over {SHORT_TEXT_MAX} characters")
            if teks:
                out[kode] = teks
            continue
        choices = (
            (YA, TIDAK)
            if extra.jenis != "pilihan"
            else tuple(str(n) for n in range(1, len(extra.pilihan) + 1))
        )
        if value not in choices:
            raise SubmissionRejected(f"{kode}: value {value!r} is not one of the choices")
        out[kode] = value
    return out


def ticket_submission(session: DbSession, tiket: Tiket) -> Submission | None:
    return session.scalar(select(Submission).where(Submission.tiket_id == tiket.id))


def new_submission(
    catalogue: Catalogue, layanan: Layanan, response: Response, when: datetime, source: str
) -> Submission:
    """A checked, unsaved submission at ``when``; its period is the month in the unit's zone."""
    return Submission(
        layanan=layanan,
        submitted_at=when,
        period=period_of(when, layanan.unit.timezone),
        idempotency_key=response.idempotency_key,
        source=source,
        saran=clean_text(response.saran or "").strip() or None,
        answers=_answers(catalogue, layanan, response.answers),
        **profile_values(catalogue, response.profile),
    )


def _answers(catalogue: Catalogue, layanan: Layanan, given: Mapping[str, int]) -> list[Answer]:
    return [Answer(**row) for row in answer_rows(catalogue, layanan, given)]


def answer_rows(
    catalogue: Catalogue, layanan: Layanan, given: Mapping[str, int]
) -> list[dict[str, str | int]]:
    """The answer rows (``answer`` columns but the submission id) of ``given`` (item code ->
    value) for ``layanan``, in code order: each with its instrument's id, version and scale.
    Raises :class:`SubmissionRejected` for no answer at all, an item the layanan's form does
    not carry, or a value off its scale."""
    if not given:
        raise SubmissionRejected("a submission with no answer at all is not stored")
    carried = set(layanan.instrument_ids)
    rows: list[dict[str, str | int]] = []
    for code, value in sorted(given.items()):
        instrument = catalogue.owner(split_code(code)[0])  # U3.1/2 belongs to U3's instrument
        if instrument is None or instrument.id not in carried:
            raise SubmissionRejected(f"item {code} is not on this layanan's form")
        if (
            isinstance(value, bool)
            or not isinstance(value, int)
            or not 1 <= value <= instrument.scale
        ):
            raise SubmissionRejected(
                f"item {code}: value {value!r} is outside 1-{instrument.scale}"
            )
        rows.append(
            {
                "item_code": code,
                "instrument_id": instrument.id,
                "instrument_version": instrument.version,
                "scale": instrument.scale,
                "value": value,
            }
        )
    return rows


def profile_values(catalogue: Catalogue, given: Mapping[str, str]) -> dict[str, str]:
    allowed = {question.key: question.values for question in catalogue.profile}
    profile = {}
    for key, value in given.items():
        if key not in allowed:
            raise SubmissionRejected(f"{key} is not a profile question")
        if value and value not in allowed[key]:
            raise SubmissionRejected(f"{key}: value {value!r} is not one of the choices")
        if value:
            profile[key] = value
    return profile
