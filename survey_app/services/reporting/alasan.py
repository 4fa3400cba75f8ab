"""Why respondents scored low (REGULATION §8): the reasons given beside answers of 1 or 2, per
unsur, for staff only. They feed the analysis and the Rencana Tindak Lanjut; they are never
published, never exported and never enter an index. An excluded submission's reasons leave
with it, like every other figure.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func, select

from instruments import Instrument, Item
from survey_app.models import AlasanJawaban, Answer, Layanan, Submission
from survey_app.services import DbSession
from survey_app.services.catalogue import Catalogue
from survey_app.services.reporting.aggregates import counted


@dataclass(frozen=True)
class Alasan:
    """One reason: when, through which layanan, beside which answer, in the respondent's words."""

    submitted_at: datetime
    layanan: str
    nilai: int
    teks: str


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
    questionnaire's order, with at most ``newest`` of each (all when None) and their count.

    One read: a window numbers each item's reasons from the newest and counts them.
    """
    order = (Submission.submitted_at.desc(), Submission.id.desc())
    by_item = AlasanJawaban.item_code
    inner = (
        select(
            by_item.label("code"),
            Submission.submitted_at,
            Layanan.kode,
            Answer.value,
            AlasanJawaban.teks,
            func.row_number().over(partition_by=by_item, order_by=order).label("rank"),
            func.count().over(partition_by=by_item).label("n"),
        )
        .join(Submission, Submission.id == AlasanJawaban.submission_id)
        .join(Layanan, Layanan.id == Submission.layanan_id)
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
    found: dict[str, tuple[int, list[Alasan]]] = {}
    for row in session.execute(query.order_by(inner.c.code, inner.c.rank)):
        _, rows = found.setdefault(row.code, (int(row.n), []))
        rows.append(Alasan(row.submitted_at, row.kode, int(row.value), row.teks))
    return [
        AlasanUnsur(instrument, item, *found[item.code])
        for instrument in catalogue.instruments.values()
        for item in instrument.items
        if item.code in found
    ]
