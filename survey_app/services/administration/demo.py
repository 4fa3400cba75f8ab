"""Demo data: one Kanwil, two UPT, five layanan and three months of realistic answers."""

from __future__ import annotations

import io
import random
import secrets
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from PIL import Image, ImageDraw
from sqlalchemy import func, select

from analysis.periods import Span, span
from survey_app.models import (
    Dilayani,
    Kiosk,
    Layanan,
    LayananInstrumen,
    MasaLayanan,
    Tiket,
    Unit,
)
from survey_app.services import DbSession
from survey_app.services.administration.accounts import create_user
from survey_app.services.catalogue import Catalogue
from survey_app.services.collection.kiosk import digest
from survey_app.services.collection.submissions import Origin, Response, record_submission
from survey_app.services.followup import register

TZ = "Asia/Makassar"
# (unit kode, layanan kode, nama, kebutuhan utama, instruments, mean answer, monthly respondents)
SERVICES = [
    ("LAPAS-MKS", "KUNJ", "Layanan Kunjungan", True, ("skm", "ipak"), 3.45, (41, 36)),
    ("LAPAS-MKS", "TITIP", "Penitipan Barang", False, ("skm", "ipak"), 3.30, (19, 17)),
    (
        "LAPAS-MKS",
        "INTEG",
        "Layanan Integrasi (PB, CB, CMB)",
        True,
        ("skm", "ipak", "ipkp"),
        3.15,
        (33, 31),
    ),
    ("RUTAN-MKS", "KUNJ", "Layanan Kunjungan", True, ("skm", "ipak"), 3.55, (38, 34)),
    # below its monthly minimum (15) in the last complete month: the dashboard must say so
    ("RUTAN-MKS", "BANKUM", "Bantuan Hukum", False, ("skm", "ipak", "ipkp"), 3.05, (17, 11)),
]


def _units(session: DbSession) -> dict[str, Unit]:
    kanwil = Unit(
        kode="KANWIL-SULSEL",
        nama="Kanwil Ditjenpas Sulawesi Selatan",
        jenis="kanwil",
        timezone=TZ,
        kota="Makassar",
    )
    lapas = Unit(
        kode="LAPAS-MKS",
        nama="Lapas Kelas I Makassar",
        jenis="upt",
        timezone=TZ,
        parent=kanwil,
        jam_buka=time(8),
        jam_tutup=time(15),
        kota="Makassar",
        # a fictitious head of unit for the signature of the demo's reports
        kepala="Andi Pratama, A.Md.IP., S.H., M.H.",
        nip_kepala="197805122000031001",
    )
    rutan = Unit(
        kode="RUTAN-MKS",
        nama="Rutan Kelas I Makassar",
        jenis="upt",
        timezone=TZ,
        parent=kanwil,
        jam_buka=time(8),
        jam_tutup=time(15),
        kota="Makassar",
    )
    session.add_all([kanwil, lapas, rutan])
    return {u.kode: u for u in (kanwil, lapas, rutan)}


def _month_starts(now: datetime, count: int) -> list[datetime]:
    local = now.astimezone(ZoneInfo(TZ))
    start = local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    months = [start]
    for _ in range(count - 1):
        months.insert(0, (months[0] - timedelta(days=1)).replace(day=1))
    return months


def _answer(rng: random.Random, mean: float, item_offset: float) -> int:
    return min(4, max(1, round(rng.gauss(mean + item_offset, 0.55))))


SARAN = [
    "Antrean kunjungan pagi terlalu panjang, mohon ditambah petugas.",
    "Petugas ramah dan membantu. Terima kasih.",
    "Ruang tunggu panas, mohon ditambah kipas angin.",
    "Informasi persyaratan di papan pengumuman kurang jelas.",
    "Pelayanan cepat, pertahankan.",
]
# "Apa yang perlu diperbaiki?" beside a low answer, per SKM unsur (the others share a few)
ALASAN = {
    "U1": "Syarat di papan informasi berbeda dengan yang diminta petugas.",
    "U2": "Alur pendaftaran kunjungan membingungkan, tidak ada petunjuk.",
    "U3": "Menunggu lebih dari satu jam sebelum dipanggil.",
    "U4": "Diminta uang fotokopi yang tidak ada di papan tarif.",
    "U5": "Barang titipan tidak sampai lengkap.",
    "U6": "Petugas belum bisa menjelaskan syarat integrasi.",
    "U7": "Petugas kurang ramah saat antrean ramai.",
    "U8": "Pengaduan lewat kotak saran tidak pernah dijawab.",
    "U9": "Ruang tunggu panas dan kursinya kurang.",
}
ALASAN_LAIN = [
    "Informasi yang diberikan kurang jelas.",
    "Ada yang didahulukan karena kenal petugas.",
    "Prosesnya terlalu lama.",
]
DEMO_PASSWORD = "demo-zisurvey"
DEMO_USERS = [
    ("admin", "admin", None),
    ("kanwil", "unit_admin", "KANWIL-SULSEL"),
    ("lapas", "viewer", "LAPAS-MKS"),
    ("loket", "petugas", "LAPAS-MKS"),
]


