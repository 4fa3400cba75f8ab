"""A unit's logo: checked, re-encoded by us as a small PNG, audit-logged."""

from __future__ import annotations

import hashlib
import io
from datetime import datetime

from PIL import Image, UnidentifiedImageError

from survey_app.models import Pengguna, Unit
from survey_app.services import DbSession, audit

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
        with Image.open(io.BytesIO(data)) as image:
            if image.format not in ("PNG", "JPEG"):
                raise LogoError("logo harus berkas PNG atau JPEG")
            if image.width * image.height > 25_000_000:
                raise LogoError("gambar logo terlalu besar")
            image.load()
            picture = image.convert("RGBA")
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as exc:
        raise LogoError("berkas ini bukan gambar PNG atau JPEG yang dapat dibaca") from exc
    picture.thumbnail((MAX_SIDE, MAX_SIDE))
    out = io.BytesIO()
    picture.save(out, format="PNG", optimize=True)
    return out.getvalue()


def _digest(data: bytes | None) -> str | None:
    return None if data is None else hashlib.sha256(data).hexdigest()[:16]
