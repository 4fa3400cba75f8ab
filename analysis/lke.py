"""From survey indices to LKE points, and the WBK/WBBM check of an evaluation profile.

An index on 1-4 earns points in proportion to its weight: points = index / 4 x bobot, so a perfect
4,00 earns the full weight (PermenPANRB 90/2021, LKE hasil). Every threshold lives in a profile
file under ``data/profiles``; comparisons are >= on values rounded half-up to 2 decimals, and a
check reports every condition that fails with its value, its minimum and the gap.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from functools import cache
from pathlib import Path
from typing import Any

from analysis.exact import Number, fraction, round_half_up

PROFILES = Path(__file__).parent / "data" / "profiles"
DEFAULT_PROFILE = "permenpanrb-90-2021"
INDEX_INPUTS = ("ipak", "ipkp")


class LkeInputError(ValueError):
    """Input an assessment cannot use; ``problems`` lists every one of them."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Component:
    key: str
    label: str
    bobot: Fraction
    dari: str = "nilai"  # "indeks": an index on 1-4; "nilai": points entered as they are
    survei: str | None = None  # the instrument whose index this is (ipak, ipkp, skm)


@dataclass(frozen=True)
class Profile:
    name: str
    title: str
    pengungkit: tuple[Component, ...]
    hasil: tuple[Component, ...]
    subtotal: tuple[tuple[str, str, tuple[str, ...]], ...]
    predikat: Mapping[str, tuple[Mapping[str, str], ...]]
    kriteria: tuple[str, ...] = ()  # the guideline's criteria a-e for Capaian Kinerja, if any
    kriteria_catatan: str = ""  # the LKE indicator's name and how far the summary is confirmed

    def label(self, key: str) -> str:
        labels = {c.key: c.label for c in self.pengungkit + self.hasil}
        labels.update({key: label for key, label, _ in self.subtotal})
        labels.update(
            pengungkit="Pengungkit",
            hasil="Hasil",
            total="Total",
            predikat_wbk="Sudah berpredikat WBK",
        )
        return labels.get(key, key)


def profile_names() -> list[str]:
    return sorted(path.stem for path in PROFILES.glob("*.json"))


@cache
def load_profile(name: str = DEFAULT_PROFILE) -> Profile:
    """Read the profile ``name``; an unknown name raises ``ValueError`` listing the known ones.

    Only the names of the shipped profiles are accepted, so a name is never read as a path.
    """
    if name not in profile_names():
        raise ValueError(f"profile {name!r} is unknown; choose one of {', '.join(profile_names())}")
    raw = json.loads((PROFILES / f"{name}.json").read_text(encoding="utf-8"))
    return Profile(
        name=raw["name"],
        title=raw["title"],
        pengungkit=tuple(_component(c) for c in raw["pengungkit"]),
        hasil=tuple(_component(c) for c in raw["hasil"]),
        subtotal=tuple((s["key"], s["label"], tuple(s["dari"])) for s in raw["subtotal"]),
        predikat={k: tuple(v["syarat"]) for k, v in raw["predikat"].items()},
        kriteria=tuple(raw.get("capaian_kinerja_kriteria", {}).get("kriteria", ())),
        kriteria_catatan=_kriteria_catatan(raw.get("capaian_kinerja_kriteria", {})),
    )


def _kriteria_catatan(raw: Mapping[str, Any]) -> str:
    parts = [raw.get("indikator", ""), raw.get("catatan", "")]
    return ". ".join(part.rstrip(".") for part in parts if part) + ("." if any(parts) else "")


def _component(raw: Mapping[str, str]) -> Component:
    return Component(
        raw["key"],
        raw["label"],
        fraction(raw["bobot"]),
        raw.get("dari", "nilai"),
        raw.get("survei"),
    )


def points(index: Number, bobot: Number) -> Fraction:
    """LKE points of an index on 1-4: index / 4 x bobot, exactly."""
    return Fraction(index) / 4 * Fraction(bobot)


