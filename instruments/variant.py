"""Questionnaire variants of a unit (issue 22; the rules are docs/kuesioner.md).

A variant changes, per base item, only the wording of its question and labels, a help text,
sub-questions, or leaves the item out with a reason; and it adds extra questions that are never
scored. :func:`parse_variant` reads a variant's content (a mapping, as JSON or YAML gives it) and
refuses, with every problem named in Indonesian, what the rules forbid: an unknown item code, a
changed number of labels, a required item left out, an unknown placeholder. :func:`content`
writes it back in one canonical form (so export -> import -> export is unchanged), and
:func:`apply_variant` gives the instrument a respondent sees.

Pure: no web framework, no database.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from instruments.loader import LANGUAGES, Instrument, Item, Text

FORMAT = "zisurvey-kuesioner/1"
PLACEHOLDERS = ("{layanan}", "{unit}")
# Items a variant may leave out, per base instrument id (docs/kuesioner.md §3): Biaya of the SKM
# where the service is free by law; no IPAK or IPKP indicator (REGULATION §1: all are covered).
MAY_LEAVE_OUT: Mapping[str, frozenset[str]] = {"skm": frozenset({"U4"})}
EXTRA_KINDS = ("ya_tidak", "pilihan", "teks", "pengarahan")
PENGARAHAN = Text(
    "Apakah ada petugas yang mengarahkan jawaban Anda?", "Did an officer steer your answers?"
)
YA_TIDAK = (Text("Ya", "Yes"), Text("Tidak", "No"))
YA, TIDAK = "ya", "tidak"  # the stored answers of a yes/no extra question
PENGARAHAN_KODE = "pengarahan"  # the code of the extra question whose "Ya" is a flag
TEXT_MAX = 300
LABEL_MAX = 60
OPTION_MAX = 80
REASON_MIN, REASON_MAX = 10, 300
QUESTION_MIN = 10
SUB_MIN, SUB_MAX = 2, 4
EXTRA_MAX = 5
OPTIONS_MIN, OPTIONS_MAX = 2, 8
SHORT_TEXT_MAX = 200  # characters of an answer to a ``teks`` extra question
NAME_MAX = 80
_KODE = re.compile(r"^[a-z][a-z0-9_]{1,30}$")
_BRACE = re.compile(r"\{[^{}]*\}")
_TAG = re.compile(r"<\s*/?\s*[A-Za-z!?]")  # the start of an HTML tag, comment or declaration


class Problem(str):
    """One problem of a variant: its Indonesian text (a ``str``, as the CLI prints it), with
    ``path`` naming the field it concerns (``("skm", "U1", "pertanyaan", "id")``,
    ``("tambahan", 2, "pilihan", 1, "en")``: positions count from 1) and ``key``/``params``
    so that a caller can word it in another language (empty ``key``: no such wording)."""

    path: tuple[str | int, ...]
    key: str
    params: dict[str, Any]

    def __new__(cls, text: str, path: tuple[str | int, ...] = (), key: str = "", **params: Any):
        self = super().__new__(cls, text)
        self.path, self.key, self.params = tuple(path), key, params
        return self


def _where(path: tuple[str | int, ...]) -> str:
    return " ".join(map(str, path))


class VariantError(ValueError):
    """A variant that breaks the rules; ``problems`` lists every one, in Indonesian."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class ItemChange:
    """What a variant changes of one base item (None: as the base)."""

    pertanyaan: Text | None = None
    bantuan: Text | None = None
    label: tuple[Text, ...] | None = None
    sub: tuple[Text, ...] = ()
    dihilangkan: str | None = None  # the reason the item is left out


@dataclass(frozen=True)
class Extra:
    """An extra question, never scored: ``jenis`` is one of :data:`EXTRA_KINDS`."""

    kode: str
    jenis: str
    pertanyaan: Text
    pilihan: tuple[Text, ...] = ()

    @property
    def choices(self) -> tuple[Text, ...]:
        """The answers offered (none for ``teks``)."""
        return YA_TIDAK if self.jenis in ("ya_tidak", "pengarahan") else self.pilihan


