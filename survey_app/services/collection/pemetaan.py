"""The mapping of a spreadsheet export onto the responses format, on the web (issue 18.3).

A file whose headers are not the columns of the responses format (a Google Forms export, a
sheet typed in with question texts) is mapped by a person: :func:`propose_for` proposes a target
for each source header (:func:`analysis.mapping.propose`), the timestamp format and the layanan
each source value stands for; nothing of it is used until the person confirms it. The confirmed
mapping is checked by :func:`analysis.mapping.parse_mapping`, the same check as a mapping file
given to ``zisurvey score --mapping`` (INTERCHANGE.md, "Mapping file"), and saved for the unit
(:func:`save_mapping`) to be offered for the next upload.

A column that names who a respondent is (``Alamat email``, ``Nama``, ``NIK``, ``No. HP``) is
never proposed and cannot be mapped: it is skipped, and its values are never stored.
"""

from __future__ import annotations

import csv
import difflib
import hashlib
import io
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO, Any

import pandas as pd
from sqlalchemy import select

from analysis.kuesioner import is_part, split_code
from analysis.mapping import (
    FIELD_NAMES,
    ColumnMapping,
    MappingError,
    guess_waktu,
    looks_personal,
    parse_mapping,
    propose,
)
from analysis.responses import META, ResponsesError, read_responses
from analysis.tables import Table, TableError, read_table
from analysis.timestamps import iso_stamps, parse_stamps
from instruments import apply_variant
from survey_app.models import PemetaanUnggahan, Pengguna, Unit
from survey_app.services import DbSession, audit
from survey_app.services.catalogue import Catalogue
from survey_app.services.collection.imports import SARAN_MAX, item_columns, plan_import
from survey_app.services.collection.kuesioner import shown, variant_of

WAKTU = ("gforms", "dmy", "mdy", "iso")
PEEK_BYTES = 64 * 1024
PEEK_ROWS = 200
MAX_LAYANAN_VALUES = 60
NAME_MAX = 80


def targets(catalogue: Catalogue, unit: Unit | None = None) -> list[str]:
    """Every column of the responses format a source header may be mapped to, in order; with
    ``unit``, each item its layanan's variants ask in sub-questions followed by its parts
    (``U3.1/2``, ``U3.2/2``: docs/kuesioner.md §4)."""
    parts = variant_parts(catalogue, unit) if unit is not None else {}
    items = [
        target
        for i in catalogue.instruments.values()
        for code in i.codes
        for target in (code, *parts.get(code, ()))
    ]
    rest = [m for m in META if m not in ("submitted_at", "layanan")]
    return ["submitted_at", "layanan", *items, *rest]


def variant_parts(catalogue: Catalogue, unit: Unit) -> dict[str, list[str]]:
    """Item code -> the sub-question columns the newest versions of the variants the unit's
    layanan show ask it in (``U3`` -> ``U3.1/2``, ``U3.2/2``)."""
    out: dict[str, list[str]] = {}
    for item in unit.layanan:
        versi = shown(item)
        if versi is None:
            continue
        variant = variant_of(versi, catalogue.instruments)
        for ident in variant.instrument_ids:
            for code, change in variant.changes(ident).items():
                k = len(change.sub)
                for j in range(1, k + 1):
                    part = f"{code}.{j}/{k}"
                    if part not in out.setdefault(code, []):
                        out[code].append(part)
    return out


