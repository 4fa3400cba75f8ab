"""Importing a unit tree with its layanan from a CSV or XLSX file: a plan first, all or nothing.

The file (:mod:`.unit_template` writes one with example rows): one row per layanan with the
unit's columns repeated, or a unit row with the layanan columns empty. The columns, named in
any case (a space read as ``_``): ``kode_unit`` (required), ``nama_unit``, ``jenis``,
``kode_induk``, ``zona``, ``jam_buka``, ``jam_tutup``, ``kota``, ``alamat``, ``kepala``,
``nip_kepala``, ``kode_layanan``, ``nama_layanan``, ``survei`` (``skm ipak ipkp``),
``kebutuhan_utama`` (ya/tidak).

Idempotent by kode: a stored unit (by ``kode_unit``) or layanan (by unit and ``kode_layanan``)
is updated where a cell differs, anything else is created, and the same file imported twice
changes nothing. An empty cell keeps what is stored; for a new unit ``nama_unit`` and ``jenis``
are required, the zone is the parent's and the hours 08:00-16:00; for a new layanan
``nama_layanan`` is required, ``survei`` is skm ipak and ``kebutuhan_utama`` tidak. A parent
is a unit of the same file (rows in any order) or a stored one. The rules of :mod:`.units` are
judged on the tree as it will stand after the import. Every problem is listed with its row,
numbered as a spreadsheet shows it (the header is row 1), and its column; with any problem
nothing is stored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields, replace
from datetime import datetime
from pathlib import Path
from typing import IO

from sqlalchemy import select

from analysis.tables import Table
from survey_app.models import Layanan, Pengguna, Unit
from survey_app.services import DbSession, audit
from survey_app.services.administration import layanan as layanan_service
from survey_app.services.administration import units
from survey_app.services.administration.unit_fields import (
    N_,
    Fields,
    Problem,
    UnitDetails,
    UnitError,
    check_fields,
)
from survey_app.services.administration.unit_file import (
    COLUMN_OF,
    COLUMNS,
    LAYANAN_COLUMNS,
    UNIT_COLUMNS,
    Cells,
    Rows,
    at,
    group_rows,
    merge_cells,
    read_rows,
)
from survey_app.services.administration.unit_placement import ImportTree
from survey_app.services.catalogue import DEFAULT_INSTRUMENTS, Catalogue

TRUTH = {"ya": True, "true": True, "1": True, "tidak": False, "false": False, "0": False}


@dataclass(frozen=True)
class UnitPlan:
    """A unit of the file: ``baru`` (created), ``ubah`` (its ``changed`` fields updated) or
    ``tetap`` (as stored); ``details`` is the unit as it will be."""

    kode: str
    row: int
    action: str
    details: UnitDetails
    changed: tuple[str, ...] = ()


@dataclass(frozen=True)
class LayananPlan:
    """A layanan of the file, its action as :class:`UnitPlan`'s, its values as they will be."""

    unit: str
    kode: str
    row: int
    action: str
    nama: str
    kebutuhan_utama: bool
    instruments: tuple[str, ...]
    changed: tuple[str, ...] = ()


@dataclass(frozen=True)
class UnitImportPlan:
    """What an import would do (units parents first), and every problem that stops it."""

    units: list[UnitPlan]
    layanan: list[LayananPlan]
    problems: list[Problem]

    def count(self, action: str, of: str = "unit") -> int:
        if of == "unit":
            return [x.action for x in self.units].count(action)
        return [x.action for x in self.layanan].count(action)

    @property
    def changes(self) -> int:
        actions = [x.action for x in self.units] + [x.action for x in self.layanan]
        return len(actions) - actions.count("tetap")


@dataclass(frozen=True)
class ImportResult:
    """How many units and layanan an import created and updated."""

    units_created: int = 0
    units_updated: int = 0
    layanan_created: int = 0
    layanan_updated: int = 0

    @property
    def changed(self) -> bool:
        return any(getattr(self, f.name) for f in fields(self))


# -- planning ----------------------------------------------------------------------------------


