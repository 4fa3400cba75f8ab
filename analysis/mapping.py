"""The mapping file (INTERCHANGE.md, "Mapping file"): a spreadsheet export onto the contract.

A mapping names, for each target column, the source header holding it (matched trimmed and
ignoring case), how timestamps are written (``waktu``), what the layanan values stand for, and
whether answers are numbers or the instrument's labels. It is given by a person, never guessed:
:func:`propose` only prints a proposal for a person to check.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from analysis.kuesioner import is_part

KEYS = ("kolom", "waktu", "layanan", "jawaban", "label_tambahan", "baris_judul", "abaikan")
WAKTU = ("iso", "dmy", "mdy", "gforms")
JAWABAN = ("angka", "label")


class MappingError(ValueError):
    """A mapping file that cannot be used; ``problems`` holds one line per problem."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class ColumnMapping:
    """A checked mapping. ``kolom`` maps target column -> source header."""

    kolom: Mapping[str, str] = field(default_factory=dict)
    waktu: str = "iso"
    layanan: Mapping[str, str] = field(default_factory=dict)
    jawaban: str = "angka"
    label_tambahan: Mapping[str, Mapping[str, int]] = field(default_factory=dict)
    baris_judul: int | None = None
    abaikan: tuple[str, ...] = ()

    def source_of(self, target: str) -> str | None:
        return self.kolom.get(target)

    def as_document(self) -> dict[str, Any]:
        """The mapping as the YAML file writes it (INTERCHANGE.md): what :func:`parse_mapping`
        reads back to this same mapping."""
        document: dict[str, Any] = {"kolom": dict(self.kolom), "waktu": self.waktu}
        if self.layanan:
            document["layanan"] = dict(self.layanan)
        document["jawaban"] = self.jawaban
        if self.label_tambahan:
            document["label_tambahan"] = {k: dict(v) for k, v in self.label_tambahan.items()}
        if self.baris_judul is not None:
            document["baris_judul"] = self.baris_judul
        document["abaikan"] = list(self.abaikan)
        return document


def parse_mapping(data: object, targets: Iterable[str], scales: Mapping[str, int]) -> ColumnMapping:
    """Check a mapping read from YAML (a dict) against the columns the responses format knows.

    Parameters
    ----------
    data
        The parsed YAML document.
    targets
        Every target column name (``submitted_at``, ``layanan``, item codes, profile fields, ...).
    scales
        The scale (k) of every item code, to check ``label_tambahan`` values (1..k).

    Raises
    ------
    MappingError
        Listing every problem, each prefixed with ``mapping:`` and the key.
    """
    if not isinstance(data, dict):
        raise MappingError(["mapping: the file must be a YAML mapping with the key kolom"])
    known = set(targets)
    problems = [
        f"mapping: unknown key {key!r} (keys: {', '.join(KEYS)})" for key in data if key not in KEYS
    ]
    kolom = _text_dict(data.get("kolom", {}), "kolom", problems)
    named: dict[str, str] = {}
    for target, header in kolom.items():
        other = named.setdefault(header.casefold(), target)
        if other != target:
            problems.append(f"mapping: kolom: {other} and {target} name the same column {header!r}")
    problems += [
        f"mapping: kolom: {t!r} is not a column of the responses format"
        for t in kolom
        if t not in known and not _part_of(t, scales)
    ]
    waktu = str(data.get("waktu", "iso")).strip()
    if waktu not in WAKTU and "%" not in waktu:
        problems.append(
            f"mapping: waktu: {waktu!r} is not one of {', '.join(WAKTU)} or a pattern with %"
        )
    jawaban = str(data.get("jawaban", "angka")).strip()
    if jawaban not in JAWABAN:
        problems.append(f"mapping: jawaban: {jawaban!r} is not angka or label")
    extra = _extra_labels(data.get("label_tambahan", {}), scales, problems)
    baris = data.get("baris_judul")
    if baris is not None and (not isinstance(baris, int) or isinstance(baris, bool) or baris < 1):
        problems.append(f"mapping: baris_judul: {baris!r} is not a row number (1 = first row)")
    abaikan = data.get("abaikan", [])
    if not isinstance(abaikan, list) or not all(isinstance(a, str) for a in abaikan):
        problems.append("mapping: abaikan: a list of source column headers is expected")
        abaikan = []
    layanan = _text_dict(data.get("layanan", {}), "layanan", problems)
    if problems:
        raise MappingError(problems)
    return ColumnMapping(
        kolom=kolom,
        waktu=waktu,
        layanan=layanan,
        jawaban=jawaban,
        label_tambahan=extra,
        baris_judul=baris,
        abaikan=tuple(abaikan),
    )


