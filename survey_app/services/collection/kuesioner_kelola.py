"""Looking after a unit's questionnaire variants (issue 22, tester items 16 and 17): renaming
one, retiring (hiding) one no layanan uses, and the list of a variant's versions with who made
each and how many answers it holds. Versions are never changed nor deleted; every change here
is in the audit log.

Retirement is kept in the audit log itself (the newest ``pensiun``/``aktif_lagi`` entry of a
variant decides), so no version nor answer is touched and the change is reversible.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from survey_app.models import AuditLog, KuesionerVarian, KuesionerVersi, Pengguna, Submission
from survey_app.services import DbSession, audit
from survey_app.services.collection.kuesioner import ENTITY, KuesionerError, find_varian

RETIRE, REVIVE, RENAME = "pensiun", "aktif_lagi", "ganti_nama"


def rename(
    session: DbSession, varian: KuesionerVarian, nama: str, now: datetime, user: Pengguna | None
) -> None:
    """Give ``varian`` the name ``nama`` (1-80 printable characters): every version and its
    answers stay with it; audited. Raises :class:`KuesionerError` when another variant of the
    unit has that name."""
    nama = nama.strip()
    if not nama or len(nama) > 80 or not nama.isprintable():
        raise KuesionerError(["nama varian wajib diisi, paling banyak 80 karakter"])
    if nama == varian.nama:
        return
    other = find_varian(session, varian.unit, nama)
    if other is not None and other.id != varian.id:
        raise KuesionerError([f"nama varian {nama} sudah dipakai varian lain unit ini"])
    before = varian.nama
    varian.nama = nama
    session.flush()
    audit.record(session, user, RENAME, ENTITY, varian.id, {"nama": before}, {"nama": nama}, now)


def retired_ids(session: DbSession, varian_ids: list[int]) -> set[int]:
    """The ids among ``varian_ids`` retired (hidden): their newest retire/revive entry retires."""
    rows = session.execute(
        select(AuditLog.entity_id, AuditLog.action)
        .where(
            AuditLog.entity == ENTITY,
            AuditLog.entity_id.in_([str(x) for x in varian_ids]),
            AuditLog.action.in_((RETIRE, REVIVE)),
        )
        .order_by(AuditLog.id)
    ).all()
    last = {int(entity_id): action for entity_id, action in rows}
    return {k for k, action in last.items() if action == RETIRE}


def retire(
    session: DbSession, varian: KuesionerVarian, now: datetime, user: Pengguna | None
) -> None:
    """Hide ``varian`` from the editor's lists and the layanan's choices; its versions and
    their answers stay (reports still show them). Raises :class:`KuesionerError` naming the
    layanan while any layanan shows it."""
    users = sorted(x.nama for x in varian.unit.layanan if x.kuesioner_varian_id == varian.id)
    if users:
        raise KuesionerError([f"varian ini masih dipakai layanan {', '.join(users)}"])
    if varian.id not in retired_ids(session, [varian.id]):
        audit.record(session, user, RETIRE, ENTITY, varian.id, None, {"nama": varian.nama}, now)
        session.flush()


def revive(
    session: DbSession, varian: KuesionerVarian, now: datetime, user: Pengguna | None
) -> None:
    """Show a retired ``varian`` again (nothing when it is not retired); audited."""
    if varian.id in retired_ids(session, [varian.id]):
        audit.record(session, user, REVIVE, ENTITY, varian.id, None, {"nama": varian.nama}, now)
        session.flush()


@dataclass(frozen=True)
class VersiRow:
    """One version of a variant as the editor lists it."""

    nomor: int
    dibuat: datetime
    oleh: str | None  # the username; None: made from the command line
    jawaban: int  # submissions given under it (every one, excluded or not)


def versions(session: DbSession, varian: KuesionerVarian) -> list[VersiRow]:
    """Every version of ``varian``, newest first, with who made it and its answers."""
    counts: dict[int, int] = {
        int(versi_id): int(n)
        for versi_id, n in session.execute(
            select(Submission.kuesioner_versi_id, func.count())
            .where(Submission.kuesioner_versi_id.in_([v.id for v in varian.versi]))
            .group_by(Submission.kuesioner_versi_id)
        )
    }
    names: dict[int, str] = {
        int(user_id): str(username)
        for user_id, username in session.execute(
            select(Pengguna.id, Pengguna.username).where(
                Pengguna.id.in_([v.dibuat_oleh for v in varian.versi if v.dibuat_oleh])
            )
        )
    }
    return [
        VersiRow(v.nomor, v.dibuat, names.get(v.dibuat_oleh or 0), counts.get(v.id, 0))
        for v in reversed(varian.versi)
    ]


def version(varian: KuesionerVarian, nomor: int) -> KuesionerVersi | None:
    """The version ``nomor`` of ``varian`` (None when it has none such)."""
    return next((v for v in varian.versi if v.nomor == nomor), None)