@dataclass(frozen=True)
class Failure:
    syarat: str
    nilai: Decimal | bool
    minimum: Decimal | bool
    selisih: Decimal | None

    def as_dict(self) -> dict[str, object]:
        return {
            "syarat": self.syarat,
            "nilai": _json(self.nilai),
            "minimum": _json(self.minimum),
            "selisih": _json(self.selisih),
        }


@dataclass(frozen=True)
class Verdict:
    predikat: str
    gagal: tuple[Failure, ...]
    indeks_minimum: Mapping[str, Decimal | None] = field(default_factory=dict)

    @property
    def memenuhi(self) -> bool:
        return not self.gagal


@dataclass(frozen=True)
class Assessment:
    """Every LKE value of one evaluation, exact; ``rounded`` gives the figure that is compared."""

    profile: Profile
    values: Mapping[str, Fraction]
    inputs: Mapping[str, Fraction]
    predikat_wbk: bool

    def rounded(self, key: str) -> Decimal:
        return round_half_up(self.values[key], 2)

    def verdict(self, predikat: str) -> Verdict:
        gagal = tuple(failures(self, predikat))
        minimum = {key: lowest_index(self, predikat, key) for key in self._index_inputs()}
        return Verdict(predikat, gagal, minimum)

    def _index_inputs(self) -> list[str]:
        return [c.key for c in self.profile.hasil if c.dari == "indeks"]

    def as_dict(self) -> dict[str, object]:
        """The ``assess`` output of INTERCHANGE.md, plus the lowest passing index per predikat."""
        hasil_keys = [c.key for c in self.profile.hasil] + [k for k, _, _ in self.profile.subtotal]
        out: dict[str, object] = {
            "profile": self.profile.name,
            "pengungkit": float(self.rounded("pengungkit")),
            "hasil": {key: float(self.rounded(key)) for key in hasil_keys + ["hasil"]},
            "total": float(self.rounded("total")),
        }
        for predikat in self.profile.predikat:
            verdict = self.verdict(predikat)
            out[predikat] = {
                "memenuhi": verdict.memenuhi,
                "gagal": [failure.as_dict() for failure in verdict.gagal],
                "indeks_minimum": {k: _json(v) for k, v in verdict.indeks_minimum.items()},
            }
        return out


def assess(
    profile: Profile,
    pengungkit: Mapping[str, Any],
    hasil: Mapping[str, Any],
    predikat_wbk: bool = False,
) -> Assessment:
    """Compute every LKE value of an evaluation.

    Parameters
    ----------
    pengungkit
        Points per area, keyed as in the profile (each 0..bobot).
    hasil
        Index on 1-4 for the ``indeks`` components (``ipak``, ``ipkp``) and points for the
        others (``capaian_kinerja`` 0-5, ``tlhp`` 0-5), keyed as in the profile.
    predikat_wbk
        Whether the unit already holds the WBK predikat (a WBBM condition in some profiles).

    Raises
    ------
    LkeInputError
        Listing every missing, unknown or out-of-range value at once.
    """
    problems: list[str] = []
    areas = _read_values(profile.pengungkit, pengungkit, "pengungkit", problems)
    results = _read_values(profile.hasil, hasil, "", problems)
    if problems:
        raise LkeInputError(problems)
    return _compute(profile, areas, results, predikat_wbk)


def _read_values(
    components: tuple[Component, ...], given: Mapping[str, Any], prefix: str, problems: list[str]
) -> dict[str, Fraction]:
    name = (lambda key: f"{prefix}.{key}") if prefix else (lambda key: key)
    known = {c.key for c in components}
    problems.extend(f"{name(key)}: not part of this profile" for key in given if key not in known)
    values: dict[str, Fraction] = {}
    for c in components:
        value = _number(given.get(c.key), name(c.key), problems)
        if value is None:
            continue
        low, high = (Fraction(1), Fraction(4)) if c.dari == "indeks" else (Fraction(0), c.bobot)
        if not low <= value <= high:
            problems.append(
                f"{name(c.key)}: value {_show(value)} is outside {_show(low)}-{_show(high)}"
            )
        values[c.key] = value
    return values