def _part_of(target: str, scales: Mapping[str, int]) -> bool:
    """True for a sub-question's column (``U3.1/2``: part 1 of 2 of item U3, docs/kuesioner.md
    §4) of a known item: a file's sub-question columns map onto these."""
    return is_part(target, scales.keys())


def _text_dict(value: object, key: str, problems: list[str]) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        problems.append(f"mapping: {key}: pairs of 'name: value' are expected")
        return {}
    out = {}
    for name, text in value.items():
        if not isinstance(text, str | int) or isinstance(text, bool) or not str(text).strip():
            problems.append(f"mapping: {key}: {name!r} needs a text value")
        else:
            out[str(name).strip()] = str(text).strip()
    return out


def _extra_labels(
    value: object, scales: Mapping[str, int], problems: list[str]
) -> dict[str, dict[str, int]]:
    if not value:
        return {}
    if not isinstance(value, dict):
        problems.append("mapping: label_tambahan: item code -> {label: value} is expected")
        return {}
    out: dict[str, dict[str, int]] = {}
    for code, labels in value.items():
        if code not in scales:
            problems.append(f"mapping: label_tambahan: {code!r} is not an item code")
            continue
        if not isinstance(labels, dict):
            problems.append(f"mapping: label_tambahan: {code}: {{label: value}} is expected")
            continue
        scale = scales[code]
        for label, number in labels.items():
            whole = isinstance(number, int) and not isinstance(number, bool)
            if not whole or not 1 <= number <= scale:
                problems.append(
                    f"mapping: label_tambahan: {code}: {label!r} must be a whole number 1-{scale}"
                )
            else:
                out.setdefault(code, {})[str(label).strip().casefold()] = number
    return out


# -- proposals ------------------------------------------------------------------------------------

# Other names a column of the responses format goes by in the exports units make.
FIELD_NAMES = {
    "submitted_at": ("Cap waktu", "Timestamp", "Waktu", "Tanggal", "Waktu pengisian"),
    "layanan": ("Jenis layanan", "Layanan", "Jenis pelayanan", "Unit layanan"),
    "saran": ("Saran dan masukan", "Saran", "Kritik dan saran", "Masukan"),
    "id": ("ID responden", "No. responden"),
    "umur": ("Usia",),
}

# Headers of columns that hold who a respondent is (a Google Forms export may carry the email
# address; a typed-in sheet a name, NIK, phone or address): never mapped, never stored.
_PERSONAL = re.compile(
    r"\b(?:e-?mail|surel|alamat|nama|name|nik|ktp|no\.? ?identitas|telepon|telp|phone|"
    r"no\.? ?hp|hp|handphone|whatsapp|wa|ip|address)\b",
    re.IGNORECASE,
)


def looks_personal(header: str) -> bool:
    """True for a header naming a respondent's identity or contact (``Alamat email``,
    ``Nama``, ``NIK``, ``No. HP``): such a column is skipped and never stored."""
    return bool(_PERSONAL.search(_bare(header)))


_NUMBERING = re.compile(r"^\s*(?:[A-Za-z]{0,3}\d{1,2}[.)]?|\d{1,2}[.)])\s+")