def _unit_plan(kode: str, row: int, details: UnitDetails, unit: Unit | None) -> UnitPlan:
    if unit is None:
        return UnitPlan(kode, row, "baru", details)
    stored = UnitDetails.of(unit)
    changed = tuple(
        f.name for f in fields(details) if getattr(details, f.name) != getattr(stored, f.name)
    )
    return UnitPlan(kode, row, "ubah" if changed else "tetap", details, changed)


def plan_unit_import(
    session: DbSession,
    catalogue: Catalogue,
    source: str | Path | IO[bytes] | Table,
    actor: Pengguna | None,
) -> UnitImportPlan:
    """What importing ``source`` as ``actor`` would do, or every problem (module docstring).

    Reads the database only. Raises :class:`units.NotAllowed` when ``actor`` may not manage
    units at all.
    """
    if not units.may_manage_units(actor):
        raise units.NotAllowed("hanya admin pusat atau admin unit yang dapat mengimpor unit")
    rows, problems = read_rows(source)
    if problems:
        return UnitImportPlan([], [], problems)
    stored = {u.kode: u for u in session.scalars(select(Unit))}
    groups, strays = group_rows(rows, problems)
    problems += _stray_problems(catalogue, strays)
    checked: dict[str, Fields] = {}
    cells: dict[str, Cells] = {}
    for kode, unit_rows in groups.items():
        merged = merge_cells(kode, unit_rows, problems)
        cells[kode] = merged | {"": ("", unit_rows[0][0])}  # "": the unit's first row
        base = UnitDetails.of(stored[kode]) if kode in stored else UnitDetails(kode=kode)
        given = {UNIT_COLUMNS[c]: v for c, (v, _) in merged.items() if c != "kode_unit"}
        found, wrong = check_fields(replace(base, **given))
        problems += [at(p, _row(cells[kode], p)) for p in wrong]
        found = found or _placeable(replace(base, **given), wrong)
        if found is not None:
            checked[kode] = found
    tree = ImportTree(session, stored, checked, set(groups), actor)
    plans = []
    for kode in tree.parents_first():
        problems += [at(p, _row(cells[kode], p)) for p in tree.problems(kode)]
        plans.append(_unit_plan(kode, cells[kode][""][1], tree.details(kode), stored.get(kode)))
    layanan = _plan_layanan(catalogue, groups, stored, problems)
    order = {column: n for n, column in enumerate(COLUMNS)}
    problems.sort(key=lambda p: (p.row or 0, order.get(COLUMN_OF.get(p.field, p.field), -1)))
    return UnitImportPlan(plans, layanan, problems)


# stand-ins for wrong fields that do not decide where a unit stands
FILLERS = {"nama": "-", "zona": "WIB", "jam_buka": "", "jam_tutup": ""}


def _placeable(details: UnitDetails, wrong: list[Problem]) -> Fields | None:
    """Fields for judging the place of a unit whose other fields are wrong (so those problems
    are listed too); None when its kode, jenis or parent is wrong."""
    if {p.field for p in wrong} & {"kode", "jenis", "induk"}:
        return None
    stand_in = {p.field: FILLERS.get(p.field, "") for p in wrong}
    if "jam_buka" in stand_in or "jam_tutup" in stand_in:
        stand_in |= {"jam_buka": "", "jam_tutup": ""}
    return check_fields(replace(details, **stand_in))[0]


def _stray_problems(catalogue: Catalogue, strays: Rows) -> list[Problem]:
    """The problems of the filled cells of rows whose kode_unit is wrong (so every problem of
    a row is listed at once)."""
    found: list[Problem] = []
    for number, cells in strays:
        given = {UNIT_COLUMNS[c]: cells.get(c, "") for c in UNIT_COLUMNS if c != "kode_unit"}
        _, wrong = check_fields(UnitDetails(kode="X0", **given))
        found += [at(p, number) for p in wrong]
        _layanan_row(catalogue, "X0", number, cells, {}, found)
    return [p for p in found if p.field != "kode_unit" and cells_of(strays, p)]


