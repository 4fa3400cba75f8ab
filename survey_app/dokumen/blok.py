"""The blocks a report is made of, each laid out by both renderers (DOCX and PDF)."""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from typing import Any

import plotly.graph_objects as go

from survey_app.services.clean import clean_text


@dataclass(frozen=True)
class Sampul:
    """The cover: title lines, the unit, the period, the logo (PNG bytes) and the place/year."""

    judul: list[str]
    unit: str
    periode: str
    tempat_tahun: str
    logo: bytes | None = None


@dataclass(frozen=True)
class DaftarIsi:
    """The table of contents of every ``Judul`` of level 1 and 2 that follows it."""


@dataclass(frozen=True)
class Judul:
    """A heading: level 1 for BAB and LAMPIRAN (each starts a page), 2 and 3 below it."""

    teks: str
    level: int = 1
    halaman_baru: bool = True


@dataclass(frozen=True)
class Paragraf:
    teks: str
    gaya: str = "biasa"  # biasa, kutipan (a respondent's words), kecil, tengah, tebal


@dataclass(frozen=True)
class Daftar:
    """A list; ``nomor`` numbers it (1., 2., ...), else bullets."""

    butir: list[str]
    nomor: bool = True


@dataclass(frozen=True)
class Tabel:
    """A table: the header row, the body rows, which columns are numbers (right-aligned), an
    optional caption above and the relative column widths (sum 1, or empty for even)."""

    kepala: list[str]
    baris: list[list[str]]
    angka: frozenset[int] = frozenset()
    judul: str | None = None
    lebar: list[float] = field(default_factory=list)
    tebal_akhir: bool = False  # the last row is a total


@dataclass(frozen=True)
class Grafik:
    """A chart: drawn as SVG in the PDF and as PNG in the DOCX."""

    gambar: go.Figure
    judul: str


@dataclass(frozen=True)
class Gambar:
    """An image file (PNG) with its caption, e.g. an evidence photo."""

    png: bytes
    judul: str


@dataclass(frozen=True)
class TandaTangan:
    """The signature block: ``Kota, tanggal``, the office, room to sign, the name and NIP."""

    tempat_tanggal: str
    jabatan: str
    nama: str
    nip: str


Blok = Sampul | DaftarIsi | Judul | Paragraf | Daftar | Tabel | Grafik | Gambar | TandaTangan


def sanitized(block: Blok) -> Blok:
    """``block`` with every text made printable (:func:`clean_text`): a DOCX cannot hold a
    control character, and a respondent's saran or a pasted Word line break may carry one."""
    changes: dict[str, Any] = {}
    for item in fields(block):
        value = getattr(block, item.name)
        if isinstance(value, str):
            changes[item.name] = clean_text(value)
        elif isinstance(value, list) and value and isinstance(value[0], str):
            changes[item.name] = [clean_text(v) for v in value]
        elif isinstance(value, list) and value and isinstance(value[0], list):
            changes[item.name] = [[clean_text(v) for v in row] for row in value]
    return replace(block, **changes) if changes else block
