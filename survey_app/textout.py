"""Readable Indonesian tables for the command line (decimal comma, as the reports print)."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from analysis.mapping import FIELD_NAMES, guess_waktu, propose

if TYPE_CHECKING:  # the command line imports these only when a command needs them
    import pandas as pd

    from analysis.lke import Assessment
    from analysis.sample import Compliance
    from analysis.scoring import IndexResult
    from analysis.tables import Table
    from instruments import Instrument, ProfileQuestion


def koma(value: Decimal | float | None, places: int = 2) -> str:
    """87.55 -> '87,55'; None -> '-'."""
    if value is None:
        return "-"
    return f"{Decimal(str(value)):,.{places}f}".replace(",", " ").replace(".", ",")


def score_table(instrument: Instrument, result: IndexResult, stats: dict[str, Any] | None) -> str:
    lines = [f"{instrument.title.id} ({instrument.index}), n = {result.n}"]
    if result.n == 0:
        return lines[0] + "\nBelum ada responden untuk pilihan ini."
    lines.append(f"{'Kode':<5} {'Unsur/indikator':<42} {'n':>5} {'NRR':>7} {'Mutu':>4}")
    for item in result.items:
        dimension = instrument.item(item.code).dimension.id[:42]
        mutu = item.mutu.mutu if item.mutu else "-"
        lines.append(
            f"{item.code:<5} {dimension:<42} {item.n:>5} {koma(item.nrr_rounded, 4):>7} {mutu:>4}"
        )
    mutu = result.mutu
    lines += [
        f"Indeks {instrument.index}: {koma(result.indeks, 4)}",
        f"Nilai {instrument.index}: {koma(result.nilai)}"
        + (f"  Mutu {mutu.mutu} ({mutu.kinerja})" if mutu else ""),
    ]
    if result.missing_items:
        lines.append(f"Peringatan: tidak ada jawaban untuk {', '.join(result.missing_items)}")
    if stats:
        low, high = stats["ci95_nilai"]
        lines.append(f"Interval kepercayaan 95% nilai: {koma(low)} - {koma(high)}")
        lines.append(f"Alfa Cronbach: {koma(stats['cronbach_alpha'], 3)}")
        lines += [f"Peringatan: {w}" for w in stats["peringatan"]]
    return "\n".join(lines)


def compliance_table(result: Compliance) -> str:
    lines = [
        f"Jumlah minimal responden, bulan {result.period}",
        f"{'Layanan':<12} {'Utama':<6} {'n':>5} {'Minimal':>8}  Status",
    ]
    for s in result.layanan:
        status = "memenuhi" if s.memenuhi else f"KURANG {s.kurang}"
        lines.append(
            f"{s.kode:<12} {'ya' if s.kebutuhan_utama else 'tidak':<6} {s.n:>5} "
            f"{s.minimum:>8}  {status}"
        )
    verdict = (
        "MEMENUHI"
        if result.memenuhi
        else (f"TIDAK MEMENUHI ({len(result.short)} layanan di bawah minimal)")
    )
    lines.append(f"Bulan ini: {verdict}")
    return "\n".join(lines)


def assessment_table(result: Assessment) -> str:
    profile = result.profile
    lines = [f"Profil: {profile.title}"]
    for key in [
        "pengungkit",
        *[c.key for c in profile.hasil],
        *[k for k, _, _ in profile.subtotal],
        "hasil",
        "total",
    ]:
        lines.append(f"  {profile.label(key):<48} {koma(result.rounded(key)):>7}")
    for predikat in profile.predikat:
        verdict = result.verdict(predikat)
        lines.append(f"{predikat.upper()}: {'MEMENUHI' if verdict.memenuhi else 'TIDAK MEMENUHI'}")
        for f in verdict.gagal:
            if f.selisih is None:
                lines.append(f"  - {profile.label(f.syarat)}: belum")
            else:
                lines.append(
                    f"  - {profile.label(f.syarat)}: {koma(f.nilai)} < {koma(f.minimum)} "
                    f"(kurang {koma(f.selisih)})"
                )
        for key, low in verdict.indeks_minimum.items():
            shown = koma(low, 4) if low is not None else "tidak tercapai dengan indeks ini saja"
            lines.append(f"  Indeks {key.upper()} terendah yang masih lolos: {shown}")
    return "\n".join(lines)


# Header words that name the non-item columns in the exports units have.
def proposal_yaml(
    table: Table, instruments: list[Instrument], profile: tuple[ProfileQuestion, ...], name: str
) -> str:
    """A proposed mapping file for ``table`` (INTERCHANGE.md), commented for a person to check."""
    headers = [str(c).strip() for c in table.frame.columns]
    questions = {
        item.code: (item.question.id, item.dimension.id) for i in instruments for item in i.items
    }
    fields = {key: (key, *names) for key, names in FIELD_NAMES.items()}
    fields |= {q.key: (*fields.get(q.key, ()), q.key, q.label.id, q.label.en) for q in profile}
    kolom, rest = propose(headers, questions, fields)
    quote = lambda text: json.dumps(text, ensure_ascii=False)  # noqa: E731  (valid YAML)
    lines = [
        f"# Usulan pemetaan untuk {name}: periksa setiap baris sebelum dipakai (--mapping).",
        "# Proposed, never applied by itself: each header matched to the closest question text.",
        "kolom:",
        *(f"  {target}: {quote(header)}" for target, header in kolom.items()),
    ]
    missing = [code for code in questions if code not in kolom]
    lines += [f"  # {code}: tidak ditemukan / not found" for code in missing]
    stamps = table.frame[kolom["submitted_at"]] if "submitted_at" in kolom else None
    lines.append(f"waktu: {_waktu(stamps)}")
    answers = [table.frame[kolom[c]] for c in questions if c in kolom]
    numeric = all(a.dropna().astype(str).str.strip().str.fullmatch(r"\d+").all() for a in answers)
    lines.append(f"jawaban: {'angka' if numeric else 'label'}")
    if "layanan" in kolom:
        values = table.frame[kolom["layanan"]].dropna().astype(str).str.strip().unique()[:30]
        lines.append("layanan:  # isi kode layanan untuk setiap nilai / the code of each value")
        lines += [f"  # {quote(value)}: KODE" for value in values]
    lines.append("abaikan:")
    lines += [f"  - {quote(header)}  # tidak cocok / no match" for header in rest]
    if not rest:
        lines[-1] = "abaikan: []"
    return "\n".join(lines)


def _waktu(stamps: pd.Series | None) -> str:
    if stamps is None:
        return "iso  # kolom waktu tidak ditemukan"
    waktu, sure = guess_waktu(stamps)
    if sure or waktu == "iso":
        return waktu
    return "dmy  # periksa: dd/mm/yyyy atau mm/dd/yyyy tidak dapat dibedakan dari isinya"
