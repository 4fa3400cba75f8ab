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
from sqlalchemy import select

from instruments import Instrument, Text, Variant, VariantError, content, parse_variant
from instruments.variant import Problem
from survey_app.models import KuesionerVarian, KuesionerVersi, Layanan, Pengguna, Submission, Unit
from survey_app.services import DbSession, among, audit, in_months
from survey_app.services.collection.rollup import kept

ENTITY = "kuesioner_varian"
# what the audit entry of a version saved without a user (an import on the command line) says
FROM_CLI = "baris perintah"


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


def same_name(session: DbSession, unit: Unit, nama: str) -> KuesionerVarian | None:
    """The unit's variant whose name is ``nama`` ignoring case and spacing ("Kunjungan" and
    "KUNJUNGAN" would be two entries of one name in every layanan's list), if any."""
    key = " ".join(nama.casefold().split())
    found = session.scalars(select(KuesionerVarian).where(KuesionerVarian.unit_id == unit.id))
    return next((x for x in found if " ".join(x.nama.casefold().split()) == key), None)


def codes_used(varian: KuesionerVarian | None) -> dict[str, tuple[int, str, int]]:
    """Every extra question's code any version of ``varian`` used -> (the newest version using
    it, its kind, its number of options): a code keeps one question across versions, so its
    answers stay one column (exports pivot extra answers by code)."""
    found: dict[str, tuple[int, str, int]] = {}
    for versi in varian.versi if varian else ():
        for extra in versi.isi.get("tambahan") or ():
            kode = str(extra.get("kode", ""))
            found[kode] = (
                versi.nomor,
                str(extra.get("jenis", "")),
                len(extra.get("pilihan") or ()),
            )
    return found


def _same_codes_same_questions(varian: KuesionerVarian, isi: Mapping[str, Any]) -> None:
    """Refuse an extra question under a code an earlier version gave a question of another
    kind or another number of options (its answers would mix with the other's)."""
    used = codes_used(varian)
    problems: list[str] = []
    for n, extra in enumerate(isi.get("tambahan") or (), 1):
        kode = str(extra.get("kode", ""))
        if kode not in used:
            continue
        nomor, jenis, options = used[kode]
        if (jenis, options) != (str(extra.get("jenis", "")), len(extra.get("pilihan") or ())):
            text = (
                f"tambahan {n}: kode {kode} dipakai versi {nomor} untuk pertanyaan lain "
                f"({jenis}); jawabannya akan bercampur, pakai kode baru"
            )
            problems.append(
                Problem(
                    text, ("tambahan", n, "kode"), "kode_lama", kode=kode, versi=nomor, jenis=jenis
                )
            )
    if problems:
        raise KuesionerError(problems)


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
    if varian is not None:
        _same_codes_same_questions(varian, isi)
    if varian is None:
        varian = KuesionerVarian(unit=unit, nama=variant.nama, instrumen="", dibuat=now)
        session.add(varian)
    latest = newest(varian)
    # the name is the variant's, not a version's: a renamed variant with the same questions
    # needs no new version
    if latest is not None and dict(latest.isi) | {"nama": isi["nama"]} == isi:
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
        {"versi": versi.nomor, "nama": varian.nama, "instrumen": varian.instrumen}
        | ({} if user else {"sumber": FROM_CLI}),
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
    before = layanan.varian
    if (before.id if before else None) == (varian.id if varian else None):
        return
    layanan.kuesioner_varian_id = varian.id if varian else None
    layanan.varian = varian
    session.flush()
    audit.record(
        session,
        user,
        "pilih_kuesioner",
        "layanan",
        layanan.id,
        {"kuesioner": _named(before)},
        {"kuesioner": _named(varian)},
        now,
    )


def _named(varian: KuesionerVarian | None) -> dict[str, Any] | None:
    """A variant as the layanan's history says it (its id, name and newest version number);
    None: the shipped base."""
    latest = newest(varian) if varian else None
    if varian is None or latest is None:
        return None
    return {"varian_id": varian.id, "varian": varian.nama, "versi": latest.nomor}


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
    return dump(dict(latest.isi) | {"nama": latest.varian.nama})  # renamed: its current name


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
    # the layanan (names) whose answers in the period were given under this version
    layanan: tuple[str, ...] = ()
    unit: str = ""  # the name of the unit owning the variant (its layanan's unit)


def _answered_versions(
    session: DbSession, layanan_ids: Iterable[int], months: Iterable[str]
) -> dict[int, tuple[str, ...]]:
    """Variant version id -> the names of the layanan among ``layanan_ids`` with counted
    answers under it in ``months``."""
    rows = session.execute(
        select(Submission.kuesioner_versi_id, Layanan.nama)
        .join(Layanan, Layanan.id == Submission.layanan_id)
        .where(
            among(session, Submission.layanan_id, layanan_ids),
            in_months(Submission.period, months),
            Submission.kuesioner_versi_id.is_not(None),
            kept(),
        )
        .group_by(Submission.kuesioner_versi_id, Layanan.nama)
    ).all()
    found: dict[int, set[str]] = {}
    for versi_id, nama in rows:
        found.setdefault(int(versi_id), set()).add(str(nama))
    return {k: tuple(sorted(v)) for k, v in found.items()}


