"""Survey integrity (issue 8): tickets, source hashes, limits, flags, review and reports."""

import io
import json
import logging
import re
import subprocess
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from survey_app.extensions import db, limiter
from survey_app.models import AuditLog, Submission, Tiket, Tinjauan
from tests.readback import decode_qr, pdf_info, pdf_lines, pdf_pages, pdf_text
from tests.web.conftest import CSRF, signed_in
from tests.web.helpers import IPAK, SKM, full_answers, hidden_fields

ADDRESS = "203.0.113.7"
FIELDS = re.compile(r'<input[^>]*name="(csrf_token|kunci|layanan|mulai)"[^>]*value="([^"]*)"')


def count() -> int:
    return db.session.scalar(select(func.count()).select_from(Submission))


def layanan(tree, unit="lapas", kode="KUNJ"):
    return next(x for x in tree[unit].layanan if x.kode == kode)


def answer(client, token, path="/survei/{}", **changes):
    """GET the form, then POST it answered, as a phone does (or a script that keeps no
    cookie: the form of a browser that has just sent one says so instead); returns the
    response."""
    client.delete_cookie("zs-terkirim", path="/survei/")
    page = client.get(path.format(token)).get_data(as_text=True)
    fields = dict(FIELDS.findall(page))
    data = fields | full_answers(SKM + IPAK) | full_answers([f"PK{i}" for i in range(1, 9)], 3)
    data.update(changes)
    return client.post(path.format(token), data={k: v for k, v in data.items() if v is not None})


def ticket_form(client, token):
    page = client.get(f"/survei/t/{token}").get_data(as_text=True)
    fields = dict(FIELDS.findall(page))
    return fields | full_answers(SKM + IPAK) | full_answers([f"PK{i}" for i in range(1, 9)])


def respondent(app, address=ADDRESS):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


# -- one-time tickets --------------------------------------------------------------------------


def test_ticket_slips_decode_to_links_that_take_one_answer(app, tree, tmp_path):
    client = signed_in(app, "kanwil")
    target = layanan(tree)
    page = client.get(f"/staf/layanan/{target.id}/tiket").get_data(as_text=True)
    sent = client.post(
        f"/staf/layanan/{target.id}/tiket",
        data={"csrf_token": CSRF.search(page).group(1), "jumlah": "9"},
    )
    assert sent.status_code == 200 and sent.mimetype == "application/pdf"
    pdf = tmp_path / "tiket.pdf"
    pdf.write_bytes(sent.data)
    tickets = db.session.scalars(select(Tiket).order_by(Tiket.id)).all()
    assert len(tickets) == 9
    text = pdf_text(pdf)
    printed = [" ".join(t.token[i : i + 4] for i in range(0, 20, 4)) for t in tickets]
    assert all(code in text for code in printed) and "Tiket survei sekali pakai" in text
    # typed by hand from the slip: no look-alikes to mistake, groups and case do not matter
    assert all(len(t.token) == 20 and not set(t.token) & set("0O1IL") for t in tickets)
    typed = printed[-1].lower()
    assert respondent(app).get(f"/survei/t/{typed}").status_code == 200
    assert pdf_info(pdf).pages == 2
    decoded = decode_qr(pdf_pages(pdf, dpi=110)[0])
    assert sorted(decoded) == sorted(
        f"http://127.0.0.1:5000/survei/t/{t.token}" for t in tickets[:8]
    )

    phone, second_tab = respondent(app), respondent(app)
    first = tickets[0].token
    earlier = ticket_form(second_tab, first)  # a second tab opened before the first is sent
    assert phone.post(f"/survei/t/{first}", data=ticket_form(phone, first)).status_code == 303
    again = second_tab.post(f"/survei/t/{first}", data=earlier)
    assert again.status_code == 410
    assert "Tiket survei ini sudah dipakai" in again.get_data(as_text=True)
    opened = phone.get(f"/survei/t/{first}")
    assert opened.status_code == 410 and "minta" in opened.get_data(as_text=True)
    assert count() == 1 and db.session.scalar(select(Submission.tiket_id)) == tickets[0].id
    assert phone.get("/survei/t/tidak-ada").status_code == 404


