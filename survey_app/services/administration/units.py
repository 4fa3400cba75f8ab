"""Units (unit kerja): create, edit, close and reopen them, within the acting user's scope.

The rules (issue 15, item 1):

* **Who.** The central admin anywhere; ``actor`` None is the command line, acting as the central
  admin. A unit admin within its own subtree: it creates units below its unit and edits, moves,
  closes and reopens those; of its own unit it edits the details, but never moves it, changes
  its jenis or closes it, and it never creates a unit without a parent. Viewers and petugas
  loket change nothing.
* **The ladder.** kementerian > eselon1 > kanwil > upt. A unit's parent stands higher on it, so
  a kementerian has no parent and a UPT has no units below it. A unit may have no parent (a
  Kanwil or UPT standing alone); only the central admin makes one.
* **No cycles.** A unit is never placed below itself or below a unit under it.
* **Kode.** 2-32 capital letters, digits and hyphens, starting and ending with a letter or digit
  (``LAPAS-MKS``), unique; typed in lower case it is raised. It never changes once stored: it is
  in the staff and public results addresses (as a layanan's kode and QR token never change).
* **Zone and hours.** WIB, WITA or WIT (or the IANA name), stored as the IANA name; left empty,
  the parent's. Hours ``HH:MM`` (``HH.MM`` too), buka before tutup; left empty, 08:00-16:00 for
  a new unit and unchanged for an existing one.
* **NIP kepala.** 18 digits (spaces are dropped), optional.
* **Closing** keeps every answer, figure and publication; the unit's forms take no new answers.
  A unit with open units below it is not closed; nothing is created, moved or reopened under a
  closed unit.

Every change is audited (entity ``unit``: tambah, ubah, tutup, buka) with the values before and
after. Field reading and the messages are in :mod:`.unit_fields`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, time
from typing import Any

from sqlalchemy import func, select

from survey_app.models import UNIT_KINDS, Layanan, Pengguna, Unit
from survey_app.services import DbSession, audit
from survey_app.services.access import can_manage, subtree_ids
from survey_app.services.administration.unit_fields import (
    N_,
    Problem,
    UnitDetails,
    UnitError,
    check_fields,
    hours_problem,
    zone_label,
)

RANK = {kind: n for n, kind in enumerate(UNIT_KINDS)}  # kementerian 0 ... upt 3
OPENING, CLOSING = time(8, 0), time(16, 0)

__all__ = [
    "NotAllowed",
    "Problem",
    "UnitDetails",
    "UnitError",
    "close_unit",
    "create_unit",
    "reopen_unit",
    "update_unit",
]


class NotAllowed(PermissionError):
    """The acting user may not make this change (the web answers 403)."""


# -- who may -----------------------------------------------------------------------------------


def is_central(actor: Pengguna | None) -> bool:
    """The central admin (or the command line, acting as one)."""
    return actor is None or actor.role == "admin"


def _unit_admin_of(actor: Pengguna | None) -> Unit | None:
    """The unit of a unit admin; None for anyone else."""
    if actor is None or actor.role != "unit_admin":
        return None
    return actor.unit


def may_manage_units(actor: Pengguna | None) -> bool:
    """Whether ``actor`` may use the units area (the list, new units, imports): the central
    admin, and the admin of a unit that can have units below it (not a UPT)."""
    own = _unit_admin_of(actor)
    return is_central(actor) or (own is not None and own.jenis != "upt")


def may_edit(session: DbSession, actor: Pengguna | None, unit: Unit) -> bool:
    """The central admin, or a unit admin of ``unit`` or of a unit above it."""
    return actor is None or can_manage(session, actor, unit)


def may_close(session: DbSession, actor: Pengguna | None, unit: Unit) -> bool:
    """As :func:`may_edit`, except a unit admin's own unit (closed from above only)."""
    if actor is None or is_central(actor):
        return True
    return may_edit(session, actor, unit) and unit.id != actor.unit_id


# -- where a unit may stand --------------------------------------------------------------------


def find_unit(session: DbSession, kode: str) -> Unit | None:
    return session.scalar(select(Unit).where(Unit.kode == kode))


