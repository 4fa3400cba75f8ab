"""A unit's questionnaire variants (issue 22, docs/kuesioner.md): versions, choice per layanan,
export and import as YAML, and what a period's answers left out.

The rules live in :mod:`instruments.variant` (pure); here they are stored. A version is never
changed: saving different content adds the next version; saving the same content adds nothing.
Every change is in the audit log.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import yaml
from sqlalchemy import func, select

from instruments import Instrument, Variant, VariantError, content, parse_variant
from survey_app.models import KuesionerVarian, KuesionerVersi, Layanan, Pengguna, Submission, Unit
from survey_app.services import DbSession, audit, in_months
from survey_app.services.collection.rollup import kept

ENTITY = "kuesioner_varian"


class KuesionerError(ValueError):
    """A variant file or choice that cannot be used; ``problems`` lists why, in Indonesian."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def find_varian(session: DbSession, unit: Unit, nama: str) -> KuesionerVarian | None:
    return session.scalar(
        select(KuesionerVarian).where(
            KuesionerVarian.unit_id == unit.id, KuesionerVarian.nama == nama
        )
    )


def newest(varian: KuesionerVarian) -> KuesionerVersi | None:
    """The version a layanan choosing ``varian`` shows (the highest number)."""
    return varian.versi[-1] if varian.versi else None


def save_version(
    session: DbSession,
    base: Mapping[str, Instrument],
    unit: Unit,
    raw: Any,
    now: datetime,
    user: Pengguna | None = None,
) -> tuple[KuesionerVersi, bool]:
    """Validate ``raw`` (docs/kuesioner.md §6) and store it as the newest version of the unit's
    variant of that name (the variant is created on its first version).

    Returns the version and whether it is new (content equal to the newest version adds none).
    Raises :class:`KuesionerError` with every problem; nothing is stored then.
    """
    try:
        variant = parse_variant(raw, base)
    except VariantError as exc:
        raise KuesionerError(exc.problems) from exc
    isi = content(variant)
    varian = find_varian(session, unit, variant.nama)
    if varian is None:
        varian = KuesionerVarian(unit=unit, nama=variant.nama, instrumen="", dibuat=now)
        session.add(varian)
    latest = newest(varian)
    if latest is not None and latest.isi == isi:
        return latest, False
    varian.instrumen = ",".join(variant.instrument_ids)
    versi = KuesionerVersi(
        varian=varian,
        nomor=(latest.nomor + 1) if latest else 1,
        isi=isi,
        dibuat=now,
        dibuat_oleh=user.id if user else None,
    )
    session.add(versi)
    session.flush()
    audit.record(
        session,
        user,
        "versi_baru",
        ENTITY,
        varian.id,
        {"versi": latest.nomor} if latest else None,
        {"versi": versi.nomor, "nama": varian.nama, "instrumen": varian.instrumen},
        now,
    )
    return versi, True


def choose(
    session: DbSession,
    layanan: Layanan,
    varian: KuesionerVarian | None,
    now: datetime,
    user: Pengguna | None = None,
) -> None:
    """Let ``layanan`` show ``varian`` (None: the shipped base); audited. Answers already given
    keep their version; only new forms change."""
    if varian is not None and (varian.unit_id != layanan.unit_id or not varian.versi):
        raise KuesionerError(["varian ini bukan milik unit layanan tersebut atau belum berisi"])
    before = layanan.kuesioner_varian_id
    after = varian.id if varian else None
    if before == after:
        return
    layanan.kuesioner_varian_id = after
    layanan.varian = varian
    session.flush()
    audit.record(
        session,
        user,
        "pilih_kuesioner",
        "layanan",
        layanan.id,
        {"kuesioner_varian_id": before},
        {"kuesioner_varian_id": after},
        now,
    )


_PARSED: dict[str, Variant] = {}


def variant_of(versi: KuesionerVersi, base: Mapping[str, Instrument]) -> Variant:
    """The stored content of ``versi`` read back (it was valid when stored). Parsed once per
    process and content: keyed by the content itself, never by an id another database (a
    restore, a test) may give to other content."""
    key = json.dumps(versi.isi, sort_keys=True, ensure_ascii=False)
    found = _PARSED.get(key)
    if found is None:
        found = parse_variant(versi.isi, base)
        if len(_PARSED) > 256:
            _PARSED.clear()
        _PARSED[key] = found
    return found


def shown(layanan: Layanan) -> KuesionerVersi | None:
    """The version a new form of ``layanan`` is given under (None: the shipped base)."""
    return newest(layanan.varian) if layanan.varian is not None else None