def test_the_same_ticket_form_sent_twice_is_one_answer_and_thanks_twice(app, tree):
    tiket = Tiket(layanan=layanan(tree), dibuat=app.config["CLOCK"]())
    db.session.add(tiket)
    db.session.commit()
    phone = respondent(app)
    page = phone.get(f"/survei/t/{tiket.token}").get_data(as_text=True)
    fields = dict(FIELDS.findall(page))
    data = fields | full_answers(SKM + IPAK) | full_answers([f"PK{i}" for i in range(1, 9)])
    statuses = [phone.post(f"/survei/t/{tiket.token}", data=data).status_code for _ in range(2)]
    assert statuses == [303, 303] and count() == 1


def test_the_report_counts_answers_through_tickets(app, tree):
    target = layanan(tree)
    tiket = Tiket(layanan=target, dibuat=app.config["CLOCK"]())
    db.session.add(tiket)
    db.session.commit()
    answer(respondent(app), tiket.token, "/survei/t/{}")
    answer(respondent(app, "198.51.100.1"), target.token)
    page = signed_in(app, "lapas").get("/staf/unit/LAPAS/integritas?periode=2026-01")
    text = page.get_data(as_text=True)
    assert re.search(r"Melalui tiket sekali pakai</th><td>1 \(50,0%\)", text)
    assert re.search(r"Jawaban masuk</th><td>2<", text)


# -- sources, limits and sizes -----------------------------------------------------------------


def test_no_raw_address_is_stored_and_the_salt_rotates_daily(app, tree, clock):
    target = layanan(tree)
    for _ in range(2):
        answer(respondent(app), target.token)
    answer(respondent(app, "2001:db8::7"), target.token)
    hashes = db.session.scalars(select(Submission.sumber).order_by(Submission.id)).all()
    assert hashes[0] == hashes[1] != hashes[2] and all(
        re.fullmatch(r"[0-9a-f]{16}", h) for h in hashes
    )
    clock.now += timedelta(days=1)
    answer(respondent(app), target.token)
    tomorrow = db.session.scalars(select(Submission.sumber).order_by(Submission.id.desc())).first()
    assert tomorrow != hashes[0]  # a new day, a new salt: yesterday's hashes cannot be linked
    salts = app.extensions["zisurvey.salts"]
    assert list(salts._salts) == ["2026-01-16"]  # in memory; yesterday's is gone
    dump = json.dumps(
        [
            [str(v) for v in row]
            for table in db.metadata.sorted_tables
            for row in db.session.execute(table.select())
        ]
    )
    assert ADDRESS not in dump and "2001:db8::7" not in dump
    assert all(salt not in dump for salt in salts._salts.values())  # no salt in the database


def test_the_public_form_is_rate_limited_per_source_with_a_friendly_page(app, tree):
    app.config["SUBMIT_LIMIT"] = "3 per minute"
    target = layanan(tree)
    phone = respondent(app)
    statuses = [answer(phone, target.token).status_code for _ in range(4)]
    assert statuses == [303, 303, 303, 429] and count() == 3
    page = answer(phone, target.token).get_data(as_text=True)
    assert "Terlalu banyak jawaban terkirim dari jaringan ini" in page and "Traceback" not in page
    assert (
        answer(respondent(app, "198.51.100.1"), target.token).status_code == 303
    )  # another source
    keys = " ".join(str(k) for k in vars(limiter.storage).get("events", {}))
    assert keys and ADDRESS not in keys and "127.0.0.1" not in keys


def test_addresses_are_blanked_in_the_access_log(app):
    logger = logging.getLogger("werkzeug")
    written = io.StringIO()
    handler = logging.StreamHandler(written)
    logger.addHandler(handler)
    # Alembic's fileConfig (run by the migration tests) disables existing loggers
    level, disabled = logger.level, logger.disabled
    logger.level, logger.disabled = logging.INFO, False
    try:
        logger.info('%s - - "POST /survei/x HTTP/1.1" 303 -', ADDRESS)
        logger.info("%s - - GET", "2001:db8::7")
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
        logger.disabled = disabled
    assert ADDRESS not in written.getvalue() and "2001:db8::7" not in written.getvalue()
    assert '- - - "POST /survei/x HTTP/1.1" 303' in written.getvalue()


def test_an_oversized_post_is_refused_and_stores_nothing(app, tree):
    response = answer(respondent(app), layanan(tree).token, saran="x" * 70_000)
    assert response.status_code == 413
    assert "Isian terlalu panjang" in response.get_data(as_text=True) and count() == 0


