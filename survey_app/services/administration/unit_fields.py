"""Reading what people type for a unit (a form, a file row, the command line), field by field.

Each reader returns the stored value or raises :class:`UnitError` naming the field, in
Indonesian with a format hint (``Kode unit: ... misalnya LAPAS-MKS``). Messages are marked with
:func:`N_`: the web layer translates them, the command line prints them as they are. The rules
are those of :mod:`survey_app.services.administration.units`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from datetime import time
from typing import Any, TypeVar

from analysis.periods import ZONE_ALIASES
from survey_app.models import UNIT_KINDS, ZONES, Unit

KODE = re.compile(r"[A-Z0-9][A-Z0-9-]{0,30}[A-Z0-9]")
NIP = re.compile(r"[0-9]{18}")
HOUR = re.compile(r"([01]?[0-9]|2[0-3])[:.]([0-5][0-9])(?:[:.]00)?")
ZONE_LABELS = {"Asia/Jakarta": "WIB", "Asia/Makassar": "WITA", "Asia/Jayapura": "WIT"}

T = TypeVar("T")


def N_(message: str) -> str:
    """Mark ``message`` for translation (pybabel extracts ``N_``) without translating it."""
    return message


def zone_label(timezone: str) -> str:
    """WIB, WITA or WIT for a stored IANA name (the name itself for any other)."""
    return ZONE_LABELS.get(timezone, timezone)


@dataclass(frozen=True)
class Problem:
    """One problem with what was given: the field (or file column) it is about, an Indonesian
    message with ``%(name)s`` placeholders and their values, and the file row (as a
    spreadsheet numbers it, the header being row 1) when it comes from a file."""

    field: str
    message: str
    params: Mapping[str, Any] = dataclass_field(default_factory=dict)
    row: int | None = None

    def text(self) -> str:
        return self.message % dict(self.params) if self.params else self.message

    def __str__(self) -> str:
        if self.row is None:
            return self.text()
        return f"baris {self.row}, kolom {self.field}: {self.text()}"


class UnitError(ValueError):
    """Input that cannot be stored; ``problems`` lists every reason. Nothing was changed."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    @classmethod
    def one(cls, field_: str, message: str, **params: Any) -> UnitError:
        return cls([Problem(field_, message, params)])


@dataclass(frozen=True)
class UnitDetails:
    """A unit as people type it: text throughout. ``induk`` is the parent's kode ("" for
    none); ``zona`` WIB/WITA/WIT or an IANA name; hours ``HH:MM``."""

    kode: str = ""
    nama: str = ""
    jenis: str = ""
    induk: str = ""
    zona: str = ""
    jam_buka: str = ""
    jam_tutup: str = ""
    kota: str = ""
    alamat: str = ""
    kepala: str = ""
    nip_kepala: str = ""

    @classmethod
    def of(cls, unit: Unit) -> UnitDetails:
        """What ``unit`` holds, as text (the edit form; file cells left empty)."""
        return cls(
            kode=unit.kode,
            nama=unit.nama,
            jenis=unit.jenis,
            induk=unit.parent.kode if unit.parent else "",
            zona=zone_label(unit.timezone),
            jam_buka=unit.jam_buka.strftime("%H:%M"),
            jam_tutup=unit.jam_tutup.strftime("%H:%M"),
            kota=unit.kota or "",
            alamat=unit.alamat or "",
            kepala=unit.kepala or "",
            nip_kepala=unit.nip_kepala or "",
        )


@dataclass(frozen=True)
class Fields:
    """Checked values; None where the text was empty (a default or the stored value applies)."""

    kode: str
    nama: str
    jenis: str
    induk: str | None
    timezone: str | None
    jam_buka: time | None
    jam_tutup: time | None
    kota: str | None
    alamat: str | None
    kepala: str | None
    nip_kepala: str | None


def parse_kode(text: str) -> str:
    """``text`` trimmed and raised to capitals, when it is a unit kode."""
    kode = text.strip().upper()
    if not kode:
        raise UnitError.one("kode", N_("Kode unit wajib diisi, misalnya LAPAS-MKS."))
    if not KODE.fullmatch(kode):
        raise UnitError.one(
            "kode",
            N_(
                "Kode unit: 2-32 huruf besar, angka dan tanda hubung, diawali dan diakhiri "
                "huruf atau angka, misalnya LAPAS-MKS."
            ),
        )
    return kode


def parse_induk(text: str) -> str | None:
    """The parent's kode, raised to capitals; None when empty (no parent)."""
    kode = text.strip().upper()
    if not kode:
        return None
    if not KODE.fullmatch(kode):
        raise UnitError.one(
            "induk", N_("Unit induk: tulis kode unit induk, misalnya KANWIL-SULSEL.")
        )
    return kode


