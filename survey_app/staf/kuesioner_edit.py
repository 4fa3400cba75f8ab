"""What the variant editor's form describes (issue 22, docs/kuesioner.md §7): its state (every
field shown, typed or not), the no-JavaScript edit buttons (add or remove a sub-question, an
extra question or an option; move an extra question), the variant content the state gives, and
each problem worded in the page's language with the field it concerns.

The state has the shape of a variant's content (docs/kuesioner.md §6) with empty texts kept, so
that the page re-renders what was typed; :func:`content_of` drops what is empty and gives the
mapping :func:`instruments.parse_variant` judges. Nothing here stores anything.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from typing import Any

from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from instruments import Instrument
from instruments.variant import (
    EXTRA_MAX,
    OPTIONS_MAX,
    OPTIONS_MIN,
    PENGARAHAN_KODE,
    SUB_MAX,
    SUB_MIN,
    Problem,
)

LANGS = ("id", "en")
KINDS = ("ya_tidak", "pilihan", "teks", "pengarahan")
# rows read from a post beyond these are ignored; each is above the rules' maximum, so a post
# with too many is still refused by them, with its reason, and never trimmed into a valid one
ROWS_READ = 12
_SUB = re.compile(r"^(?P<code>[A-Z]+\d+)-sub(?P<j>\d{1,2})-(?:id|en)$")
_EXTRA = re.compile(r"^tambahan-(?P<n>\d{1,2})-jenis$")
_OPTION = re.compile(r"^tambahan-(?P<n>\d{1,2})-pilihan(?P<j>\d{1,2})-(?:id|en)$")

MESSAGES = {
    "nama": _l("Nama varian wajib diisi, paling banyak %(max)d karakter."),
    "instrumen": _l("Pilih paling sedikit satu instrumen yang disesuaikan."),
    "wajib": _l("Butir wajib ini tidak boleh dihilangkan (yang boleh: %(boleh)s)."),
    "panjang": _l("Tulis %(min)d-%(max)d karakter (sekarang %(n)d)."),
    "hilang_dan_ubah": _l(
        "Butir yang tidak ditanyakan tidak boleh diubah bagian lainnya: kosongkan alasannya "
        "atau bagian lainnya."
    ),
    "label_jumlah": _l("Label jawaban harus tepat %(n)d, dalam urutan yang sama."),
    "jumlah": _l("Isi %(min)d-%(max)d baris."),
    "tambahan_jumlah": _l("Pertanyaan tambahan paling banyak %(max)d."),
    "kode_ganda": _l("Kode %(kode)s dipakai dua kali."),
    "kode_bentuk": _l("Kode ditulis huruf kecil, angka atau _ (2-31 karakter, diawali huruf)."),
    "pengarahan_ganda": _l("Pertanyaan pengarahan hanya boleh satu."),
    "jenis": _l("Pilih jenis pertanyaan dari daftar."),
    "wajib_isi": _l("Pertanyaan wajib diisi dalam bahasa Indonesia dan Inggris."),
    "penanda": _l("Penanda %(penanda)s tidak dikenal (hanya {layanan} dan {unit})."),
    "html": _l("Tulis teks biasa, tanpa tag HTML seperti <b> atau <script>."),
    "label_sama": _l("Label ini sama dengan label %(pertama)d; setiap label harus berbeda."),
    "label_urutan": _l(
        "Label ini adalah label baku posisi %(posisi)d: urutan label tidak boleh diubah "
        "(1 terburuk)."
    ),
    "label_bahasa": _l("Label hanya berisi bahasa id dan en (bukan %(bahasa)s)."),
    "alasan_penanda": _l(
        "Alasan berlaku untuk setiap layanan yang memakai varian ini: tulis tanpa {layanan} "
        "atau {unit}."
    ),
    "kode_lama": _l(
        "Kode %(kode)s dipakai versi %(versi)d untuk pertanyaan lain (%(jenis)s): jawabannya "
        "akan bercampur. Pakai kode baru."
    ),
    "kode_pengarahan": _l("Kode pengarahan khusus untuk pertanyaan pengarahan: pakai kode lain."),
}


def _text(form: Mapping[str, str], name: str) -> dict[str, str]:
    return {lang: form.get(f"{name}-{lang}", "").strip() for lang in LANGS}


def _filled(text: Any) -> bool:
    return isinstance(text, Mapping) and any(str(text.get(lang) or "") for lang in LANGS)


def _numbers(form: Mapping[str, str], pattern: re.Pattern[str], **match: str) -> list[int]:
    """The row numbers a post names (sorted, at most :data:`ROWS_READ`)."""
    found = set()
    for key in form:
        hit = pattern.match(key)
        if hit and all(hit.group(k) == v for k, v in match.items()):
            found.add(int(hit.group("j" if "j" in pattern.groupindex else "n")))
    return sorted(found)[:ROWS_READ]


def state_from_form(
    form: Mapping[str, str], base: Mapping[str, Instrument], taken: Collection[str] = ()
) -> dict[str, Any]:
    """The editor's state from its posted fields (typed or blank), then the edit button pressed
    (``tambah_sub``, ``hapus_sub``, ``tambah_tambahan``, ``hapus_tambahan``, ``naik_tambahan``,
    ``turun_tambahan``, ``tambah_pilihan``, ``hapus_pilihan``) applied to it. ``taken``: the
    extra questions' codes any version of the variant used, never given to a new question (its
    answers would share their column with another question's)."""
    butir: dict[str, dict[str, Any]] = {}
    for ident, instrument in base.items():
        butir[ident] = {}
        for item in instrument.items:
            code = item.code
            subs = [_text(form, f"{code}-sub{j}") for j in _numbers(form, _SUB, code=code)]
            labels = {
                lang: [
                    form.get(f"{code}-label{k}-{lang}", "").strip()
                    for k in range(1, 1 + len(item.labels))
                ]
                for lang in LANGS
            }
            butir[ident][code] = {
                "pertanyaan": _text(form, f"{code}-pertanyaan"),
                "bantuan": _text(form, f"{code}-bantuan"),
                "label": labels,
                "sub": subs,
                "dihilangkan": form.get(f"{code}-hilang", "").strip(),
            }
    tambahan = [_extra_row(form, n) for n in _numbers(form, _EXTRA)]
    state = {
        "nama": form.get("nama", "").strip(),
        "pakai": [ident for ident in base if form.get(f"pakai-{ident}") == "y"],
        "butir": butir,
        "tambahan": tambahan,
    }
    _apply(form, state, taken)
    return state


