"""The weekly digest of a unit admin (ringkasan mingguan): for every unit in their scope, each
layanan's pace against its monthly minimum, the months below it, the unsur that dropped, new
integrity flags and publications due, as short plain Indonesian text.

:func:`gather` reads the figures through the reporting services and :func:`compose` writes the
mail from that data alone (a pure function; no database, no clock). What the digest says:

* **Scope**: the admin's unit and every active unit below it that has active layanan of its
  own; the admin's unit first, then by name. Each unit's months and days are in its own zone.
* **Pace** (the running month, "berjalan", REGULATION.md §3): per active layanan the
  respondents so far against its minimum (the Krejcie-Morgan target when people served are
  known) and the projection to the end of the month at the pace so far, both as the dashboard
  computes them (:func:`survey_app.services.reporting.dashboard.build`).
* **Months below the minimum**: the ended months of this calendar year, from the unit's first
  month with any answer on (the model keeps no opening date of a layanan, and §3 does not judge
  months before a unit's first open service), with each short layanan and its gap.
* **Unsur that dropped**: per instrument, the items whose NRR (scale 1-4, pooled over the unit's
  own layanan, rounded to 2 decimals) is lower in the running month than in the month before,
  when both months have answers to the item. Rounded first, so a listed drop always shows in the
  two numbers printed; the respondents of both months are printed too (an early-month figure
  rests on few answers).
* **Integrity flags**: submissions sent in the 7 days before now that carry a flag
  (:mod:`analysis.integrity`, §7), per flag, and how many have no review decision yet.
* **Publications due** (§6): each month and triwulan that ended within the 12 months before the
  running month, had counted answers, and is covered by no publication of the unit (one whose
  dari..sampai holds all its months: a published triwulan covers its three months).
"""

from __future__ import annotations

import calendar
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from email.message import EmailMessage

from babel.dates import format_date
from sqlalchemy import func, select

from analysis.exact import round_half_up
from analysis.integrity import FLAGS
from analysis.periods import ZONES, Span, period_of, span, zone
from survey_app.models import Layanan, Pengguna, Publikasi, RekapBulanan, Unit
from survey_app.services import DbSession
from survey_app.services.access import subtree_ids
from survey_app.services.administration.accounts import normal_username
from survey_app.services.administration.mail import MailSettings, message
from survey_app.services.catalogue import Catalogue
from survey_app.services.collection.integrity import report
from survey_app.services.reporting.aggregates import tallies
from survey_app.services.reporting.dashboard import build

WEEK = timedelta(days=7)
LOOKBACK_MONTHS = 12  # how far back a period without a publication is still called due
ROMAN = ("I", "II", "III", "IV")
# The flags as a staff member reads them (the web pages say the same in longer words).
FLAG_WORDS = {
    "beruntun": "banyak kiriman dari satu sumber dalam waktu singkat",
    "identik": "jawaban identik berulang",
    "cepat": "diisi terlalu cepat",
    "luar_jam": "dikirim di luar jam layanan",
    "seragam": "semua jawaban bernilai sama",
    "pengarahan": "responden menyatakan diarahkan petugas",
}


class DigestError(ValueError):
    """A digest that cannot be built for the account asked for; the message says why."""


@dataclass(frozen=True)
class Pace:
    """One layanan in the running month: respondents so far, its minimum, the projection."""

    layanan: str
    n: int
    minimum: int
    kurang: int  # still missing (0 when the minimum is met)
    projected: int | None
    warning: bool  # projected to end the month below the minimum


@dataclass(frozen=True)
class Gap:
    """A layanan short of its minimum in an ended month."""

    layanan: str
    n: int
    minimum: int
    kurang: int


@dataclass(frozen=True)
class ShortMonth:
    """An ended month in which some layanan stayed below the minimum."""

    month: str  # YYYY-MM
    gaps: tuple[Gap, ...]


@dataclass(frozen=True)
class Drop:
    """An unsur whose NRR (2 decimals, scale 1-4) fell from the month before to this one."""

    index: str  # IKM, IPAK, IPKP
    code: str
    unsur: str
    before: Decimal
    now: Decimal
    n_before: int
    n_now: int


