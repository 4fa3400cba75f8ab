"""Where a file's units would stand: the tree after an import, judged by the rules of
:mod:`.units` (the ladder, no cycles, open parents, the unit admin's scope, zone and hours)."""

from __future__ import annotations

from survey_app.models import Pengguna, Unit
from survey_app.services import DbSession
from survey_app.services.access import subtree_ids
from survey_app.services.administration import units
from survey_app.services.administration.unit_fields import (
    N_,
    Fields,
    Problem,
    UnitDetails,
    hours_problem,
    zone_label,
)


class ImportTree:
    """The tree as it would stand: the file's units (checked ``fields``) over the stored ones.

    ``in_file`` also holds the file's units whose fields have problems: below those, the
    place of a unit is not judged until they are corrected.
    """

    def __init__(
        self,
        session: DbSession,
        stored: dict[str, Unit],
        checked: dict[str, Fields],
        in_file: set[str],
        actor: Pengguna | None,
    ) -> None:
        self.stored, self.checked, self.in_file = stored, checked, in_file
        by_id = {u.id: u.kode for u in stored.values()}
        self.stored_parent = {
            u.kode: by_id.get(u.parent_id) if u.parent_id else None for u in stored.values()
        }
        self.own = actor.unit if actor is not None and actor.role == "unit_admin" else None
        self.scope = subtree_ids(session, self.own.id) if self.own is not None else set()

    def parent(self, kode: str) -> str | None:
        if kode in self.checked:
            return self.checked[kode].induk
        return self.stored_parent.get(kode)

    def jenis(self, kode: str) -> str | None:
        if kode in self.checked:
            return self.checked[kode].jenis
        return self.stored[kode].jenis if kode in self.stored else None

    def chain(self, kode: str | None) -> list[str]:
        """``kode`` and the units above it, up to the top (or to a repeat: a cycle)."""
        found: list[str] = []
        while kode is not None and kode not in found:
            found.append(kode)
            kode = self.parent(kode)
        return found

    def rooted(self, kode: str) -> bool:
        """Whether the units above ``kode`` end at a known top unit (not at an unknown kode, a
        unit whose own problems come first, or a cycle)."""
        top = self.chain(kode)[-1]
        return self.parent(top) is None and (top in self.checked or top in self.stored)

    def zone(self, kode: str) -> str | None:
        for step in self.chain(kode):
            if step in self.checked and self.checked[step].timezone:
                return self.checked[step].timezone
            if step not in self.checked and step in self.stored:
                return self.stored[step].timezone
        return None

    def parents_first(self) -> list[str]:
        depth = {k: sum(1 for a in self.chain(k) if a in self.checked) for k in self.checked}
        return sorted(self.checked, key=lambda k: depth[k])

    def problems(self, kode: str) -> list[Problem]:
        """What stops ``kode`` standing where the file puts it (the rules of :mod:`.units`)."""
        f, unit, induk = self.checked[kode], self.stored.get(kode), self.checked[kode].induk
        if self.own is not None and unit is not None and unit.id not in self.scope:
            message = N_(
                "Unit %(kode)s di luar wilayah Anda: Anda mengelola %(unit)s dan unit di bawahnya."
            )
            return [Problem("kode", message, {"kode": kode, "unit": self.own.nama})]
        if induk is not None and induk not in self.checked and induk not in self.stored:
            if induk in self.in_file:
                return []
            message = N_("Unit induk %(induk)s tidak ada di berkas maupun di data tersimpan.")
            return [Problem("induk", message, {"induk": induk})]
        moved = unit is None or induk != self.stored_parent.get(kode)
        regraded = unit is not None and f.jenis != unit.jenis
        if self.own is not None and unit is not None and unit.id == self.own.id:
            return [units.own_unit_fixed()] if moved or regraded else []
        problems = self._moved(kode, induk) if moved else []
        parent_jenis = self.jenis(induk) if induk else None
        parent_regraded = (
            induk in self.checked
            and induk in self.stored
            and (self.checked[induk].jenis != self.stored[induk].jenis)
        )
        judged = moved or regraded or parent_regraded
        if induk and parent_jenis and judged and units.RANK[parent_jenis] >= units.RANK[f.jenis]:
            problems.append(units.ladder_problem(f.jenis, induk, parent_jenis))
        if regraded and unit is not None:
            stays = [c for c in unit.children if c.kode not in self.checked]
            if problem := units.children_problem(stays, f.jenis):
                problems.append(problem)
        if self.zone(kode) is None and self.rooted(kode):
            problems.append(units.no_zone())
        opening, closing = f.jam_buka or units.OPENING, f.jam_tutup or units.CLOSING
        problems += [p for p in [hours_problem(opening, closing)] if p]
        return problems

    def _moved(self, kode: str, induk: str | None) -> list[Problem]:
        """Problems of a new or moved unit under ``induk``."""
        if induk is None:
            return [units.no_parent(self.own)] if self.own is not None else []
        above = self.chain(induk)
        problems = []
        if kode in above:
            message = N_("Unit induk %(induk)s berada di bawah unit ini: susunan unit melingkar.")
            problems.append(Problem("induk", message, {"induk": induk}))
        if induk in self.stored and not self.stored[induk].aktif:
            problems.append(units.closed_parent(induk))
        if self.own is not None and self.own.kode not in above:
            problems.append(units.out_of_scope(induk, self.own))
        return problems

    def details(self, kode: str) -> UnitDetails:
        """The unit as it will be, written as the edit form and the file write it."""
        f, zone = self.checked[kode], self.zone(kode)
        return UnitDetails(
            kode=kode,
            nama=f.nama,
            jenis=f.jenis,
            induk=f.induk or "",
            zona=zone_label(zone) if zone else "",
            jam_buka=(f.jam_buka or units.OPENING).strftime("%H:%M"),
            jam_tutup=(f.jam_tutup or units.CLOSING).strftime("%H:%M"),
            kota=f.kota or "",
            alamat=f.alamat or "",
            kepala=f.kepala or "",
            nip_kepala=f.nip_kepala or "",
        )
