"""Load and validate instrument files.

A broken file never half-loads: :func:`load_file` raises :class:`InstrumentError` naming the file
and the problem, so the application refuses to start instead of serving a wrong questionnaire.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import yaml

DEFAULT_DIRECTORY = Path(__file__).parent / "data"
LANGUAGES = ("id", "en")
# libyaml when PyYAML has it (the wheels do): the same documents, read about 7x faster, which
# counts in the start of every file command (issue 20)
SAFE_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_CODE = re.compile(r"^[A-Z]{1,3}[0-9]{1,2}$")
_ID = re.compile(r"^[a-z][a-z0-9_-]{1,30}$")


class InstrumentError(ValueError):
    """An instrument file that cannot be used, with the file named in the message."""


@dataclass(frozen=True)
class Text:
    """A text in Indonesian (the default) and English."""

    id: str
    en: str

    def get(self, language: str) -> str:
        return self.en if language == "en" else self.id


@dataclass(frozen=True)
class Item:
    code: str
    dimension: Text
    question: Text
    labels: tuple[Text, ...]  # labels[0] is the answer 1, labels[-1] the answer ``scale``
    help: Text | None = None  # a line of help under the question, where the instrument has one
    # sub-questions of a unit's variant (issue 22): each answered on the item's labels, the
    # respondent's value being their mean (docs/kuesioner.md §4)
    sub: tuple[Text, ...] = ()


@dataclass(frozen=True)
class Instrument:
    id: str
    version: str
    index: str
    scale: int
    title: Text
    source: str
    items: tuple[Item, ...]
    # items a unit's variant left out, with the reason: (code, reason) (issue 22)
    dihilangkan: tuple[tuple[str, str], ...] = ()

    @cached_property
    def codes(self) -> tuple[str, ...]:
        return tuple(item.code for item in self.items)

    def item(self, code: str) -> Item:
        for item in self.items:
            if item.code == code:
                return item
        raise KeyError(code)


def load_file(path: Path) -> Instrument:
    """Read one instrument file; raise :class:`InstrumentError` on any problem."""
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=SAFE_LOADER)  # noqa: S506
        return _instrument(raw)
    except (OSError, yaml.YAMLError, InstrumentError, KeyError, TypeError) as exc:
        problem = f"missing field {exc}" if isinstance(exc, KeyError) else str(exc)
        raise InstrumentError(f"{path.name}: {problem}") from exc


def load_directory(directory: Path = DEFAULT_DIRECTORY) -> dict[str, Instrument]:
    """Load every ``*.yaml`` in ``directory`` and return the newest version of each id.

    Older versions in the directory are validated too, so a broken file never hides.
    """
    files = sorted(directory.glob("*.yaml"))
    if not files:
        raise InstrumentError(f"{directory}: no instrument files (*.yaml)")
    loaded = [load_file(path) for path in files]
    _check_unique(loaded, files)
    latest: dict[str, Instrument] = {}
    for instrument in sorted(loaded, key=lambda i: _version_key(i.version)):
        latest[instrument.id] = instrument
    return latest


def _check_unique(loaded: Iterable[Instrument], files: list[Path]) -> None:
    owner: dict[str, str] = {}
    seen: set[tuple[str, str]] = set()
    for instrument, path in zip(loaded, files, strict=True):
        if (instrument.id, instrument.version) in seen:
            raise InstrumentError(
                f"{path.name}: {instrument.id} version {instrument.version} is defined twice"
            )
        seen.add((instrument.id, instrument.version))
        for code in instrument.codes:
            if owner.setdefault(code, instrument.id) != instrument.id:
                raise InstrumentError(
                    f"{path.name}: item {code} already belongs to instrument {owner[code]}"
                )


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", version))


def _instrument(raw: Any) -> Instrument:
    if not isinstance(raw, Mapping):
        raise InstrumentError("the file is not a mapping of fields")
    ident = str(raw["id"])
    if not _ID.match(ident):
        raise InstrumentError(f"id {ident!r} must be lower-case letters, digits, - or _")
    scale = raw["scale"]
    if not isinstance(scale, int) or isinstance(scale, bool) or not 2 <= scale <= 10:
        raise InstrumentError(f"scale {scale!r} must be a whole number from 2 to 10")
    items = tuple(_item(entry, scale) for entry in raw["items"] or [])
    if not items:
        raise InstrumentError("it has no items")
    codes = [item.code for item in items]
    duplicates = sorted({code for code in codes if codes.count(code) > 1})
    if duplicates:
        raise InstrumentError(f"item code {', '.join(duplicates)} appears more than once")
    return Instrument(
        id=ident,
        version=str(raw["version"]),
        index=str(raw["index"]),
        scale=scale,
        title=_text(raw["title"], "title"),
        source=str(raw.get("source", "")),
        items=items,
    )


def _item(raw: Any, scale: int) -> Item:
    if not isinstance(raw, Mapping):
        raise InstrumentError(f"item {raw!r} is not a mapping of fields")
    code = str(raw.get("code", ""))
    if not _CODE.match(code):
        raise InstrumentError(f"item code {code!r} must look like U1, AK3 or PK8")
    labels = raw["labels"]
    if not isinstance(labels, Mapping) or any(
        not isinstance(labels.get(lang), list) or len(labels[lang]) != scale for lang in LANGUAGES
    ):
        raise InstrumentError(f"item {code}: labels need {scale} entries in id and en")
    return Item(
        code=code,
        dimension=_text(raw["dimension"], f"item {code} dimension"),
        question=_text(raw["question"], f"item {code} question"),
        labels=tuple(Text(str(a), str(b)) for a, b in zip(labels["id"], labels["en"], strict=True)),
        help=_text(raw["help"], f"item {code} help") if raw.get("help") else None,
    )


def _text(raw: Any, what: str) -> Text:
    if not isinstance(raw, Mapping) or not all(
        str(raw.get(lang) or "").strip() for lang in LANGUAGES
    ):
        raise InstrumentError(f"{what} needs a text in both id and en")
    return Text(id=str(raw["id"]).strip(), en=str(raw["en"]).strip())


PROFILE_FILE = Path(__file__).parent / "profile.yaml"


@dataclass(frozen=True)
class Choice:
    value: str
    text: Text
    min_years: int | None = None
    max_years: int | None = None


@dataclass(frozen=True)
class ProfileQuestion:
    """One optional respondent-profile question (umur, jenis_kelamin, pendidikan, pekerjaan)."""

    key: str
    label: Text
    choices: tuple[Choice, ...]

    @property
    def values(self) -> tuple[str, ...]:
        return tuple(choice.value for choice in self.choices)


def load_profile_questions(path: Path = PROFILE_FILE) -> tuple[ProfileQuestion, ...]:
    """Read the respondent-profile questions; raise :class:`InstrumentError` naming the file."""
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=SAFE_LOADER)  # noqa: S506
        return tuple(
            ProfileQuestion(
                key=key,
                label=_text(spec["label"], f"{key} label"),
                choices=tuple(
                    Choice(str(c["value"]), _text(c, f"{key} choice"), c.get("min"), c.get("max"))
                    for c in spec["choices"]
                ),
            )
            for key, spec in raw.items()
        )
    except (OSError, yaml.YAMLError, InstrumentError, KeyError, TypeError, AttributeError) as exc:
        raise InstrumentError(f"{path.name}: {exc}") from exc


SECONDS_PER_ITEM = 6  # reading a short statement and tapping one of four answers
SECONDS_FIXED = 30  # the opening lines, the optional profile and sending


def estimate_minutes(items: int) -> int:
    """An honest estimate of the minutes a form of ``items`` scored questions takes, rounded
    up: 6 seconds per question plus 30 for the rest (14 questions: 2 minutes; 22: 3). Printed
    on the form, posters, ticket slips and the counter screen (issue 21), never "1 menit" for a
    form that takes longer."""
    if items < 0:
        raise ValueError("the number of questions cannot be negative")
    return max(1, -(-(items * SECONDS_PER_ITEM + SECONDS_FIXED) // 60))