def propose(
    headers: Sequence[str],
    questions: Mapping[str, Sequence[str]],
    fields: Mapping[str, Sequence[str]],
    cutoff: float = 0.6,
) -> tuple[dict[str, str], list[str]]:
    """A proposed ``kolom`` (target -> header) and the headers left for ``abaikan``.

    Each item code is matched to the header closest to one of its texts (``questions``: code ->
    the question and the unsur's name; leading numbering such as ``1.`` or ``U1.`` removed,
    compared ignoring case), each other field to a header holding one of its names as whole
    words, or close to one (``fields``: target -> names, e.g. ``layanan`` -> ``Jenis layanan``).
    A header is used once, best matches first; matches under ``cutoff`` are not proposed.
    """
    folded = {h: _bare(h) for h in headers}
    taken: set[str] = set()
    kolom: dict[str, str] = {}
    wanted: list[tuple[str, list[str]]] = [(c, list(q)) for c, q in questions.items()]
    wanted += [(target, list(names)) for target, names in fields.items()]
    candidates = []
    for target, names in wanted:
        for header, bare in folded.items():
            bare_names = [_bare(n) for n in names]
            ratio = max(difflib.SequenceMatcher(None, bare, n).ratio() for n in bare_names)
            if target in questions:  # a short header: its words found in the question
                ratio = max(ratio, 0.9 * _words_found(bare, " ".join(bare_names)))
            # a name as a whole word of the header ("Kritik dan saran", never "Sarana")
            if any(re.search(rf"\b{re.escape(n)}\b", bare) for n in bare_names if n):
                ratio = max(ratio, 0.95)
            if ratio >= cutoff:
                candidates.append((ratio, target, header))
    for _ratio, target, header in sorted(candidates, key=lambda c: -c[0]):
        if target not in kolom and header not in taken:
            kolom[target] = header
            taken.add(header)
    order = {t: i for i, (t, _names) in enumerate(wanted)}
    ordered = dict(sorted(kolom.items(), key=lambda kv: order[kv[0]]))
    return ordered, [h for h in headers if h not in taken]


# Words every question has, which tell nothing about which question it is.
_COMMON = {"bagaimana", "pendapat", "saudara", "tentang", "dalam", "pelayanan", "layanan", "unit"}


def _words_found(header: str, text: str) -> float:
    """The share of the header's telling words (4+ letters) found in ``text``: a word counts
    when one holds the other ("mudah" in "kemudahan"). Under two such words, 0."""
    words = [w for w in re.findall(r"[^\W\d_]{4,}", header) if w not in _COMMON]
    known = re.findall(r"[^\W\d_]{4,}", text)
    if len(words) < 2:
        return 0.0
    found = sum(any(w in k or k in w for k in known if len(k) >= 4) for w in words)
    return found / len(words)


def _bare(text: str) -> str:
    return re.sub(r"\s+", " ", _NUMBERING.sub("", str(text))).strip().casefold()


def apply_layanan(values: Any, mapping: Mapping[str, str]) -> Any:
    """Source layanan values replaced by their codes (keys matched trimmed, ignoring case)."""
    if not mapping:
        return values
    folded = {k.casefold(): v for k, v in mapping.items()}
    return values.map(lambda v: folded.get(v.strip().casefold(), v) if isinstance(v, str) else v)


def guess_waktu(values: Any) -> tuple[str, bool]:
    """How the timestamps ``values`` (a Series of text) are written, and whether their
    content says so for sure: ``iso``, ``gforms``, ``dmy`` or ``mdy``. Dates such as
    ``05/01/2026`` whose day and month are both 12 or less cannot be told apart: ``dmy``
    (as Indonesia writes them), not sure."""
    shown = values.dropna().astype(str).str.strip().head(200)
    if shown.empty or shown.str.match(r"^\d{4}-\d{2}-\d{2}").all():
        return "iso", not shown.empty
    if shown.str.contains(r"GMT|[AaPp][Mm]\b|^\d{4}/", regex=True).any():
        return "gforms", True
    parts = shown.str.extract(r"^(\d{1,2})[/.-](\d{1,2})[/.-]\d{4}").astype(float)
    if (parts[0] > 12).any():
        return "dmy", True
    if (parts[1] > 12).any():
        return "mdy", True
    return "dmy", False