def parse_jenis(text: str) -> str:
    """One of ``UNIT_KINDS``; case, spaces and ``eselon I`` for eselon1 are forgiven."""
    key = re.sub(r"[\s_-]", "", text.strip().lower())
    key = {"eseloni": "eselon1"}.get(key, key)
    if key in UNIT_KINDS:
        return key
    if not key:
        raise UnitError.one(
            "jenis", N_("Jenis unit wajib diisi: kementerian, eselon1, kanwil atau upt.")
        )
    raise UnitError.one("jenis", N_("Jenis unit: tulis kementerian, eselon1, kanwil atau upt."))


def parse_zone(text: str) -> str | None:
    """The IANA name of WIB, WITA or WIT (any case) or of the IANA name; None when empty."""
    given = text.strip()
    if not given:
        return None
    iana = {z.lower(): z for z in ZONES}
    name = ZONE_ALIASES.get(given.upper()) or iana.get(given.lower())
    if name is None:
        raise UnitError.one(
            "zona", N_("Zona waktu: tulis WIB, WITA atau WIT, misalnya WITA untuk Makassar.")
        )
    return name


def parse_hour(text: str, field_: str) -> time | None:
    """``HH:MM`` (or ``HH.MM``, ``HH:MM:00``) as a time; None when empty."""
    given = text.strip()
    if not given:
        return None
    found = HOUR.fullmatch(given) if given.isascii() else None
    if found is None:
        message = (
            N_("Jam buka: tulis jam dan menit, misalnya 08:00.")
            if field_ == "jam_buka"
            else N_("Jam tutup: tulis jam dan menit, misalnya 16:00.")
        )
        raise UnitError.one(field_, message)
    return time(int(found.group(1)), int(found.group(2)))


def parse_nip(text: str) -> str | None:
    """18 digits, spaces dropped (``19700101 200003 1 001``); None when empty."""
    digits = re.sub(r"\s", "", text)
    if not digits:
        return None
    if not (digits.isascii() and NIP.fullmatch(digits)):
        raise UnitError.one(
            "nip_kepala",
            N_(
                "NIP kepala: 18 angka, misalnya 197001012000031001 (di Excel, tulis sel NIP "
                "sebagai teks)."
            ),
        )
    return digits


# field: (maximum length, message when empty (None: optional), message when too long)
TEXTS: dict[str, tuple[int, str | None, str]] = {
    "nama": (
        200,
        N_("Nama unit wajib diisi, misalnya Lapas Kelas I Makassar."),
        N_("Nama unit: paling banyak %(n)d karakter."),
    ),
    "kota": (100, None, N_("Kota: paling banyak %(n)d karakter.")),
    "alamat": (300, None, N_("Alamat: paling banyak %(n)d karakter.")),
    "kepala": (200, None, N_("Nama kepala unit: paling banyak %(n)d karakter.")),
}


def parse_text(text: str, field_: str) -> str | None:
    """A name or address on one line (runs of spaces and line breaks become one space); None
    when empty and optional. Other control characters are refused."""
    maximum, required, too_long = TEXTS[field_]
    value = " ".join(text.split())
    if not value:
        if required:
            raise UnitError.one(field_, required)
        return None
    if any(ord(c) < 0x20 or 0x7F <= ord(c) < 0xA0 for c in value):
        raise UnitError.one(
            field_,
            N_("%(isian)s: memuat karakter kontrol yang tidak dapat disimpan; ketik ulang isinya."),
            isian=field_,
        )
    if len(value) > maximum:
        raise UnitError.one(field_, too_long, n=maximum)
    return value


def _collect(problems: list[Problem], parse: Callable[..., T], *args: Any) -> T | None:
    try:
        return parse(*args)
    except UnitError as exc:
        problems.extend(exc.problems)
        return None


def check_fields(details: UnitDetails) -> tuple[Fields | None, list[Problem]]:
    """Every field of ``details`` read on its own: the values, or every problem found."""
    problems: list[Problem] = []
    kode = _collect(problems, parse_kode, details.kode)
    nama = _collect(problems, parse_text, details.nama, "nama")
    jenis = _collect(problems, parse_jenis, details.jenis)
    induk = _collect(problems, parse_induk, details.induk)
    timezone = _collect(problems, parse_zone, details.zona)
    opening = _collect(problems, parse_hour, details.jam_buka, "jam_buka")
    closing = _collect(problems, parse_hour, details.jam_tutup, "jam_tutup")
    texts = {
        name: _collect(problems, parse_text, getattr(details, name), name)
        for name in ("kota", "alamat", "kepala")
    }
    nip = _collect(problems, parse_nip, details.nip_kepala)
    if problems or kode is None or nama is None or jenis is None:
        return None, problems
    checked = Fields(
        kode=kode,
        nama=nama,
        jenis=jenis,
        induk=induk,
        timezone=timezone,
        jam_buka=opening,
        jam_tutup=closing,
        kota=texts["kota"],
        alamat=texts["alamat"],
        kepala=texts["kepala"],
        nip_kepala=nip,
    )
    return checked, []


def hours_problem(opening: time, closing: time) -> Problem | None:
    """The problem of service hours that do not run forward, or None."""
    if opening < closing:
        return None
    return Problem(
        "jam_tutup", N_("Jam buka harus lebih awal dari jam tutup, misalnya 08:00 dan 16:00.")
    )