def ladder_problem(jenis: str, parent_kode: str, parent_jenis: str) -> Problem:
    """The problem of a ``jenis`` unit under a ``parent_jenis`` one (not higher on the ladder)."""
    if jenis == "kementerian":
        return Problem("induk", N_("Kementerian tidak memiliki unit induk: kosongkan unit induk."))
    return Problem(
        "induk",
        N_(
            "Unit %(jenis)s tidak dapat berada di bawah %(induk)s (%(jenis_induk)s): unit induk "
            "harus lebih tinggi (kementerian > eselon1 > kanwil > upt)."
        ),
        {"jenis": jenis, "induk": parent_kode, "jenis_induk": parent_jenis},
    )


def out_of_scope(kode: str, own: Unit) -> Problem:
    return Problem(
        "induk",
        N_("Unit induk %(induk)s di luar wilayah Anda: pilih %(unit)s atau unit di bawahnya."),
        {"induk": kode, "unit": own.nama},
    )


def no_parent(own: Unit) -> Problem:
    return Problem(
        "induk",
        N_("Unit induk wajib diisi: Anda mengelola unit di bawah %(unit)s."),
        {"unit": own.nama},
    )


def closed_parent(kode: str) -> Problem:
    return Problem(
        "induk",
        N_("Unit induk %(induk)s ditutup: buka kembali unit itu atau pilih induk lain."),
        {"induk": kode},
    )


def no_zone() -> Problem:
    return Problem("zona", N_("Zona waktu wajib diisi untuk unit tanpa induk: WIB, WITA atau WIT."))


def _parent_problems(
    session: DbSession, actor: Pengguna | None, unit: Unit | None, jenis: str, parent: Unit | None
) -> list[Problem]:
    """Whether a (new or moved) ``jenis`` unit may stand under ``parent``."""
    own = _unit_admin_of(actor)
    if parent is None:
        return [no_parent(own)] if own is not None else []
    problems = []
    if unit is not None and (parent.id == unit.id or parent.id in subtree_ids(session, unit.id)):
        problems.append(
            Problem("induk", N_("Unit induk tidak boleh unit ini sendiri atau unit di bawahnya."))
        )
    if RANK[parent.jenis] >= RANK[jenis]:
        problems.append(ladder_problem(jenis, parent.kode, parent.jenis))
    if not parent.aktif:
        problems.append(closed_parent(parent.kode))
    if own is not None and parent.id not in subtree_ids(session, own.id):
        problems.append(out_of_scope(parent.kode, own))
    return problems


def own_unit_fixed() -> Problem:
    return Problem(
        "induk",
        N_(
            "Anda tidak dapat memindahkan unit Anda sendiri atau mengubah jenisnya; hubungi "
            "admin pusat."
        ),
    )


def children_problem(children: Sequence[Unit], jenis: str) -> Problem | None:
    """The problem of regrading a unit with ``children`` to ``jenis`` (not above them all)."""
    below = [c for c in children if RANK[c.jenis] <= RANK[jenis]]
    if not below:
        return None
    return Problem(
        "jenis",
        N_("Jenis %(jenis)s tidak dapat dipilih: unit ini membawahi %(anak)s (%(jenis_anak)s)."),
        {"jenis": jenis, "anak": below[0].kode, "jenis_anak": below[0].jenis},
    )


def _placement(
    session: DbSession, actor: Pengguna | None, unit: Unit | None, jenis: str, parent: Unit | None
) -> list[Problem]:
    """Problems of placing ``unit`` (None: a new one) as a ``jenis`` under ``parent``."""
    moved = unit is None or (parent.id if parent else None) != unit.parent_id
    regraded = unit is not None and jenis != unit.jenis
    own = _unit_admin_of(actor)
    if unit is not None and own is not None and unit.id == own.id and (moved or regraded):
        return [own_unit_fixed()]
    problems = _parent_problems(session, actor, unit, jenis, parent) if moved else []
    if regraded and not moved and parent is not None and RANK[parent.jenis] >= RANK[jenis]:
        problems.append(ladder_problem(jenis, parent.kode, parent.jenis))
    if regraded and unit is not None and (problem := children_problem(unit.children, jenis)):
        problems.append(problem)
    return problems


