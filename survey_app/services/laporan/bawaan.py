"""The default free texts of the SKM report (REGULATION §8), in the Indonesian of official
documents, written from the unit and the period's figures. Staff may write over each of them
per unit and period (:mod:`survey_app.services.laporan.teks`)."""

from __future__ import annotations

from analysis.exact import angka_id
from analysis.periods import Span, nama_periode
from survey_app.models import Unit
from survey_app.services.catalogue import Catalogue
from survey_app.services.reporting.dashboard import Dashboard


def defaults(unit: Unit, span: Span, data: Dashboard, catalogue: Catalogue) -> dict[str, str]:
    """``{"pengantar": ..., "latar_belakang": ..., "tim": ..., "kesimpulan": ...}``."""
    periode = nama_periode(span)
    collected = [f for f in data.figures if f.result.n]
    others = [f.instrument for f in collected if f.instrument.index != "IKM"]
    also = ""
    if others:
        named = " dan ".join(f"{i.title.id} ({i.index})" for i in others)
        also = f", beserta {named}"
    return {
        "pengantar": (
            "Puji syukur kami panjatkan ke hadirat Tuhan Yang Maha Esa, karena atas rahmat-Nya "
            f"Laporan Survei Kepuasan Masyarakat {unit.nama} {periode} dapat diselesaikan. "
            "Survei dilaksanakan sesuai Peraturan Menteri Pendayagunaan Aparatur Negara dan "
            "Reformasi Birokrasi Nomor 14 Tahun 2017 tentang Pedoman Penyusunan Survei Kepuasan "
            "Masyarakat Unit Penyelenggara Pelayanan Publik, sebagai bahan evaluasi dan "
            "perbaikan pelayanan serta bagian dari pembangunan Zona Integritas menuju Wilayah "
            "Bebas dari Korupsi (WBK) dan Wilayah Birokrasi Bersih dan Melayani (WBBM).\n"
            "Terima kasih kami sampaikan kepada seluruh pengguna layanan yang telah memberikan "
            "penilaian, dan kepada tim pelaksana survei. Saran untuk perbaikan laporan ini kami "
            "terima dengan terbuka."
        ),
        "latar_belakang": (
            "Undang-Undang Nomor 25 Tahun 2009 tentang Pelayanan Publik mewajibkan "
            "penyelenggara pelayanan publik melakukan penilaian kinerja secara berkala, antara "
            "lain melalui survei kepuasan masyarakat. Pembangunan Zona Integritas menempatkan "
            "hasil survei pengguna layanan sebagai salah satu indikator hasil.\n"
            f"Sebagai tindak lanjutnya, {unit.nama} melaksanakan Survei Kepuasan Masyarakat "
            f"(SKM) pada {periode} untuk mengukur Indeks Kepuasan Masyarakat (IKM) atas "
            f"layanan yang diberikan{also}. Hasilnya menjadi dasar perbaikan layanan dan "
            "bukti dukung pembangunan Zona Integritas."
        ),
        "tim": (
            f"Survei dilaksanakan oleh Tim Survei Kepuasan Masyarakat {unit.nama} yang "
            f"ditetapkan dengan Surat Keputusan Kepala {unit.nama}, dengan susunan: "
            f"Penanggung Jawab: Kepala {unit.nama}; Ketua: (jabatan); Sekretaris: (jabatan); "
            "Anggota: (jabatan). Lengkapi susunan ini sesuai Surat Keputusan yang berlaku."
        ),
        "kesimpulan": _conclusion(unit, periode, data),
    }


def _conclusion(unit: Unit, periode: str, data: Dashboard) -> str:
    collected = [f for f in data.figures if f.result.n]
    if not collected:
        return (
            f"Pada {periode} belum ada responden yang dihitung untuk {unit.nama}, sehingga "
            "indeks belum dapat disimpulkan."
        )
    lines = [f"Berdasarkan survei {periode} terhadap {data.respondents} responden:"]
    for f in collected:
        mutu, low, high = f.result.mutu, f.result.terendah, f.result.tertinggi
        line = (
            f"- Nilai {f.instrument.index} {unit.nama} sebesar {angka_id(f.result.nilai)}, "
            f"mutu {mutu.mutu if mutu else '-'} ({mutu.kinerja if mutu else '-'})"
        )
        if low is not None and high is not None:
            word = "unsur" if f.instrument.index == "IKM" else "indikator"
            line += (
                f"; {word} terendah {low.code} {f.instrument.item(low.code).dimension.id} "
                f"(NRR {angka_id(low.nrr_rounded, 4)}), tertinggi {high.code} "
                f"{f.instrument.item(high.code).dimension.id} "
                f"(NRR {angka_id(high.nrr_rounded, 4)})"
            )
        lines.append(line + ".")
    lines.append(
        "Rencana tindak lanjut atas hasil ini tercantum dalam Bab IV, dimulai dari unsur "
        "dengan nilai terendah, dan pelaksanaannya dilaporkan pada periode berikutnya."
    )
    return "\n".join(lines)
