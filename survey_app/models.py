"""The data model. Invariants are database constraints, not only Python checks.

Respondents are anonymous: a submission holds no name, NIK, phone number or IP address.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, time

from flask_login import UserMixin
from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    DateTime,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    LargeBinary,
    SmallInteger,
    String,
    Text,
    Time,
    UniqueConstraint,
    text,
)
from sqlalchemy import false as sa_false
from sqlalchemy import true as sa_true
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

from survey_app.extensions import Base

UNIT_KINDS = ("kementerian", "eselon1", "kanwil", "upt")
ZONES = ("Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura")
# the free texts of the SKM report staff may write over their defaults (REGULATION §8)
LAPORAN_BAGIAN = ("pengantar", "latar_belakang", "tim", "kesimpulan")


# printed on ticket slips and typed by hand: no look-alikes (0/O, 1/I/L), upper case only
TICKET_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
TICKET_LENGTH = 20  # 31**20, about 99 bits: as hard to guess as the 96 bits before


def ticket_token() -> str:
    """A one-time ticket's code: 20 characters of :data:`TICKET_ALPHABET`."""
    return "".join(secrets.choice(TICKET_ALPHABET) for _ in range(TICKET_LENGTH))


MINIMUM_RULES = ("tetap", "sampel")  # REGULATION §3: the unit's minimum rule
SAMPLE_FORMULAS = ("krejcie_morgan", "slovin")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class UtcDateTime(TypeDecorator[datetime]):
    """An aware UTC datetime on every database (SQLite drops the zone; this puts it back)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("store aware datetimes only")
        return None if value is None else value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Unit(Base):
    """A work unit: Kementerian > Eselon I / Kanwil > UPT (Lapas, Rutan, Kantor Imigrasi)."""

    __tablename__ = "unit"
    __table_args__ = (
        CheckConstraint(_in("jenis", UNIT_KINDS), name="jenis"),
        CheckConstraint(_in("timezone", ZONES), name="timezone"),
        CheckConstraint("jam_buka < jam_tutup", name="jam_layanan"),
        CheckConstraint(_in("aturan_minimal", MINIMUM_RULES), name="aturan_minimal"),
        CheckConstraint(_in("rumus_sampel", SAMPLE_FORMULAS), name="rumus_sampel"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kode: Mapped[str] = mapped_column(String(32), unique=True)
    nama: Mapped[str] = mapped_column(String(200))
    jenis: Mapped[str] = mapped_column(String(20))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)
    timezone: Mapped[str] = mapped_column(String(32), default="Asia/Jakarta")
    jam_buka: Mapped[time] = mapped_column(Time, default=time(8, 0))
    jam_tutup: Mapped[time] = mapped_column(Time, default=time(16, 0))
    # the unit's logo for posters and images: a PNG the app re-encoded itself (at most 600 px)
    logo: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    kota: Mapped[str | None] = mapped_column(String(100))
    alamat: Mapped[str | None] = mapped_column(String(300))
    # the head of the unit and their NIP, for the signature of reports
    kepala: Mapped[str | None] = mapped_column(String(200))
    nip_kepala: Mapped[str | None] = mapped_column(String(18))
    # a closed unit keeps its data and figures; its forms take no new answers
    aktif: Mapped[bool] = mapped_column(default=True, server_default=sa_true())
    # the form asks "Apa yang perlu diperbaiki?" beside an answer of 1 or 2 (REGULATION §8)
    tanya_alasan: Mapped[bool] = mapped_column(default=True, server_default=sa_true())
    # the unit's own complaint channel (WBS/pengaduan), shown after a respondent has answered
    tautan_pengaduan: Mapped[str | None] = mapped_column(String(300))
    # the monthly minimum (REGULATION §3): ``tetap`` 30/15, or ``sampel`` from people served by
    # ``rumus_sampel``; it alone decides "memenuhi"
    aturan_minimal: Mapped[str] = mapped_column(String(10), default="tetap", server_default="tetap")
    rumus_sampel: Mapped[str] = mapped_column(
        String(20), default="krejcie_morgan", server_default="krejcie_morgan"
    )
    # the unit's kiosks show simple faces beside the instrument's labels (issue 21.3)
    kiosk_wajah: Mapped[bool] = mapped_column(default=False, server_default=sa_false())

    parent: Mapped[Unit | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[Unit]] = relationship(back_populates="parent", order_by="Unit.nama")
    layanan: Mapped[list[Layanan]] = relationship(back_populates="unit", order_by="Layanan.kode")


class Layanan(Base):
    """A service of a unit, with the public token its QR code links to."""

    __tablename__ = "layanan"
    __table_args__ = (UniqueConstraint("unit_id", "kode", name="uq_layanan_unit_kode"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    kode: Mapped[str] = mapped_column(String(20))
    nama: Mapped[str] = mapped_column(String(200))
    kebutuhan_utama: Mapped[bool] = mapped_column(default=False)
    aktif: Mapped[bool] = mapped_column(default=True)
    token: Mapped[str] = mapped_column(
        String(32), unique=True, default=lambda: secrets.token_urlsafe(16)
    )
    # the unit's questionnaire variant its form shows (newest version); NULL: the shipped base
    kuesioner_varian_id: Mapped[int | None] = mapped_column(ForeignKey("kuesioner_varian.id"))

    unit: Mapped[Unit] = relationship(back_populates="layanan")
    varian: Mapped[KuesionerVarian | None] = relationship()
    instrumen: Mapped[list[LayananInstrumen]] = relationship(
        cascade="all, delete-orphan", order_by="LayananInstrumen.urutan"
    )
    masa: Mapped[list[MasaLayanan]] = relationship(
        cascade="all, delete-orphan", order_by="MasaLayanan.dari"
    )

    @property
    def instrument_ids(self) -> list[str]:
        return [link.instrument_id for link in self.instrumen]


class MasaLayanan(Base):
    """A span of months in which a layanan was open (REGULATION §3): from the month it was
    opened to the month it was closed, both included; ``sampai`` is NULL while it is open.
    Closing ends a span and reopening starts one, so no past month is ever rewritten."""

    __tablename__ = "layanan_masa"
    __table_args__ = (
        CheckConstraint("dari LIKE '____-__'", name="dari"),
        CheckConstraint(
            "sampai IS NULL OR (sampai LIKE '____-__' AND dari <= sampai)", name="sampai"
        ),
        UniqueConstraint("layanan_id", "dari", name="uq_layanan_masa_layanan_dari"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    layanan_id: Mapped[int] = mapped_column(ForeignKey("layanan.id"), index=True)
    dari: Mapped[str] = mapped_column(String(7))
    sampai: Mapped[str | None] = mapped_column(String(7))


class LayananInstrumen(Base):
    """Which instruments the form of a layanan carries, in order."""

    __tablename__ = "layanan_instrumen"

    layanan_id: Mapped[int] = mapped_column(ForeignKey("layanan.id"), primary_key=True)
    instrument_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    urutan: Mapped[int] = mapped_column(SmallInteger, default=0)


# How a submission came in: the public form, a responses file (web upload or ``zisurvey
# import``), or a paired kiosk tablet on the counter
CHANNELS = ("form", "unggahan", "kiosk")


class Submission(Base):
    """One respondent's answers to one service encounter. Never edited.

    An uploaded row with an ``id`` has the key ``import:<unit>:<id>``; one without has its
    fingerprint ``sidik:<sha256>`` of layanan, time and answers (``services.collection.imports``),
    so the same rows uploaded again add nothing either way.
    """

    __tablename__ = "submission"
    __table_args__ = (
        CheckConstraint("period LIKE '____-__'", name="period"),
        CheckConstraint("jenis_kelamin IN ('L', 'P')", name="jenis_kelamin"),
        CheckConstraint(_in("source", CHANNELS), name="source"),
        CheckConstraint("durasi IS NULL OR durasi >= 0", name="durasi"),
        Index("ix_submission_layanan_period", "layanan_id", "period"),
        # the newest saran of a period (dashboards): only the rows that carry one
        Index(
            "ix_submission_saran",
            "layanan_id",
            "period",
            postgresql_where=text("saran IS NOT NULL"),
            sqlite_where=text("saran IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    layanan_id: Mapped[int] = mapped_column(ForeignKey("layanan.id"))
    submitted_at: Mapped[datetime] = mapped_column(UtcDateTime())
    period: Mapped[str] = mapped_column(String(7))
    idempotency_key: Mapped[str] = mapped_column(String(80), unique=True)
    source: Mapped[str] = mapped_column(String(10), default="form")  # CHANNELS
    umur: Mapped[str | None] = mapped_column(String(10))
    jenis_kelamin: Mapped[str | None] = mapped_column(String(1))
    pendidikan: Mapped[str | None] = mapped_column(String(20))
    pekerjaan: Mapped[str | None] = mapped_column(String(30))
    saran: Mapped[str | None] = mapped_column(Text)
    # Integrity: a salted hash of the source that rotates daily (never the IP itself), the
    # seconds from rendering the form to sending it, and the one-time ticket it came through.
    sumber: Mapped[str | None] = mapped_column(String(16), index=True)
    durasi: Mapped[int | None]
    tiket_id: Mapped[int | None] = mapped_column(ForeignKey("tiket.id"), unique=True)
    # a kiosk's answer: the pairing it came through, and whether it reached the server late
    # (kept on the device while offline; ``submitted_at`` is then the device's recorded time)
    kiosk_id: Mapped[int | None] = mapped_column(ForeignKey("kiosk.id"), index=True)
    terlambat: Mapped[bool] = mapped_column(default=False, server_default=sa_false())
    # the questionnaire variant version it was given under (issue 22); NULL: the shipped base
    kuesioner_versi_id: Mapped[int | None] = mapped_column(
        ForeignKey("kuesioner_versi.id"), index=True
    )
    # the kiosk's own clock when it recorded the answer: the minimum gap between two answers
    # of one kiosk is measured on it, so answers kept offline and sent together all count
    kiosk_dicatat: Mapped[datetime | None] = mapped_column(UtcDateTime())

    layanan: Mapped[Layanan] = relationship()
    tiket: Mapped[Tiket | None] = relationship()
    tinjauan: Mapped[Tinjauan | None] = relationship(back_populates="submission")
    answers: Mapped[list[Answer]] = relationship(
        cascade="all, delete-orphan", order_by="Answer.item_code"
    )
    tambahan: Mapped[list[JawabanTambahan]] = relationship(
        cascade="all, delete-orphan", order_by="JawabanTambahan.kode"
    )


class Answer(Base):
    """One answer, with the instrument version and scale it was given under. A sub-question of
    a variant's item is stored as its own answer under ``<item>.<j>/<k>`` (``U3.1/2``; see
    :mod:`analysis.kuesioner`), so the rollup's tallies stay whole numbers."""

    __tablename__ = "answer"
    __table_args__ = (
        CheckConstraint("scale BETWEEN 2 AND 10", name="scale"),
        CheckConstraint("value BETWEEN 1 AND scale", name="value"),
    )

    submission_id: Mapped[int] = mapped_column(ForeignKey("submission.id"), primary_key=True)
    item_code: Mapped[str] = mapped_column(String(8), primary_key=True)
    instrument_id: Mapped[str] = mapped_column(String(32))
    instrument_version: Mapped[str] = mapped_column(String(16))
    scale: Mapped[int] = mapped_column(SmallInteger)
    value: Mapped[int] = mapped_column(SmallInteger)