def _as_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _peek_source(path: Path) -> str | Path | IO[bytes]:
    """The first rows of the file as something :func:`read_table` reads: a CSV cut at a line's
    end, or the first rows of a workbook written as CSV; the file itself when that fails."""
    with open(path, "rb") as handle:
        head = handle.read(PEEK_BYTES + 1)
    if head.startswith(b"PK\x03\x04"):
        try:
            from openpyxl import load_workbook

            book = load_workbook(path, read_only=True, data_only=True)
            try:
                rows = list(book.worksheets[0].iter_rows(max_row=PEEK_ROWS, values_only=True))
            finally:
                book.close()
        except Exception:  # noqa: BLE001  (a damaged workbook: the reader says so)
            return path
        out = io.StringIO()
        csv.writer(out).writerows([[_as_text(v) for v in row] for row in rows])
        return io.BytesIO(out.getvalue().encode("utf-8"))
    if len(head) <= PEEK_BYTES or head.startswith((b"\xd0\xcf", b"\xff\xfe", b"\xfe\xff")):
        return path
    cut = head.rfind(b"\n", 0, PEEK_BYTES)
    return io.BytesIO(head[: cut + 1]) if cut > 0 else path


def read_sample(path: Path, whole: bool) -> tuple[Table, str | Path | IO[bytes]]:
    """The file's cells as text (all of it when ``whole``, else its first rows), and the
    source they were read from, for the check of a mapping.

    Raises :class:`ResponsesError` with the reader's problems for a file that is no table.
    """
    source: str | Path | IO[bytes] = path if whole else _peek_source(path)
    try:
        return read_table(source, dtype=str), source
    except TableError as exc:
        if source is path:
            raise ResponsesError(exc.problems) from exc
    try:  # the first rows cut a quoted value short: the whole file then
        return read_table(path, dtype=str), path
    except TableError as exc:
        raise ResponsesError(exc.problems) from exc


def headers_of(table: Table) -> list[str]:
    return [str(c).strip() for c in table.frame.columns]


def needs_mapping(table: Table, catalogue: Catalogue, ignore: Sequence[str] = ()) -> bool:
    """True when the file is not in the responses format as it is: a header that is not one of
    its columns (and not listed to skip), answers written as labels, or times written another
    way than ISO 8601 (``05/01/2026 10:23``: which format is for a person to say)."""
    known = set(targets(catalogue)) | {i.strip() for i in ignore}
    headers = headers_of(table)
    parts = [h for h in headers if is_part(h, catalogue.item_codes())]
    if any(h not in known and h not in parts for h in headers):
        return True
    items = [h for h in headers if catalogue.owner(h) is not None]
    split = {split_code(h)[0] for h in parts}  # an export writes their mean, 3.5, beside them
    if not _numeric(table.frame, [*parts, *(h for h in items if h not in split)]):
        return True
    if "submitted_at" not in headers:
        return False
    stamps = table.frame.set_axis(headers, axis=1)["submitted_at"]
    return guess_waktu(stamps)[0] != "iso"


def _numeric(frame: pd.DataFrame, columns: Sequence[str]) -> bool:
    frame = frame.set_axis([str(c).strip() for c in frame.columns], axis=1)
    return all(
        frame[c].dropna().astype(str).str.strip().str.fullmatch(r"\d+").all() for c in columns
    )


# -- proposals --------------------------------------------------------------------------------


@dataclass
class Usulan:
    """What the mapping screen shows: for each header its target ("" = skipped), the timestamp
    format, answers as numbers or labels, each layanan value's code ("" = not chosen), and where
    each came from: ``diusulkan`` (proposed), ``tersimpan`` (a saved mapping) or ``pasti``."""

    kolom: dict[str, str] = field(default_factory=dict)  # header -> target or ""
    asal: dict[str, str] = field(default_factory=dict)  # header -> diusulkan | tersimpan | ...
    waktu: str = "iso"
    waktu_pasti: bool = True
    jawaban: str = "angka"
    layanan: dict[str, str] = field(default_factory=dict)  # source value -> code or ""
    layanan_asal: dict[str, str] = field(default_factory=dict)
    tersimpan: PemetaanUnggahan | None = None

    def target_of(self, target: str) -> str | None:
        return next((h for h, t in self.kolom.items() if t == target), None)