@dataclass(frozen=True)
class UnitDigest:
    """One unit's part of a digest (what each field holds: the module docstring)."""

    kode: str
    nama: str
    month: str  # the running month, YYYY-MM, in the unit's zone
    day: int  # today's day of that month
    days: int  # days in that month
    pace: tuple[Pace, ...]
    short_months: tuple[ShortMonth, ...]
    previous: str  # the month the NRR is compared with
    drops: tuple[Drop, ...]
    flags: dict[str, int]  # flag -> flagged submissions of the last 7 days
    flagged: int  # submissions with any flag in the last 7 days
    unreviewed: int  # of those, without a review decision
    due: tuple[Span, ...]
    link: str | None  # the unit's dashboard, when the public address is known


@dataclass(frozen=True)
class Digest:
    """One unit admin's digest: the address, the week and each unit in their scope."""

    username: str
    email: str
    since: date  # the week covered, in the admin's own zone
    until: date
    zone: str  # WIB, WITA or WIT
    units: tuple[UnitDigest, ...]


# -- gathering ---------------------------------------------------------------------------------


def recipients(
    session: DbSession, username: str | None = None
) -> tuple[list[Pengguna], list[Pengguna]]:
    """The active unit admins (or only ``username``) with an e-mail address, and those without.

    Raises :class:`DigestError` when ``username`` is not an active unit admin.
    """
    query = select(Pengguna).where(Pengguna.role == "unit_admin", Pengguna.aktif.is_(True))
    if username is not None:
        query = query.where(Pengguna.username == normal_username(username))
    users = list(session.scalars(query.order_by(Pengguna.username)))
    if username is not None and not users:
        raise DigestError(f"akun {username} bukan admin unit yang aktif")
    return [u for u in users if u.email], [u for u in users if not u.email]


def gather(
    session: DbSession,
    catalogue: Catalogue,
    user: Pengguna,
    now: datetime,
    base_url: str | None = None,
) -> Digest:
    """The digest of ``user`` (a unit admin) at the aware instant ``now``; ``base_url`` (the
    app's public address) adds a link to each unit's dashboard. Raises :class:`DigestError`
    for an account without a unit or an e-mail address."""
    if user.unit is None or not user.email:
        raise DigestError(f"akun {user.username} tidak punya unit atau alamat surel")
    tz = zone(user.unit.timezone)
    return Digest(
        username=user.username,
        email=user.email,
        since=(now - WEEK).astimezone(tz).date(),
        until=now.astimezone(tz).date(),
        zone=ZONES.get(user.unit.timezone, user.unit.timezone),
        units=tuple(
            unit_digest(session, catalogue, unit, now, base_url)
            for unit in scope(session, user.unit)
        ),
    )


def scope(session: DbSession, unit: Unit) -> list[Unit]:
    """``unit`` and the active units below it that have active layanan of their own."""
    with_layanan = select(Layanan.unit_id).where(Layanan.aktif.is_(True))
    units = session.scalars(
        select(Unit).where(
            Unit.id.in_(subtree_ids(session, unit.id)),
            Unit.aktif.is_(True),
            Unit.id.in_(with_layanan),
        )
    )
    return sorted(units, key=lambda u: (u.id != unit.id, u.nama, u.kode))


def unit_digest(
    session: DbSession, catalogue: Catalogue, unit: Unit, now: datetime, base_url: str | None
) -> UnitDigest:
    """One unit's part of the digest (see the module docstring for what each part holds)."""
    month = period_of(now, unit.timezone)
    local = now.astimezone(zone(unit.timezone))
    ids = [x.id for x in unit.layanan]
    year = build(session, catalogue, unit, Span("rentang", f"{month[:4]}-01", month), now)
    names = {str(x.id): x.nama for x in unit.layanan}
    first = _first_month(session, ids)
    short = tuple(
        ShortMonth(c.period, tuple(Gap(names[s.kode], s.n, s.minimum, s.kurang) for s in c.short))
        for c in year.months
        if first is not None and first <= c.period < month and not c.memenuhi
    )
    previous = add_months(month, -1)
    flagged = recent_flags(session, catalogue, unit, ids, now)
    return UnitDigest(
        kode=unit.kode,
        nama=unit.nama,
        month=month,
        day=local.day,
        days=calendar.monthrange(local.year, local.month)[1],
        pace=tuple(
            Pace(
                row.layanan.nama,
                row.count.n,
                row.count.minimum,
                row.count.kurang,
                row.projected,
                row.warning,
            )
            for row in year.services
        ),
        short_months=short,
        previous=previous,
        drops=drops(session, catalogue, ids, previous, month),
        flags=flagged[0],
        flagged=flagged[1],
        unreviewed=flagged[2],
        due=publications_due(session, unit, ids, month),
        link=f"{base_url.rstrip('/')}/staf/unit/{unit.kode}" if base_url else None,
    )