def _resolve_parent(session: DbSession, kode: str | None) -> tuple[Unit | None, list[Problem]]:
    if kode is None:
        return None, []
    parent = find_unit(session, kode)
    if parent is None:
        return None, [
            Problem("induk", N_("Unit induk %(induk)s tidak ditemukan."), {"induk": kode})
        ]
    return parent, []


# -- changes -----------------------------------------------------------------------------------


def snapshot(unit: Unit) -> dict[str, Any]:
    """The audited values of ``unit``."""
    return {
        "kode": unit.kode,
        "nama": unit.nama,
        "jenis": unit.jenis,
        "induk": unit.parent.kode if unit.parent else None,
        "zona": unit.timezone,
        "jam_buka": unit.jam_buka.strftime("%H:%M"),
        "jam_tutup": unit.jam_tutup.strftime("%H:%M"),
        "kota": unit.kota,
        "alamat": unit.alamat,
        "kepala": unit.kepala,
        "nip_kepala": unit.nip_kepala,
        "aktif": unit.aktif,
    }


def create_unit(
    session: DbSession, details: UnitDetails, actor: Pengguna | None, now: datetime
) -> Unit:
    """A new unit from ``details``, audited (``tambah``).

    Raises :class:`NotAllowed` when ``actor`` may not create units, and :class:`UnitError`
    listing every problem: of the fields, of the kode (taken), of the place (module rules).
    """
    if not may_manage_units(actor):
        raise NotAllowed("hanya admin pusat atau admin unit yang dapat menambah unit")
    fields, problems = check_fields(details)
    if fields is None:
        raise UnitError(problems)
    if find_unit(session, fields.kode) is not None:
        message = N_("Kode unit %(kode)s sudah dipakai: pilih kode lain.")
        problems.append(Problem("kode", message, {"kode": fields.kode}))
    parent, missing = _resolve_parent(session, fields.induk)
    problems += missing or _placement(session, actor, None, fields.jenis, parent)
    timezone = fields.timezone or (parent.timezone if parent else None)
    if timezone is None and not missing:
        problems.append(no_zone())
    opening, closing = fields.jam_buka or OPENING, fields.jam_tutup or CLOSING
    problems += [p for p in [hours_problem(opening, closing)] if p]
    if problems:
        raise UnitError(problems)
    unit = Unit(
        kode=fields.kode,
        nama=fields.nama,
        jenis=fields.jenis,
        parent=parent,
        timezone=timezone,
        jam_buka=opening,
        jam_tutup=closing,
        kota=fields.kota,
        alamat=fields.alamat,
        kepala=fields.kepala,
        nip_kepala=fields.nip_kepala,
        aktif=True,
    )
    session.add(unit)
    session.flush()
    audit.record(session, actor, "tambah", "unit", unit.id, None, snapshot(unit), now)
    return unit


def update_unit(
    session: DbSession, unit: Unit, details: UnitDetails, actor: Pengguna | None, now: datetime
) -> bool:
    """Set ``unit`` to ``details``; audited (``ubah``) when anything changed, which is returned.

    The kode stays (``details.kode`` is not read). Empty hours keep the stored ones; an empty
    zone takes the parent's (without a parent, keeps the stored one); empty optional texts are
    cleared. Raises :class:`NotAllowed` outside ``actor``'s scope and :class:`UnitError`
    listing every problem (module rules).
    """
    if not may_edit(session, actor, unit):
        raise NotAllowed("unit ini di luar wilayah Anda")
    # the stored kode is kept as it is, not judged again by today's format
    fields, problems = check_fields(replace(details, kode="XX"))
    if fields is None:
        raise UnitError(problems)
    parent, missing = _resolve_parent(session, fields.induk)
    problems += missing or _placement(session, actor, unit, fields.jenis, parent)
    timezone = fields.timezone or (parent.timezone if parent else unit.timezone)
    opening, closing = fields.jam_buka or unit.jam_buka, fields.jam_tutup or unit.jam_tutup
    problems += [p for p in [hours_problem(opening, closing)] if p]
    if problems:
        raise UnitError(problems)
    before = snapshot(unit)
    unit.nama, unit.jenis, unit.parent, unit.timezone = fields.nama, fields.jenis, parent, timezone
    unit.jam_buka, unit.jam_tutup = opening, closing
    unit.kota, unit.alamat, unit.kepala = fields.kota, fields.alamat, fields.kepala
    unit.nip_kepala = fields.nip_kepala
    session.flush()
    after = snapshot(unit)
    if after == before:
        return False
    audit.record(session, actor, "ubah", "unit", unit.id, before, after, now)
    return True


