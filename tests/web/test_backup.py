"""Backup and restore (issue 9): the round trip, across databases, gives identical reports."""

import base64
import gzip
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask.cli import ScriptInfo
from flask_migrate import upgrade
from sqlalchemy import select

from analysis.periods import span_of
from survey_app import create_app
from survey_app.cli import main
from survey_app.extensions import db
from survey_app.models import Evaluasi, Pengguna, RekapBulanan, Submission, Unit
from survey_app.services.administration.backup import tables
from survey_app.services.administration.demo import load_demo
from survey_app.services.collection import integrity, sources
from survey_app.services.publishing import publications as publishing
from survey_app.services.reporting import dashboard
from tests.conftest import Clock, database_url, empty_database

NOW = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)
LOGO = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8


def migrated(backend: str, folder: Path):
    folder.mkdir(exist_ok=True)
    clock = Clock()
    clock.now = NOW
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": database_url(backend, folder),
            "SECRET_KEY": "test",
            "CLOCK": clock,
        }
    )
    with app.app_context():
        empty_database()
        upgrade()
    return app


def fill(app) -> None:
    """The demo, with a publication, an evaluation, a review, a salt, and a parent after its
    child (so restore cannot rely on id order)."""
    with app.app_context():
        catalogue = app.extensions["zisurvey.catalogue"]
        load_demo(db.session, catalogue, NOW)
        kanwil = db.session.scalar(select(Unit).where(Unit.kode == "KANWIL-SULSEL"))
        late = Unit(kode="ESELON-I", nama="Ditjen Pemasyarakatan", jenis="eselon1")
        db.session.add(late)
        db.session.flush()
        kanwil.parent = late
        kanwil.logo = LOGO  # binary: once killed the backup (bytes are not JSON)
        admin = db.session.scalar(select(Pengguna).where(Pengguna.username == "admin"))
        publishing.publish(db.session, catalogue, kanwil, span_of("2026-10"), admin, NOW)
        first = db.session.scalar(select(Submission).order_by(Submission.id))
        integrity.decide(db.session, admin, first, "kecualikan", "cepat", "uji", NOW)
        db.session.add(
            Evaluasi(
                unit=kanwil,
                tahun=2026,
                profile="permenpanrb-90-2021",
                survei_dari="2026-06",
                survei_sampai="2026-11",
                pengungkit={"manajemen_perubahan": {"pemenuhan": "3.50", "reform": "2.75"}},
                capaian_kinerja="4.25",
            )
        )
        db.session.commit()
        sources.source_hash(app.extensions["zisurvey.salts"], "203.0.113.7", NOW)


def everything(app) -> dict[str, list[tuple]]:
    with app.app_context(), db.engine.connect() as connection:
        return {
            t.name: [
                tuple(v.astimezone(UTC) if isinstance(v, datetime) else v for v in row)
                for row in connection.execute(select(t).order_by(*t.primary_key.columns))
            ]
            for t in tables()
        }


def reports(app) -> list:
    with app.app_context():
        catalogue = app.extensions["zisurvey.catalogue"]
        kanwil = db.session.scalar(select(Unit).where(Unit.kode == "KANWIL-SULSEL"))
        out = []
        for label in ("2026-09", "2026-10", "2026-S2"):
            d = dashboard.build(db.session, catalogue, kanwil, span_of(label), NOW)
            out.append([(f.instrument.id, f.result.n, f.result.nilai) for f in d.figures])
            out.append([(r.unit.kode, r.n, r.memenuhi) for r in d.children])
            out.append(d.excluded)
        out.append([p.data for p in publishing.publications(db.session, kanwil)])
        return out


def rollup_rows(app) -> list[tuple]:
    table = RekapBulanan.__table__
    with app.app_context(), db.engine.connect() as connection:
        return list(connection.execute(select(table).order_by(*table.primary_key.columns)))


def cli(app, *args):
    return CliRunner().invoke(main, list(args), obj=ScriptInfo(create_app=lambda: app))


@pytest.mark.parametrize(("source", "target"), [("sqlite", "postgresql"), ("postgresql", "sqlite")])
def test_backup_then_restore_elsewhere_gives_identical_data_and_reports(source, target, tmp_path):
    before = migrated(source, tmp_path / "a")
    fill(before)
    path = tmp_path / "cadangan.jsonl.gz"
    done = cli(before, "backup", str(path))
    assert done.exit_code == 0, done.output
    assert re.search(r"submission \d{3}, answer \d{4}", done.stdout)  # hundreds, counted
    assert "evaluasi 1" in done.stdout and "publikasi 1" in done.stdout
    with gzip.open(path, "rt") as file:
        text = file.read()
    assert "garam_sumber" not in text and "203.0.113.7" not in text

    after = migrated(target, tmp_path / "b")
    restored = cli(after, "restore", str(path))
    assert restored.exit_code == 0, restored.output
    assert everything(after) == everything(before)
    assert reports(after) == reports(before)
    assert "rekap_bulanan" not in text  # derived from the answers: rebuilt, not restored
    assert rollup_rows(after) == rollup_rows(before) != []
    with after.app_context():  # ids continue after the restored ones
        unit = Unit(kode="BARU", nama="Unit baru", jenis="upt")
        db.session.add(unit)
        db.session.commit()
        assert unit.id == max(u.id for u in db.session.scalars(select(Unit))) and unit.id > 4
    for app in (before, after):
        with app.app_context():
            db.engine.dispose()