@dataclass(frozen=True)
class Variant:
    """A variant's content: per base instrument id, per item code, its change."""

    nama: str
    instrumen: tuple[tuple[str, tuple[tuple[str, ItemChange], ...]], ...]
    tambahan: tuple[Extra, ...] = ()

    @property
    def instrument_ids(self) -> tuple[str, ...]:
        return tuple(ident for ident, _ in self.instrumen)

    def changes(self, instrument_id: str) -> dict[str, ItemChange]:
        return next((dict(c) for ident, c in self.instrumen if ident == instrument_id), {})

    def left_out(self) -> list[tuple[str, str, str]]:
        """(instrument id, item code, reason) of every item left out."""
        return [
            (ident, code, change.dihilangkan)
            for ident, changes in self.instrumen
            for code, change in changes
            if change.dihilangkan
        ]


def parse_variant(raw: Any, base: Mapping[str, Instrument]) -> Variant:
    """Read a variant's content against the base instruments.

    Parameters
    ----------
    raw
        The mapping of docs/kuesioner.md §6 (``format``, ``nama``, ``instrumen``, ``tambahan``).
    base
        The shipped instruments by id (``load_directory()``).

    Raises
    ------
    VariantError
        Listing every problem, in Indonesian, named by instrument and item.
    """
    problems: list[str] = []
    if not isinstance(raw, Mapping):
        raise VariantError(["isi kuesioner harus berupa pemetaan (format, nama, instrumen)"])
    if raw.get("format", FORMAT) != FORMAT:
        problems.append(f"format {raw.get('format')!r} tidak dikenal; gunakan {FORMAT}")
    unknown = sorted(set(raw) - {"format", "nama", "instrumen", "tambahan"})
    if unknown:
        problems.append(f"kolom {', '.join(map(str, unknown))} tidak dikenal")
    nama = _plain(raw.get("nama"))
    if not 1 <= len(nama) <= NAME_MAX:
        text = f"nama varian wajib diisi, paling banyak {NAME_MAX} karakter"
        problems.append(Problem(text, ("nama",), "nama", max=NAME_MAX))
    instrumen = raw.get("instrumen")
    if not isinstance(instrumen, Mapping) or not instrumen:
        text = "instrumen wajib diisi (misalnya skm: {})"
        problems.append(Problem(text, ("instrumen",), "instrumen"))
        instrumen = {}
    parsed = []
    for ident, items in instrumen.items():
        if str(ident) not in base:
            problems.append(f"instrumen {ident} tidak dikenal ({', '.join(sorted(base))})")
            continue
        parsed.append((str(ident), _instrument(base[str(ident)], items, problems)))
    extras = _extras(raw.get("tambahan") or [], problems)
    if problems:
        raise VariantError(problems)
    return Variant(nama=nama, instrumen=tuple(parsed), tambahan=extras)


def _instrument(
    instrument: Instrument, raw: Any, problems: list[str]
) -> tuple[tuple[str, ItemChange], ...]:
    where = instrument.id
    if raw is None:
        return ()
    if not isinstance(raw, Mapping):
        problems.append(f"{where}: isinya harus berupa pemetaan kode butir")
        return ()
    out = []
    for code, change in raw.items():
        if str(code) not in instrument.codes:
            problems.append(
                f"{where}: kode butir {code} tidak ada; kode butir tidak boleh diubah atau ditambah"
            )
            continue
        item = instrument.item(str(code))
        parsed = _change((where, str(code)), item, instrument.scale, change, problems)
        if parsed is not None and parsed != ItemChange():
            out.append((str(code), parsed))
    left = {code for code, change in out if change.dihilangkan}
    refused = sorted(left - MAY_LEAVE_OUT.get(instrument.id, frozenset()))
    for code in refused:
        allowed = ", ".join(sorted(MAY_LEAVE_OUT.get(instrument.id, ())))
        text = f"{where} {code}: butir wajib tidak boleh dihilangkan" + (
            f" (yang boleh hanya {allowed})" if allowed else " (semua butir wajib)"
        )
        path = (where, code, "dihilangkan")
        problems.append(Problem(text, path, "wajib", boleh=allowed or "-"))
    order = {code: i for i, code in enumerate(instrument.codes)}
    return tuple(sorted(out, key=lambda pair: order[pair[0]]))


