"""What the questionnaires of a period asked, for the exports (issue 22, docs/kuesioner.md §7):
the variant versions a unit's answers were given under, the sub-question columns they add, the
texts each column asked (per version and layanan, placeholders filled) and what each left out.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import pandas as pd
from sqlalchemy import select

from instruments import Extra, Instrument, Text, Variant, apply_variant, extras
from survey_app.models import JawabanTambahan, Layanan, Submission
from survey_app.services import DbSession, in_months
from survey_app.services.collection.kuesioner import used_versions, variant_of

EXTRA_PREFIX = "tambahan:"  # the export's column of an extra question: tambahan:<kode>


@dataclass(frozen=True)
class Versi:
    """A variant version with answers in the period, and the layanan (code, name) answering
    under it."""

    id: int
    nama: str
    nomor: int
    variant: Variant
    layanan: tuple[tuple[str, str], ...]

    @property
    def label(self) -> str:
        return f"{self.nama} v{self.nomor}"


@dataclass(frozen=True)
class Asked:
    """The versions of a period by id, and the export's added columns in order: the parts of
    items asked in sub-questions (``U3.1/2`` ...) and the extra questions' codes."""

    unit: str
    versions: Mapping[int, Versi] = field(default_factory=dict)
    parts: tuple[str, ...] = ()
    extra_codes: tuple[str, ...] = ()

    def version(self, versi_id: object) -> Versi | None:
        """The version of a row's ``kuesioner_versi_id`` (None, NaN: the base)."""
        if not isinstance(versi_id, int | float | str) or pd.isna(versi_id):
            return None
        return self.versions.get(int(versi_id))

    def left_out(self, versi_id: object) -> str:
        """``U4: <reason>`` for each item the version ``versi_id`` left out ("" for none)."""
        versi = self.version(versi_id)
        if versi is None:
            return ""
        return "; ".join(f"{code}: {reason}" for _i, code, reason in versi.variant.left_out())

    def label(self, versi_id: object) -> str:
        versi = self.version(versi_id)
        return versi.label if versi is not None else "dasar"

    def free_text(self, kode: str) -> bool:
        """True when the extra question ``kode`` takes a short text in some version."""
        return any(
            x.kode == kode and x.jenis == "teks"
            for versi in self.versions.values()
            for x in versi.variant.tambahan
        )

    def extra_answer(self, versi_id: object, kode: str, nilai: object) -> str:
        """A stored extra answer as the respondent chose it: ``Ya``/``Tidak``, an option's
        Indonesian label, or the short text."""
        if not isinstance(nilai, str):
            return ""
        versi = self.version(versi_id)
        extra = next((x for x in versi.variant.tambahan if x.kode == kode), None) if versi else None
        if extra is None or extra.jenis == "teks":
            return nilai
        if extra.jenis == "pilihan":
            number = int(nilai) if nilai.isdigit() else 0
            return extra.pilihan[number - 1].id if 1 <= number <= len(extra.pilihan) else nilai
        return {"ya": "Ya", "tidak": "Tidak"}.get(nilai, nilai)


def asked_in(
    session: DbSession,
    base: Mapping[str, Instrument],
    unit_nama: str,
    layanan_ids: Iterable[int],
    months: Iterable[str],
) -> Asked:
    """The versions the answers of ``layanan_ids`` in ``months`` were given under, with the
    columns they add to an export (parts of split items in the instruments' order)."""
    ids, months = list(layanan_ids), list(months)
    pairs = session.execute(
        select(Submission.kuesioner_versi_id, Layanan.kode, Layanan.nama)
        .join(Submission.layanan)
        .where(
            Submission.layanan_id.in_(ids),
            in_months(Submission.period, months),
            Submission.kuesioner_versi_id.is_not(None),
        )
        .group_by(Submission.kuesioner_versi_id, Layanan.kode, Layanan.nama)
        .order_by(Layanan.kode)
    ).all()
    versions: dict[int, Versi] = {}
    for stored in used_versions(session, ids, months):
        answering = tuple((kode, nama) for vid, kode, nama in pairs if vid == stored.id)
        variant = variant_of(stored, base)
        versions[stored.id] = Versi(stored.id, stored.varian.nama, stored.nomor, variant, answering)
    parts: list[str] = []
    codes: list[str] = []
    for instrument in base.values():
        for code in instrument.codes:
            for versi in versions.values():
                change = versi.variant.changes(instrument.id).get(code)
                k = len(change.sub) if change is not None else 0
                parts += [
                    f"{code}.{j}/{k}" for j in range(1, k + 1) if f"{code}.{j}/{k}" not in parts
                ]
    for versi in versions.values():
        codes += [x.kode for x in versi.variant.tambahan if x.kode not in codes]
    return Asked(unit_nama, versions, tuple(parts), tuple(codes))