def _extra_row(form: Mapping[str, str], n: int) -> dict[str, Any]:
    jenis = form.get(f"tambahan-{n}-jenis", "").strip()
    row: dict[str, Any] = {
        "kode": form.get(f"tambahan-{n}-kode", "").strip(),
        "jenis": jenis,
        "pertanyaan": _text(form, f"tambahan-{n}-pertanyaan"),
        "pilihan": [
            _text(form, f"tambahan-{n}-pilihan{j}") for j in _numbers(form, _OPTION, n=str(n))
        ],
    }
    if jenis == "pengarahan":
        row["kode"] = PENGARAHAN_KODE
    return row


def state_from_content(isi: Mapping[str, Any], base: Mapping[str, Instrument]) -> dict[str, Any]:
    """The editor's state showing a stored version's content (``isi``, docs/kuesioner.md §6)."""
    instrumen = isi.get("instrumen") or {}
    butir: dict[str, dict[str, Any]] = {}
    for ident, instrument in base.items():
        changes = instrumen.get(ident) or {}
        butir[ident] = {}
        for item in instrument.items:
            change = changes.get(item.code) or {}
            empty = [""] * len(item.labels)
            butir[ident][item.code] = {
                "pertanyaan": change.get("pertanyaan") or dict.fromkeys(LANGS, ""),
                "bantuan": change.get("bantuan") or dict.fromkeys(LANGS, ""),
                "label": change.get("label") or {lang: list(empty) for lang in LANGS},
                "sub": list(change.get("sub") or []),
                "dihilangkan": change.get("dihilangkan", ""),
            }
    tambahan = [
        {
            "kode": x.get("kode", ""),
            "jenis": x.get("jenis", ""),
            "pertanyaan": x.get("pertanyaan") or dict.fromkeys(LANGS, ""),
            "pilihan": list(x.get("pilihan") or []),
        }
        for x in isi.get("tambahan") or []
    ]
    return {
        "nama": isi.get("nama", ""),
        "pakai": list(instrumen),
        "butir": butir,
        "tambahan": tambahan,
    }


def content_of(state: Mapping[str, Any], base: Mapping[str, Instrument]) -> dict[str, Any]:
    """The variant content the state describes: per instrument used, the items with something
    typed (a blank answer label keeps the base wording; labels equal to the base are no
    change), and every extra question row, typed or not (an empty one is refused by name)."""
    instrumen: dict[str, Any] = {}
    for ident in state["pakai"]:
        instrument = base[ident]
        items = {}
        for item in instrument.items:
            change = _item_content(state["butir"][ident][item.code], item.labels)
            if change:
                items[item.code] = change
        instrumen[ident] = items
    return {
        "nama": state["nama"],
        "instrumen": instrumen,
        "tambahan": [_extra_content(row) for row in state["tambahan"]],
    }