def _questions(catalogue: Catalogue, unit: Unit | None = None) -> dict[str, tuple[str, ...]]:
    """Target -> the texts a header naming it may hold: the base question (Indonesian and
    English) and the unsur; with ``unit``, also each layanan's variant wording (placeholders
    filled with the layanan's and the unit's names), and each sub-question's texts under its
    part (``U3.1/2``)."""
    out: dict[str, tuple[str, ...]] = {
        item.code: (item.code, item.question.id, item.question.en, item.dimension.id)
        for instrument in catalogue.instruments.values()
        for item in instrument.items
    }
    for layanan in unit.layanan if unit is not None else ():
        versi = shown(layanan)
        if versi is None:
            continue
        variant = variant_of(versi, catalogue.instruments)
        for ident in variant.instrument_ids:
            base = catalogue.instruments.get(ident)
            if base is None:
                continue
            for item in apply_variant(base, variant, layanan.nama, layanan.unit.nama).items:
                texts = [t for t in (item.question.id, item.question.en) if t not in out[item.code]]
                out[item.code] = (*out[item.code], *texts)
                for j, sub in enumerate(item.sub, start=1):
                    part = f"{item.code}.{j}/{len(item.sub)}"
                    found = out.get(part, (part,))
                    out[part] = (*found, *(t for t in (sub.id, sub.en) if t not in found))
    return out


def _fields(catalogue: Catalogue) -> dict[str, tuple[str, ...]]:
    fields = {key: (key, *names) for key, names in FIELD_NAMES.items()}
    for question in catalogue.profile:
        names = (question.key, question.label.id, question.label.en)
        fields[question.key] = (*fields.get(question.key, ()), *names)
    fields.setdefault("id", ("id",))
    return fields


def propose_for(
    table: Table, catalogue: Catalogue, unit: Unit, saved: PemetaanUnggahan | None = None
) -> Usulan:
    """A proposal for ``table``: the ``saved`` mapping where it names the file's headers, the
    closest question text or field name for the others; personal columns always skipped."""
    headers = headers_of(table)
    usulan = Usulan(tersimpan=saved)
    document = saved.isi if saved else {}
    saved_kolom = {str(h).strip().casefold(): t for t, h in document.get("kolom", {}).items()}
    saved_skip = {str(h).strip().casefold() for h in document.get("abaikan", [])}
    open_headers = [
        h
        for h in headers
        if h.casefold() not in saved_kolom and h.casefold() not in saved_skip and not _private(h)
    ]
    proposed, _rest = propose(open_headers, _questions(catalogue, unit), _fields(catalogue))
    taken = {t for t in saved_kolom.values()}
    by_header = {h: t for t, h in proposed.items() if t not in taken}
    for header in headers:
        if _private(header):
            usulan.kolom[header], usulan.asal[header] = "", "pribadi"
        elif header.casefold() in saved_kolom:
            usulan.kolom[header], usulan.asal[header] = saved_kolom[header.casefold()], "tersimpan"
        elif header.casefold() in saved_skip:
            usulan.kolom[header], usulan.asal[header] = "", "tersimpan"
        else:
            usulan.kolom[header] = by_header.get(header, "")
            usulan.asal[header] = "diusulkan"
    frame = table.frame.set_axis(headers, axis=1)
    stamps = usulan.target_of("submitted_at")
    guessed, sure = guess_waktu(frame[stamps]) if stamps else ("iso", False)
    usulan.waktu = str(document.get("waktu", guessed)) if saved else guessed
    usulan.waktu_pasti = sure or bool(saved)
    items = [h for h, t in usulan.kolom.items() if t and catalogue.owner(split_code(t)[0])]
    usulan.jawaban = str(document.get("jawaban")) if saved else (
        "angka" if _numeric(frame, items) else "label"
    )  # fmt: skip
    source = usulan.target_of("layanan")
    if source:
        known = {str(k).strip().casefold(): v for k, v in document.get("layanan", {}).items()}
        for value in layanan_values(frame[source]):
            if value.casefold() in known:
                usulan.layanan[value], usulan.layanan_asal[value] = (
                    known[value.casefold()],
                    "tersimpan",
                )
            else:
                usulan.layanan[value] = match_layanan(value, unit)
                usulan.layanan_asal[value] = "diusulkan"
    return usulan