def used_versions(
    session: DbSession, layanan_ids: Iterable[int], months: Iterable[str]
) -> list[KuesionerVersi]:
    """The variant versions under which ``layanan_ids`` have counted answers in ``months``,
    by variant name and number."""
    ids = list(_answered_versions(session, layanan_ids, months))
    if not ids:  # most layanan ask the base questionnaire
        return []
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
    versions: Iterable[KuesionerVersi] | None = None,
) -> list[Dihilangkan]:
    """Per version that has answers of ``layanan_ids`` in ``months``, the items it left out,
    why, and the layanan answered under it (docs/kuesioner.md §4, pooling across versions).
    ``versions``: those versions, when the caller has read them (:func:`used_versions`)."""
    answered = _answered_versions(session, layanan_ids, months)
    if not answered:  # most layanan ask the base questionnaire
        return []
    if versions is None:
        versions = session.scalars(
            select(KuesionerVersi).where(KuesionerVersi.id.in_(list(answered)))
        )
    out: list[Dihilangkan] = []
    for versi in versions:
        variant = variant_of(versi, base)
        out.extend(
            Dihilangkan(
                versi.varian.nama,
                versi.nomor,
                ident,
                kode,
                alasan,
                answered.get(versi.id, ()),
                versi.varian.unit.nama,
            )
            for ident, kode, alasan in variant.left_out()
        )
    return sorted(out, key=lambda x: (x.varian, x.versi, x.kode))


# one note per left-out item, variant and reason, its versions and layanan together; the
# dashboard, the summary PDF, the rekap and the SKM report all print it (English via gettext)
NOTE = (
    '%(indeks)s %(kode)s (%(unsur)s) pada varian kuesioner "%(varian)s" versi %(versi)s, '
    "layanan %(layanan)s: %(alasan)s"
)
# the same, naming the variant's unit: a page covering several units (a parent's dashboard),
# where two units may each have a variant of the same name
NOTE_UNIT = (
    '%(indeks)s %(kode)s (%(unsur)s) pada varian kuesioner "%(varian)s" versi %(versi)s '
    "unit %(unit)s, layanan %(layanan)s: %(alasan)s"
)


@dataclass(frozen=True)
class Catatan:
    """What a report says of one left-out item: see :func:`notes`."""

    indeks: str  # IKM, IPAK, IPKP
    instrument_id: str
    kode: str
    unsur: Text  # the item's dimension (Biaya/Tarif)
    varian: str
    versi: tuple[int, ...]
    layanan: tuple[str, ...]
    alasan: str
    unit: str = ""  # the variant's unit, named only where a page covers several units

    def kalimat(
        self,
        template: str = NOTE,
        language: str = "id",
        dan: str = "dan",
        template_unit: str = NOTE_UNIT,
    ) -> str:
        """The note as one sentence (:data:`NOTE`, or :data:`NOTE_UNIT` when the note names
        its unit; templates, ``language`` and the word ``dan`` translated for an English
        page): 'IKM U4 (Biaya/Tarif) pada varian kuesioner "Kunjungan" versi 1 dan 2, layanan
        Kunjungan Keluarga: Gratis menurut ketentuan.'"""
        return (template_unit if self.unit else template) % {
            "unit": self.unit,
            "indeks": self.indeks,
            "kode": self.kode,
            "unsur": self.unsur.get(language),
            "varian": self.varian,
            "versi": and_list([str(v) for v in self.versi], dan),
            "layanan": and_list(list(self.layanan), dan) or "-",
            "alasan": self.alasan,
        }


def and_list(words: list[str], dan: str = "dan") -> str:
    """'1', '1 dan 2', '1, 2 dan 3' ('' for none)."""
    return ", ".join(words[:-1]) + f" {dan} {words[-1]}" if len(words) > 1 else "".join(words)


def notes(
    items: Iterable[Dihilangkan], base: Mapping[str, Instrument], units: bool = False
) -> list[Catatan]:
    """The left-out items of :func:`left_out` once per instrument, item, unit, variant and
    reason (trailing full stop ignored), with their versions and layanan together, in the
    questionnaire's order; what every report says of them (docs/kuesioner.md §4). ``units``:
    the page covers several units, so each note names its variant's unit (two units may each
    have a variant "Kunjungan")."""
    grouped: dict[tuple[str, str, str, str, str], tuple[set[int], set[str]]] = {}
    for x in items:
        alasan = x.alasan.rstrip(". ")
        reason = alasan + ("" if alasan[-1:] in "!?" else ".")
        key = (x.instrument_id, x.kode, x.unit if units else "", x.varian, reason)
        versi, layanan = grouped.setdefault(key, (set(), set()))
        versi.add(x.versi)
        layanan.update(x.layanan)
    order = {code: n for n, code in enumerate(c for i in base.values() for c in i.codes)}
    return [
        Catatan(
            base[ident].index,
            ident,
            kode,
            base[ident].item(kode).dimension,
            varian,
            tuple(sorted(versi)),
            tuple(sorted(layanan)),
            alasan,
            unit,
        )
        for (ident, kode, unit, varian, alasan), (versi, layanan) in sorted(
            grouped.items(), key=lambda kv: (order.get(kv[0][1], 0), kv[0][2], kv[0][3])
        )
        if ident in base
    ]