def _first_month(session: DbSession, layanan_ids: list[int]) -> str | None:
    r = RekapBulanan
    return session.scalar(
        select(func.min(r.period)).where(
            r.layanan_id.in_(layanan_ids), r.jenis == "kiriman", r.n > 0
        )
    )


def add_months(month: str, by: int) -> str:
    """``YYYY-MM`` moved by ``by`` months (negative: back)."""
    index = int(month[:4]) * 12 + int(month[5:]) - 1 + by
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def drops(
    session: DbSession, catalogue: Catalogue, layanan_ids: list[int], previous: str, month: str
) -> tuple[Drop, ...]:
    """The unsur whose NRR, rounded to 2 decimals, is lower in ``month`` than in ``previous``,
    scored from the rollup's tallies of ``layanan_ids`` by :meth:`Tallies.score`."""
    found = tallies(session, layanan_ids, [previous, month], by="semua")
    out = []
    for instrument in catalogue.instruments.values():
        before = {i.code: i for i in found.where(months=[previous]).score(instrument).items}
        for item in found.where(months=[month]).score(instrument).items:
            old = before.get(item.code)
            if item.nrr is None or old is None or old.nrr is None:
                continue
            then, now = round_half_up(old.nrr, 2), round_half_up(item.nrr, 2)
            if now < then:
                unsur = instrument.item(item.code).dimension.id
                out.append(Drop(instrument.index, item.code, unsur, then, now, old.n, item.n))
    return tuple(out)


def recent_flags(
    session: DbSession, catalogue: Catalogue, unit: Unit, layanan_ids: list[int], now: datetime
) -> tuple[dict[str, int], int, int]:
    """Flagged submissions of the 7 days before ``now``: (per flag, any flag, not reviewed)."""
    since = now - WEEK
    week = Span("rentang", period_of(since, unit.timezone), period_of(now, unit.timezone))
    rows = [
        row
        for row in report(session, catalogue, unit, layanan_ids, week).rows
        if row.flags and since <= row.submitted_at <= now
    ]
    counts = Counter(flag for row in rows for flag in row.flags)
    unreviewed = sum(1 for row in rows if row.keputusan is None)
    return {f: counts[f] for f in FLAGS if counts[f]}, len(rows), unreviewed


