"""ZI readiness: survey results turned into LKE points and checked against WBK and WBBM.

The web layer only presents this; :mod:`analysis.lke` does every computation. IPAK and IPKP come
from the pooled raw answers of the chosen months (REGULATION.md section 4); where a unit does not
run the service-quality survey, its IKM stands in for IPKP, and the page says so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from fractions import Fraction
from typing import Any

from sqlalchemy import select

from analysis import lke
from analysis.compliance import Month
from analysis.periods import Span, range_span
from analysis.sample import Compliance
from analysis.scoring import IndexResult
from survey_app.models import Evaluasi, Layanan, Pengguna, Unit
from survey_app.services import DbSession, audit
from survey_app.services.access import subtree_ids
from survey_app.services.catalogue import Catalogue
from survey_app.services.reporting.aggregates import Tallies, tallies
from survey_app.services.reporting.compliance import (
    UnitCompliance,
    judge_unit,
    served_in,
    spans_of,
)

HALVES = ("pemenuhan", "reform")


PLAIN_DECIMAL = re.compile(r"[0-9]{1,4}(?:[.][0-9]{1,4})?")


class EvaluasiError(ValueError):
    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class SurveyIndex:
    """The index an LKE component used, with where it came from."""

    key: str  # ipak or ipkp
    source: str  # the index used: IPAK, IPKP or IKM
    result: IndexResult
    stands_in: bool = False  # IKM used because the unit does not run the IPKP survey


@dataclass(frozen=True)
class Readiness:
    evaluasi: Evaluasi
    profile: lke.Profile
    indices: list[SurveyIndex]
    compliance: UnitCompliance  # the survey months under the unit's rule (REGULATION §3)
    assessment: lke.Assessment | None
    problems: list[str]  # what is missing before an assessment can be made

    @property
    def months(self) -> list[Compliance]:
        """The judged months (ended, with some layanan open)."""
        return [month.compliance for month in self.compliance.period.judged]

    @property
    def short_months(self) -> list[Month]:
        return list(self.compliance.period.short)


def months_of(evaluasi: Evaluasi) -> list[str]:
    return Span("rentang", evaluasi.survei_dari, evaluasi.survei_sampai).months()


def compute(
    session: DbSession, catalogue: Catalogue, evaluasi: Evaluasi, now: datetime
) -> Readiness:
    """The LKE points from the survey months of ``evaluasi`` and those months judged under the
    unit's minimum rule at ``now`` (a month not yet begun is never judged). A unit without
    layanan of its own (a Kanwil) is judged on the layanan below it, under its own rule."""
    profile = lke.load_profile(evaluasi.profile)
    unit_ids = subtree_ids(session, evaluasi.unit_id)
    layanan = list(session.scalars(select(Layanan).where(Layanan.unit_id.in_(unit_ids))))
    months = months_of(evaluasi)
    ids = [x.id for x in layanan]
    found = tallies(session, ids, months)
    indices = _indices(catalogue, profile, found)
    own = [x for x in layanan if x.unit_id == evaluasi.unit_id] or layanan
    compliance = judge_unit(
        evaluasi.unit,
        own,
        months,
        now,
        found,
        spans_of(session, ids),
        served_in(session, ids, months),
    )
    problems = [
        f"{i.key}: belum ada responden pada {months[0]}..{months[-1]}"
        for i in indices
        if i.result.index is None
    ]
    assessment = None
    if not problems:
        hasil: dict[str, object] = {i.key: i.result.index for i in indices}
        hasil.update(capaian_kinerja=evaluasi.capaian_kinerja, tlhp=evaluasi.tlhp)
        wanted = {c.key for c in profile.hasil}
        try:
            assessment = lke.assess(
                profile,
                area_points(evaluasi, profile),
                {k: v for k, v in hasil.items() if k in wanted},
                evaluasi.predikat_wbk,
            )
        except lke.LkeInputError as exc:
            problems = exc.problems
    return Readiness(evaluasi, profile, indices, compliance, assessment, problems)


def _indices(catalogue: Catalogue, profile: lke.Profile, found: Tallies) -> list[SurveyIndex]:
    """The index behind each survey component of the profile; where a unit does not run the
    service-quality survey, its IKM stands in (REGULATION.md section 4)."""
    instruments = catalogue.instruments
    out = []
    for component in profile.hasil:
        survei = component.survei
        if component.dari != "indeks" or survei is None or survei not in instruments:
            continue
        instrument = instruments[survei]
        result = found.score(instrument)
        stands_in = not result.n and survei == "ipkp"
        if stands_in:
            instrument = instruments["skm"]
            result = found.score(instrument)
        out.append(SurveyIndex(component.key, instrument.index, result, stands_in))
    return out


def area_points(evaluasi: Evaluasi, profile: lke.Profile) -> dict[str, Fraction]:
    """Each pengungkit area: its pemenuhan plus its reform."""
    return {
        area.key: sum(
            (
                Fraction(Decimal(str(evaluasi.pengungkit.get(area.key, {}).get(half, "0"))))
                for half in HALVES
            ),
            Fraction(0),
        )
        for area in profile.pengungkit
    }


def save(
    session: DbSession,
    unit: Unit,
    tahun: int,
    fields: dict[str, Any],
    user: Pengguna,
    now: datetime,
) -> Evaluasi:
    """Create or update the evaluation of ``unit`` for ``tahun``; every problem at once."""
    profile_name = str(fields.get("profile") or lke.DEFAULT_PROFILE)
    problems: list[str] = []
    try:
        profile = lke.load_profile(profile_name)
    except ValueError as exc:
        raise EvaluasiError([str(exc)]) from exc
    pengungkit = _pengungkit(profile, fields.get("pengungkit", {}), problems)
    values = {
        key: _decimal(fields.get(key), key, Decimal(5), problems)
        for key in ("capaian_kinerja", "tlhp")
    }
    try:  # a saved window is capped as a range read from a URL is (ten years at most)
        range_span(str(fields.get("survei_dari") or ""), str(fields.get("survei_sampai") or ""))
    except ValueError as exc:
        problems.append(f"survei_dari..survei_sampai: {exc}")
    if problems:
        raise EvaluasiError(problems)
    evaluasi = session.scalar(
        select(Evaluasi).where(Evaluasi.unit_id == unit.id, Evaluasi.tahun == tahun)
    )
    before = snapshot(evaluasi) if evaluasi else None
    if evaluasi is None:
        evaluasi = Evaluasi(unit_id=unit.id, tahun=tahun)
        session.add(evaluasi)
    evaluasi.profile = profile.name
    evaluasi.survei_dari, evaluasi.survei_sampai = fields["survei_dari"], fields["survei_sampai"]
    evaluasi.pengungkit = pengungkit
    evaluasi.capaian_kinerja = values["capaian_kinerja"]
    evaluasi.tlhp = values["tlhp"]
    evaluasi.predikat_wbk = bool(fields.get("predikat_wbk"))
    session.flush()
    audit.record(session, user, "simpan", "evaluasi", evaluasi.id, before, snapshot(evaluasi), now)
    return evaluasi


def snapshot(evaluasi: Evaluasi) -> dict[str, Any]:
    return {
        "tahun": evaluasi.tahun,
        "profile": evaluasi.profile,
        "survei": [evaluasi.survei_dari, evaluasi.survei_sampai],
        "pengungkit": evaluasi.pengungkit,
        "capaian_kinerja": evaluasi.capaian_kinerja,
        "tlhp": evaluasi.tlhp,
        "predikat_wbk": evaluasi.predikat_wbk,
    }


def _pengungkit(profile: lke.Profile, given: Any, problems: list[str]) -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    for area in profile.pengungkit:
        half = Decimal(area.bobot.numerator) / Decimal(area.bobot.denominator) / 2
        raw = given.get(area.key, {}) if isinstance(given, dict) else {}
        out[area.key] = {}
        for part in HALVES:
            value = _decimal(raw.get(part), f"{area.key}.{part}", half, problems)
            out[area.key][part] = value or "0"
    return out


def _decimal(raw: Any, name: str, maximum: Decimal, problems: list[str]) -> str | None:
    if raw is None or str(raw).strip() == "":
        return None
    text = str(raw).strip().replace(",", ".")
    # Plain decimals only: no NaN, Infinity, exponents, other scripts' digits, or 80 places.
    if not PLAIN_DECIMAL.fullmatch(text):
        problems.append(f"{name}: {raw!r} is not a number such as 3,5 (at most 4 decimals)")
        return None
    value = Decimal(text)
    if not Decimal(0) <= value <= maximum:
        problems.append(f"{name}: {raw} is outside 0-{maximum.normalize()}")
        return None
    return str(value)
