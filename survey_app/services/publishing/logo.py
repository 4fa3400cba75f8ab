"""A unit's logo: checked, re-encoded by us as a small PNG, audit-logged."""

from __future__ import annotations

import hashlib
from datetime import datetime

from survey_app.models import Pengguna, Unit
from survey_app.services import DbSession, audit
from survey_app.services.images import ImageError, reencoded_png

MAX_BYTES = 2 * 1024 * 1024
MAX_SIDE = 600


class LogoError(ValueError):
    """A file that cannot be a logo; nothing was stored."""


def set_logo(
    session: DbSession, unit: Unit, data: bytes | None, user: Pengguna, now: datetime
) -> None:
    """Store ``data`` (PNG or JPEG) as the unit's logo, or remove the logo when None.

    The image is decoded and drawn again as a PNG of at most 600 px: no metadata, no other
    format and nothing but pixels reaches the posters.
    """
    before = _digest(unit.logo)
    unit.logo = None if data is None else _normalised(data)
    audit.record(
        session, user, "logo", "unit", unit.id, {"logo": before}, {"logo": _digest(unit.logo)}, now
    )
    session.flush()


def _normalised(data: bytes) -> bytes:
    if len(data) > MAX_BYTES:
        raise LogoError(f"logo lebih dari {MAX_BYTES // 1024 // 1024} MB")
    try:
        return reencoded_png(data, MAX_SIDE, "logo")
    except ImageError as exc:
        raise LogoError(str(exc)) from exc


def _digest(data: bytes | None) -> str | None:
    return None if data is None else hashlib.sha256(data).hexdigest()[:16]