def close_unit(session: DbSession, unit: Unit, actor: Pengguna | None, now: datetime) -> bool:
    """Close ``unit`` (audited ``tutup``); False when it was closed already.

    Its data stays; its public forms take no new answers. Raises :class:`NotAllowed` (a unit
    admin's own unit, or outside its scope) and :class:`UnitError` while units below it are
    open.
    """
    if not may_close(session, actor, unit):
        raise NotAllowed("unit ini tidak dapat Anda tutup")
    if not unit.aktif:
        return False
    open_below = [c.kode for c in unit.children if c.aktif]
    if open_below:
        raise UnitError.one(
            "aktif",
            N_(
                "Unit %(kode)s masih membawahi unit yang aktif (%(anak)s): tutup atau pindahkan "
                "unit itu dahulu."
            ),
            kode=unit.kode,
            anak=", ".join(open_below),
        )
    before = snapshot(unit)
    unit.aktif = False
    session.flush()
    audit.record(session, actor, "tutup", "unit", unit.id, before, snapshot(unit), now)
    return True


def reopen_unit(session: DbSession, unit: Unit, actor: Pengguna | None, now: datetime) -> bool:
    """Open a closed ``unit`` again (audited ``buka``); False when it was open already.

    Raises :class:`NotAllowed` as :func:`close_unit` does, and :class:`UnitError` while its
    parent is closed.
    """
    if not may_close(session, actor, unit):
        raise NotAllowed("unit ini tidak dapat Anda buka kembali")
    if unit.aktif:
        return False
    if unit.parent is not None and not unit.parent.aktif:
        raise UnitError.one(
            "aktif",
            N_("Unit induk %(induk)s ditutup: buka kembali unit induk itu dahulu."),
            induk=unit.parent.kode,
        )
    before = snapshot(unit)
    unit.aktif = True
    session.flush()
    audit.record(session, actor, "buka", "unit", unit.id, before, snapshot(unit), now)
    return True


# -- the tree ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class TreeRow:
    """A unit in the tree, its depth (0 = a top unit of the list) and its number of layanan."""

    unit: Unit
    depth: int
    layanan: int

    @property
    def zone(self) -> str:
        return zone_label(self.unit.timezone)


def unit_tree(session: DbSession, actor: Pengguna | None) -> list[TreeRow]:
    """The units ``actor`` sees, parents before children, siblings by name: every unit for the
    central admin; for anyone else their own unit and everything below it."""
    if is_central(actor):
        units = list(session.scalars(select(Unit)))
        roots = [u for u in units if u.parent_id is None]
    elif actor is not None and actor.unit_id is not None:
        ids = subtree_ids(session, actor.unit_id)
        units = list(session.scalars(select(Unit).where(Unit.id.in_(ids))))
        roots = [u for u in units if u.id == actor.unit_id]
    else:
        return []
    found = session.execute(select(Layanan.unit_id, func.count()).group_by(Layanan.unit_id))
    counts = {unit_id: n for unit_id, n in found.tuples()}
    below: dict[int | None, list[Unit]] = {}
    for unit in units:
        below.setdefault(unit.parent_id, []).append(unit)
    rows: list[TreeRow] = []

    def walk(unit: Unit, depth: int) -> None:
        rows.append(TreeRow(unit, depth, counts.get(unit.id, 0)))
        for child in sorted(below.get(unit.id, []), key=lambda u: (u.nama, u.kode)):
            walk(child, depth + 1)

    for root in sorted(roots, key=lambda u: (u.nama, u.kode)):
        walk(root, 0)
    return rows


def parent_choices(session: DbSession, actor: Pengguna | None) -> list[TreeRow]:
    """The open units ``actor`` may place a unit under: every one in the tree but UPT."""
    return [r for r in unit_tree(session, actor) if r.unit.aktif and r.unit.jenis != "upt"]
