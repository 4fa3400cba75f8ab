"""``zisurvey``: one command line over the app (``run``, ``db upgrade``) and the file commands."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext
from sqlalchemy import select
from sqlalchemy.exc import OperationalError, ProgrammingError

from analysis.mapping import MappingError
from analysis.responses import ResponsesError, read_responses
from survey_app import create_app
from survey_app.config import ConfigError
from survey_app.extensions import db
from survey_app.filecli import COMMANDS, ENCODING, MAPPING, WAKTU, fail, ignored, load_mapping
from survey_app.models import Unit
from survey_app.services.administration import backup, unit_import, units
from survey_app.services.administration.accounts import AccountError, check_email, create_user
from survey_app.services.administration.demo import DEMO_PASSWORD, DEMO_USERS, load_demo
from survey_app.services.administration.digest import (
    DigestError,
    compose,
    digest_mail,
    gather,
    recipients,
)
from survey_app.services.administration.mail import MailError, MailSettings, send
from survey_app.services.administration.unit_fields import UnitDetails
from survey_app.services.collection import kuesioner, rollup, uploads
from survey_app.services.collection.imports import import_responses
from survey_app.services.reporting import jobs


def _app() -> Flask:
    """The app for the web commands; a bad setting is one line naming it, exit 2."""
    try:
        return create_app()
    except ConfigError as exc:
        fail([f"zisurvey: {exc}"])


class ZisurveyGroup(FlaskGroup):
    """The web commands; a database that was never set up is one line saying what to run."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (OperationalError, ProgrammingError) as exc:
            text = str(exc.orig).lower()
            if "no such table" not in text and "does not exist" not in text:
                raise
            fail(["zisurvey: basis data belum disiapkan: jalankan dulu zisurvey db upgrade"])


@click.group(cls=ZisurveyGroup, create_app=_app, add_version_option=False)
def main() -> None:
    """Survei Zona Integritas: SKM/IKM, IPAK dan IPKP."""


for command in COMMANDS:
    main.add_command(command)


@main.command("demo")
@click.option("--if-empty", is_flag=True, help="Lewati bila basis data sudah berisi unit.")
@with_appcontext
def demo_command(if_empty: bool) -> None:
    """Isi basis data dengan data contoh (satu Kanwil, dua UPT, lima layanan)."""
    from flask import current_app

    added = load_demo(
        db.session,
        current_app.extensions["zisurvey.catalogue"],
        current_app.config["CLOCK"](),
        only_if_empty=if_empty,
    )
    db.session.commit()
    if not added:
        click.echo("Data contoh sudah ada.")
        return
    click.echo(f"Data contoh: {added} jawaban ditambahkan.")
    names = ", ".join(name for name, _, _ in DEMO_USERS)
    click.echo(f"Akun staf contoh ({names}), kata sandi: {DEMO_PASSWORD}  -> /staf/")


@main.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--unit", "unit_kode", required=True, metavar="KODE", help="Kode unit tujuan.")
@click.option("--ignore", multiple=True, metavar="COL[,COL]", help="Kolom tambahan yang dilewati.")
@MAPPING
@WAKTU
@ENCODING
@with_appcontext
def import_command(
    file: str,
    unit_kode: str,
    ignore: tuple[str, ...],
    mapping: str | None,
    waktu: str | None,
    encoding: str | None,
) -> None:
    """Simpan berkas jawaban (CSV/XLSX) ke satu unit; semua atau tidak sama sekali."""
    from flask import current_app

    unit = db.session.scalar(select(Unit).where(Unit.kode == unit_kode))
    if unit is None:
        fail([f"unit {unit_kode} is unknown"])
    catalogue = current_app.extensions["zisurvey.catalogue"]
    try:  # a NUL in a CSV: the parser would cut its cell short without a word
        uploads.check_content(Path(file).read_bytes(), uploads.Limits())
    except uploads.UploadError as exc:
        fail([str(exc)])
    try:
        frame = read_responses(
            Path(file),
            catalogue.schema(),
            tz=unit.timezone,
            ignore=ignored(ignore),
            known_layanan=[x.kode for x in unit.layanan],
            mapping=load_mapping(mapping),
            waktu=waktu,
            encoding=encoding,
        )
        config = current_app.config
        result = import_responses(
            db.session, catalogue, unit, frame, config["CLOCK"](), config["SARAN_MAX"]
        )
        db.session.commit()
    except (ResponsesError, MappingError) as exc:
        db.session.rollback()
        fail(exc.problems)
    click.echo(f"{result.added} jawaban ditambahkan, {result.already_there} sudah ada.")