def load_demo(
    session: DbSession,
    catalogue: Catalogue,
    now: datetime,
    only_if_empty: bool = True,
    seed: int = 2026,
) -> int:
    """Add the demo units and answers; return how many submissions were added.

    With ``only_if_empty``, nothing is added when the database already has a unit.
    """
    if only_if_empty and session.scalar(select(func.count()).select_from(Unit)):
        return 0
    rng = random.Random(seed)
    reasons_rng = random.Random(seed + 1)  # the answers stay those of the seed
    units = _units(session)
    for username, role, unit_kode in DEMO_USERS:
        create_user(session, username, DEMO_PASSWORD, role, units.get(unit_kode or ""), demo=True)
    months = _month_starts(now, 3)
    kiosk_rng = random.Random(seed + 2)  # which answers came through the kiosk; the rest stays
    added = 0
    for unit_kode, kode, nama, utama, instrument_ids, mean, (full, short) in SERVICES:
        layanan = Layanan(
            unit=units[unit_kode],
            kode=kode,
            nama=nama,
            kebutuhan_utama=utama,
            instrumen=[
                LayananInstrumen(instrument_id=i, urutan=n) for n, i in enumerate(instrument_ids)
            ],
            masa=[MasaLayanan(dari=f"{months[0]:%Y-%m}")],  # open since the first demo month
        )
        session.add(layanan)
        kiosk = _kiosk(session, layanan, months[0]) if kode == "KUNJ" else None
        codes = [c for i in instrument_ids for c in catalogue.instruments[i].codes]
        offsets = {c: rng.uniform(-0.35, 0.25) + (0.35 if c.startswith("AK") else 0) for c in codes}
        for month, count in zip(months, (full, short, full), strict=True):
            for stamp in _stamps(rng, month, count, now):
                answers = {c: _answer(rng, mean, offsets[c]) for c in codes}
                saran = rng.choice(SARAN) if rng.random() < 0.08 else None
                response = Response(
                    answers,
                    _profile(rng, catalogue),
                    saran,
                    f"demo-{unit_kode}-{kode}-{added}",
                    _reasons(reasons_rng, answers),
                )
                tiket = Tiket(layanan=layanan, dibuat=stamp) if rng.random() < 0.2 else None
                origin = Origin(f"{rng.getrandbits(64):016x}", rng.randrange(60, 400), tiket)
                source = "form"
                if kiosk is not None and tiket is None and kiosk_rng.random() < 0.3:
                    origin = Origin(durasi=origin.durasi, kiosk_id=kiosk.id)
                    source = "kiosk"
                record_submission(
                    session, catalogue, layanan, response, stamp, source=source, origin=origin
                )
                added += 1
        if unit_kode == "LAPAS-MKS" and kode == "KUNJ":
            added += _burst(session, catalogue, layanan, codes, months[-2])
        if unit_kode == "LAPAS-MKS" and kode == "INTEG":
            # people served last month: under the rule tetap a sample target shown beside
            session.add(Dilayani(layanan_id=layanan.id, period=f"{months[-2]:%Y-%m}", jumlah=350))
    _register(session, catalogue, units["LAPAS-MKS"], months, now)
    return added


def _kiosk(session: DbSession, layanan: Layanan, since: datetime) -> Kiosk:
    """A tablet on the counter of ``layanan``, paired at ``since``. Its device secret is thrown
    away: the demo shows its answers and status, and staff pair a tablet of their own."""
    kiosk = Kiosk(
        layanan=layanan,
        kode_berlaku_sampai=since,
        rahasia_hash=digest(secrets.token_urlsafe(32)),
        dibuat=since,
        dipasang=since,
    )
    session.add(kiosk)
    session.flush()
    return kiosk