# -- the render time ---------------------------------------------------------------------------


def test_the_render_time_is_signed_and_gives_the_duration(app, tree, clock):
    target = layanan(tree)
    phone = respondent(app)
    fields = hidden_fields(phone, target.token)
    clock.now += timedelta(seconds=95)
    data = fields | full_answers(SKM + IPAK) | full_answers([f"PK{i}" for i in range(1, 9)])
    forged = phone.post(
        f"/survei/{target.token}", data=data | {"mulai": fields["mulai"][:-3] + "abc"}
    )
    other = hidden_fields(phone, target.token)["mulai"]  # valid, but signed for another form
    swapped = phone.post(f"/survei/{target.token}", data=data | {"mulai": other})
    missing = phone.post(
        f"/survei/{target.token}", data={k: v for k, v in data.items() if k != "mulai"}
    )
    assert [forged.status_code, swapped.status_code, missing.status_code] == [400, 400, 400]
    assert count() == 0
    assert phone.post(f"/survei/{target.token}", data=data).status_code == 303
    assert db.session.scalar(select(Submission.durasi)) == 95


# -- flags, review and what reports say ---------------------------------------------------------


@pytest.fixture
def burst(app, tree):
    """Six answers from one phone within a minute, all 4s, sent as soon as rendered."""
    target = layanan(tree)
    phone = respondent(app)
    for _ in range(6):
        assert answer(phone, target.token).status_code == 303
    return db.session.scalars(select(Submission.id).order_by(Submission.id)).all()


def test_a_burst_is_flagged_for_review(app, burst):
    page = (
        signed_in(app, "lapas")
        .get("/staf/unit/LAPAS/integritas?periode=2026-01")
        .get_data(as_text=True)
    )
    assert re.search(r"Ditandai untuk ditinjau</th><td>6<", page)
    for flag in (
        "Banyak kiriman dari satu sumber",
        "Jawaban identik berulang",
        "Diisi lebih cepat",
    ):
        assert re.search(flag + r"[^<]*</td><td>6<", page), flag
    assert "Dikirim di luar jam layanan</td><td>0<" in page  # 11.00 WITA, inside 08-16
    assert 'action="/staf/jawaban/' not in page  # a viewer sees, never decides


def review(client, submission_id, keputusan="kecualikan", alasan="beruntun", catatan="uji"):
    token = CSRF.search(
        client.get("/staf/unit/LAPAS/integritas?periode=2026-01").get_data(as_text=True)
    )
    return client.post(
        f"/staf/jawaban/{submission_id}/tinjau",
        data={
            "csrf_token": token.group(1),
            "keputusan": keputusan,
            "alasan": alasan,
            "catatan": catatan,
        },
    )


def ikm_n(client) -> int:
    page = client.get("/staf/unit/LAPAS?periode=2026-01").get_data(as_text=True)
    return int(re.search(r"<h2>IKM</h2>.*?n = (\d+)", page, re.S).group(1))