@main.group("unit")
def unit_group() -> None:
    """Unit kerja: tambah, impor dari berkas, daftar (sebagai admin pusat)."""


@unit_group.command("add")
@click.option("--kode", required=True, help="Kode unit, misalnya LAPAS-MKS.")
@click.option("--nama", required=True, help="Nama unit.")
@click.option(
    "--jenis", required=True, metavar="JENIS", help="kementerian, eselon1, kanwil atau upt."
)
@click.option("--induk", default="", metavar="KODE", help="Kode unit induk.")
@click.option("--zona", default="", help="WIB, WITA atau WIT (kosong: zona unit induk).")
@click.option("--jam", default="", metavar="HH:MM-HH:MM", help="Jam layanan, misalnya 08:00-16:00.")
@click.option("--kota", default="")
@click.option("--alamat", default="")
@click.option("--kepala", default="", help="Nama kepala unit.")
@click.option("--nip", default="", help="NIP kepala unit (18 angka).")
@with_appcontext
def unit_add_command(jam: str, nip: str, **given: str) -> None:
    """Tambah satu unit (pesan per isian bila ada yang salah, keluar dengan status 2)."""
    from flask import current_app

    opening, _dash, closing = jam.partition("-")
    if jam and not _dash:
        fail(["--jam: tulis jam buka dan tutup seperti 08:00-16:00"])
    details = UnitDetails(jam_buka=opening, jam_tutup=closing, nip_kepala=nip, **given)
    try:
        unit = units.create_unit(db.session, details, None, current_app.config["CLOCK"]())
        db.session.commit()
    except units.UnitError as exc:
        db.session.rollback()
        fail([str(p) for p in exc.problems])
    click.echo(f"Unit {unit.kode} ({unit.nama}) ditambahkan.")


@unit_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Periksa saja; tidak ada yang disimpan.")
@with_appcontext
def unit_import_command(file: Path, dry_run: bool) -> None:
    """Impor unit dan layanannya dari CSV/XLSX: semua atau tidak sama sekali."""
    from flask import current_app

    catalogue = current_app.extensions["zisurvey.catalogue"]
    plan = unit_import.plan_unit_import(db.session, catalogue, file, None)
    if plan.problems:
        fail([f"{len(plan.problems)} masalah; tidak ada yang disimpan:", *map(str, plan.problems)])
    changes = [(x.action, x.kode, x.changed) for x in plan.units]
    changes += [(x.action, f"{x.unit}/{x.kode}", x.changed) for x in plan.layanan]
    for action, name, changed in changes:
        if action != "tetap":
            click.echo(f"{action:5} {name}" + (f" ({', '.join(changed)})" if changed else ""))
    summary = (
        f"unit: {plan.count('baru')} baru, {plan.count('ubah')} diubah, "
        f"{plan.count('tetap')} tetap; layanan: {plan.count('baru', 'layanan')} baru, "
        f"{plan.count('ubah', 'layanan')} diubah, {plan.count('tetap', 'layanan')} tetap"
    )
    if not plan.changes:
        click.echo(f"Tidak ada perubahan ({summary}).")
        return
    if dry_run:
        db.session.rollback()
        click.echo(f"Pemeriksaan saja, tidak disimpan: {summary}.")
        return
    try:
        unit_import.apply_unit_import(
            db.session, catalogue, plan, None, current_app.config["CLOCK"](), file.name
        )
        db.session.commit()
    except units.UnitError as exc:
        db.session.rollback()
        fail([str(p) for p in exc.problems])
    click.echo(f"Disimpan: {summary}.")