def unticked_text(state: Mapping[str, Any], base: Mapping[str, Instrument]) -> list[Problem]:
    """A problem per instrument not ticked that still has text typed in its fields (issue 22,
    tester item 8): refused, never dropped silently. Not ticked automatically either: an admin
    who unticks an instrument to undo its changes would see them come back."""
    found = []
    for ident, instrument in base.items():
        if ident in state["pakai"]:
            continue
        typed = [
            item.code
            for item in instrument.items
            if _item_content(state["butir"][ident][item.code], item.labels)
        ]
        if typed:
            title = instrument.title.get(str(get_locale() or "id"))
            found.append(
                Problem(
                    _(
                        "%(instrumen)s tidak dicentang, tetapi ada isian pada butir %(butir)s. "
                        "Centang instrumen itu untuk menyimpannya, atau kosongkan isiannya.",
                        instrumen=title,
                        butir=", ".join(typed),
                    ),
                    ("instrumen",),
                )
            )
    return found


def _item_content(row: Mapping[str, Any], base_labels: tuple[Any, ...]) -> dict[str, Any]:
    # a reason with other fields typed too goes on as both, and is refused with its problem
    change: dict[str, Any] = {"dihilangkan": row["dihilangkan"]} if row["dihilangkan"] else {}
    for field in ("pertanyaan", "bantuan"):
        if _filled(row[field]):
            change[field] = dict(row[field])
    typed = row["label"]
    if any(typed[lang][k] for lang in LANGS for k in range(len(base_labels))):
        labels = {
            lang: [typed[lang][k] or base_labels[k].get(lang) for k in range(len(base_labels))]
            for lang in LANGS
        }
        if labels != {lang: [x.get(lang) for x in base_labels] for lang in LANGS}:
            change["label"] = labels
    if row["sub"]:
        change["sub"] = [dict(x) for x in row["sub"]]
    return change


def _extra_content(row: Mapping[str, Any]) -> dict[str, Any]:
    if row["jenis"] == "pengarahan":
        return {"kode": PENGARAHAN_KODE, "jenis": "pengarahan"}
    out = {"kode": row["kode"], "jenis": row["jenis"], "pertanyaan": dict(row["pertanyaan"])}
    if row["jenis"] == "pilihan":
        out["pilihan"] = [dict(x) for x in row["pilihan"]]
    return out


# -- the edit buttons ------------------------------------------------------------------------


def _apply(form: Mapping[str, str], state: dict[str, Any], taken: Collection[str]) -> None:
    if code := form.get("tambah_sub"):
        item = _item(state, code)
        if item is not None and len(item["sub"]) < SUB_MAX:
            needed = max(1, SUB_MIN - len(item["sub"]))
            item["sub"].extend(dict.fromkeys(LANGS, "") for _ in range(needed))
    if (pair := _pair(form.get("hapus_sub"))) is not None:
        item = _item(state, pair[0])
        if item is not None and 1 <= int(pair[1]) <= len(item["sub"]):
            del item["sub"][int(pair[1]) - 1]
    _apply_extras(form, state["tambahan"], taken)


def _apply_extras(
    form: Mapping[str, str], extras: list[dict[str, Any]], taken: Collection[str]
) -> None:
    jenis = form.get("tambah_tambahan")
    if (
        jenis in KINDS
        and len(extras) < EXTRA_MAX
        and (jenis != "pengarahan" or all(x["jenis"] != "pengarahan" for x in extras))
    ):
        extras.append(_new_extra(jenis, extras, taken))
    if (n := _index(form.get("hapus_tambahan"), extras)) is not None:
        del extras[n]
    if (n := _index(form.get("naik_tambahan"), extras)) is not None and n > 0:
        extras[n - 1], extras[n] = extras[n], extras[n - 1]
    if (n := _index(form.get("turun_tambahan"), extras)) is not None and n + 1 < len(extras):
        extras[n + 1], extras[n] = extras[n], extras[n + 1]
    n = _index(form.get("tambah_pilihan"), extras)
    if n is not None and len(extras[n]["pilihan"]) < OPTIONS_MAX:
        extras[n]["pilihan"].append(dict.fromkeys(LANGS, ""))
    if (pair := _pair(form.get("hapus_pilihan"))) is not None:
        n = _index(pair[0], extras)
        if n is not None and 1 <= int(pair[1]) <= len(extras[n]["pilihan"]):
            del extras[n]["pilihan"][int(pair[1]) - 1]


ACTIONS = (
    "tambah_sub",
    "hapus_sub",
    "tambah_tambahan",
    "hapus_tambahan",
    "naik_tambahan",
    "turun_tambahan",
    "tambah_pilihan",
    "hapus_pilihan",
)