def _change(
    path: tuple[str, str], item: Item, scale: int, raw: Any, problems: list[str]
) -> ItemChange | None:
    where = _where(path)
    if raw is None:
        return ItemChange()
    if not isinstance(raw, Mapping):
        problems.append(f"{where}: isinya harus berupa pemetaan (pertanyaan, bantuan, ...)")
        return None
    unknown = sorted(set(map(str, raw)) - {"pertanyaan", "bantuan", "label", "sub", "dihilangkan"})
    if unknown:
        problems.append(f"{where}: kolom {', '.join(unknown)} tidak dikenal")
    if "dihilangkan" in raw:
        reason = _plain(raw["dihilangkan"])
        at = (*path, "dihilangkan")
        if not REASON_MIN <= len(reason) <= REASON_MAX:
            limits = f"{REASON_MIN}-{REASON_MAX} karakter (ada {len(reason)})"
            text = f"{where}: alasan dihilangkan {limits}"
            problems.append(
                Problem(text, at, "panjang", min=REASON_MIN, max=REASON_MAX, n=len(reason))
            )
        _placeholders(reason, at, problems)
        if any(mark in reason for mark in PLACEHOLDERS):
            text = (
                f"{where}: alasan dihilangkan berlaku untuk setiap layanan yang memakai varian "
                "ini; tulis tanpa {layanan} atau {unit}"
            )
            problems.append(Problem(text, at, "alasan_penanda"))
        if len(raw) > 1:
            text = f"{where}: butir yang dihilangkan tidak boleh diubah bagian lainnya"
            problems.append(Problem(text, at, "hilang_dan_ubah"))
        return ItemChange(dihilangkan=reason)
    pertanyaan = _optional_text(
        raw.get("pertanyaan"), (*path, "pertanyaan"), QUESTION_MIN, problems
    )
    bantuan = _optional_text(raw.get("bantuan"), (*path, "bantuan"), 1, problems)
    label = _labels(raw.get("label"), path, scale, problems)
    if label is not None:
        _label_order(label, item.labels, path, problems)
    sub = _subs(raw.get("sub"), path, problems)
    return ItemChange(pertanyaan=pertanyaan, bantuan=bantuan, label=label, sub=sub)


def _labels(
    raw: Any, path: tuple[str | int, ...], scale: int, problems: list[str]
) -> tuple[Text, ...] | None:
    where = _where(path)
    if raw is None:
        return None
    if isinstance(raw, Mapping) and set(map(str, raw)) - set(LANGUAGES):
        unknown = ", ".join(sorted(set(map(str, raw)) - set(LANGUAGES)))
        text = f"{where}: label hanya berisi id dan en (bukan {unknown})"
        problems.append(Problem(text, (*path, "label"), "label_bahasa", bahasa=unknown))
        return None
    if not isinstance(raw, Mapping) or any(
        not isinstance(raw.get(lang), list) or len(raw[lang]) != scale for lang in LANGUAGES
    ):
        text = (
            f"{where}: label harus tepat {scale} pilihan dalam id dan en, "
            "urutan dan jumlahnya tidak boleh diubah"
        )
        problems.append(Problem(text, (*path, "label"), "label_jumlah", n=scale))
        return None
    labels = tuple(Text(_plain(a), _plain(b)) for a, b in zip(raw["id"], raw["en"], strict=True))
    fine = True
    for number, label in enumerate(labels, 1):
        for lang in LANGUAGES:
            text, at = label.get(lang), (*path, "label", number, lang)
            if not 1 <= len(text) <= LABEL_MAX:
                limits = f"1-{LABEL_MAX} karakter (ada {len(text)})"
                message = f"{where} label {number} ({lang}): {limits}"
                problems.append(Problem(message, at, "panjang", min=1, max=LABEL_MAX, n=len(text)))
                fine = False
            _placeholders(text, at, problems)
    return labels if fine else None