def _triwulan(moment: datetime) -> Span:
    return span("triwulan", moment.year, (moment.month - 1) // 3 + 1)


def _register(
    session: DbSession, catalogue: Catalogue, unit: Unit, months: list[datetime], now: datetime
) -> None:
    """A few tindak lanjut entries: the earlier triwulan's done, the current one's planned."""
    earlier, current = _triwulan(months[0]), _triwulan(months[-1])
    entries = [
        (
            earlier,
            "skm:U9",
            "Menambah kipas angin dan 20 kursi di ruang tunggu kunjungan",
            "selesai",
            "Kepala Subseksi Bimbingan Kemasyarakatan",
            "20 kursi dan 4 kipas angin terpasang; foto terlampir.",
        ),
        (
            current,
            "skm:U3",
            "Memasang papan alur dan waktu layanan kunjungan di loket",
            "berjalan",
            "Kepala Seksi Pelayanan Tahanan",
            "Papan sedang dicetak.",
        ),
        (
            current,
            "skm:U8",
            "Menjawab setiap pengaduan kotak saran dalam 7 hari di papan pengumuman",
            "rencana",
            "Petugas Pengelola Pengaduan",
            "",
        ),
    ]
    if earlier == current:
        entries = entries[1:]
    for period, unsur, program, status, who, hasil in entries:
        typed = register.EntryInput(unsur, program, period.last, who, status, hasil)
        entry = register.add_entry(session, catalogue, unit, period, typed, None, now)
        if status == "selesai":
            register.add_evidence(session, entry, "foto-ruang-tunggu.png", _photo(), None, now)


def _photo() -> bytes:
    """A drawn stand-in for an evidence photo: a waiting room with rows of chairs."""
    image = Image.new("RGB", (640, 400), "#e9e4d8")
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 300, 640, 400), fill="#b9a88c")
    for row in range(2):
        for seat in range(10):
            x, y = 40 + seat * 58, 190 + row * 60
            draw.rectangle((x, y, x + 40, y + 34), fill="#1f5f7a")
    for x in (120, 320, 520):
        draw.ellipse((x - 30, 40, x + 30, 100), outline="#555555", width=4)
    draw.text((20, 370), "Contoh bukti: kursi dan kipas angin ruang tunggu", fill="#222222")
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def _reasons(rng: random.Random, answers: dict[str, int]) -> dict[str, str]:
    """A few respondents who answered 1 or 2 say what should improve."""
    return {
        code: ALASAN.get(code) or rng.choice(ALASAN_LAIN)
        for code, value in answers.items()
        if value <= 2 and rng.random() < 0.2
    }


def _burst(
    session: DbSession, catalogue: Catalogue, layanan: Layanan, codes: list[str], month: datetime
) -> int:
    """Six all-4 answers from one phone within five minutes, 15 s each: for the integrity page."""
    start = month + timedelta(days=9, hours=10)
    sumber = "5ca1ab1e0ddba11a"
    for n in range(6):
        response = Response(dict.fromkeys(codes, 4), {}, None, f"demo-burst-{n}")
        origin = Origin(sumber, 15)
        record_submission(
            session, catalogue, layanan, response, start + timedelta(minutes=n), origin=origin
        )
    return 6


def _stamps(rng: random.Random, month: datetime, count: int, now: datetime) -> list[datetime]:
    """``count`` service-hour instants spread over the month, none after ``now``."""
    following = (month + timedelta(days=32)).replace(day=1)
    days = (min(following, now.astimezone(month.tzinfo)) - month).days
    if days < 1:
        return []
    last_month_day = (following - month).days
    count = round(count * days / last_month_day)  # the running month: its pace so far
    stamps = [
        month + timedelta(days=rng.randrange(days), hours=8 + rng.random() * 7)
        for _ in range(count)
    ]
    return sorted(s for s in stamps if s <= now)


def _profile(rng: random.Random, catalogue: Catalogue) -> dict[str, str]:
    profile = {}
    for question in catalogue.profile:
        if rng.random() < 0.9:  # some respondents skip the optional questions
            profile[question.key] = rng.choice(question.values)
    return profile
