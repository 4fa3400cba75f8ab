"""Mail (issue 15.6): the weekly digest and the reset link, sent to a real local SMTP server.

The server is aiosmtpd on a free port of 127.0.0.1; what it received is parsed back as a mail
client would (headers, charset, body), never taken from a mock.
"""

import os
import shutil
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path
from uuid import uuid4

import pytest
from click.testing import CliRunner
from flask.cli import ScriptInfo

from analysis.periods import span_of
from survey_app import create_app
from survey_app.cli import main
from survey_app.config import ConfigError
from survey_app.extensions import db
from survey_app.services.administration.accounts import create_user
from survey_app.services.administration.digest import (
    Digest,
    compose,
    gather,
    month_text,
    period_text,
)
from survey_app.services.administration.mail import MailError, MailSettings
from survey_app.services.administration.reset_mail import send_reset_link
from survey_app.services.collection.integrity import decide
from survey_app.services.collection.submissions import Origin, Response, record_submission
from survey_app.services.publishing.publications import publish
from tests.conftest import make_layanan, make_unit
from tests.web.conftest import PASSWORD, free_port
from tests.web.helpers import IPAK, SKM

ZISURVEY = shutil.which("zisurvey") or str(Path(sys.executable).parent / "zisurvey")
IPKP = [f"PK{i}" for i in range(1, 9)]
NOW = datetime(2026, 11, 16, 3, 0, tzinfo=UTC)  # Monday 11.00 WITA, day 16 of 30
KUNJ_NAME = "Kunjungan tatap muka – loket 1"  # an en dash: the body must travel as UTF-8


@pytest.fixture
def mail_app(app, smtp):
    app.config.update(
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=smtp.port,
        MAIL_SECURITY="none",
        MAIL_SENDER="zisurvey@kanwil.example.go.id",
    )
    return app


def cli(app, *args):
    return CliRunner().invoke(main, list(args), obj=ScriptInfo(create_app=lambda: app))


def submit(app, layanan, when, durasi=None, **changed):
    """One stored submission at ``when``: every answer 4 except U1 3 (no straight-lining)."""
    answers = dict.fromkeys(SKM + IPAK + IPKP, 4) | {"U1": 3} | changed
    response = Response(answers, {}, None, uuid4().hex)
    catalogue = app.extensions["zisurvey.catalogue"]
    origin = Origin(durasi=durasi)
    return record_submission(db.session, catalogue, layanan, response, when, origin=origin)[0]