def _label_order(
    labels: tuple[Text, ...],
    base: tuple[Text, ...],
    path: tuple[str | int, ...],
    problems: list[str],
) -> None:
    """Refuse labels that could invert a score: two equal labels of one language, or a label
    equal to the base label of another position (a reversed order); compared case- and
    space-insensitively. Position 1 is the worst answer (docs/kuesioner.md §2)."""

    where = _where(path)

    def key(text: str) -> str:
        return " ".join(text.casefold().split())

    for lang in LANGUAGES:
        seen: dict[str, int] = {}
        for number, label in enumerate(labels, 1):
            first = seen.setdefault(key(label.get(lang)), number)
            if first != number:
                text = (
                    f"{where}: label ({lang}) posisi {first} dan {number} sama "
                    f"({label.get(lang)!r}); setiap label harus berbeda"
                )
                at = (*path, "label", number, lang)
                problems.append(Problem(text, at, "label_sama", pertama=first))
        for number, label in enumerate(labels, 1):
            other = next(
                (
                    j
                    for j, x in enumerate(base, 1)
                    if j != number and key(x.get(lang)) == key(label.get(lang))
                ),
                None,
            )
            if other is not None:
                text = (
                    f"{where}: label ({lang}) posisi {number} {label.get(lang)!r} adalah label "
                    f"baku posisi {other}; urutan label tidak boleh diubah (1 terburuk)"
                )
                at = (*path, "label", number, lang)
                problems.append(Problem(text, at, "label_urutan", posisi=other))


def _subs(raw: Any, path: tuple[str | int, ...], problems: list[str]) -> tuple[Text, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list) or not SUB_MIN <= len(raw) <= SUB_MAX:
        text = f"{_where(path)}: sub-pertanyaan harus {SUB_MIN}-{SUB_MAX} butir"
        problems.append(Problem(text, (*path, "sub"), "jumlah", min=SUB_MIN, max=SUB_MAX))
        return ()
    subs = [
        _optional_text(x, (*path, "sub", i), QUESTION_MIN, problems) for i, x in enumerate(raw, 1)
    ]
    return tuple(s for s in subs if s is not None)


def _extras(raw: Any, problems: list[str]) -> tuple[Extra, ...]:
    if not isinstance(raw, list):
        problems.append("tambahan harus berupa daftar pertanyaan")
        return ()
    if len(raw) > EXTRA_MAX:
        text = f"pertanyaan tambahan paling banyak {EXTRA_MAX}"
        problems.append(Problem(text, ("tambahan",), "tambahan_jumlah", max=EXTRA_MAX))
    out: list[Extra] = []
    for number, entry in enumerate(raw, 1):
        extra = _extra(entry, ("tambahan", number), problems)
        if extra is None:
            continue
        if extra.jenis == "pengarahan" and any(x.jenis == "pengarahan" for x in out):
            text = f"tambahan {number}: pertanyaan pengarahan hanya boleh satu"
            problems.append(Problem(text, ("tambahan", number, "jenis"), "pengarahan_ganda"))
        elif any(x.kode == extra.kode for x in out):
            text = f"tambahan {number}: kode {extra.kode} dipakai dua kali"
            at = ("tambahan", number, "kode")
            problems.append(Problem(text, at, "kode_ganda", kode=extra.kode))
        else:
            out.append(extra)
    return tuple(out)


