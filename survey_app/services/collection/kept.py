"""The layanan of a public form, loaded once per worker and checked on every request (issue 20.3).

Loading a layanan with its unit and instrument links through the ORM cost about a fifth of a
form POST. Here one Core statement reads, on every request, every column the form could read:
the layanan's, its unit's (but the deferred logo), its instrument links, its variant's and a
summary of that variant's versions (how many, the highest id and number). Those values are the
key of the kept objects; while they are the same, the objects loaded for them are the same
too. Any change of a layanan (closed, renamed, its instruments or variant changed), of its unit
(closed, reasons switched off, renamed, another time zone) or of its variant (renamed, a new
version) changes the key, and the next request loads them afresh.

The kept objects are detached from any session and shared by the worker's threads: read only.
They are loaded with everything the form reads (unit, instrument links, variant and its
versions); reaching anything else (the unit's logo, its other layanan) raises
``DetachedInstanceError`` rather than reading the database behind the key's back. Their key is
made from the objects themselves, never from the statement read before loading them, so a
change committed between the two is never kept under the older values.
"""

from __future__ import annotations

from collections.abc import MutableMapping, Sequence
from contextlib import suppress
from typing import Any, cast

from sqlalchemy import Row, Table, bindparam, func, inspect, select
from sqlalchemy.orm import Mapper, Session, joinedload, selectinload

from survey_app.models import KuesionerVarian, KuesionerVersi, Layanan, LayananInstrumen, Unit
from survey_app.services import DbSession

LAYANAN = cast(Table, Layanan.__table__)
UNIT = cast(Table, Unit.__table__)
LINKS = cast(Table, LayananInstrumen.__table__)
VARIAN = cast(Table, KuesionerVarian.__table__)
VERSI = cast(Table, KuesionerVersi.__table__)


def _attributes(model: type, table: Table) -> list[tuple[Any, str]]:
    """Each column of ``table`` the ORM loads at once (not deferred), with its attribute."""
    mapper: Mapper[Any] = inspect(model)
    out = []
    for column in table.c:
        prop = mapper.get_property_by_column(column)
        if not prop.deferred:
            out.append((column, prop.key))
    return out


LAYANAN_COLUMNS = _attributes(Layanan, LAYANAN)
UNIT_COLUMNS = _attributes(Unit, UNIT)
VARIAN_COLUMNS = _attributes(KuesionerVarian, VARIAN)
_VERSIONS = select(func.count(), func.max(VERSI.c.id), func.max(VERSI.c.nomor)).where(
    VERSI.c.varian_id == LAYANAN.c.kuesioner_varian_id
)
CHECK = (
    select(
        *(c for c, _ in LAYANAN_COLUMNS),
        *(c for c, _ in UNIT_COLUMNS),
        *(c for c, _ in VARIAN_COLUMNS),
        _VERSIONS.with_only_columns(func.count()).scalar_subquery(),
        _VERSIONS.with_only_columns(func.max(VERSI.c.id)).scalar_subquery(),
        _VERSIONS.with_only_columns(func.max(VERSI.c.nomor)).scalar_subquery(),
        LINKS.c.instrument_id,
        LINKS.c.urutan,
    )
    .select_from(
        LAYANAN.join(UNIT, UNIT.c.id == LAYANAN.c.unit_id)
        .outerjoin(VARIAN, VARIAN.c.id == LAYANAN.c.kuesioner_varian_id)
        .outerjoin(LINKS, LINKS.c.layanan_id == LAYANAN.c.id)
    )
    .where(LAYANAN.c.token == bindparam("token"))
)
_ENDS = (
    len(LAYANAN_COLUMNS),
    len(LAYANAN_COLUMNS) + len(UNIT_COLUMNS),
    len(LAYANAN_COLUMNS) + len(UNIT_COLUMNS) + len(VARIAN_COLUMNS),
)
VARIAN_AT = [key for _, key in LAYANAN_COLUMNS].index("kuesioner_varian_id")
Key = tuple[object, ...]
KEPT = 256  # layanan per app and worker; a few kB each


def _key_of_rows(rows: Sequence[Row[Any]]) -> Key:
    """The key of the statement's rows (one per instrument link; one without a link)."""
    first = tuple(rows[0])
    a, b, c = _ENDS
    varian = first[b:c] if first[VARIAN_AT] is not None else None
    versions = first[c : c + 3] if varian is not None else None
    links = sorted((int(r[-1]), str(r[-2])) for r in rows if r[-2] is not None)
    return (first[:a], first[a:b], varian, versions, tuple(links))


def _key_of(layanan: Layanan) -> Key:
    """The same key from loaded objects."""
    varian, versions = None, None
    if layanan.varian is not None:
        varian = tuple(getattr(layanan.varian, key) for _, key in VARIAN_COLUMNS)
        versi = layanan.varian.versi
        versions = (
            len(versi),
            max((v.id for v in versi), default=None),
            max((v.nomor for v in versi), default=None),
        )
    return (
        tuple(getattr(layanan, key) for _, key in LAYANAN_COLUMNS),
        tuple(getattr(layanan.unit, key) for _, key in UNIT_COLUMNS),
        varian,
        versions,
        tuple(sorted((link.urutan, link.instrument_id) for link in layanan.instrumen)),
    )


def _load(session: DbSession, token: str) -> Layanan | None:
    """The layanan of ``token`` with all the form reads, detached: loaded by a session of its
    own on the request's connection (in its transaction), closed at once."""
    with Session(bind=session.connection()) as own:
        return own.scalars(
            select(Layanan)
            .options(
                joinedload(Layanan.unit),
                selectinload(Layanan.instrumen),
                joinedload(Layanan.varian).selectinload(KuesionerVarian.versi),
            )
            .where(Layanan.token == token)
        ).first()


def kept_layanan(
    session: DbSession, token: str, kept: MutableMapping[Key, Layanan]
) -> Layanan | None:
    """The layanan of the public ``token`` (None: no such token) as of this request, from
    ``kept`` (the caller's per-app mapping) while its key is unchanged; otherwise loaded and
    kept. Read only: the object is shared and detached (see the module's docstring)."""
    rows = session.connection().execute(CHECK, {"token": token}).all()
    if not rows:
        return None
    found = kept.get(_key_of_rows(rows))
    if found is not None:
        return found
    loaded = _load(session, token)
    if loaded is None:  # deleted meanwhile
        return None
    if len(kept) >= KEPT:
        with suppress(RuntimeError, StopIteration):  # another thread changed it meanwhile
            kept.pop(next(iter(kept)), None)
    kept[_key_of(loaded)] = loaded
    return loaded