class AlasanJawaban(Base):
    """What a respondent who answered 1 or 2 said should improve (REGULATION §8): optional,
    never edited, never published, never in an index; it leaves with its submission's
    exclusion like every other figure."""

    __tablename__ = "alasan_jawaban"
    __table_args__ = (
        ForeignKeyConstraint(
            ["submission_id", "item_code"],
            ["answer.submission_id", "answer.item_code"],
            name="fk_alasan_jawaban_answer",
        ),
    )

    submission_id: Mapped[int] = mapped_column(primary_key=True)
    item_code: Mapped[str] = mapped_column(String(8), primary_key=True)
    teks: Mapped[str] = mapped_column(String(300))


class KuesionerVarian(Base):
    """A unit's questionnaire variant (issue 22, docs/kuesioner.md): a name and the
    instruments it adapts; its content lives in immutable versions."""

    __tablename__ = "kuesioner_varian"
    __table_args__ = (UniqueConstraint("unit_id", "nama", name="uq_kuesioner_varian_unit_nama"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    nama: Mapped[str] = mapped_column(String(80))
    instrumen: Mapped[str] = mapped_column(String(100))  # base instrument ids, comma separated
    dibuat: Mapped[datetime] = mapped_column(UtcDateTime())

    unit: Mapped[Unit] = relationship()
    versi: Mapped[list[KuesionerVersi]] = relationship(
        order_by="KuesionerVersi.nomor", back_populates="varian"
    )


class KuesionerVersi(Base):
    """One version of a variant: its content as :func:`instruments.variant.content` writes it.
    Never changed: an edit or an import adds the next version, and the answers given under
    this one keep pointing to it."""

    __tablename__ = "kuesioner_versi"
    __table_args__ = (
        UniqueConstraint("varian_id", "nomor", name="uq_kuesioner_versi_varian_nomor"),
        CheckConstraint("nomor >= 1", name="nomor"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    varian_id: Mapped[int] = mapped_column(ForeignKey("kuesioner_varian.id"), index=True)
    nomor: Mapped[int]
    isi: Mapped[dict] = mapped_column(JSON)
    dibuat: Mapped[datetime] = mapped_column(UtcDateTime())
    dibuat_oleh: Mapped[int | None] = mapped_column(ForeignKey("pengguna.id"))

    varian: Mapped[KuesionerVarian] = relationship(back_populates="versi")


class JawabanTambahan(Base):
    """An answer to a variant's extra question: never scored, so never in ``answer``. A short
    text is cleaned and at most 200 characters, for staff only."""

    __tablename__ = "jawaban_tambahan"

    submission_id: Mapped[int] = mapped_column(ForeignKey("submission.id"), primary_key=True)
    kode: Mapped[str] = mapped_column(String(32), primary_key=True)
    nilai: Mapped[str] = mapped_column(String(200))


ROLES = ("admin", "unit_admin", "viewer", "petugas")


class Pengguna(UserMixin, Base):
    """A staff account: the central admin, or a unit admin, viewer or petugas loket scoped to a
    unit (and, except the petugas, the units below it)."""

    __tablename__ = "pengguna"
    __table_args__ = (
        CheckConstraint(_in("role", ROLES), name="role"),
        CheckConstraint("role = 'admin' OR unit_id IS NOT NULL", name="unit_for_role"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)
    aktif: Mapped[bool] = mapped_column(default=True)
    # an address for password-reset links and the weekly digest (optional)
    email: Mapped[str | None] = mapped_column(String(254))
    # bumped by sign-out, a password change or reset, deactivation and a role or unit change:
    # a session cookie carrying an older version is no longer signed in
    sesi_versi: Mapped[int] = mapped_column(default=0, server_default="0")
    dibuat: Mapped[datetime | None] = mapped_column(UtcDateTime())
    terakhir_masuk: Mapped[datetime | None] = mapped_column(UtcDateTime())

    unit: Mapped[Unit | None] = relationship()

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive accounts
        return self.aktif

    def get_id(self) -> str:
        """The id Flask-Login keeps in the session cookie: ``"<id>:<session version>"``."""
        return f"{self.id}:{self.sesi_versi}"


class PercobaanMasuk(Base):
    """Failed sign-ins counted under one key: ``akun:<hash of the username typed>`` (whether or
    not the account exists) or ``sumber:<salted source hash>``. Counted atomically; after
    enough failures each further attempt waits until ``tunggu_sampai``."""

    __tablename__ = "percobaan_masuk"
    __table_args__ = (CheckConstraint("gagal >= 0", name="gagal"),)

    kunci: Mapped[str] = mapped_column(String(80), primary_key=True)
    gagal: Mapped[int] = mapped_column(default=0)
    terakhir: Mapped[datetime] = mapped_column(UtcDateTime())
    tunggu_sampai: Mapped[datetime | None] = mapped_column(UtcDateTime())


class ResetSandi(Base):
    """A one-time password-reset link: only the SHA-256 of its token is stored."""

    __tablename__ = "reset_sandi"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    pengguna_id: Mapped[int] = mapped_column(ForeignKey("pengguna.id"), index=True)
    dibuat: Mapped[datetime] = mapped_column(UtcDateTime())
    berlaku_sampai: Mapped[datetime] = mapped_column(UtcDateTime())
    dipakai: Mapped[datetime | None] = mapped_column(UtcDateTime())
    pembuat_id: Mapped[int | None] = mapped_column(ForeignKey("pengguna.id"))

    pengguna: Mapped[Pengguna] = relationship(foreign_keys=[pengguna_id])


class Dilayani(Base):
    """People served by a layanan in a month, entered by staff (for the Krejcie-Morgan target)."""

    __tablename__ = "layanan_dilayani"
    __table_args__ = (
        CheckConstraint("jumlah >= 0", name="jumlah"),
        CheckConstraint("period LIKE '____-__'", name="period"),
    )

    layanan_id: Mapped[int] = mapped_column(ForeignKey("layanan.id"), primary_key=True)
    period: Mapped[str] = mapped_column(String(7), primary_key=True)
    jumlah: Mapped[int]


class AuditLog(Base):
    """Who changed what, when, with the values before and after."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime())
    pengguna_id: Mapped[int | None] = mapped_column(ForeignKey("pengguna.id"), index=True)
    action: Mapped[str] = mapped_column(String(40))
    entity: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[str] = mapped_column(String(40))
    before: Mapped[dict | None] = mapped_column(JSON)
    after: Mapped[dict | None] = mapped_column(JSON)

    pengguna: Mapped[Pengguna | None] = relationship()

    @property
    def changed(self) -> list[str]:
        """The fields whose value differs between before and after."""
        before, after = self.before or {}, self.after or {}
        return sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))


class Evaluasi(Base):
    """A unit's ZI self-assessment for one year: the LKE figures staff enter, and the survey
    months whose pooled answers give IPAK and IPKP."""

    __tablename__ = "evaluasi"
    __table_args__ = (
        UniqueConstraint("unit_id", "tahun", name="uq_evaluasi_unit_tahun"),
        CheckConstraint("survei_dari <= survei_sampai", name="survei_periode"),
        CheckConstraint("tahun BETWEEN 2014 AND 2100", name="tahun"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    tahun: Mapped[int]
    profile: Mapped[str] = mapped_column(String(40))
    survei_dari: Mapped[str] = mapped_column(String(7))
    survei_sampai: Mapped[str] = mapped_column(String(7))
    # {area: {"pemenuhan": "3.50", "reform": "2.75"}}: decimals as text, read exactly
    pengungkit: Mapped[dict] = mapped_column(JSON)
    capaian_kinerja: Mapped[str | None] = mapped_column(String(10))
    tlhp: Mapped[str | None] = mapped_column(String(10))
    predikat_wbk: Mapped[bool] = mapped_column(default=False)

    unit: Mapped[Unit] = relationship()


TL_STATUS = ("rencana", "berjalan", "selesai")


class TindakLanjut(Base):
    """One entry of a unit's follow-up register for a period (REGULATION §8): the prioritised
    unsur, the program, when, who is responsible (a role, not a person's details), its status,
    what was done, and its evidence files."""

    __tablename__ = "tindak_lanjut"
    __table_args__ = (
        CheckConstraint(_in("status", TL_STATUS), name="status"),
        CheckConstraint("dari <= sampai", name="periode"),
        Index("ix_tindak_lanjut_unit_periode", "unit_id", "dari", "sampai"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    dari: Mapped[str] = mapped_column(String(7))  # the period followed up, first month ...
    sampai: Mapped[str] = mapped_column(String(7))  # ... and last month
    instrument_id: Mapped[str] = mapped_column(String(32))
    unsur: Mapped[str] = mapped_column(String(8))  # the item code, e.g. U3
    program: Mapped[str] = mapped_column(String(500))
    waktu: Mapped[str] = mapped_column(String(10))  # YYYY-MM or YYYY-MM-DD
    penanggung_jawab: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(10), default="rencana")
    hasil: Mapped[str | None] = mapped_column(Text)  # what was done
    dibuat: Mapped[datetime] = mapped_column(UtcDateTime())
    diubah: Mapped[datetime] = mapped_column(UtcDateTime())

    unit: Mapped[Unit] = relationship()
    bukti: Mapped[list[BuktiTindakLanjut]] = relationship(
        cascade="all, delete-orphan", order_by="BuktiTindakLanjut.id"
    )


class BuktiTindakLanjut(Base):
    """An evidence file of a follow-up entry: a photo the app re-encoded as PNG, or a PDF."""

    __tablename__ = "bukti_tindak_lanjut"
    __table_args__ = (CheckConstraint("ukuran > 0", name="ukuran"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tindak_lanjut_id: Mapped[int] = mapped_column(ForeignKey("tindak_lanjut.id"), index=True)
    nama: Mapped[str] = mapped_column(String(200))  # a safe file name, shown and downloaded
    jenis: Mapped[str] = mapped_column(String(40))  # image/png or application/pdf
    ukuran: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    isi: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    dibuat: Mapped[datetime] = mapped_column(UtcDateTime())


class LaporanTeks(Base):
    """A free text of a unit's SKM report for one period (REGULATION §8): kata pengantar,
    latar belakang, tim pelaksana or kesimpulan, as staff wrote it over the default."""

    __tablename__ = "laporan_teks"
    __table_args__ = (
        CheckConstraint("dari <= sampai", name="periode"),
        CheckConstraint(_in("bagian", LAPORAN_BAGIAN), name="bagian"),
        UniqueConstraint("unit_id", "dari", "sampai", "bagian", name="uq_laporan_teks"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    dari: Mapped[str] = mapped_column(String(7))
    sampai: Mapped[str] = mapped_column(String(7))
    bagian: Mapped[str] = mapped_column(String(20))
    teks: Mapped[str] = mapped_column(Text)
    diubah: Mapped[datetime] = mapped_column(UtcDateTime())


class Publikasi(Base):
    """A published result: a frozen snapshot that later answers or exclusions never change.

    A newer publication of the same period supersedes it on the public page; both stay on
    record in the unit's list of publications.
    """

    __tablename__ = "publikasi"
    __table_args__ = (CheckConstraint("dari <= sampai", name="periode"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    label: Mapped[str] = mapped_column(String(20))
    dari: Mapped[str] = mapped_column(String(7))
    sampai: Mapped[str] = mapped_column(String(7))
    dibuat: Mapped[datetime] = mapped_column(UtcDateTime())
    pengguna_id: Mapped[int | None] = mapped_column(ForeignKey("pengguna.id"))
    data: Mapped[dict] = mapped_column(JSON)
    # withdrawn (ditarik): the public page says when and why, its files answer 410; the
    # snapshot stays on record
    ditarik: Mapped[datetime | None] = mapped_column(UtcDateTime())
    alasan_tarik: Mapped[str | None] = mapped_column(String(500))
    ditarik_oleh: Mapped[int | None] = mapped_column(ForeignKey("pengguna.id"))

    unit: Mapped[Unit] = relationship()


class Tiket(Base):
    """A one-time survey link for one service encounter (a queue ticket, a receipt).

    Its first submission is accepted; ``Submission.tiket_id`` is UNIQUE, so a second can never
    be stored, whatever the race.
    """

    __tablename__ = "tiket"

    id: Mapped[int] = mapped_column(primary_key=True)
    layanan_id: Mapped[int] = mapped_column(ForeignKey("layanan.id"), index=True)
    token: Mapped[str] = mapped_column(String(32), unique=True, default=lambda: ticket_token())
    dibuat: Mapped[datetime] = mapped_column(UtcDateTime())

    layanan: Mapped[Layanan] = relationship()


class Kiosk(Base):
    """A browser paired with one layanan as a kiosk on the counter (issue 21.3).

    Staff make a one-time pairing code (only its SHA-256 is kept, valid for minutes); the
    tablet that types it gets a long random device secret, of which again only the SHA-256 is
    kept, and the code is gone. Revoking ends the pairing; its answers stay.
    """

    __tablename__ = "kiosk"
    __table_args__ = (
        CheckConstraint("kode_hash IS NULL OR rahasia_hash IS NULL", name="kode_atau_rahasia"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    layanan_id: Mapped[int] = mapped_column(ForeignKey("layanan.id"), index=True)
    kode_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    kode_berlaku_sampai: Mapped[datetime] = mapped_column(UtcDateTime())
    rahasia_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    dibuat: Mapped[datetime] = mapped_column(UtcDateTime())
    dibuat_oleh: Mapped[int | None] = mapped_column(ForeignKey("pengguna.id"))
    dipasang: Mapped[datetime | None] = mapped_column(UtcDateTime())
    dicabut: Mapped[datetime | None] = mapped_column(UtcDateTime())
    dicabut_oleh: Mapped[int | None] = mapped_column(ForeignKey("pengguna.id"))
    # answers refused for good (too old, before the pairing, a clock ahead): counted, with the
    # last time and reason, so staff see a tablet whose clock or queue needs looking at
    ditolak: Mapped[int] = mapped_column(default=0, server_default="0")
    ditolak_terakhir: Mapped[datetime | None] = mapped_column(UtcDateTime())
    ditolak_alasan: Mapped[str | None] = mapped_column(String(200))

    layanan: Mapped[Layanan] = relationship()


REVIEW_DECISIONS = ("kecualikan", "pertahankan")
REVIEW_REASONS = ("beruntun", "identik", "cepat", "luar_jam", "seragam", "pengarahan", "lainnya")


class Tinjauan(Base):
    """A staff decision on one submission: exclude it from every figure, or keep it.

    The answers are never edited or deleted; a decision can be reversed, and every change is in
    the audit log.
    """

    __tablename__ = "tinjauan"
    __table_args__ = (
        CheckConstraint(_in("keputusan", REVIEW_DECISIONS), name="keputusan"),
        CheckConstraint(_in("alasan", REVIEW_REASONS), name="alasan"),
    )

    submission_id: Mapped[int] = mapped_column(ForeignKey("submission.id"), primary_key=True)
    keputusan: Mapped[str] = mapped_column(String(12))
    alasan: Mapped[str] = mapped_column(String(12))
    catatan: Mapped[str] = mapped_column(String(500))
    pengguna_id: Mapped[int | None] = mapped_column(ForeignKey("pengguna.id"))
    at: Mapped[datetime] = mapped_column(UtcDateTime())

    submission: Mapped[Submission] = relationship(back_populates="tinjauan")


ROLLUP_KINDS = ("kiriman", "responden", "butir", "profil")


class RekapBulanan(Base):
    """The monthly rollup: per layanan and month, the tallies every dashboard reads.

    ``kiriman``: counted submissions (kunci ''); ``responden``: submissions answering an
    instrument (kunci its id); ``butir``: answers to an item and their sum (kunci the item code);
    ``profil``: respondents giving a profile answer (kunci 'key=value'). Derived data, kept in
    the transaction that changes the answers it sums (see ``services.rollup``); never backed up.
    """

    __tablename__ = "rekap_bulanan"
    __table_args__ = (
        CheckConstraint(_in("jenis", ROLLUP_KINDS), name="jenis"),
        CheckConstraint("n >= 0 AND jumlah >= 0", name="tidak_negatif"),
        CheckConstraint("period LIKE '____-__'", name="period"),
    )

    layanan_id: Mapped[int] = mapped_column(ForeignKey("layanan.id"), primary_key=True)
    period: Mapped[str] = mapped_column(String(7), primary_key=True)
    jenis: Mapped[str] = mapped_column(String(10), primary_key=True)
    kunci: Mapped[str] = mapped_column(String(48), primary_key=True)
    n: Mapped[int]
    jumlah: Mapped[int] = mapped_column(default=0)


class RekapVersi(Base):
    """A settled month's version: a new random number each time the rollup of a month changes
    after the month ended (UTC), in the transaction of the change (``services.rollup``).

    A dashboard keeps a settled month's sums over a whole subtree in memory while this number
    is unchanged (``services.reporting.settled``); no row reads as version 0. Derived data,
    never backed up (a restore rebuilds the rollup, which gives every month a new number).
    """

    __tablename__ = "rekap_versi"
    __table_args__ = (CheckConstraint("period LIKE '____-__'", name="period"),)

    period: Mapped[str] = mapped_column(String(7), primary_key=True)
    versi: Mapped[int] = mapped_column(BigInteger)


class PemetaanUnggahan(Base):
    """A unit's confirmed mapping of a spreadsheet export onto the responses format (issue 18.3).

    ``isi`` is the mapping as INTERCHANGE.md writes it (``kolom``, ``waktu``, ``layanan``,
    ``jawaban``, ``abaikan``, ...): source headers and layanan values only, never a respondent's
    answer. Saved when a person confirms it on the mapping screen, offered for the next upload.
    """

    __tablename__ = "pemetaan_unggahan"
    __table_args__ = (UniqueConstraint("unit_id", "nama", name="uq_pemetaan_unggahan_unit_nama"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    nama: Mapped[str] = mapped_column(String(80))
    isi: Mapped[dict] = mapped_column(JSON)
    dibuat: Mapped[datetime] = mapped_column(UtcDateTime())
    diubah: Mapped[datetime] = mapped_column(UtcDateTime())
    pengguna_id: Mapped[int | None] = mapped_column(ForeignKey("pengguna.id"))

    unit: Mapped[Unit] = relationship()
    pengguna: Mapped[Pengguna | None] = relationship()