def _extra(raw: Any, path: tuple[str | int, ...], problems: list[str]) -> Extra | None:
    where = _where(path)
    if not isinstance(raw, Mapping):
        problems.append(f"{where}: harus berupa pemetaan (kode, jenis, pertanyaan)")
        return None
    kode, jenis = _plain(raw.get("kode")), _plain(raw.get("jenis"))
    if not _KODE.match(kode):
        text = f"{where}: kode {kode!r} harus huruf kecil, angka atau _ (2-31 karakter)"
        problems.append(Problem(text, (*path, "kode"), "kode_bentuk", kode=kode))
    if jenis not in EXTRA_KINDS:
        text = f"{where}: jenis {jenis!r} harus salah satu dari {', '.join(EXTRA_KINDS)}"
        problems.append(Problem(text, (*path, "jenis"), "jenis"))
        return None
    if jenis == "pengarahan":
        if kode != PENGARAHAN_KODE:
            problems.append(f"{where}: kode pertanyaan pengarahan harus 'pengarahan'")
        if set(map(str, raw)) - {"kode", "jenis"}:
            problems.append(f"{where}: pertanyaan pengarahan memakai teks baku, tanpa pilihan")
        return Extra(kode=kode, jenis=jenis, pertanyaan=PENGARAHAN)
    if kode == PENGARAHAN_KODE:
        text = (
            f"{where}: kode 'pengarahan' khusus untuk jenis pengarahan (jenis {jenis}: "
            "pakai kode lain)"
        )
        problems.append(Problem(text, (*path, "kode"), "kode_pengarahan"))
    pertanyaan = _optional_text(
        raw.get("pertanyaan"), (*path, "pertanyaan"), QUESTION_MIN, problems
    )
    if pertanyaan is None:
        if raw.get("pertanyaan") is None:
            text = f"{where}: pertanyaan wajib diisi dalam id dan en"
            problems.append(Problem(text, (*path, "pertanyaan", "id"), "wajib_isi"))
        return None
    pilihan: tuple[Text, ...] = ()
    if jenis == "pilihan":
        pilihan = _options(raw.get("pilihan"), path, problems)
    elif "pilihan" in raw:
        problems.append(f"{where}: hanya jenis pilihan yang memiliki daftar pilihan")
    return Extra(kode=kode, jenis=jenis, pertanyaan=pertanyaan, pilihan=pilihan)


def _options(raw: Any, path: tuple[str | int, ...], problems: list[str]) -> tuple[Text, ...]:
    if not isinstance(raw, list) or not OPTIONS_MIN <= len(raw) <= OPTIONS_MAX:
        text = f"{_where(path)}: pilihan harus {OPTIONS_MIN}-{OPTIONS_MAX} butir"
        at = (*path, "pilihan")
        problems.append(Problem(text, at, "jumlah", min=OPTIONS_MIN, max=OPTIONS_MAX))
        return ()
    options = [
        _optional_text(x, (*path, "pilihan", i), 1, problems, OPTION_MAX)
        for i, x in enumerate(raw, 1)
    ]
    return tuple(x for x in options if x is not None)


def _optional_text(
    raw: Any,
    path: tuple[str | int, ...],
    minimum: int,
    problems: list[str],
    maximum: int = TEXT_MAX,
) -> Text | None:
    where = _where(path)
    if raw is None:
        return None
    if not isinstance(raw, Mapping) or set(map(str, raw)) - set(LANGUAGES):
        problems.append(Problem(f"{where}: harus berupa teks id dan en", path))
        return None
    text = Text(_plain(raw.get("id")), _plain(raw.get("en")))
    fine = True
    for lang, value in (("id", text.id), ("en", text.en)):
        if not minimum <= len(value) <= maximum:
            message = f"{where} ({lang}): {minimum}-{maximum} karakter (ada {len(value)})"
            at = (*path, lang)
            problems.append(Problem(message, at, "panjang", min=minimum, max=maximum, n=len(value)))
            fine = False
            continue
        _placeholders(value, (*path, lang), problems)
    return text if fine else None


def _placeholders(text: str, path: tuple[str | int, ...], problems: list[str]) -> None:
    """Refuse an unknown ``{...}`` placeholder and markup: every text is shown as plain text
    (escaped), so a tag would reach respondents and reports as its literal characters."""
    where = _where(path[:-1] if path and path[-1] in LANGUAGES else path)
    unknown = ", ".join(sorted(set(_BRACE.findall(text)) - set(PLACEHOLDERS)))
    if unknown:
        message = f"{where}: penanda {unknown} tidak dikenal (hanya {{layanan}} dan {{unit}})"
        problems.append(Problem(message, path, "penanda", penanda=unknown))
    if _TAG.search(text):
        message = f"{where}: tulis teks biasa, tanpa tag HTML seperti <b> atau <script>"
        problems.append(Problem(message, path, "html"))