def _number(raw: Any, name: str, problems: list[str]) -> Fraction | None:
    if raw is None:
        problems.append(f"{name}: a value is required")
        return None
    if isinstance(raw, bool) or not isinstance(raw, int | float | Decimal | Fraction | str):
        problems.append(f"{name}: value {raw!r} is not a number")
        return None
    if isinstance(raw, int | Fraction):
        return Fraction(raw)
    try:
        # floats come from JSON read without parse_float=Decimal; go through their shortest repr
        return Fraction(Decimal(repr(raw) if isinstance(raw, float) else str(raw)))
    except (ArithmeticError, ValueError):
        problems.append(f"{name}: value {raw!r} is not a number")
        return None


def _compute(
    profile: Profile, areas: dict[str, Fraction], inputs: dict[str, Fraction], predikat_wbk: bool
) -> Assessment:
    values: dict[str, Fraction] = dict(areas)
    values["pengungkit"] = sum(areas.values(), Fraction(0))
    for c in profile.hasil:
        values[c.key] = points(inputs[c.key], c.bobot) if c.dari == "indeks" else inputs[c.key]
    for key, _, parts in profile.subtotal:
        values[key] = sum((values[part] for part in parts), Fraction(0))
    values["hasil"] = sum((values[c.key] for c in profile.hasil), Fraction(0))
    values["total"] = values["pengungkit"] + values["hasil"]
    return Assessment(profile, values, inputs, predikat_wbk)


def failures(assessment: Assessment, predikat: str) -> list[Failure]:
    profile = assessment.profile
    found: list[Failure] = []
    for rule in profile.predikat[predikat]:
        if "predikat" in rule:
            if not assessment.predikat_wbk:
                found.append(Failure(rule["predikat"], False, True, None))
            continue
        if "setiap_area" in rule:
            share = fraction(rule["setiap_area"])
            checks = [(area.key, area.bobot * share) for area in profile.pengungkit]
        else:
            checks = [(rule["nilai"], fraction(rule["minimum"]))]
        for key, minimum_exact in checks:
            value, minimum = assessment.rounded(key), round_half_up(minimum_exact, 2)
            if value < minimum:
                found.append(Failure(key, value, minimum, minimum - value))
    return found


def lowest_index(assessment: Assessment, predikat: str, key: str) -> Decimal | None:
    """The lowest index (4 decimals) for ``key`` at which no condition that depends on it fails.

    Other inputs stay as they are. None when even 4,0000 is not enough. Conditions that do not
    depend on ``key`` are ignored: they are listed by :meth:`Assessment.verdict` anyway.
    """

    def failing(index: int) -> set[str]:
        inputs = dict(assessment.inputs, **{key: Fraction(index, 10_000)})
        areas = {c.key: assessment.values[c.key] for c in assessment.profile.pengungkit}
        trial = _compute(assessment.profile, areas, inputs, assessment.predikat_wbk)
        return {f.syarat for f in failures(trial, predikat)}

    at_best = failing(40_000)
    if at_best & _depends_on(assessment, key):
        return None
    dependent = failing(10_000) - at_best
    low, high = 10_000, 40_000
    while low < high:  # values grow with the index, so the failing set only shrinks
        middle = (low + high) // 2
        if failing(middle) & dependent:
            low = middle + 1
        else:
            high = middle
    return Decimal(low).scaleb(-4)


def _depends_on(assessment: Assessment, key: str) -> set[str]:
    keys = {key, "hasil", "total"}
    for subtotal, _, parts in assessment.profile.subtotal:
        if keys & set(parts):
            keys.add(subtotal)
    return keys


def _show(value: Fraction) -> str:
    return f"{round_half_up(value, 2).normalize():f}"


def _json(value: Decimal | bool | None) -> float | bool | None:
    return value if value is None or isinstance(value, bool) else float(value)