def publications_due(
    session: DbSession, unit: Unit, layanan_ids: list[int], month: str
) -> tuple[Span, ...]:
    """The months and triwulan ended within the 12 months before ``month`` that had counted
    answers and that no publication of ``unit`` covers, oldest first."""
    last = add_months(month, -1)
    months = Span("rentang", add_months(month, -LOOKBACK_MONTHS), last).months()
    # two months more, so a triwulan that began before the window still sees its answers
    counted = tallies(session, layanan_ids, [add_months(months[0], -2), *months], counts_only=True)
    answered = {period for _, period, n in counted.submissions if n}
    published = session.execute(
        select(Publikasi.dari, Publikasi.sampai).where(Publikasi.unit_id == unit.id)
    ).all()
    candidates = [Span("bulan", m, m) for m in months] + [
        span("triwulan", int(m[:4]), int(m[5:]) // 3) for m in months if int(m[5:]) % 3 == 0
    ]
    due = [
        s
        for s in candidates
        if answered & set(s.months())
        and not any(dari <= s.first and s.last <= sampai for dari, sampai in published)
    ]
    return tuple(sorted(due, key=lambda s: (s.last, len(s.months()))))


# -- the text ----------------------------------------------------------------------------------


def month_text(month: str) -> str:
    """``2026-11`` as people read it: ``November 2026``."""
    return str(format_date(date(int(month[:4]), int(month[5:]), 1), "MMMM y", locale="id"))


def period_text(span_: Span) -> str:
    """A month or triwulan as people read it: ``November 2026``, ``Triwulan IV 2026``."""
    if span_.kind == "triwulan":
        return f"Triwulan {ROMAN[(int(span_.first[5:]) - 1) // 3]} {span_.first[:4]}"
    return month_text(span_.first)


def day_text(day: date) -> str:
    """``9 November 2026``."""
    return str(format_date(day, "d MMMM y", locale="id"))


def comma(value: Decimal) -> str:
    """``Decimal('3.14')`` -> ``3,14`` (values are already rounded)."""
    return f"{value:.2f}".replace(".", ",")


def compose(digest: Digest) -> tuple[str, str]:
    """The subject and plain-text body of ``digest``, in Indonesian."""
    subject = f"Ringkasan mingguan survei ZI, {day_text(digest.until)}"
    lines = [
        f"Yth. {digest.username},",
        "",
        "Ringkasan mingguan survei Zona Integritas unit Anda, "
        f"{day_text(digest.since)} s.d. {day_text(digest.until)} ({digest.zone}).",
    ]
    if not digest.units:
        lines += ["", "Belum ada layanan aktif di unit Anda."]
    for unit in digest.units:
        lines += ["", *unit_lines(unit)]
    lines += [
        "",
        "-- ",
        "Surel ini dikirim otomatis oleh zisurvey sekali seminggu. Angka lengkapnya ada di "
        "dasbor staf.",
    ]
    return subject, "\n".join(lines) + "\n"


def unit_lines(unit: UnitDigest) -> list[str]:
    """One unit's part: heading, pace, short months, drops, flags, publications due."""
    lines = [
        f"== {unit.nama} ({unit.kode}) ==",
        f"{month_text(unit.month)} berjalan: hari ke-{unit.day} dari {unit.days}.",
        "Responden per layanan bulan ini:",
        *(f"- {pace_text(p)}" for p in unit.pace),
    ]
    year = unit.month[:4]
    heading = f"Bulan di bawah minimal tahun {year}:"
    lines.append(heading + ("" if unit.short_months else " tidak ada."))
    for short in unit.short_months:
        gaps = "; ".join(
            f"{g.layanan} ({g.n} dari {g.minimum}, kurang {g.kurang})" for g in short.gaps
        )
        lines.append(f"- {month_text(short.month)}: {gaps}")
    heading = f"Unsur yang turun dibanding {month_text(unit.previous)} (NRR, skala 1-4):"
    lines.append(heading + ("" if unit.drops else " tidak ada."))
    lines += [
        f"- {d.index} {d.code} {d.unsur}: {comma(d.before)} menjadi {comma(d.now)} "
        f"({d.n_before} dan {d.n_now} responden)"
        for d in unit.drops
    ]
    lines += flag_lines(unit)
    due = ", ".join(period_text(s) for s in unit.due)
    lines.append(f"Belum diterbitkan: {due}." if due else "Belum diterbitkan: tidak ada.")
    if unit.link:
        lines.append(f"Dasbor: {unit.link}")
    return lines


def pace_text(pace: Pace) -> str:
    """``Layanan Kunjungan: 12 dari minimal 30, kurang 18; proyeksi akhir bulan 23, di bawah
    minimal``."""
    text = f"{pace.layanan}: {pace.n} dari minimal {pace.minimum}"
    if not pace.kurang:
        return f"{text}, memenuhi"
    text += f", kurang {pace.kurang}"
    if pace.projected is None:
        return text
    verdict = "di bawah minimal, perlu dipercepat" if pace.warning else "sesuai laju"
    return f"{text}; proyeksi akhir bulan {pace.projected}, {verdict}"


def flag_lines(unit: UnitDigest) -> list[str]:
    """The flagged answers of the week per flag, with the link to review them."""
    if not unit.flagged:
        return ["Tanda integritas baru (7 hari terakhir): tidak ada."]
    lines = [
        f"Tanda integritas baru (7 hari terakhir): {unit.flagged} jawaban, "
        f"{unit.unreviewed} belum ditinjau.",
        *(f"- {FLAG_WORDS.get(flag, flag)}: {n}" for flag, n in unit.flags.items()),
    ]
    if unit.link:
        lines.append(f"Tinjau: {unit.link}/integritas")
    return lines


def digest_mail(settings: MailSettings, digest: Digest) -> EmailMessage:
    """The digest as a message from the configured sender to the admin's address."""
    subject, text = compose(digest)
    return message(settings, digest.email, subject, text)