def edit_button(form: Mapping[str, str]) -> bool:
    """Whether the post came from an edit button (re-render, store nothing)."""
    return any(name in form for name in ACTIONS)


def _item(state: Mapping[str, Any], code: str) -> dict[str, Any] | None:
    return next((items[code] for items in state["butir"].values() if code in items), None)


def _pair(value: str | None) -> tuple[str, str] | None:
    head, _sep, tail = (value or "").rpartition("-")
    return (head, tail) if head and tail.isascii() and tail.isdigit() and len(tail) < 3 else None


def _index(value: str | None, rows: list[Any]) -> int | None:
    text = value or ""
    if text.isascii() and text.isdigit() and len(text) < 3 and 1 <= int(text) <= len(rows):
        return int(text) - 1
    return None


def _new_extra(jenis: str, rows: list[dict[str, Any]], taken: Collection[str]) -> dict[str, Any]:
    used = {x["kode"] for x in rows} | set(taken)
    kode = PENGARAHAN_KODE
    if jenis != "pengarahan":
        kode = next(f"tambahan_{i}" for i in range(1, 99) if f"tambahan_{i}" not in used)
    options = [dict.fromkeys(LANGS, "") for _ in range(OPTIONS_MIN if jenis == "pilihan" else 0)]
    return {
        "kode": kode,
        "jenis": jenis,
        "pertanyaan": dict.fromkeys(LANGS, ""),
        "pilihan": options,
    }


# -- problems, worded and placed -------------------------------------------------------------


def field_of(path: tuple[str | int, ...]) -> str:
    """The id of the editor field (or group) a problem's path names ("" for the whole form)."""
    parts = [str(x) for x in path]
    if not parts or parts[0] in ("instrumen",):
        return "instrumen" if parts else ""
    if parts[0] == "nama":
        return "nama"
    if parts[0] == "tambahan":
        if len(parts) == 1:
            return "tambahan"
        head = f"tambahan-{parts[1]}"
        rest = parts[2:]
        if rest[:1] == ["pilihan"] and len(rest) >= 2:
            return f"{head}-pilihan{rest[1]}-{rest[2] if len(rest) > 2 else 'id'}"
        if rest[:1] == ["pertanyaan"]:
            return f"{head}-pertanyaan-{rest[1] if len(rest) > 1 else 'id'}"
        return f"{head}-{rest[0]}" if rest else head
    code, rest = parts[1] if len(parts) > 1 else "", parts[2:]
    if not rest:
        return code
    if rest[0] == "dihilangkan":
        return f"{code}-hilang"
    if rest[0] in ("label", "sub") and len(rest) >= 2:
        return f"{code}-{rest[0]}{rest[1]}-{rest[2] if len(rest) > 2 else 'id'}"
    if rest[0] in ("label", "sub"):
        return f"{code}-{rest[0]}"
    return f"{code}-{rest[0]}-{rest[1] if len(rest) > 1 else 'id'}"


def _where(path: tuple[str | int, ...]) -> str:
    parts = list(path)
    lang = f" ({parts.pop()})" if parts and parts[-1] in LANGS else ""
    if not parts or parts[0] in ("nama", "instrumen"):
        return ""
    if parts[0] == "tambahan":
        if len(parts) == 1:
            return _("Pertanyaan tambahan")
        where = _("Pertanyaan tambahan %(n)s", n=parts[1])
        rest = parts[2:]
    else:
        where = f"{str(parts[0]).upper()} {parts[1]}" if len(parts) > 1 else str(parts[0]).upper()
        rest = parts[2:]
    names = {
        "pertanyaan": _("pertanyaan"),
        "bantuan": _("bantuan"),
        "dihilangkan": _("alasan tidak ditanyakan"),
        "label": _("label jawaban"),
        "sub": _("sub-pertanyaan"),
        "pilihan": _("pilihan"),
        "kode": _("kode"),
        "jenis": _("jenis"),
    }
    if rest:
        where += " · " + names.get(str(rest[0]), str(rest[0]))
        if len(rest) > 1:
            where += f" {rest[1]}"
    return where + lang


def worded(problems: list[str]) -> list[tuple[str, str]]:
    """Each problem as (message in the page's language, id of the field it concerns)."""
    out = []
    for problem in problems:
        key = getattr(problem, "key", "")
        path = getattr(problem, "path", ())
        if key in MESSAGES:
            text = str(MESSAGES[key]) % getattr(problem, "params", {})
            where = _where(path)
            out.append((f"{where}: {text}" if where else text, field_of(path)))
        else:
            out.append((str(problem), field_of(path) if isinstance(problem, Problem) else ""))
    return out
