"""The demo data the README's first command loads."""

from datetime import UTC, datetime

from sqlalchemy import func, select

from survey_app.extensions import db
from survey_app.models import Layanan, Submission, Unit
from survey_app.services.administration.demo import load_demo


def test_demo_has_a_kanwil_two_upt_and_a_service_below_minimum(app):
    catalogue = app.extensions["zisurvey.catalogue"]
    now = datetime(2026, 11, 25, 12, tzinfo=UTC)
    added = load_demo(db.session, catalogue, now)
    db.session.commit()
    assert 300 <= added <= 600
    from survey_app.models import TindakLanjut

    register = db.session.execute(
        select(TindakLanjut.dari, TindakLanjut.sampai, TindakLanjut.status).order_by(
            TindakLanjut.id
        )
    ).all()
    assert [tuple(r) for r in register] == [
        ("2026-07", "2026-09", "selesai"),  # the earlier triwulan's follow-up, done
        ("2026-10", "2026-12", "berjalan"),
        ("2026-10", "2026-12", "rencana"),
    ]
    kinds = sorted(db.session.scalars(select(Unit.jenis)))
    assert kinds == ["kanwil", "upt", "upt"]
    assert db.session.scalar(select(func.count()).select_from(Layanan)) == 5
    rows = db.session.execute(
        select(Layanan.kode, Layanan.kebutuhan_utama, Submission.period, func.count())
        .join(Submission.layanan)
        .group_by(Layanan.id, Layanan.kode, Layanan.kebutuhan_utama, Submission.period)
    ).all()
    assert {period for *_, period, _ in rows} == {"2026-09", "2026-10", "2026-11"}
    short = [
        (kode, n)
        for kode, utama, period, n in rows
        if period == "2026-10" and n < (30 if utama else 15)
    ]
    assert short == [("BANKUM", 11)]
    assert max(s for s in db.session.scalars(select(Submission.submitted_at))) <= now
    # each Layanan Kunjungan has a tablet on its counter: a share of its answers is the kiosk's
    kiosk_rows = db.session.execute(
        select(Layanan.kode, func.count())
        .join(Submission.layanan)
        .where(Submission.source == "kiosk")
        .group_by(Layanan.kode)
    ).all()
    assert [kode for kode, _ in kiosk_rows] == ["KUNJ"]
    kunjungan = db.session.scalar(
        select(func.count())
        .select_from(Submission)
        .join(Submission.layanan)
        .where(Layanan.kode == "KUNJ")
    )
    assert 0.15 < kiosk_rows[0][1] / kunjungan < 0.45
    assert load_demo(db.session, catalogue, now) == 0  # only when empty