def spread(app, layanan, year, month, count, **changed):
    """``count`` submissions from the 1st on, two a day at 09.00 and 13.00 WITA (no bursts)."""
    for i in range(count):
        when = datetime(year, month, 1 + i // 2, 1 + 4 * (i % 2), 0, tzinfo=UTC)
        submit(app, layanan, when, **changed)


@pytest.fixture
def season(app, tree, clock):
    """LAPAS from September 2026 on: KUNJ (minimum 30) meets it in September only, TITIP
    (minimum 15) every month; U3 falls in November; four flagged answers this week; September
    published. RUTAN has no answer; the kanwil admin has an e-mail, a RUTAN admin none."""
    lapas = tree["lapas"]
    kunj, titip = (next(x for x in lapas.layanan if x.kode == k) for k in ("KUNJ", "TITIP"))
    kunj.nama = KUNJ_NAME
    for month, n_kunj in ((9, 30), (10, 20)):
        spread(app, kunj, 2026, month, n_kunj)
        spread(app, titip, 2026, month, 15)
    spread(app, kunj, 2026, 11, 8, U3=2)
    submit(app, kunj, datetime(2026, 11, 9, 2, 0, tzinfo=UTC), durasi=1, U3=2)  # 8 days ago
    fast = [
        submit(app, kunj, datetime(2026, 11, day, 2, 0, tzinfo=UTC), durasi=1, U3=2)
        for day in (10, 12, 14)
    ]
    spread(app, titip, 2026, 11, 15)
    submit(app, titip, datetime(2026, 11, 12, 15, 0, tzinfo=UTC))  # 23.00 WITA
    kanwil = tree["users"]["kanwil"]
    kanwil.email = "kanwil@example.go.id"
    create_user(db.session, "rutan-admin", PASSWORD, "unit_admin", tree["rutan"])
    decide(db.session, kanwil, fast[0], "pertahankan", "cepat", "", NOW)
    catalogue = app.extensions["zisurvey.catalogue"]
    publish(db.session, catalogue, lapas, span_of("2026-09"), kanwil, NOW)
    db.session.commit()
    clock.now = NOW
    return tree


def body_of(message) -> str:
    assert message.get_content_type() == "text/plain"
    assert message.get_content_charset() == "utf-8"
    return message.get_content().replace("\r\n", "\n")  # lines end in CRLF on the wire


def test_digest_goes_to_each_unit_admin_with_the_weeks_figures(mail_app, smtp, season):
    done = cli(mail_app, "digest")
    assert done.exit_code == 0, done.output
    assert "1 admin unit tanpa alamat surel dilewati: rutan-admin." in done.stdout
    assert "1 ringkasan mingguan dikirim." in done.stdout
    [envelope] = smtp.envelopes
    assert envelope.rcpt_tos == ["kanwil@example.go.id"]
    [mail] = smtp.messages
    assert mail["From"] == "zisurvey@kanwil.example.go.id"
    assert mail["To"] == "kanwil@example.go.id"
    assert mail["Subject"] == "Ringkasan mingguan survei ZI, 16 November 2026"
    body = body_of(mail)
    expected = [
        "Yth. kanwil,",
        "9 November 2026 s.d. 16 November 2026 (WITA)",
        "== Unit LAPAS (LAPAS) ==",
        "November 2026 berjalan: hari ke-16 dari 30.",
        # 12 answers in 16 of 30 days: 12 x 30 / 16 = 22,5, rounded half-up to 23
        f"- {KUNJ_NAME}: 12 dari minimal 30, kurang 18; proyeksi akhir bulan 23, "
        "di bawah minimal, perlu dipercepat",
        "- Layanan TITIP: 16 dari minimal 15, memenuhi",
        "Bulan di bawah minimal tahun 2026:",
        f"- Oktober 2026: {KUNJ_NAME} (20 dari 30, kurang 10)",
        "Unsur yang turun dibanding Oktober 2026 (NRR, skala 1-4):",
        # October: 35 answers of U3 = 4; November: 12 x 2 + 16 x 4 = 88 over 28 = 3,142857...
        "- IKM U3 Waktu Penyelesaian: 4,00 menjadi 3,14 (35 dan 28 responden)",
        "Tanda integritas baru (7 hari terakhir): 4 jawaban, 3 belum ditinjau.",
        "- diisi terlalu cepat: 3",
        "- dikirim di luar jam layanan: 1",
        "Tinjau: http://127.0.0.1:5000/staf/unit/LAPAS/integritas",
        "Belum diterbitkan: Triwulan III 2026, Oktober 2026.",
        "Dasbor: http://127.0.0.1:5000/staf/unit/LAPAS",
        "== Unit RUTAN (RUTAN) ==",
        "- Layanan KUNJ: 0 dari minimal 30, kurang 30; proyeksi akhir bulan 0, "
        "di bawah minimal, perlu dipercepat",
    ]
    lines = body.splitlines()
    for line in expected:
        assert line in body, line
    assert lines.index("== Unit LAPAS (LAPAS) ==") < lines.index("== Unit RUTAN (RUTAN) ==")
    rutan = "\n".join(lines[lines.index("== Unit RUTAN (RUTAN) ==") :])
    assert "Bulan di bawah minimal tahun 2026: tidak ada." in rutan  # nothing before its first
    assert "Belum diterbitkan: tidak ada." in rutan
    # Septembers (met) and the months before the first answer are not short; no codes
    assert "September 2026:" not in body and "Agustus" not in body
    assert "UPT-LAIN" not in body  # another kanwil's unit
    for code in ("2026-10", "2026-11", "2026-T3"):
        assert code not in body


def test_dry_run_prints_without_a_mail_server_and_sending_needs_one(app, season):
    done = cli(app, "digest", "--dry-run")
    assert done.exit_code == 0, done.output
    assert done.stdout.startswith("Kepada: kanwil@example.go.id\nPerihal: Ringkasan mingguan")
    assert f"- {KUNJ_NAME}: 12 dari minimal 30" in done.stdout
    assert "1 ringkasan mingguan disiapkan (--dry-run, tidak dikirim)." in done.stdout

    refused = cli(app, "digest")
    assert refused.exit_code == 2 and refused.stdout == ""
    assert refused.stderr == (
        "surel belum diatur (SURVEY_MAIL_SERVER kosong): tidak ada yang dikirim\n"
    )


def test_to_sends_one_account_only_and_names_a_wrong_one(mail_app, smtp, season):
    create_user(
        db.session, "lapas-admin", PASSWORD, "unit_admin", season["lapas"]
    ).email = "lapas@example.go.id"
    db.session.commit()
    done = cli(mail_app, "digest", "--to", "LAPAS-ADMIN")
    assert done.exit_code == 0, done.output
    assert [e.rcpt_tos for e in smtp.envelopes] == [["lapas@example.go.id"]]
    body = body_of(smtp.messages[0])
    assert "== Unit LAPAS (LAPAS) ==" in body and "RUTAN" not in body  # a UPT sees itself

    viewer = cli(mail_app, "digest", "--to", "lapas")
    assert viewer.exit_code == 2 and viewer.stderr == "akun lapas bukan admin unit yang aktif\n"
    assert len(smtp.envelopes) == 1


def test_a_refused_address_does_not_stop_the_other_digests(mail_app, smtp, season):
    create_user(
        db.session, "lapas-admin", PASSWORD, "unit_admin", season["lapas"]
    ).email = "ditolak@example.go.id"
    db.session.commit()

    async def refuse(server, session, envelope, address, options):  # aiosmtpd's hook
        if address.startswith("ditolak@"):
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    smtp.handle_RCPT = refuse
    done = cli(mail_app, "digest")
    assert done.exit_code == 1 and "Traceback" not in done.output
    assert [e.rcpt_tos for e in smtp.envelopes] == [["kanwil@example.go.id"]]  # still sent
    [line] = done.stderr.splitlines()
    assert line.startswith("zisurvey digest: ditolak@example.go.id: ditolak server")
    assert "1 ringkasan mingguan dikirim." in done.stdout


def test_an_unreachable_server_is_one_line_naming_it(mail_app, season):
    port = free_port()  # nothing listens there
    mail_app.config["MAIL_PORT"] = port
    done = cli(mail_app, "digest")
    assert done.exit_code == 1 and "Traceback" not in done.output
    [line] = done.stderr.splitlines()
    assert line.startswith(f"zisurvey digest: surel tidak terkirim lewat 127.0.0.1:{port}: ")


def test_starttls_against_a_server_without_it_is_refused_in_one_line(mail_app, smtp, season):
    mail_app.config["MAIL_SECURITY"] = "starttls"
    done = cli(mail_app, "digest")
    assert done.exit_code == 1
    [line] = done.stderr.splitlines()
    assert f"127.0.0.1:{smtp.port}" in line and "STARTTLS" in line
    assert smtp.envelopes == []  # nothing went out in the clear


def test_reset_link_mail_says_whom_for_how_long_and_what_if_not_asked(mail_app, smtp, tree):
    user = tree["users"]["kanwil"]
    user.email = "kanwil@example.go.id"
    link = "http://127.0.0.1:5000/staf/reset/abcDEF123"
    settings = MailSettings.from_config(mail_app.config)
    send_reset_link(settings, user, link, "17 November 2026 10.00 WITA")
    [mail] = smtp.messages
    assert (mail["To"], mail["Subject"]) == (
        "kanwil@example.go.id",
        "Atur ulang kata sandi zisurvey",
    )
    body = body_of(mail)
    assert "Yth. kanwil," in body and "akun zisurvey kanwil" in body
    assert f"\n{link}\n" in body  # on a line of its own, so mail clients make it clickable
    assert "berlaku 24 jam, sampai 17 November 2026 10.00 WITA" in body
    assert "Bila Anda tidak meminta ini, abaikan surel ini" in body

    user.email = None
    with pytest.raises(ValueError, match="tidak punya alamat surel"):
        send_reset_link(settings, user, link, "17 November 2026 10.00 WITA")
    closed = MailSettings("127.0.0.1", free_port(), "none")
    user.email = "kanwil@example.go.id"
    with pytest.raises(MailError, match="127.0.0.1"):
        send_reset_link(closed, user, link, "17 November 2026 10.00 WITA")
    assert len(smtp.envelopes) == 1


def test_periods_read_as_people_read_them():
    assert month_text("2026-11") == "November 2026"
    assert month_text("2027-02") == "Februari 2027"
    assert period_text(span_of("2026-T4")) == "Triwulan IV 2026"
    assert period_text(span_of("2026-07")) == "Juli 2026"


def test_an_admin_without_layanan_in_scope_is_told_so():
    digest = Digest("kanwil", "k@example.go.id", date(2027, 2, 23), date(2027, 3, 2), "WIB", ())
    subject, text = compose(digest)
    assert subject == "Ringkasan mingguan survei ZI, 2 Maret 2027"
    assert "23 Februari 2027 s.d. 2 Maret 2027 (WIB)." in text
    assert "Belum ada layanan aktif di unit Anda." in text and "==" not in text


def test_a_unit_in_another_zone_has_its_own_month(app, tree, clock):
    """At 20.00 UTC on 30 November it is already 1 December in WIT (Jayapura)."""
    papua = make_unit("LAPAS-WIT", timezone="Asia/Jayapura")
    make_layanan(papua, "KUNJ")
    admin = create_user(db.session, "papua", PASSWORD, "unit_admin", papua)
    admin.email = "papua@example.go.id"
    db.session.commit()
    now = datetime(2026, 11, 30, 20, 0, tzinfo=UTC)
    digest = gather(db.session, app.extensions["zisurvey.catalogue"], admin, now)
    [unit] = digest.units
    assert (unit.month, unit.day, unit.days, unit.previous) == ("2026-12", 1, 31, "2026-11")
    assert (digest.since, digest.until, digest.zone) == (
        date(2026, 11, 24),
        date(2026, 12, 1),
        "WIT",
    )


@pytest.mark.parametrize("value", ["tls", "STARTTLS ", "smtps"])
def test_a_bad_mail_security_refuses_to_start(monkeypatch, tmp_path, value):
    monkeypatch.setenv("SURVEY_MAIL_SECURITY", value)
    with pytest.raises(ConfigError, match="SURVEY_MAIL_SECURITY: .* is not one of starttls"):
        create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.db'}"})


def test_the_installed_script_refuses_a_bad_mail_security_in_one_line(tmp_path):
    environment = os.environ | {
        "SURVEY_MAIL_SECURITY": "tls",
        "SURVEY_DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}",
    }
    done = subprocess.run(
        [ZISURVEY, "digest", "--dry-run"],
        capture_output=True,
        text=True,
        timeout=120,
        env=environment,
        cwd=tmp_path,
    )
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr == (
        "zisurvey: SURVEY_MAIL_SECURITY: 'tls' is not one of starttls, ssl, none\n"
    )