@unit_group.command("list")
@with_appcontext
def unit_list_command() -> None:
    """Daftar unit sebagai pohon: kode, nama, jenis, zona, jam layanan, jumlah layanan."""
    rows = units.unit_tree(db.session, None)
    if not rows:
        click.echo("Belum ada unit.")
    for row in rows:
        unit = row.unit
        hours = f"{unit.jam_buka:%H:%M}-{unit.jam_tutup:%H:%M}"
        closed = "  [ditutup]" if not unit.aktif else ""
        click.echo(
            f"{'  ' * row.depth}{unit.kode}  {unit.nama}  "
            f"({unit.jenis}, {row.zone}, {hours}, {row.layanan} layanan){closed}"
        )


@main.command("create-user")
@click.option("--username", required=True)
@click.option(
    "--role",
    type=click.Choice(["admin", "unit_admin", "viewer", "petugas"]),
    default="admin",
    show_default=True,
)
@click.option(
    "--unit", "unit_kode", metavar="KODE", help="Unit of a unit_admin, viewer or petugas."
)
@click.option("--email", help="Address for reset links and the weekly digest (optional).")
@click.password_option(help="At least 10 characters; asked for when not given.")
@with_appcontext
def create_user_command(
    username: str, role: str, unit_kode: str | None, email: str | None, password: str
) -> None:
    """Buat akun staf (admin pertama, atau admin/pembaca/petugas loket sebuah unit)."""
    unit = db.session.scalar(select(Unit).where(Unit.kode == unit_kode)) if unit_kode else None
    if unit_kode and unit is None:
        fail([f"unit {unit_kode} is unknown"])
    try:
        user = create_user(
            db.session,
            username,
            password,
            role,
            unit,
            email=check_email(email),
            now=current_app.config["CLOCK"](),
        )
        db.session.commit()
    except AccountError as exc:
        db.session.rollback()
        fail([str(exc)])
    click.echo(f"Akun {user.username} ({user.role}) dibuat.")


@main.command("backup")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def backup_command(file: Path) -> None:
    """Simpan seluruh isi basis data ke satu berkas (JSON lines, gzip)."""
    from analysis.periods import now_utc

    with db.engine.connect() as connection:
        summary = backup.backup(connection, file, now_utc())
    rows = ", ".join(f"{name} {n}" for name, n in summary.rows.items() if n)
    click.echo(f"Cadangan skema {summary.revision} ditulis ke {file}: {rows}.")


@main.command("restore")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def restore_command(file: Path) -> None:
    """Pulihkan cadangan ke basis data kosong (jalankan `zisurvey db upgrade` dahulu)."""
    try:
        with db.engine.begin() as connection:
            summary = backup.restore(connection, file)
    except backup.BackupError as exc:
        fail([str(exc)])
    rows = ", ".join(f"{name} {n}" for name, n in summary.rows.items() if n)
    click.echo(f"Cadangan skema {summary.revision} dipulihkan: {rows}.")


@main.command("rollup")
@click.option("--rebuild", is_flag=True, help="Hitung ulang seluruh rekap dari jawaban.")
@with_appcontext
def rollup_command(rebuild: bool) -> None:
    """Periksa rekap bulanan terhadap jawaban (atau hitung ulang dengan --rebuild)."""
    if rebuild:
        with db.engine.begin() as connection:
            rows = rollup.rebuild(connection)
        click.echo(f"Rekap bulanan dihitung ulang: {rows} baris.")
        return
    with db.engine.connect() as connection:
        found = rollup.differences(connection)
    if found:  # exit 1: the check failed (2 is for bad input)
        for line in ["Rekap bulanan tidak sama dengan jawaban:", *found]:
            click.echo(line, err=True)
        click.echo("Jalankan: zisurvey rollup --rebuild", err=True)
        raise SystemExit(1)
    click.echo("Rekap bulanan sama dengan jawaban.")


