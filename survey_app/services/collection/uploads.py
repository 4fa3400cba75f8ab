"""Uploaded responses files wait in the instance folder between the preview and the import.

A file is kept for the user who sent it and the unit page it was sent from (a token opened on
another unit's page finds nothing), readable by the app's own user only, for a day: after that
``zisurvey sweep`` (scheduled) or the next upload deletes it.
"""

from __future__ import annotations

import os
import secrets
import time
from pathlib import Path

ALLOWED = (".csv", ".xlsx", ".xls")
MAX_AGE = 24 * 3600


class UploadError(ValueError):
    """A file that is not accepted; the message says why."""


def keep(folder: Path, owner: int, unit_id: int, filename: str, data: bytes) -> str:
    """Store an upload of ``owner`` on the page of unit ``unit_id``; return its token."""
    suffix = Path(filename or "").suffix.lower()
    if suffix not in ALLOWED:
        raise UploadError("hanya berkas .csv, .xlsx atau .xls yang diterima")
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    sweep(folder)
    token = secrets.token_urlsafe(16)
    path = folder / f"{owner}-{unit_id}-{token}{suffix}"
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as out:
        out.write(data)
    return token


def find(folder: Path, owner: int, unit_id: int, token: str) -> Path | None:
    """The upload with ``token`` if ``owner`` sent it from unit ``unit_id``'s page and it has
    not expired."""
    plain = token.replace("-", "").replace("_", "")
    if len(token) > 64 or not token.isascii() or not plain.isalnum():
        return None  # a name far longer than a token's cannot even be looked up (ENAMETOOLONG)
    for suffix in ALLOWED:
        path = folder / f"{owner}-{unit_id}-{token}{suffix}"
        if path.is_file() and time.time() - path.stat().st_mtime < MAX_AGE:
            return path
    return None


def sweep(folder: Path, max_age: float = MAX_AGE) -> int:
    """Delete the files in ``folder`` older than ``max_age`` seconds; return how many."""
    if not folder.is_dir():
        return 0
    removed = 0
    for path in folder.iterdir():
        if path.is_file() and time.time() - path.stat().st_mtime > max_age:
            path.unlink(missing_ok=True)
            removed += 1
    return removed