def _private(header: str) -> bool:
    return looks_personal(header)


def layanan_values(values: pd.Series) -> list[str]:
    """The distinct layanan values of a column, trimmed, in the file's order (at most
    :data:`MAX_LAYANAN_VALUES`)."""
    shown = values.dropna().astype(str).str.strip()
    distinct: dict[str, str] = {}
    for value in shown:
        if value and value.casefold() not in distinct:
            distinct[value.casefold()] = value
            if len(distinct) >= MAX_LAYANAN_VALUES:
                break
    return list(distinct.values())


def match_layanan(value: str, unit: Unit) -> str:
    """The unit's layanan a source value most likely names (its code or name, trimmed and
    ignoring case, or a name close to it); "" when none is close."""
    folded = value.strip().casefold()
    for item in unit.layanan:
        if folded in (item.kode.casefold(), item.nama.strip().casefold()):
            return item.kode
    best, best_ratio = "", 0.0
    for item in unit.layanan:
        name = item.nama.strip().casefold()
        ratio = difflib.SequenceMatcher(None, folded, name).ratio()
        if folded and (folded in name or name in folded):
            ratio = max(ratio, 0.8)
        if ratio > best_ratio:
            best, best_ratio = item.kode, ratio
    return best if best_ratio >= 0.6 else ""


# -- the confirmed mapping --------------------------------------------------------------------


def document_of(
    kolom: Mapping[str, str], waktu: str, jawaban: str, layanan: Mapping[str, str]
) -> dict[str, Any]:
    """The mapping as INTERCHANGE.md writes it, from the screen's choices: ``kolom`` (header ->
    target, "" to skip), the timestamp format, answers, and layanan value -> code (values that
    are already the code left out)."""
    mapped = {target: header for header, target in kolom.items() if target}
    return {
        "kolom": mapped,
        "waktu": waktu,
        "layanan": {
            value: code
            for value, code in layanan.items()
            if code and value.strip().casefold() != code.casefold()
        },
        "jawaban": jawaban,
        "abaikan": [header for header, target in kolom.items() if not target],
    }


def checked(document: Mapping[str, Any], catalogue: Catalogue) -> ColumnMapping:
    """The mapping as the command line checks a mapping file; raises :class:`MappingError`."""
    schema = catalogue.schema()
    return parse_mapping(dict(document), targets(catalogue), schema.item_scales)