@main.command("sweep")
@with_appcontext
def sweep_command() -> None:
    """Hapus unggahan dan ekspor yang lebih tua dari sehari (jadwalkan tiap jam)."""
    from flask import current_app

    instance = Path(current_app.instance_path)
    removed = sum(uploads.sweep(instance / folder) for folder in ("unggahan", "ekspor"))
    click.echo(f"{removed} berkas lama dihapus.")


@main.command("digest")
@click.option("--dry-run", is_flag=True, help="Tampilkan ringkasan tanpa mengirimnya.")
@click.option("--to", "username", metavar="USERNAME", help="Hanya untuk akun ini.")
@with_appcontext
def digest_command(dry_run: bool, username: str | None) -> None:
    """Kirim ringkasan mingguan ke setiap admin unit (jadwalkan sekali seminggu)."""
    from flask import current_app

    settings = MailSettings.from_config(current_app.config)
    if settings is None and not dry_run:
        fail(["surel belum diatur (SURVEY_MAIL_SERVER kosong): tidak ada yang dikirim"])
    try:
        users, without_mail = recipients(db.session, username)
    except DigestError as exc:
        fail([str(exc)])
    catalogue = current_app.extensions["zisurvey.catalogue"]
    now, base_url = current_app.config["CLOCK"](), current_app.config.get("BASE_URL")
    digests = [gather(db.session, catalogue, user, now, base_url) for user in users]
    if dry_run:
        for digest in digests:
            subject, text = compose(digest)
            click.echo(f"Kepada: {digest.email}\nPerihal: {subject}\n\n{text}")
    elif settings is not None:
        try:
            refused = send(settings, [digest_mail(settings, digest) for digest in digests])
        except MailError as exc:  # exit 1: the sending failed (2 is for bad input)
            click.echo(f"zisurvey digest: {' '.join(str(exc).split())}", err=True)
            raise SystemExit(1) from None
        for line in refused:  # the others were sent; the run still fails
            click.echo(f"zisurvey digest: {' '.join(line.split())}", err=True)
    if without_mail:
        names = ", ".join(user.username for user in without_mail)
        click.echo(f"{len(without_mail)} admin unit tanpa alamat surel dilewati: {names}.")
    verb = "disiapkan (--dry-run, tidak dikirim)" if dry_run else "dikirim"
    failed = 0 if dry_run or settings is None else len(refused)
    click.echo(f"{len(digests) - failed} ringkasan mingguan {verb}.")
    if failed:
        raise SystemExit(1)


@main.command("laporan")
@click.argument("kode")
@click.option(
    "--periode", required=True, help="Triwulan seperti 2026-T4, atau 2026-S2, 2026-11, 2026."
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["docx", "pdf", "zip"]),
    default="pdf",
    show_default=True,
    help="docx atau pdf: laporan SKM; zip: paket bukti LKE.",
)
@click.option(
    "--out", "out", type=click.Path(dir_okay=False, path_type=Path), help="Berkas tujuan."
)
@with_appcontext
def report_command(kode: str, periode: str, fmt: str, out: Path | None) -> None:
    """Tulis laporan SKM (DOCX/PDF) atau paket bukti LKE (ZIP) sebuah unit dan periode."""
    from analysis.periods import span_of
    from survey_app.dokumen import laporan, paket
    from survey_app.services.laporan.isi import NotBegun, check_begun

    unit = db.session.scalar(select(Unit).where(Unit.kode == kode))
    if unit is None:
        fail([f"unit {kode!r} tidak ada; lihat zisurvey unit list"])
    try:
        span = span_of(periode)
    except ValueError:
        fail(
            [
                f"--periode {periode!r} tidak dikenal: tulis seperti 2026-T4 (triwulan), 2026-S2, "
                "2026-11, 2026 atau rentang 2026-09..2026-11"
            ]
        )
    catalogue = current_app.extensions["zisurvey.catalogue"]
    now = current_app.config["CLOCK"]()
    try:
        check_begun(unit, span, now)
    except NotBegun as exc:
        fail([str(exc)])
    base_url = str(current_app.config.get("BASE_URL") or "")
    if not base_url:
        click.echo(
            "zisurvey laporan: SURVEY_BASE_URL belum diatur; alamat halaman hasil dan kode QR di "
            "berkas memakai http://localhost. Atur SURVEY_BASE_URL=https://alamat-publik.",
            err=True,
        )
        base_url = "http://localhost"
    with current_app.test_request_context("/", base_url=base_url):
        if fmt == "zip":
            body = paket.write(db.session, catalogue, unit, span, now, base_url)
            name = paket.file_name(unit, span)
        else:
            body = laporan.write(db.session, catalogue, unit, span, now, fmt, base_url)
            name = laporan.file_name(unit, span, fmt)
    target = out or Path(name)
    try:
        target.write_bytes(body)
    except OSError as exc:
        fail([f"--out {target}: tidak dapat ditulis ({exc.strerror or exc})"])
    click.echo(f"{target} ({len(body):,} byte)".replace(",", "."))