def test_exclusion_is_counted_everywhere_audited_and_reversible(app, burst, tmp_path):
    admin = signed_in(app, "kanwil")
    assert ikm_n(admin) == 6
    assert review(admin, burst[0]).status_code == 303
    assert ikm_n(admin) == 5
    dashboard = admin.get("/staf/unit/LAPAS?periode=2026-01").get_data(as_text=True)
    assert "1 jawaban dikecualikan setelah ditinjau" in dashboard
    pdf = tmp_path / "laporan.pdf"
    pdf.write_bytes(admin.get("/staf/unit/LAPAS/laporan.pdf?periode=2026-01").data)
    text = pdf_lines(pdf)
    assert re.search(r"Dikecualikan dari perhitungan\s+1", text)
    assert re.search(r"Banyak kiriman dari satu sumber dalam waktu singkat\s+1", text)
    book = load_workbook(io.BytesIO(admin.get("/staf/unit/LAPAS/rekap.xlsx?periode=2026-01").data))
    cells = [
        c for row in book["Rekap unit"].iter_rows(values_only=True) for c in row if c is not None
    ]
    assert "Dikecualikan setelah ditinjau: 1 jawaban" in cells and "beruntun" in cells
    csv_rows = admin.get("/staf/unit/LAPAS/jawaban.csv?periode=2026-01").get_data(as_text=True)
    assert len(csv_rows.strip().splitlines()) == 1 + 5

    from tests.web.test_publish import publish

    assert publish(admin, "2026-01").status_code == 303
    publication = app.test_client().get("/hasil/LAPAS/publikasi.json").get_json()["publikasi"][0]
    snapshot = app.test_client().get(publication["json"]).get_json()
    assert snapshot["dikecualikan"] == {"jumlah": 1, "per_alasan": [{"alasan": "beruntun", "n": 1}]}
    assert "1 jawaban dikecualikan setelah ditinjau petugas" in app.test_client().get(
        "/hasil/LAPAS"
    ).get_data(as_text=True)

    assert (
        review(
            admin, burst[0], "pertahankan", "lainnya", "responden nyata, wifi ruang tunggu"
        ).status_code
        == 303
    )
    assert ikm_n(admin) == 6
    log = db.session.scalars(
        select(AuditLog).where(AuditLog.action == "tinjau").order_by(AuditLog.id)
    ).all()
    assert [(e.before, e.after["keputusan"]) for e in log] == [
        (None, "kecualikan"),
        ({"keputusan": "kecualikan", "alasan": "beruntun", "catatan": "uji"}, "pertahankan"),
    ]
    assert db.session.get(Submission, burst[0]).answers  # answers are never touched


def test_a_bad_decision_stores_nothing_and_says_why(app, burst):
    admin = signed_in(app, "kanwil")
    response = review(admin, burst[0], alasan="lainnya", catatan="")
    assert response.status_code == 303
    assert "perlu catatan" in admin.get(response.headers["Location"]).get_data(as_text=True)
    assert review(admin, burst[0], keputusan="hapus").status_code == 400
    assert db.session.scalar(select(func.count()).select_from(Tinjauan)) == 0


@pytest.mark.parametrize(("user", "status"), [("lapas", 403), ("admin", 303)])
def test_only_a_unit_admin_in_scope_decides(app, burst, user, status):
    assert review(signed_in(app, user), burst[0]).status_code == status


def test_another_kanwil_cannot_review_or_issue_tickets(app, tree, burst):
    from survey_app.services.administration.accounts import create_user

    create_user(db.session, "lain", "sandi-rahasia-1", "unit_admin", tree["other"])
    db.session.commit()
    other = signed_in(app, "lain")
    token = CSRF.search(other.get("/staf/unit/UPT-LAIN").get_data(as_text=True)).group(1)
    refused = other.post(
        f"/staf/jawaban/{burst[0]}/tinjau",
        data={"csrf_token": token, "keputusan": "kecualikan", "alasan": "cepat"},
    )
    tickets = other.post(
        f"/staf/layanan/{layanan(tree).id}/tiket", data={"csrf_token": token, "jumlah": "1"}
    )
    assert (refused.status_code, tickets.status_code) == (403, 403)
    assert db.session.scalar(select(func.count()).select_from(Tiket)) == 0


# -- hostile text ------------------------------------------------------------------------------

HOSTILE = '=HYPERLINK("http://x.test","klik")<script>alert(1)</script>'


