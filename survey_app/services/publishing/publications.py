"""Publishing a period: freeze its figures into a snapshot the public pages show as they are.

A publication never shows saran, and every demographic cell under ``MIN_CELL`` respondents is
suppressed (REGULATION.md section 6). Months below the minimum are published and marked.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

from sqlalchemy import select

from analysis.disclosure import recoverable
from analysis.periods import Span, label_of, zone
from survey_app.models import Pengguna, Publikasi, Unit
from survey_app.services import DbSession, audit
from survey_app.services.access import subtree_ids
from survey_app.services.catalogue import Catalogue
from survey_app.services.reporting.dashboard import build
from survey_app.services.reporting.per_layanan import LayananFigures

MIN_CELL = 5
DEMOGRAPHICS = ("jenis_kelamin", "pendidikan")
THANKS = "Terima kasih atas partisipasi Anda dalam survei ini."


class PublishError(ValueError):
    """A period that cannot be published, or a withdrawal without its reason (Indonesian)."""


class Changed(PublishError):
    """The figures changed between the preview and the confirmation: preview them again."""


def digest(data: dict[str, Any]) -> str:
    """A fingerprint of a snapshot: what the person confirms is what was previewed."""
    text = json.dumps(data, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def publish(
    session: DbSession,
    catalogue: Catalogue,
    unit: Unit,
    span: Span,
    user: Pengguna,
    now: datetime,
    previewed: str | None = None,
) -> Publikasi:
    """Freeze the figures of ``unit`` over ``span`` as they are now. With ``previewed`` (the
    :func:`digest` of the snapshot the person saw), raise :class:`Changed` when the figures
    are no longer those; raise :class:`PublishError` for a period that has not begun."""
    data = snapshot(session, catalogue, unit, span, now)
    if previewed is not None and digest(data) != previewed:
        raise Changed(
            "Angka berubah sejak pratinjau dibuka (ada jawaban baru atau keputusan tinjauan): "
            "periksa pratinjau ini lalu terbitkan lagi."
        )
    publication = Publikasi(
        unit_id=unit.id,
        label=label_of(span),
        dari=span.first,
        sampai=span.last,
        dibuat=now,
        pengguna_id=user.id,
        data=data,
    )
    session.add(publication)
    session.flush()
    audit.record(
        session,
        user,
        "terbitkan",
        "publikasi",
        publication.id,
        None,
        {"label": publication.label, "sementara": data["periode"].get("sementara_sampai")},
        now,
    )
    return publication


def withdraw(
    session: DbSession, publication: Publikasi, reason: str, user: Pengguna, now: datetime
) -> None:
    """Withdraw a publication (REGULATION §6): the public page then says when and why, its
    files answer 410, and the snapshot stays on record. Raises :class:`PublishError` without
    a reason of 10 to 500 characters, or when it is already withdrawn."""
    text = " ".join(reason.split())
    if publication.ditarik is not None:
        raise PublishError("Publikasi ini sudah ditarik.")
    if not 10 <= len(text) <= 500:
        raise PublishError(
            'Alasan penarikan: tulis 10 sampai 500 karakter, misalnya "Salah memilih periode; '
            'diganti publikasi baru".'
        )
    publication.ditarik, publication.alasan_tarik, publication.ditarik_oleh = now, text, user.id
    after = {"ditarik": now.isoformat(), "alasan": text}
    audit.record(session, user, "tarik", "publikasi", publication.id, None, after, now)
    session.flush()


def snapshot(
    session: DbSession, catalogue: Catalogue, unit: Unit, span: Span, now: datetime
) -> dict[str, Any]:
    d = build(session, catalogue, unit, span, now)
    judged = d.compliance.period
    # only judged months (ended, with the layanan open then), under the rule in force
    short = [
        {
            "bulan": month.period,
            "layanan": d.compliance.name(s.kode),
            "n": s.n,
            "minimum": s.minimum,
            "aturan": s.requirement.aturan,
        }
        for month in judged.judged
        for s in month.short
    ]
    today = now.astimezone(zone(unit.timezone)).date()
    if span.start_date > today:
        raise PublishError(
            "Periode ini belum dimulai: hasilnya belum dapat diterbitkan. Pilih periode yang "
            "sudah berjalan atau selesai."
        )
    periode = {
        "label": label_of(span),
        "jenis": span.kind,
        "dari": span.first,
        "sampai": span.last,
        "tanggal_awal": span.start_date.isoformat(),
        "tanggal_akhir": span.end_date.isoformat(),
    }
    if span.end_date >= today:  # not ended: only as "hasil sementara s.d. <today>"
        periode["sementara_sampai"] = today.isoformat()
    found = {
        "unit": {"kode": unit.kode, "nama": unit.nama},
        "periode": periode,
        "indeks": [
            {
                "indeks": f.instrument.index,
                "n": f.result.n,
                "nilai_indeks": _text(f.result.indeks),
                "nilai": _text(f.result.nilai),
                "mutu": f.result.mutu.mutu if f.result.mutu else None,
                "kinerja": f.result.mutu.kinerja if f.result.mutu else None,
            }
            for f in d.figures
        ],
        "responden": d.respondents,
        "responden_per_layanan": [
            {"layanan": x.nama, "n": d.per_layanan.get(x.id, 0)} for x in unit.layanan
        ],
        "demografi": _demographics(session, catalogue, unit, span, d.profile_codes),
        "dikecualikan": {
            "jumlah": sum(d.excluded.values()),
            "per_alasan": [{"alasan": k, "n": v} for k, v in d.excluded.items()],
        },
        "memenuhi_minimal": not short,
        "di_bawah_minimal": short,
        "aturan_minimal": {
            "aturan": judged.rule.aturan,
            "rumus": judged.rule.rumus,
            "bulan_dinilai": len(judged.judged),
            "bulan_memenuhi": judged.met,
        },
        "indeks_per_layanan": [
            _per_layanan(catalogue, row, row.layanan.unit_id != unit.id)
            for row in d.layanan_figures
        ],
        "terima_kasih": THANKS,
    }
    if d.dihilangkan:  # docs/kuesioner.md §4: every published index says what it left out
        indexes = {i.id: i.index for i in catalogue.instruments.values()}
        found["dihilangkan"] = [
            {"indeks": indexes.get(x.instrument_id, x.instrument_id), "kode": x.kode,
             "alasan": x.alasan, "varian": x.varian, "versi": x.versi,
             "layanan": list(x.layanan)}
            for x in d.dihilangkan
        ]  # fmt: skip
    return found


def _demographics(
    session: DbSession,
    catalogue: Catalogue,
    unit: Unit,
    span: Span,
    counts: dict[str, dict[str, int]],
) -> dict[str, list[dict[str, Any]]]:
    """Per demographic question, the count per answer: a cell of 1-4 is hidden ("kecil"), and
    so is a cell whose count, with the unit's other publications, would let a reader compute
    a count of 1-4 by adding and subtracting ("selisih"; REGULATION §6)."""
    months = frozenset(span.months())
    public = [
        (frozenset(_months(p)), p.data.get("demografi", {})) for p in publications(session, unit)
    ]
    shown = {}
    for key in DEMOGRAPHICS:
        rows = _suppressed(counts.get(key, {}), key, catalogue)
        for row in rows:
            if row["n"] is None:
                continue
            known = [
                (other, cell["n"])
                for other, cells in public
                for cell in cells.get(key, [])
                if cell["nilai"] == row["nilai"] and cell["n"] is not None
            ]
            if recoverable([*known, (months, row["n"])]):
                row.update(n=None, disembunyikan="selisih")
        shown[key] = rows
    return shown


def _months(publication: Publikasi) -> list[str]:
    return Span("rentang", publication.dari, publication.sampai).months()


def _per_layanan(catalogue: Catalogue, row: LayananFigures, below: bool) -> dict[str, Any]:
    """One layanan's indices over the period, with n and mutu, and its short judged months
    (``unit``: the name of the unit below that holds it, None for the unit's own)."""
    return {
        "unit": row.layanan.unit.nama if below else None,
        "layanan": row.layanan.nama,
        "n": row.n,
        "indeks": [
            {
                "indeks": catalogue.instruments[key].index,
                "n": result.n,
                "nilai": _text(result.nilai),
                "mutu": result.mutu.mutu if result.mutu else None,
                "kinerja": result.mutu.kinerja if result.mutu else None,
            }
            for key, result in row.results.items()
            if result.n
        ],
        "di_bawah_minimal": [
            {"bulan": month, "n": count.n, "minimum": count.minimum} for month, count in row.short
        ],
    }


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def _suppressed(counts: dict[str, int], key: str, catalogue: Catalogue) -> list[dict[str, Any]]:
    """Counts per answer; a cell with fewer than MIN_CELL respondents is shown as null."""
    question = next(q for q in catalogue.profile if q.key == key)
    rows = []
    for choice in question.choices:
        n = counts.get(choice.value, 0)
        row: dict[str, Any] = {"nilai": choice.text.id, "n": n}
        if 0 < n < MIN_CELL:
            row.update(n=None, disembunyikan="kecil")
        rows.append(row)
    return rows


def publications(session: DbSession, unit: Unit) -> list[Publikasi]:
    """Every publication of ``unit``, newest first."""
    query = select(Publikasi).where(Publikasi.unit_id == unit.id)
    return list(session.scalars(query.order_by(Publikasi.dibuat.desc(), Publikasi.id.desc())))


def current(publications_: list[Publikasi]) -> list[Publikasi]:
    """The newest publication of each period: the ones the public page shows (a withdrawn
    one as its notice)."""
    seen: set[str] = set()
    out = []
    for publication in publications_:
        if publication.label not in seen:
            seen.add(publication.label)
            out.append(publication)
    return out


def latest_below(session: DbSession, unit: Unit) -> list[tuple[Unit, Publikasi | None]]:
    """Every unit below ``unit`` with its newest publication (None when it has published
    nothing), by name: the parent's public list of its units' results."""
    ids = subtree_ids(session, unit.id) - {unit.id}
    units = list(session.scalars(select(Unit).where(Unit.id.in_(ids)).order_by(Unit.nama)))
    newest: dict[int, Publikasi] = {}
    rows = session.scalars(
        select(Publikasi)
        .where(Publikasi.unit_id.in_(ids), Publikasi.ditarik.is_(None))
        .order_by(Publikasi.sampai.desc(), Publikasi.dibuat.desc(), Publikasi.id.desc())
    )
    for publication in rows:
        newest.setdefault(publication.unit_id, publication)
    return [(u, newest.get(u.id)) for u in units]