@main.group("kuesioner")
def kuesioner_group() -> None:
    """Varian kuesioner unit (docs/kuesioner.md): ekspor dan impor sebagai YAML."""


def _unit(kode: str) -> Unit:
    unit = db.session.scalar(select(Unit).where(Unit.kode == kode))
    if unit is None:
        fail([f"unit {kode!r} tidak ada; lihat zisurvey unit list"])
    return unit


@kuesioner_group.command("export")
@click.argument("kode_unit")
@click.argument("nama")
@click.option(
    "--out", "out", type=click.Path(dir_okay=False, path_type=Path), help="Berkas tujuan."
)
@with_appcontext
def kuesioner_export_command(kode_unit: str, nama: str, out: Path | None) -> None:
    """Tulis versi terbaru varian NAMA milik unit KODE_UNIT sebagai YAML."""
    unit = _unit(kode_unit)
    try:
        text = kuesioner.export_yaml(db.session, unit, nama)
    except kuesioner.KuesionerError as exc:
        fail(exc.problems)
    if out is None:
        click.echo(text, nl=False)
        return
    try:
        out.write_text(text, encoding="utf-8")
    except OSError as exc:
        fail([f"--out {out}: tidak dapat ditulis ({exc.strerror or exc})"])
    click.echo(f"{out} ditulis.")


@kuesioner_group.command("import")
@click.argument("kode_unit")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def kuesioner_import_command(kode_unit: str, file: Path) -> None:
    """Periksa berkas YAML varian dan simpan sebagai versi baru (semua atau tidak sama sekali)."""
    unit = _unit(kode_unit)
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = "bukan teks UTF-8" if isinstance(exc, UnicodeDecodeError) else exc.strerror
        fail([f"{file}: tidak dapat dibaca ({reason or exc})"])
    catalogue = current_app.extensions["zisurvey.catalogue"]
    try:
        versi, new = kuesioner.save_version(
            db.session,
            catalogue.instruments,
            unit,
            kuesioner.read_yaml(text),
            current_app.config["CLOCK"](),
        )
        db.session.commit()
    except kuesioner.KuesionerError as exc:
        db.session.rollback()
        fail([f"{file}: {len(exc.problems)} masalah; tidak ada yang disimpan:", *exc.problems])
    name = f"varian {versi.varian.nama!r} unit {unit.kode}"
    if new:
        click.echo(f"Disimpan: {name} versi {versi.nomor}.")
    else:
        click.echo(f"Tidak ada perubahan: {name} sudah sama dengan versi {versi.nomor}.")


@main.command("worker")
@click.option("--burst", is_flag=True, help="Berhenti setelah antrean kosong.")
@with_appcontext
def worker_command(burst: bool) -> None:
    """Jalankan pekerja ekspor latar belakang (perlu SURVEY_JOBS_REDIS_URL)."""
    from flask import current_app
    from rq import Worker

    queue = jobs.queue(current_app.config["JOBS_REDIS_URL"], current_app.config["JOBS_QUEUE"])
    if queue is None:
        fail(["SURVEY_JOBS_REDIS_URL is not set: exports are built in the web request"])
    Worker([queue], connection=queue.connection, serializer=queue.serializer).work(burst=burst)


if __name__ == "__main__":
    main()