def test_hostile_saran_is_escaped_and_never_a_formula(app, tree, tmp_path):
    target = layanan(tree)
    assert answer(respondent(app), target.token, saran=HOSTILE).status_code == 303
    admin = signed_in(app, "kanwil")
    page = admin.get("/staf/unit/LAPAS?periode=2026-01").get_data(as_text=True)
    assert (
        "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    )
    book = load_workbook(io.BytesIO(admin.get("/staf/unit/LAPAS/rekap.xlsx?periode=2026-01").data))
    sheet = book["Jawaban"]
    column = [c.value for c in sheet[1]].index("saran")
    cell = sheet.cell(row=2, column=column + 1)
    assert cell.data_type == "s" and cell.value == HOSTILE
    exported = admin.get("/staf/unit/LAPAS/jawaban.csv?periode=2026-01").get_data(as_text=True)
    assert "'=HYPERLINK" in exported  # a spreadsheet shows it as text
    from analysis.responses import read_responses

    path = tmp_path / "jawaban.csv"
    path.write_text(exported)
    back = read_responses(path, app.extensions["zisurvey.catalogue"].schema(), tz="Asia/Makassar")
    assert back["saran"].iloc[0] == HOSTILE  # and the import reads back what was written


def test_two_workers_share_one_limit_through_redis(app, tree):
    """Two app processes (gunicorn workers) count one source together; Redis keys are hashes."""
    import redis

    from survey_app import create_app
    from tests.conftest import REDIS_URL, require_redis

    require_redis()
    client = redis.Redis.from_url(REDIS_URL)
    settings = {
        key: app.config[key]
        for key in ("SQLALCHEMY_DATABASE_URI", "SECRET_KEY", "CLOCK", "TESTING")
    } | {"RATELIMIT_STORAGE_URI": REDIS_URL, "SUBMIT_LIMIT": "3 per minute"}
    workers = [create_app(settings), create_app(settings)]
    target = layanan(tree)
    statuses = []
    for n in range(4):
        worker = workers[n % 2]
        with worker.app_context():
            statuses.append(answer(respondent(worker), target.token).status_code)
    for worker in workers:
        with worker.app_context():
            db.session.remove()
            db.engine.dispose()
    sumber = db.session.scalar(select(Submission.sumber))
    keys = [k.decode() for k in client.keys(f"*/{sumber}/*")]
    for key in keys:
        client.delete(key)
    assert statuses == [303, 303, 303, 429]
    assert keys and not any(ADDRESS in key for key in keys)


def test_names_with_markup_are_shown_as_text_on_pages_and_in_the_pdf(app, tree, tmp_path):
    target = layanan(tree)
    target.nama = "<script>alert('x')</script> Kunjungan"
    tree["lapas"].nama = "Lapas <b>Tebal</b>"
    db.session.commit()
    answer(respondent(app), target.token)
    admin = signed_in(app, "kanwil")
    pages = [
        app.test_client().get(f"/survei/{target.token}").get_data(as_text=True),
        admin.get("/staf/unit/LAPAS?periode=2026-01").get_data(as_text=True),
        admin.get("/staf/unit/LAPAS/layanan").get_data(as_text=True),
    ]
    for page in pages:
        assert "<script>alert" not in page and "<b>Tebal</b>" not in page
        assert "&lt;script&gt;alert" in page or "Lapas &lt;b&gt;Tebal&lt;/b&gt;" in page
    pdf = tmp_path / "laporan.pdf"
    pdf.write_bytes(admin.get("/staf/unit/LAPAS/laporan.pdf?periode=2026-01").data)
    text = pdf_text(pdf)
    assert "Lapas <b>Tebal</b>" in text  # drawn as the characters typed, not as markup


def test_a_ticket_shown_on_the_counter_screen_decodes_and_works_once(app, tree, tmp_path):
    import base64

    client = signed_in(app, "kanwil")
    target = layanan(tree)
    page = client.get(f"/staf/layanan/{target.id}/tiket").get_data(as_text=True)
    token = CSRF.search(page).group(1)
    screen = client.post(f"/staf/layanan/{target.id}/tiket/layar", data={"csrf_token": token})
    assert screen.status_code == 303  # a refresh shows the same ticket: it never re-posts
    for _ in range(2):
        html = client.get(screen.headers["Location"]).get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Tiket)) == 1
    assert "Keluar" not in html and "staffbar" not in html  # nothing of the staff in view
    svg = base64.b64decode(re.search(r'src="data:image/svg\+xml;base64,([^"]+)"', html).group(1))
    (tmp_path / "qr.svg").write_bytes(svg)
    subprocess.run(
        [
            "chromium",
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            f"--screenshot={tmp_path / 'qr.png'}",
            "--window-size=600,600",
            f"file://{tmp_path / 'qr.svg'}",
        ],
        capture_output=True,
        timeout=60,
    )
    [symbol] = decode_qr(tmp_path / "qr.png")
    tiket = db.session.scalars(select(Tiket)).one()
    assert symbol == f"http://127.0.0.1:5000/survei/t/{tiket.token}"
    assert answer(respondent(app), tiket.token, "/survei/t/{}").status_code == 303
    assert respondent(app).get(f"/survei/t/{tiket.token}").status_code == 410
    after = client.get(screen.headers["Location"]).get_data(as_text=True)
    assert "Terima kasih, jawaban sudah diterima." in after and "data:image/svg" not in after