def _plain(value: Any) -> str:
    """A text field as one trimmed line: control characters and runs of spaces collapsed."""
    if value is None or isinstance(value, Mapping | list | bool):
        return ""
    return " ".join("".join(c if c.isprintable() else " " for c in str(value)).split())


def content(variant: Variant) -> dict[str, Any]:
    """The canonical mapping of ``variant`` (docs/kuesioner.md §6): stored as a version's JSON
    and written by ``zisurvey kuesioner export``; :func:`parse_variant` of it gives ``variant``
    back."""
    return {
        "format": FORMAT,
        "nama": variant.nama,
        "instrumen": {
            ident: {code: _change_content(change) for code, change in changes}
            for ident, changes in variant.instrumen
        },
        "tambahan": [_extra_content(extra) for extra in variant.tambahan],
    }


def _text_content(text: Text) -> dict[str, str]:
    return {"id": text.id, "en": text.en}


def _change_content(change: ItemChange) -> dict[str, Any]:
    if change.dihilangkan:
        return {"dihilangkan": change.dihilangkan}
    out: dict[str, Any] = {}
    if change.pertanyaan:
        out["pertanyaan"] = _text_content(change.pertanyaan)
    if change.bantuan:
        out["bantuan"] = _text_content(change.bantuan)
    if change.label:
        out["label"] = {lang: [x.get(lang) for x in change.label] for lang in LANGUAGES}
    if change.sub:
        out["sub"] = [_text_content(x) for x in change.sub]
    return out


def _extra_content(extra: Extra) -> dict[str, Any]:
    if extra.jenis == "pengarahan":
        return {"kode": extra.kode, "jenis": extra.jenis}
    out: dict[str, Any] = {
        "kode": extra.kode,
        "jenis": extra.jenis,
        "pertanyaan": _text_content(extra.pertanyaan),
    }
    if extra.pilihan:
        out["pilihan"] = [_text_content(x) for x in extra.pilihan]
    return out


def fill(text: Text, layanan: str, unit: str) -> Text:
    """``text`` with ``{layanan}`` and ``{unit}`` replaced by the names (plain replacement: a
    name holding braces is shown as it is)."""

    def one(value: str) -> str:
        return (
            value.replace("{layanan}", "\0L")
            .replace("{unit}", "\0U")
            .replace("\0L", layanan)
            .replace("\0U", unit)
        )

    return Text(one(text.id), one(text.en))


def apply_variant(base: Instrument, variant: Variant | None, layanan: str, unit: str) -> Instrument:
    """The instrument a respondent of ``layanan`` sees: the variant's wording (placeholders
    filled), help texts, labels and sub-questions; a left-out item absent (listed in
    :attr:`Instrument.dihilangkan` with its reason). Codes, dimensions and the scale are the
    base's. ``variant`` None, or one not adapting ``base``: the base itself."""
    if variant is None or base.id not in variant.instrument_ids:
        return base
    changes = variant.changes(base.id)
    items = []
    for item in base.items:
        change = changes.get(item.code, ItemChange())
        if change.dihilangkan:
            continue
        items.append(
            Item(
                code=item.code,
                dimension=item.dimension,
                question=fill(change.pertanyaan or item.question, layanan, unit),
                labels=tuple(fill(x, layanan, unit) for x in (change.label or item.labels)),
                help=fill(change.bantuan, layanan, unit) if change.bantuan else item.help,
                sub=tuple(fill(x, layanan, unit) for x in change.sub),
            )
        )
    left = tuple((code, reason) for ident, code, reason in variant.left_out() if ident == base.id)
    return replace(base, items=tuple(items), dihilangkan=left)


def extras(variant: Variant | None, layanan: str, unit: str) -> tuple[Extra, ...]:
    """The variant's extra questions with placeholders filled (none for the base)."""
    if variant is None:
        return ()
    return tuple(
        replace(
            x,
            pertanyaan=fill(x.pertanyaan, layanan, unit),
            pilihan=tuple(fill(p, layanan, unit) for p in x.pilihan),
        )
        for x in variant.tambahan
    )
