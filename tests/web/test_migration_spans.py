"""Migration 0013 backfills each layanan's open spans from what a database of 0012 holds
(issue 16.2): its audited creation or first answer, its audited closings and reopenings (months
in the unit's zone), its last answer when it was closed without a trace; units get ``tetap``."""

from datetime import UTC, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from survey_app import create_app
from survey_app.extensions import db
from tests.conftest import database_url, empty_database

UNIT = sa.table(
    "unit",
    *(sa.column(c) for c in ("id", "kode", "nama", "jenis", "timezone")),
    sa.column("jam_buka", sa.Time),
    sa.column("jam_tutup", sa.Time),
)
LAYANAN = sa.table(
    "layanan",
    *(sa.column(c) for c in ("id", "unit_id", "kode", "nama", "kebutuhan_utama")),
    sa.column("aktif"),
    sa.column("token"),
)
SUBMISSION = sa.table(
    "submission",
    *(sa.column(c) for c in ("id", "layanan_id", "period", "idempotency_key", "source")),
    sa.column("submitted_at", sa.DateTime(timezone=True)),
)
AUDIT = sa.table(
    "audit_log",
    *(sa.column(c) for c in ("id", "action", "entity", "entity_id")),
    sa.column("at", sa.DateTime(timezone=True)),
    sa.column("before", sa.JSON),
    sa.column("after", sa.JSON),
)


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_spans_are_backfilled_from_creation_answers_and_audited_closings(backend, tmp_path: Path):
    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": database_url(backend, tmp_path), "SECRET_KEY": "t"}
    )
    with app.app_context():
        empty_database()
        upgrade(revision="0012")
        with db.engine.begin() as c:
            c.execute(
                UNIT.insert(),
                [
                    dict(
                        id=1,
                        kode="U",
                        nama="U",
                        jenis="upt",
                        timezone="Asia/Makassar",
                        jam_buka=time(8),
                        jam_tutup=time(16),
                    )
                ],
            )
            c.execute(
                LAYANAN.insert(),
                [
                    dict(id=i, unit_id=1, kode=k, nama=k, kebutuhan_utama=True, aktif=a, token=k)
                    for i, k, a in ((1, "KUNJ", True), (2, "TITIP", False), (3, "BARU", True))
                ],
            )
            c.execute(
                SUBMISSION.insert(),
                [
                    dict(
                        id=n,
                        layanan_id=lid,
                        period=p,
                        idempotency_key=f"k{n}",
                        source="form",
                        submitted_at=utc(int(p[:4]), int(p[5:]), 10),
                    )
                    for n, (lid, p) in enumerate(
                        ((1, "2026-05"), (2, "2026-02"), (2, "2026-06")), 1
                    )
                ],
            )
            c.execute(
                AUDIT.insert(),
                [
                    # created 1 April 01.00 WITA (31 March in UTC): April in the unit's zone
                    dict(
                        id=1,
                        at=utc(2026, 3, 31, 17),
                        action="tambah",
                        entity="layanan",
                        entity_id="1",
                        before=None,
                        after={"aktif": True},
                    ),
                    dict(
                        id=2,
                        at=utc(2026, 7, 10),
                        action="ubah",
                        entity="layanan",
                        entity_id="1",
                        before={"aktif": True, "nama": "KUNJ"},
                        after={"aktif": False, "nama": "K"},
                    ),
                    dict(
                        id=3,
                        at=utc(2026, 8, 1),
                        action="ubah",
                        entity="layanan",
                        entity_id="1",
                        before={"nama": "K"},
                        after={"nama": "KUNJ"},
                    ),  # a rename only
                    dict(
                        id=4,
                        at=utc(2026, 9, 2),
                        action="ubah",
                        entity="layanan",
                        entity_id="1",
                        before={"aktif": False},
                        after={"aktif": True},
                    ),
                ],
            )
        upgrade()
        with db.engine.connect() as c:
            spans = c.execute(
                sa.text(
                    "SELECT layanan_id, dari, sampai FROM layanan_masa ORDER BY layanan_id, dari"
                )
            ).all()
            rule = c.execute(sa.text("SELECT aturan_minimal, rumus_sampel FROM unit")).one()
        this_month = datetime.now(UTC).astimezone(ZoneInfo("Asia/Makassar")).strftime("%Y-%m")
        assert [tuple(s) for s in spans[:3]] == [
            (1, "2026-04", "2026-07"),  # created in April (WITA), closed in July
            (1, "2026-09", None),  # reopened in September
            (2, "2026-02", "2026-06"),  # no trace: its first to its last answer
        ]
        assert tuple(spans[3]) == (3, this_month, None)  # nothing known: from this upgrade on
        assert tuple(rule) == ("tetap", "krejcie_morgan")
        db.engine.dispose()
