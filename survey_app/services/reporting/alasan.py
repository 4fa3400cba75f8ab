"""Why respondents scored low (REGULATION §8): the reasons given beside answers of 1 or 2, per
unsur, for staff only. They feed the analysis and the Rencana Tindak Lanjut; they are never
published, never exported and never enter an index. An excluded submission's reasons leave
with it, like every other figure.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, select

from analysis.kuesioner import split_code
from instruments import Instrument, Item, Text, apply_variant
from survey_app.models import AlasanJawaban, Answer, KuesionerVersi, Layanan, Submission, Unit
from survey_app.services import DbSession
from survey_app.services.catalogue import Catalogue
from survey_app.services.collection.kuesioner import variant_of
from survey_app.services.reporting.aggregates import counted


@dataclass(frozen=True)
class Alasan:
    """One reason: when, through which layanan, beside which answer, in the respondent's words;
    beside a sub-question of a unit's variant, that sub-question as the respondent read it."""

    submitted_at: datetime
    layanan: str
    nilai: int
    teks: str
    sub: Text | None = None


@dataclass(frozen=True)
class AlasanUnsur:
    """The reasons given for one item (an SKM unsur or an IPAK/IPKP indicator)."""

    instrument: Instrument
    item: Item
    n: int  # every reason of the period, also those not in ``rows``
    rows: list[Alasan]  # the newest first

    def label(self, value: int, language: str) -> str:
        """The words of the answer ``value`` of this item (``Kurang cepat``)."""
        return self.item.labels[value - 1].get(language)


def reasons_by_unsur(
    session: DbSession,
    catalogue: Catalogue,
    layanan_ids: Sequence[int],
    months: Sequence[str],
    newest: int | None = None,
) -> list[AlasanUnsur]:
    """The reasons of the kept submissions of these layanan and months, grouped per item in the
    questionnaire's order, with at most ``newest`` of each (all when None) and their count. A
    reason beside a sub-question (stored as ``U3.1/2``) is in its item's group, with the
    sub-question's wording of the version it was given under.

    One read: a window numbers each stored code's reasons from the newest and counts them; the
    parts of a split item are merged here (each part's newest are enough for the item's).
    """
    order = (Submission.submitted_at.desc(), Submission.id.desc())
    by_item = AlasanJawaban.item_code
    inner = (
        select(
            by_item.label("code"),
            Submission.submitted_at,
            Submission.id.label("submission_id"),
            Layanan.kode,
            Answer.value,
            AlasanJawaban.teks,
            Submission.kuesioner_versi_id.label("versi_id"),
            Layanan.nama.label("layanan_nama"),
            Unit.nama.label("unit_nama"),
            func.row_number().over(partition_by=by_item, order_by=order).label("rank"),
            func.count().over(partition_by=by_item).label("n"),
        )
        .join(Submission, Submission.id == AlasanJawaban.submission_id)
        .join(Layanan, Layanan.id == Submission.layanan_id)
        .join(Unit, Unit.id == Layanan.unit_id)
        .join(
            Answer,
            and_(
                Answer.submission_id == AlasanJawaban.submission_id,
                Answer.item_code == AlasanJawaban.item_code,
            ),
        )
        .where(counted(layanan_ids, months, session))
        .subquery()
    )
    query = select(inner)
    if newest is not None:
        query = query.where(inner.c.rank <= newest)
    wording = _SubWording(session, catalogue)
    counts: dict[str, set[str]] = {}
    found: dict[str, tuple[int, list[tuple[datetime, int, Alasan]]]] = {}
    for row in session.execute(query.order_by(inner.c.code, inner.c.rank)):
        code, part, parts = split_code(row.code)
        n, rows = found.get(code, (0, []))
        if row.code not in counts.setdefault(code, set()):
            counts[code].add(row.code)
            n += int(row.n)
        sub = wording(row, code, part) if parts > 1 else None
        said = Alasan(row.submitted_at, row.kode, int(row.value), row.teks, sub)
        rows.append((row.submitted_at, row.submission_id, said))
        found[code] = (n, rows)
    return [
        AlasanUnsur(instrument, item, found[item.code][0], _newest(found[item.code][1], newest))
        for instrument in catalogue.instruments.values()
        for item in instrument.items
        if item.code in found
    ]


def _newest(rows: list[tuple[datetime, int, Alasan]], newest: int | None) -> list[Alasan]:
    ordered = sorted(rows, key=lambda r: (r[0], r[1]), reverse=True)
    return [r[2] for r in ordered[:newest]]


class _SubWording:
    """The wording of part ``part`` of item ``code`` as the form of a reason's submission
    showed it (the variant version applied, placeholders filled); read once per version."""

    def __init__(self, session: DbSession, catalogue: Catalogue) -> None:
        self._session, self._base = session, catalogue.instruments
        self._seen: dict[tuple[int, str, str, str], Item | None] = {}

    def __call__(self, row: Any, code: str, part: int) -> Text | None:
        key = (row.versi_id, row.layanan_nama, row.unit_nama, code)
        if key not in self._seen:
            self._seen[key] = self._item(row, code)
        item = self._seen[key]
        return item.sub[part - 1] if item is not None and part <= len(item.sub) else None

    def _item(self, row: Any, code: str) -> Item | None:
        versi = self._session.get(KuesionerVersi, row.versi_id) if row.versi_id else None
        owner = next((i for i in self._base.values() if code in i.codes), None)
        if versi is None or owner is None:
            return None
        shown = apply_variant(owner, variant_of(versi, self._base), row.layanan_nama, row.unit_nama)
        return next((x for x in shown.items if x.code == code), None)
