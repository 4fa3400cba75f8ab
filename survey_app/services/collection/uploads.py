"""Uploaded files wait in the instance folder between the preview and the import.

A file is kept for the user who sent it and the unit page it was sent from (a token opened on
another unit's page finds nothing), readable by the app's own user only (mode 0600 in a 0700
folder), for a day: after that ``zisurvey sweep`` (scheduled hourly) or the next upload deletes it.

Before anything is stored a file is refused at once, with the reason in Indonesian, when its
sender has reached the uploads of the hour (:class:`Limits`), when a workbook would expand past
``max_expanded`` bytes (the sizes its zip directory declares: a zip bomb is refused without
inflating a byte, and Python's zip reader never inflates past a declared size) or holds more
rows than ``max_rows``, when a CSV has more lines than that, or when a text file holds a NUL
character (the CSV parser would cut the cell short there without a word).

The checked rows of a preview are kept beside the file (``.baris``), signed with the app's
secret, so the confirmation stores them without reading the file again.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import os
import pickle
import re
import secrets
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

ALLOWED = (".csv", ".xlsx", ".xls")
MAX_AGE = 24 * 3600
HOUR = 3600
CHECKED = ".baris"  # the checked rows of a preview
MB = 1024 * 1024
WRONG_KIND = "hanya berkas .csv, .xlsx atau .xls yang diterima"
ROW_TAG = re.compile(rb"<(?:\w+:)?row[\s>/]")


class UploadError(ValueError):
    """A file that is not accepted; the message says why, in Indonesian."""


@dataclass(frozen=True)
class Limits:
    """What one upload may be (config ``UPLOADS_PER_HOUR``, ``UPLOAD_MAX_ROWS``,
    ``UPLOAD_MAX_EXPANDED_MB``); zero or less means no limit."""

    per_hour: int = 0
    max_rows: int = 0
    max_expanded: int = 0  # bytes

    @classmethod
    def of(cls, config: object) -> Limits:
        get = config.get  # type: ignore[attr-defined]
        return cls(
            int(get("UPLOADS_PER_HOUR", 0)),
            int(get("UPLOAD_MAX_ROWS", 0)),
            int(get("UPLOAD_MAX_EXPANDED_MB", 0)) * MB,
        )


def keep(
    folder: Path,
    owner: int,
    unit_id: int,
    filename: str,
    data: bytes,
    limits: Limits | None = None,
    now: float | None = None,
) -> str:
    """Store an upload of ``owner`` on the page of unit ``unit_id``; return its token.

    Raises :class:`UploadError` (nothing stored) for a file refused by its name or ``limits``.
    """
    suffix = Path(filename or "").suffix.lower()
    if suffix not in ALLOWED:
        raise UploadError(WRONG_KIND)
    limits = limits or Limits()
    now = time.time() if now is None else now
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    sweep(folder)
    _check_quota(folder, owner, limits.per_hour, now)
    check_content(data, limits)
    token = secrets.token_urlsafe(16)
    path = folder / f"{owner}-{unit_id}-{token}{suffix}"
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as out:
        out.write(data)
    return token


def _check_quota(folder: Path, owner: int, per_hour: int, now: float) -> None:
    if per_hour <= 0:
        return
    times = sorted(
        path.stat().st_mtime
        for path in folder.glob(f"{owner}-*")
        if path.suffix in ALLOWED and now - path.stat().st_mtime < HOUR
    )
    if len(times) >= per_hour:
        wait = max(1, int((times[-per_hour] + HOUR - now) // 60) + 1)
        raise UploadError(
            f"batas unggahan tercapai: paling banyak {per_hour} berkas per jam untuk setiap "
            f"akun; coba lagi dalam {wait} menit (berkas ini tidak disimpan)"
        )


def check_content(data: bytes, limits: Limits) -> None:
    """Refuse a zip bomb, too many rows, or a NUL in a text file; reads no more than needed."""
    if data.startswith(b"PK\x03\x04"):
        _check_workbook(data, limits)
    elif not data.startswith((b"\xd0\xcf\x11\xe0", b"\xff\xfe", b"\xfe\xff")):
        _check_text(data, limits)


def _check_workbook(data: bytes, limits: Limits) -> None:
    try:
        book = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError):
        return  # the reader says the workbook is damaged, with its fix
    with book:
        members = book.infolist()
        expanded = sum(member.file_size for member in members)
        if limits.max_expanded > 0 and expanded > limits.max_expanded:
            raise UploadError(
                f"berkas XLSX ini terlalu besar setelah dibuka: {_mb(expanded)} MB, paling "
                f"banyak {_mb(limits.max_expanded)} MB (berkas yang dipadatkan berlebihan "
                "ditolak); "
                "hapus baris dan lembar yang tidak perlu, atau simpan sebagai CSV UTF-8"
            )
        if limits.max_rows > 0:
            sheets = [m for m in members if m.filename.startswith("xl/worksheets/")]
            rows = sum(_rows_in(book, member) for member in sheets)
            if rows > limits.max_rows + 100:  # a title and a header above the rows
                raise _too_many(rows, limits.max_rows)


def _rows_in(book: zipfile.ZipFile, member: zipfile.ZipInfo) -> int:
    """Rows of a sheet, counted in its XML a megabyte at a time (formatted empty rows count:
    the reader walks them all)."""
    count, tail = 0, b""
    try:
        with book.open(member) as sheet:
            while chunk := sheet.read(MB):
                window = tail + chunk
                count += len(ROW_TAG.findall(window))
                tail = window[-8:]
                count -= len(ROW_TAG.findall(tail))  # counted again with the next chunk
    except (zipfile.BadZipFile, OSError, EOFError, RuntimeError):
        return 0  # damaged: the reader says so
    return count


def _check_text(data: bytes, limits: Limits) -> None:
    if b"\x00" in data:
        lines = [data.count(b"\n", 0, match.start()) + 1 for match in re.finditer(b"\x00", data)]
        shown = sorted(set(lines))
        listed = ", ".join(map(str, shown[:10])) + (", ..." if len(shown) > 10 else "")
        raise UploadError(
            f"baris berkas {listed}: berisi karakter NUL (\\0), yang tidak ada dalam teks yang "
            "diketik dan tidak dapat disimpan; hapus karakter itu atau simpan ulang berkas "
            "sebagai CSV UTF-8"
        )
    if limits.max_rows > 0:
        count = data.count(b"\n")
        if count > limits.max_rows + 100:  # a title and a header, a saran spanning lines
            raise _too_many(count, limits.max_rows)


def _too_many(rows: int, most: int) -> UploadError:
    return UploadError(
        f"berkas ini berisi sekitar {_thousands(rows)} baris, paling banyak {_thousands(most)} "
        "baris per unggahan; bagi berkas per bulan atau per layanan lalu unggah satu per satu"
    )


def _thousands(number: int) -> str:
    return f"{number:,}".replace(",", ".")


def _mb(size: int) -> str:
    return _thousands(round(size / MB))


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


def _signature(secret: str, tag: str, data: bytes) -> bytes:
    return hmac.new(secret.encode(), tag.encode() + b"\0" + data, hashlib.sha256).digest()


def save_checked(path: Path, frame: pd.DataFrame, secret: str, tag: str = "") -> None:
    """Keep the checked rows of the upload at ``path`` beside it, signed with ``secret``;
    ``tag`` names how they were read (the mapping's digest), for :func:`load_checked`."""
    data = pickle.dumps(frame, protocol=pickle.HIGHEST_PROTOCOL)
    signature = _signature(secret, tag, data)
    target = path.with_suffix(CHECKED)
    descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as out:
        out.write(signature + data)


def load_checked(path: Path, secret: str, tag: str = "") -> pd.DataFrame | None:
    """The checked rows kept for the upload at ``path``, or None when there are none or their
    signature does not match, or they were read another way (``tag``): never unpickled then."""
    try:
        stored = path.with_suffix(CHECKED).read_bytes()
    except OSError:
        return None
    signature, data = stored[:32], stored[32:]
    expected = _signature(secret, tag, data)
    if len(stored) < 32 or not hmac.compare_digest(signature, expected):
        return None
    frame = pickle.loads(data)  # noqa: S301  (written and signed by this app only)
    return frame if isinstance(frame, pd.DataFrame) else None


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