def test_restore_refuses_a_filled_database_a_wrong_file_and_changes_nothing(tmp_path):
    app = migrated("sqlite", tmp_path / "a")
    fill(app)
    path = tmp_path / "cadangan.jsonl.gz"
    assert cli(app, "backup", str(path)).exit_code == 0
    before = everything(app)
    full = cli(app, "restore", str(path))
    assert full.exit_code == 2 and "the database is not empty" in full.stderr
    junk = tmp_path / "junk.gz"
    junk.write_bytes(b"not gzip at all")
    wrong = cli(app, "restore", str(junk))
    assert wrong.exit_code == 2 and "cannot be read as a zisurvey backup" in wrong.stderr
    other = tmp_path / "lain.gz"
    with gzip.open(other, "wt") as out:
        out.write('{"format": "something-else"}\n')
    assert "not a zisurvey backup" in cli(app, "restore", str(other)).stderr
    assert everything(app) == before
    with app.app_context():
        db.engine.dispose()


def test_a_backup_cut_short_or_altered_is_refused_and_a_failed_one_leaves_nothing(tmp_path):
    app = migrated("sqlite", tmp_path / "a")
    fill(app)
    path = tmp_path / "cadangan.jsonl.gz"
    assert cli(app, "backup", str(path)).exit_code == 0
    assert path.stat().st_mode & 0o777 == 0o600  # as confidential as the database
    assert list(tmp_path.glob(".*.tmp")) == []
    with gzip.open(path, "rt") as file:
        lines = file.read().splitlines()
    assert '"akhir"' in lines[-1] and base64.b64encode(LOGO).decode() in "\n".join(lines)
    target = migrated("sqlite", tmp_path / "b")
    for name, kept in (("cut", lines[: len(lines) // 2]), ("less", lines[:3] + lines[4:])):
        broken = tmp_path / f"{name}.jsonl.gz"
        with gzip.open(broken, "wt") as out:
            out.write("\n".join(kept) + "\n")
        refused = cli(target, "restore", str(broken))
        assert refused.exit_code == 2, refused.output
        assert "no end marker" in refused.stderr or "differ from its end marker" in refused.stderr
        assert everything(target) == {t: [] for t in everything(target)}  # nothing loaded
    assert cli(target, "restore", str(path)).exit_code == 0
    with target.app_context():
        logo = db.session.scalar(select(Unit.logo).where(Unit.kode == "KANWIL-SULSEL"))
        assert logo == LOGO

    with app.app_context(), db.engine.connect() as connection:
        from unittest import mock

        from survey_app.services.administration import backup as backup_service

        failing = mock.patch.object(backup_service, "_plain", side_effect=RuntimeError("disk"))
        with failing, pytest.raises(RuntimeError):
            backup_service.backup(connection, tmp_path / "gagal.jsonl.gz", NOW)
    assert not (tmp_path / "gagal.jsonl.gz").exists() and list(tmp_path.glob(".*.tmp")) == []
    for each in (app, target):
        with each.app_context():
            db.engine.dispose()


def test_restore_before_upgrade_or_with_a_wrong_type_is_one_line(tmp_path):
    app = migrated("sqlite", tmp_path / "a")
    fill(app)
    path = tmp_path / "cadangan.jsonl.gz"
    assert cli(app, "backup", str(path)).exit_code == 0
    bare = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'kosong.db'}"})
    done = cli(bare, "restore", str(path))
    assert done.exit_code == 2 and "run `zisurvey db upgrade` first" in done.stderr
    with gzip.open(path, "rt") as file:
        lines = file.read().splitlines()
    answer = next(n for n, line in enumerate(lines) if line.startswith('{"t": "answer"'))
    typed = [
        *lines[:answer],
        re.sub(r'"value": \d', '"value": "x"', lines[answer]),
        *lines[answer + 1 :],
    ]
    bad = tmp_path / "salah.jsonl.gz"
    with gzip.open(bad, "wt") as out:
        out.write("\n".join(typed) + "\n")
    target = migrated("sqlite", tmp_path / "b")
    done = cli(target, "restore", str(bad))
    assert done.exit_code == 2 and "is not a whole number" in done.stderr, done.output
    assert "Traceback" not in done.output
    for each in (app, bare, target):
        with each.app_context():
            db.engine.dispose()
