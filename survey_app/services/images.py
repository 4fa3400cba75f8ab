"""Pictures people upload (a unit's logo, follow-up evidence): decoded and drawn again by us as a
PNG, so no metadata, no other format and nothing but pixels is kept."""

from __future__ import annotations

import io

from PIL import Image, ImageOps, UnidentifiedImageError

MAX_PIXELS = 25_000_000  # far beyond a phone photo; a decompression bomb is refused


class ImageError(ValueError):
    """A file that is not a readable PNG or JPEG; the message says why, in Indonesian."""


def reencoded_png(data: bytes, max_side: int, what: str = "gambar") -> bytes:
    """``data`` (PNG or JPEG) as a new PNG of at most ``max_side`` pixels a side, EXIF rotation
    applied. Raises :class:`ImageError` naming ``what`` for anything else."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format not in ("PNG", "JPEG"):
                raise ImageError(f"{what} harus berkas PNG atau JPEG")
            if image.width * image.height > MAX_PIXELS:
                raise ImageError(f"{what} terlalu besar (lebih dari 25 megapiksel)")
            image.load()
            picture = ImageOps.exif_transpose(image).convert("RGBA")
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as exc:
        raise ImageError("berkas ini bukan gambar PNG atau JPEG yang dapat dibaca") from exc
    picture.thumbnail((max_side, max_side))
    out = io.BytesIO()
    picture.save(out, format="PNG", optimize=True)
    return out.getvalue()