def cells_of(strays: Rows, problem: Problem) -> bool:
    """Whether the cell a problem is about is filled (an empty one is no problem of its own)."""
    return any(n == problem.row and cells.get(problem.field) for n, cells in strays)


def _row(cells: Cells, problem: Problem) -> int:
    """The row a problem of a unit's field points at: where its column's value is written."""
    return cells.get(COLUMN_OF.get(problem.field, problem.field), cells[""])[1]


def _plan_layanan(
    catalogue: Catalogue, groups: dict[str, Rows], stored: dict[str, Unit], problems: list[Problem]
) -> list[LayananPlan]:
    plans: list[LayananPlan] = []
    seen: dict[tuple[str, str], int] = {}
    for unit_kode, rows in groups.items():
        existing = {x.kode: x for x in stored[unit_kode].layanan} if unit_kode in stored else {}
        for number, cells in rows:
            if not any(cells.get(c) for c in LAYANAN_COLUMNS):
                continue
            wrong: list[Problem] = []
            plan = _layanan_row(catalogue, unit_kode, number, cells, existing, wrong)
            if plan is not None and (unit_kode, plan.kode) in seen:
                message = N_(
                    "Layanan %(kode)s unit %(unit)s sudah ada di baris %(baris)d: satu baris "
                    "untuk satu layanan."
                )
                params = {"kode": plan.kode, "unit": unit_kode, "baris": seen[unit_kode, plan.kode]}
                wrong.append(Problem("kode_layanan", message, params, number))
            problems += wrong
            if plan is not None and not wrong:
                seen[unit_kode, plan.kode] = number
                plans.append(plan)
    return plans


def _layanan_row(
    catalogue: Catalogue,
    unit_kode: str,
    number: int,
    cells: dict[str, str],
    existing: dict[str, Layanan],
    wrong: list[Problem],
) -> LayananPlan | None:
    """One layanan row checked against the catalogue and what is stored."""

    def problem(column: str, message: str, **params: object) -> None:
        wrong.append(Problem(column, message, params, number))

    kode = cells.get("kode_layanan", "").upper()
    if not layanan_service.KODE.match(kode):
        problem(
            "kode_layanan",
            N_("Kode layanan: 2-20 huruf besar, angka dan tanda hubung, misalnya KUNJ."),
        )
    stored = existing.get(kode)
    nama = " ".join(cells.get("nama_layanan", "").split()) or (stored.nama if stored else "")
    if not nama:
        problem("nama_layanan", N_("Nama layanan wajib diisi, misalnya Layanan Kunjungan."))
    elif len(nama) > 200 or any(ord(c) < 0x20 or 0x7F <= ord(c) < 0xA0 for c in nama):
        problem(
            "nama_layanan",
            N_("Nama layanan: paling banyak 200 karakter, tanpa karakter kontrol."),
        )
    chosen = [w for w in re.split(r"[\s,;/+]+", cells.get("survei", "").lower()) if w]
    unknown = [w for w in chosen if w not in catalogue.instruments]
    if unknown:
        problem(
            "survei",
            N_("Survei %(nama)s tidak dikenal: tulis %(daftar)s dipisah spasi, misalnya skm ipak."),
            nama=", ".join(unknown),
            daftar=", ".join(catalogue.instruments),
        )
    flag = cells.get("kebutuhan_utama", "").lower()
    if flag and flag not in TRUTH:
        problem("kebutuhan_utama", N_("Kebutuhan utama: tulis ya atau tidak."))
    if wrong:
        return None
    order = list(catalogue.instruments)
    default = stored.instrument_ids if stored else DEFAULT_INSTRUMENTS
    instruments = tuple(sorted(set(chosen or default), key=order.index))
    utama = TRUTH[flag] if flag else (stored.kebutuhan_utama if stored else False)
    if stored is None:
        return LayananPlan(unit_kode, kode, number, "baru", nama, utama, instruments)
    now = {"nama": nama, "kebutuhan_utama": utama, "survei": instruments}
    before = {
        "nama": stored.nama,
        "kebutuhan_utama": stored.kebutuhan_utama,
        "survei": tuple(sorted(stored.instrument_ids, key=order.index)),
    }
    changed = tuple(name for name in now if now[name] != before[name])
    action = "ubah" if changed else "tetap"
    return LayananPlan(unit_kode, kode, number, action, nama, utama, instruments, changed)