def digest(document: Mapping[str, Any] | None) -> str:
    """A short fingerprint of a mapping, to tell checked rows and jobs of one mapping apart."""
    if not document:
        return ""
    text = json.dumps(document, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def saved_mappings(session: DbSession, unit: Unit) -> list[PemetaanUnggahan]:
    return list(
        session.scalars(
            select(PemetaanUnggahan)
            .where(PemetaanUnggahan.unit_id == unit.id)
            .order_by(PemetaanUnggahan.diubah.desc(), PemetaanUnggahan.id.desc())
        )
    )


def find_saved(session: DbSession, unit: Unit, ident: object) -> PemetaanUnggahan | None:
    """The unit's saved mapping with id ``ident`` (any text from a query), or None."""
    text = str(ident or "")
    if not text.isascii() or not text.isdigit() or len(text) > 9:
        return None
    found = session.get(PemetaanUnggahan, int(text))
    return found if found is not None and found.unit_id == unit.id else None


def best_saved(session: DbSession, unit: Unit, headers: Sequence[str]) -> PemetaanUnggahan | None:
    """The unit's most recent saved mapping whose mapped headers are all in the file."""
    present = {h.strip().casefold() for h in headers}
    for saved in saved_mappings(session, unit):
        named = [str(h).strip().casefold() for h in saved.isi.get("kolom", {}).values()]
        if named and all(h in present for h in named):
            return saved
    return None


def save_mapping(
    session: DbSession,
    unit: Unit,
    nama: str,
    document: dict[str, Any],
    user: Pengguna | None,
    now: datetime,
) -> PemetaanUnggahan:
    """Save the confirmed mapping under ``nama`` for the unit (replacing one of that name);
    audited. Flushes, never commits."""
    nama = " ".join(nama.split())[:NAME_MAX]
    found = session.scalar(
        select(PemetaanUnggahan).where(
            PemetaanUnggahan.unit_id == unit.id, PemetaanUnggahan.nama == nama
        )
    )
    if found is not None and found.isi == document:
        return found
    before = {"nama": found.nama, "isi": found.isi} if found else None
    if found is None:
        found = PemetaanUnggahan(unit_id=unit.id, nama=nama, isi=document, dibuat=now, diubah=now)
        session.add(found)
    else:
        found.isi, found.diubah = document, now
    found.pengguna_id = user.id if user else None
    session.flush()
    action = "pemetaan_diubah" if before else "pemetaan_disimpan"
    audit.record(
        session, user, action, "pemetaan_unggahan", found.id, before,
        {"nama": nama, "unit": unit.kode, "isi": document}, now,
    )  # fmt: skip
    return found


# -- reading back -----------------------------------------------------------------------------


def read_back(values: pd.Series, waktu: str, tz: str, n: int = 3) -> list[tuple[str, Any]]:
    """The first ``n`` timestamps as written and as read with ``waktu`` in zone ``tz`` (a UTC
    time, or None when they do not read so)."""
    raw = values.dropna().astype(str).str.strip()
    raw = raw[raw != ""].head(n).reset_index(drop=True)
    if raw.empty:
        return []
    stamps = iso_stamps(raw, tz) if waktu == "iso" else parse_stamps(raw, waktu, tz)
    return [
        (text, None if pd.isna(stamp) else stamp.to_pydatetime())
        for text, stamp in zip(raw.tolist(), stamps.tolist(), strict=True)
    ]


@dataclass(frozen=True)
class Pemeriksaan:
    """A mapping tried on the file: the first rows converted, or every problem; the counts."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    total: int = 0
    new: int = 0
    existing: int = 0


def try_mapping(
    session: DbSession,
    catalogue: Catalogue,
    unit: Unit,
    source: str | Path | IO[bytes],
    mapping: ColumnMapping,
    now: datetime,
    saran_max: int = SARAN_MAX,
    shown: int = 10,
) -> Pemeriksaan:
    """Read ``source`` through ``mapping`` as the import will, store nothing: the first
    ``shown`` rows converted, or every problem of the file (the reader's and the unit's)."""
    if not isinstance(source, str | Path):
        source.seek(0)
    try:
        frame = read_responses(
            source,
            catalogue.schema(),
            tz=unit.timezone,
            known_layanan=[x.kode for x in unit.layanan],
            mapping=mapping,
        )
        plan = plan_import(session, catalogue, unit, frame, now, saran_max)
    except ResponsesError as exc:
        return Pemeriksaan(problems=list(exc.problems))
    items = item_columns(catalogue, frame)
    columns = ["submitted_at", "layanan", *items]
    rows = [
        {"baris": int(index), **{c: frame.at[index, c] for c in columns}}
        for index in frame.index[:shown]
    ]
    return Pemeriksaan(
        rows=rows,
        columns=columns,
        total=len(frame),
        new=len(plan.new_rows),
        existing=len(plan.existing),
    )


__all__ = [
    "MappingError",
    "Pemeriksaan",
    "Usulan",
    "WAKTU",
    "best_saved",
    "checked",
    "digest",
    "document_of",
    "find_saved",
    "needs_mapping",
    "propose_for",
    "read_back",
    "read_sample",
    "save_mapping",
    "saved_mappings",
    "try_mapping",
]