def extra_answers(session: DbSession, first: int, last: int) -> pd.DataFrame:
    """The extra questions' stored answers of submissions ``first``..``last``: one row per
    submission (index ``id``), one column ``tambahan:<kode>`` per question."""
    rows = session.execute(
        select(JawabanTambahan.submission_id, JawabanTambahan.kode, JawabanTambahan.nilai).where(
            JawabanTambahan.submission_id.between(first, last)
        )
    ).all()
    if not rows:
        return pd.DataFrame(index=pd.Index([], name="id"))
    frame = pd.DataFrame(rows, columns=["id", "kode", "nilai"])
    wide = frame.pivot(index="id", columns="kode", values="nilai")
    return wide.rename(columns=lambda kode: EXTRA_PREFIX + str(kode))


@dataclass(frozen=True)
class Line:
    """One line of the sheet of questions: which column asked what, under which version."""

    versi: str
    layanan: str
    kolom: str
    id: str
    en: str
    keterangan: str = ""


def question_lines(asked: Asked, base: Mapping[str, Instrument]) -> list[Line]:
    """Per version and layanan answering under it, each column's question as it was asked
    (placeholders filled), the answer labels of a reworded scale, and each item left out with
    its reason."""
    lines: list[Line] = []
    for versi in asked.versions.values():
        for kode, nama in versi.layanan:
            for ident in versi.variant.instrument_ids:
                if ident in base:
                    lines += _item_lines(versi, kode, nama, asked.unit, base[ident])
            lines += _extra_lines(versi, kode, extras(versi.variant, nama, asked.unit))
    return lines


def _item_lines(versi: Versi, kode: str, nama: str, unit: str, base: Instrument) -> list[Line]:
    shown = apply_variant(base, versi.variant, nama, unit)
    lines = []
    for item in shown.items:
        labels = " · ".join(label.id for label in item.labels)
        if not item.sub:
            lines.append(Line(versi.label, kode, item.code, item.question.id, item.question.en,
                              f"label: {labels}"))  # fmt: skip
            continue
        k = len(item.sub)
        parts = ", ".join(f"{item.code}.{j}/{k}" for j in range(1, k + 1))
        note = f"nilai butir = rata-rata {parts} (docs/kuesioner.md §4)"
        lines.append(Line(versi.label, kode, item.code, item.question.id, item.question.en, note))
        lines += [
            Line(versi.label, kode, f"{item.code}.{j}/{k}", sub.id, sub.en, f"label: {labels}")
            for j, sub in enumerate(item.sub, start=1)
        ]
    for code, reason in shown.dihilangkan:
        lines.append(Line(versi.label, kode, code, "", "", f"dihilangkan: {reason}"))
    return lines


def _extra_lines(versi: Versi, kode: str, asked: tuple[Extra, ...]) -> list[Line]:
    def choices(extra: Extra) -> str:
        texts: tuple[Text, ...] = extra.choices
        return " · ".join(t.id for t in texts) if texts else "teks singkat"

    return [
        Line(
            versi.label,
            kode,
            EXTRA_PREFIX + x.kode,
            x.pertanyaan.id,
            x.pertanyaan.en,
            f"tidak dinilai; {choices(x)}",
        )  # fmt: skip
        for x in asked
    ]