# -- applying ----------------------------------------------------------------------------------


def apply_unit_import(
    session: DbSession,
    catalogue: Catalogue,
    plan: UnitImportPlan,
    actor: Pengguna | None,
    now: datetime,
    source: str = "",
) -> ImportResult:
    """Carry out ``plan`` (parents first, then the layanan), each change audited as made by
    the services of :mod:`.units` and :mod:`.layanan`, and the import itself (``impor``,
    entity ``unit``, id: the file name) when it changed anything.

    Raises :class:`UnitError` with the plan's problems, or with any a change meets (the
    caller rolls back: nothing is stored).
    """
    if plan.problems:
        raise UnitError(plan.problems)
    for item in plan.units:
        try:
            if item.action == "baru":
                units.create_unit(session, item.details, actor, now)
            elif item.action == "ubah":
                unit = units.find_unit(session, item.kode)
                if unit is not None:
                    units.update_unit(session, unit, item.details, actor, now)
        except UnitError as exc:
            raise UnitError([at(p, item.row) for p in exc.problems]) from exc
    for entry in plan.layanan:
        _apply_layanan(session, catalogue, entry, actor, now)
    result = ImportResult(
        plan.count("baru"),
        plan.count("ubah"),
        plan.count("baru", "layanan"),
        plan.count("ubah", "layanan"),
    )
    if result.changed:
        after = {
            "unit_baru": [x.kode for x in plan.units if x.action == "baru"],
            "unit_diubah": [x.kode for x in plan.units if x.action == "ubah"],
            "layanan_baru": [f"{x.unit}/{x.kode}" for x in plan.layanan if x.action == "baru"],
            "layanan_diubah": [f"{x.unit}/{x.kode}" for x in plan.layanan if x.action == "ubah"],
        }
        audit.record(session, actor, "impor", "unit", (source or "berkas")[:40], None, after, now)
    return result


def _apply_layanan(
    session: DbSession,
    catalogue: Catalogue,
    entry: LayananPlan,
    actor: Pengguna | None,
    now: datetime,
) -> None:
    if entry.action == "tetap":
        return
    unit = units.find_unit(session, entry.unit)
    if unit is None:  # the plan created it: not reached
        raise UnitError.one("kode_unit", N_("Unit %(kode)s tidak ditemukan."), kode=entry.unit)
    try:
        if entry.action == "baru":
            layanan_service.add_layanan(
                session,
                catalogue,
                unit,
                entry.kode,
                entry.nama,
                entry.kebutuhan_utama,
                entry.instruments,
                actor,
                now,
            )
            return
        found = next(x for x in unit.layanan if x.kode == entry.kode)
        layanan_service.update_layanan(
            session,
            catalogue,
            found,
            entry.nama,
            entry.kebutuhan_utama,
            found.aktif,
            entry.instruments,
            actor,
            now,
        )
    except layanan_service.LayananError as exc:
        message = N_("Layanan tidak dapat disimpan: %(sebab)s")
        raise UnitError([Problem("kode_layanan", message, {"sebab": str(exc)}, entry.row)]) from exc


def import_units(
    session: DbSession,
    catalogue: Catalogue,
    source: str | Path | IO[bytes] | Table,
    actor: Pengguna | None,
    now: datetime,
    name: str = "",
) -> tuple[UnitImportPlan, ImportResult]:
    """Plan and apply in one go: :func:`plan_unit_import`, then :func:`apply_unit_import`."""
    plan = plan_unit_import(session, catalogue, source, actor)
    return plan, apply_unit_import(session, catalogue, plan, actor, now, name)
