"""Readable Indonesian tables for the command line (decimal comma, as the reports print)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from analysis.lke import Assessment
from analysis.sample import Compliance
from analysis.scoring import IndexResult
from instruments import Instrument


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