def export_yaml(session: DbSession, unit: Unit, nama: str) -> str:
    """The newest version of the unit's variant ``nama`` as YAML (docs/kuesioner.md §6)."""
    varian = find_varian(session, unit, nama)
    latest = newest(varian) if varian else None
    if latest is None:
        raise KuesionerError([f"unit {unit.kode} tidak memiliki varian kuesioner bernama {nama!r}"])
    return dump(latest.isi)


def dump(isi: Mapping[str, Any]) -> str:
    return yaml.safe_dump(dict(isi), allow_unicode=True, sort_keys=False, width=100)


class _Twice(yaml.YAMLError):
    """A key written twice in one mapping (YAML would silently keep the last)."""

    def __init__(self, key: str, lines: list[int]) -> None:
        super().__init__(key)
        self.key, self.lines = key, lines


class _StrictLoader(yaml.SafeLoader):
    """YAML's safe loader refusing a key written twice in one mapping."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        lines: dict[str, list[int]] = {}
        for key, _value in node.value:
            lines.setdefault(str(self.construct_object(key, deep=deep)), []).append(
                key.start_mark.line + 1
            )
        for key, at in lines.items():
            if len(at) > 1:
                raise _Twice(key, at)
        return super().construct_mapping(node, deep=deep)


def read_yaml(text: str) -> Any:
    """A variant file's content, read strictly: a file that is not YAML, or that writes a key
    twice in one mapping, is a :class:`KuesionerError` naming the line and the parser's reason
    (the parser's own words, in English, after the Indonesian sentence)."""
    try:
        return yaml.load(text, Loader=_StrictLoader)  # noqa: S506 (a safe loader)
    except _Twice as exc:
        lines = " dan ".join(map(str, exc.lines))
        raise KuesionerError(
            [f"kunci {exc.key!r} ditulis lebih dari sekali (baris {lines}); tulis sekali saja"]
        ) from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (baris {mark.line + 1}, kolom {mark.column + 1})" if mark is not None else ""
        detail = " ".join(
            str(part)
            for part in (getattr(exc, "context", None), getattr(exc, "problem", None))
            if part
        )
        raise KuesionerError(
            [f"berkas bukan YAML yang sah{where}" + (f": {detail}" if detail else "")]
        ) from exc


@dataclass(frozen=True)
class Dihilangkan:
    """An item left out in a version whose answers are in a period: for every report."""

    varian: str
    versi: int
    instrument_id: str
    kode: str
    alasan: str


def used_versions(
    session: DbSession, layanan_ids: Iterable[int], months: Iterable[str]
) -> list[KuesionerVersi]:
    """The variant versions under which ``layanan_ids`` have counted answers in ``months``,
    by variant name and number."""
    ids = session.scalars(
        select(Submission.kuesioner_versi_id)
        .where(
            Submission.layanan_id.in_(list(layanan_ids)),
            in_months(Submission.period, months),
            Submission.kuesioner_versi_id.is_not(None),
            kept(),
        )
        .group_by(Submission.kuesioner_versi_id)
        .having(func.count() > 0)
    ).all()
    found = session.scalars(select(KuesionerVersi).where(KuesionerVersi.id.in_(ids)))
    return sorted(found, key=lambda v: (v.varian.nama, v.nomor))


def base_answered(session: DbSession, layanan_ids: Iterable[int], months: Iterable[str]) -> bool:
    """Whether ``layanan_ids`` have counted answers in ``months`` given under the shipped base
    (no variant version)."""
    found = session.scalar(
        select(Submission.id)
        .where(
            Submission.layanan_id.in_(list(layanan_ids)),
            in_months(Submission.period, months),
            Submission.kuesioner_versi_id.is_(None),
            kept(),
        )
        .limit(1)
    )
    return found is not None


def left_out(
    session: DbSession,
    base: Mapping[str, Instrument],
    layanan_ids: Iterable[int],
    months: Iterable[str],
) -> list[Dihilangkan]:
    """Per version that has answers of ``layanan_ids`` in ``months``, the items it left out and
    why (docs/kuesioner.md §4, pooling across versions)."""
    out: list[Dihilangkan] = []
    for versi in used_versions(session, layanan_ids, months):
        variant = variant_of(versi, base)
        out.extend(
            Dihilangkan(versi.varian.nama, versi.nomor, ident, kode, alasan)
            for ident, kode, alasan in variant.left_out()
        )
    return sorted(out, key=lambda x: (x.varian, x.versi, x.kode))
