"""Uploaded responses files wait in the instance folder between the preview and the import."""

from __future__ import annotations

import secrets
import time
from pathlib import Path

ALLOWED = (".csv", ".xlsx")
MAX_AGE = 24 * 3600


class UploadError(ValueError):
    """A file that is not accepted; the message says why."""


def keep(folder: Path, owner: int, filename: str, data: bytes) -> str:
    """Store an upload for ``owner`` and return its token."""
    suffix = Path(filename or "").suffix.lower()
    if suffix not in ALLOWED:
        raise UploadError("only .csv and .xlsx files are accepted")
    if suffix == ".xlsx" and not data.startswith(b"PK"):
        raise UploadError("the file is not an xlsx workbook")
    folder.mkdir(parents=True, exist_ok=True)
    _sweep(folder)
    token = secrets.token_urlsafe(16)
    (folder / f"{owner}-{token}{suffix}").write_bytes(data)
    return token


def find(folder: Path, owner: int, token: str) -> Path | None:
    """The upload with ``token`` if it belongs to ``owner`` and has not expired."""
    if not token.replace("-", "").replace("_", "").isalnum():
        return None
    for suffix in ALLOWED:
        path = folder / f"{owner}-{token}{suffix}"
        if path.is_file() and time.time() - path.stat().st_mtime < MAX_AGE:
            return path
    return None


def _sweep(folder: Path) -> None:
    for path in folder.iterdir():
        if time.time() - path.stat().st_mtime > MAX_AGE:
            path.unlink(missing_ok=True)
