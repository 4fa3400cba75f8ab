"""Hardening (issue 19): what an attacker or a careless deployment broke, each pinned here."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from analysis import lke
from survey_app import create_app
from survey_app.config import ConfigError
from survey_app.extensions import db
from survey_app.models import Evaluasi, Submission
from tests.web.conftest import CSRF, PASSWORD, login, signed_in
from tests.web.test_integrity import answer, layanan, respondent
from tests.web.test_publish import lapas  # noqa: F401  (the fixture)

# -- 3. open redirect after sign-in ----------------------------------------------------------------


@pytest.mark.parametrize(
    "target",
    [
        "/%09/evil.example/x",
        "/%0D/evil.example/x",
        "/%0A/evil.example",
        "/\\evil.example",
        "/%5C%5Cevil.example",
        "//evil.example",
        "https://evil.example/",
        "/%00/x",
    ],
)
def test_sign_in_never_leaves_the_site(app, tree, target):
    client = app.test_client()
    token = CSRF.search(client.get("/staf/masuk").get_data(as_text=True)).group(1)
    sent = client.post(
        f"/staf/masuk?next={target}",
        data={"csrf_token": token, "username": "kanwil", "password": PASSWORD},
    )
    assert sent.status_code in (302, 400)  # 400: a NUL is refused before anything reads it
    if sent.status_code == 302:
        assert sent.headers["Location"] == "/staf/"


def test_sign_in_goes_on_to_a_local_page(app, tree):
    client = app.test_client()
    token = CSRF.search(client.get("/staf/masuk").get_data(as_text=True)).group(1)
    sent = client.post(
        "/staf/masuk?next=/staf/unit/LAPAS%3Fperiode%3D2026-01",
        data={"csrf_token": token, "username": "kanwil", "password": PASSWORD},
    )
    assert sent.headers["Location"] == "/staf/unit/LAPAS?periode=2026-01"


# -- 4. settings typed once, at start-up --------------------------------------------------------


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("SURVEY_FORM_MAX_BYTES", "64kb"),
        ("SURVEY_LOGIN_LOCKOUT", "lima"),
        ("SURVEY_LOGIN_LOCKOUT_MINUTES", "-1"),
        ("SURVEY_PROXY_COUNT", "٢"),
        ("SURVEY_SESSION_COOKIE_SECURE", "mungkin"),
        ("SURVEY_LOGIN_LIMIT", "ten"),
        ("SURVEY_SUBMIT_LIMIT", "lots"),
        ("SURVEY_JOBS_REDIS_URL", "nonsense"),
        ("SURVEY_SALT_STORE", "somewhere"),
        ("SURVEY_CLOCK", "now"),
        ("SURVEY_RATELIMIT_STORAGE_URI", "junk"),
        ("SURVEY_RATELIMIT_STRATEGY", "junk"),
        ("SURVEY_REPORTS_DATABASE_URL", "::::"),
        ("SURVEY_SQLALCHEMY_ENGINE_OPTIONS", "junk"),
        ("SURVEY_BABEL_DEFAULT_TIMEZONE", "Mars/Base"),
    ],
)
def test_a_bad_setting_refuses_to_start_naming_the_variable(monkeypatch, tmp_path, variable, value):
    monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigError, match=variable):
        create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.db'}"})


def test_settings_from_the_environment_are_numbers_where_numbers_are_meant(app, monkeypatch, tree):
    monkeypatch.setenv("SURVEY_FORM_MAX_BYTES", "65536")
    monkeypatch.setenv("SURVEY_LOGIN_LOCKOUT", "3")
    monkeypatch.setenv("SURVEY_LOGIN_LOCKOUT_MINUTES", "15")
    keep = ("TESTING", "SQLALCHEMY_DATABASE_URI", "SECRET_KEY", "CLOCK", "BASE_URL")
    app = create_app({key: app.config[key] for key in keep})  # the same database, new settings
    assert app.config["FORM_MAX_BYTES"] == 65536 and app.config["LOGIN_LOCKOUT"] == 3
    client = app.test_client()
    # A failed sign-in reads the throttle settings (a string once answered 500): after the
    # third failure in a row the next attempt waits, as SURVEY_LOGIN_LOCKOUT=3 says.
    statuses = [login(client, "kanwil", "salah-sekali").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    target = layanan(tree)
    assert answer(respondent(app), target.token).status_code == 303  # reads FORM_MAX_BYTES
    with app.app_context():
        db.engine.dispose()  # this second app's own pool


# -- 5. saran in the XLSX rekap are text, never links ---------------------------------------------


@pytest.mark.parametrize(
    "saran",
    ["file:///c:\\windows\\system32", "\\\\host\\share\\x", "http://evil.example", "mailto:a@b.c"],
)
def test_saran_that_look_like_links_are_written_as_text(app, tree, saran):
    target = layanan(tree)
    assert answer(respondent(app), target.token, saran=saran).status_code == 303
    admin = signed_in(app, "kanwil")
    book = load_workbook(io.BytesIO(admin.get("/staf/unit/LAPAS/rekap.xlsx?periode=2026-01").data))
    links = [cell for sheet in book for row in sheet.iter_rows() for cell in row if cell.hyperlink]
    assert links == []
    sheet = book["Jawaban"]
    column = [c.value for c in sheet[1]].index("saran")
    assert sheet.cell(row=2, column=column + 1).value == saran


# -- 9. the ZI form's profile is a name from the list, never a path ------------------------------


@pytest.mark.parametrize("name", ["../../../etc/passwd", "../profiles/permenpanrb-90-2021", "x"])
def test_a_profile_is_only_a_shipped_name(app, tree, name):
    with pytest.raises(ValueError, match="unknown"):
        lke.load_profile(name)
    client = signed_in(app, "kanwil")
    token = CSRF.search(client.get("/staf/unit/LAPAS/zi?tahun=2026").get_data(as_text=True))
    sent = client.post(
        "/staf/unit/LAPAS/zi?tahun=2026",
        data={"csrf_token": token.group(1), "tahun": "2026", "profile": name},
    )
    assert sent.status_code in (400, 422)
    assert db.session.scalar(select(func.count()).select_from(Evaluasi)) == 0


# -- 8. numbers that are not numbers, or too big for their column ----------------------------------


@pytest.mark.parametrize("value", ["NaN", "sNaN", "-Infinity", "1e999", "3." + "9" * 80, "٣"])
def test_zi_fields_refuse_what_is_not_a_plain_decimal(app, tree, value):
    from tests.web.test_zi import post

    app.config["PROPAGATE_EXCEPTIONS"] = False
    client = signed_in(app, "kanwil")
    sent = post(client, capaian_kinerja=value)
    assert sent.status_code == 422, sent.status_code
    assert db.session.scalar(select(func.count()).select_from(Evaluasi)) == 0


@pytest.mark.parametrize("jumlah", ["9" * 30, "2147483648", "-5", "٣٠", "1e3"])
def test_people_served_beyond_the_column_is_refused(app, tree, jumlah):
    from survey_app.models import Dilayani

    app.config["PROPAGATE_EXCEPTIONS"] = False
    client = signed_in(app, "kanwil")
    target = layanan(tree)
    token = CSRF.search(client.get(f"/staf/layanan/{target.id}").get_data(as_text=True))
    sent = client.post(
        f"/staf/layanan/{target.id}/dilayani",
        data={"csrf_token": token.group(1), "period": "2026-01", "jumlah": jumlah},
    )
    assert sent.status_code in (400, 422), sent.status_code
    assert db.session.scalar(select(func.count()).select_from(Dilayani)) == 0
    fine = {"csrf_token": token.group(1), "period": "2026-01", "jumlah": "350"}
    assert client.post(f"/staf/layanan/{target.id}/dilayani", data=fine).status_code == 302
    assert db.session.scalar(select(func.count()).select_from(Dilayani)) == 1  # the form works


# -- 10. privacy: nothing of the address in the cookie; a form answers for its own layanan --------


def test_the_session_cookie_holds_nothing_derived_from_the_address(app, tree):
    from flask.sessions import SecureCookieSessionInterface

    client = signed_in(app, "kanwil")
    cookie = client.get_cookie("session").value
    serializer = SecureCookieSessionInterface().get_signing_serializer(app)
    session = serializer.loads(cookie)
    assert "_user_id" in session and "_id" not in session  # no hash of address and browser


def test_a_form_of_one_unit_posted_to_the_same_service_of_another_is_refused(app, tree):
    from tests.web.test_integrity import FIELDS

    mine, rutan = layanan(tree, "lapas"), layanan(tree, "rutan")
    assert (mine.kode, rutan.kode) == ("KUNJ", "KUNJ")
    phone = respondent(app)
    page = phone.get(f"/survei/{mine.token}").get_data(as_text=True)
    data = dict(FIELDS.findall(page)) | {f"U{i}": "4" for i in range(1, 10)}
    data |= {f"AK{i}": "4" for i in range(1, 6)} | {f"PK{i}": "4" for i in range(1, 9)}
    sent = phone.post(f"/survei/{rutan.token}", data=data)
    assert sent.status_code == 400
    assert db.session.scalar(select(func.count()).select_from(Submission)) == 0
    assert phone.post(f"/survei/{mine.token}", data=data).status_code == 303  # its own: fine


# -- 11. staff pages and exports are never cached -------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/staf/unit/LAPAS?periode=2026-01",
        "/staf/unit/LAPAS/jawaban.csv?periode=2026-01",
        "/staf/unit/LAPAS/rekap.xlsx?periode=2026-01",
    ],
)
def test_staff_pages_and_exports_are_not_stored_by_browsers_or_proxies(app, tree, path):
    response = signed_in(app, "kanwil").get(path)
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"


def test_the_days_salt_lives_in_redis_with_an_expiry_shared_by_workers(app):
    import redis as redis_client

    from survey_app.services.collection.sources import RedisSalts, source_hash
    from tests.conftest import REDIS_URL, require_redis

    require_redis()
    store = redis_client.Redis.from_url(REDIS_URL)
    day = "2031-02-03"  # a day no other test uses
    store.delete(f"zisurvey:garam:{day}")
    try:
        one, two = RedisSalts(REDIS_URL), RedisSalts(REDIS_URL)  # two workers
        now = datetime(2031, 2, 3, 5, tzinfo=UTC)
        assert source_hash(one, "203.0.113.9", now) == source_hash(two, "203.0.113.9", now)
        assert 0 < store.ttl(f"zisurvey:garam:{day}") <= 2 * 24 * 3600
    finally:
        store.delete(f"zisurvey:garam:{day}")


def test_a_chunked_form_over_the_limit_is_refused_whole_not_cut_and_parsed(app, tree):
    from urllib.parse import urlencode

    from tests.web.test_integrity import FIELDS

    target = layanan(tree)
    phone = respondent(app)
    page = phone.get(f"/survei/{target.token}").get_data(as_text=True)
    data = dict(FIELDS.findall(page)) | {f"U{i}": "4" for i in range(1, 10)}
    data |= {f"AK{i}": "4" for i in range(1, 6)} | {f"PK{i}": "4" for i in range(1, 9)}
    body = urlencode(data) + "&x=" + "a" * (app.config["FORM_MAX_BYTES"] + 10)
    # a server that de-chunks says so, and there is no Content-Length
    chunked = {"wsgi.input_terminated": True, "CONTENT_LENGTH": ""}
    sent = phone.post(
        f"/survei/{target.token}",
        input_stream=io.BytesIO(body.encode()),
        content_type="application/x-www-form-urlencoded",
        headers={"Transfer-Encoding": "chunked"},
        environ_overrides=chunked,
    )
    assert sent.status_code == 413
    assert db.session.scalar(select(func.count()).select_from(Submission)) == 0
    small = urlencode(data).encode()
    sent = phone.post(
        f"/survei/{target.token}",
        input_stream=io.BytesIO(small),
        content_type="application/x-www-form-urlencoded",
        headers={"Transfer-Encoding": "chunked"},
        environ_overrides=chunked,
    )
    assert sent.status_code == 303  # a chunked form within the limit is taken


def test_without_a_base_url_a_hostile_host_never_reaches_a_shared_cache(app, lapas):  # noqa: F811
    from tests.web.test_publish import publish

    publish(signed_in(app, "kanwil"))
    app.config["BASE_URL"] = None
    evil = app.test_client().get("/hasil/LAPAS", headers={"Host": "evil.example"})
    assert evil.status_code == 200 and "evil.example" in evil.get_data(as_text=True)
    assert evil.cache_control.private and not evil.cache_control.public  # the browser's only
    app.config["BASE_URL"] = "http://127.0.0.1:5000"
    fine = app.test_client().get("/hasil/LAPAS", headers={"Host": "evil.example"})
    assert "evil.example" not in fine.get_data(as_text=True) and fine.cache_control.public
    app.config["TRUSTED_HOSTS"] = ["127.0.0.1:5000"]
    assert (
        app.test_client().get("/hasil/LAPAS", headers={"Host": "evil.example"}).status_code == 400
    )


def test_long_unit_codes_never_collide_as_worksheet_names(app, tree):
    from survey_app.services.collection.submissions import Response, record_submission
    from tests.conftest import make_layanan, make_unit

    long_a = make_unit("UPT-" + "A" * 24 + "-1", parent=tree["kanwil"])
    long_b = make_unit("UPT-" + "A" * 24 + "-2", parent=tree["kanwil"])
    catalogue = app.extensions["zisurvey.catalogue"]
    when = datetime(2026, 1, 10, 3, tzinfo=UTC)
    for unit in (long_a, long_b, tree["lapas"]):
        for kode in ("KUNJ", "kunj") if unit is not tree["lapas"] else ("KUNJ",):
            target = make_layanan(unit, kode, ("skm",)) if unit is not tree["lapas"] else None
            target = target or layanan(tree)
            response = Response({"U1": 4}, {}, None, f"{unit.kode}-{kode}")
            record_submission(db.session, catalogue, target, response, when)
    db.session.commit()
    book = load_workbook(
        io.BytesIO(
            signed_in(app, "kanwil").get("/staf/unit/KANWIL/rekap.xlsx?periode=2026-01").data
        )
    )
    names = [name.casefold() for name in book.sheetnames]
    assert len(names) == len(set(names)) and all(len(n) <= 31 for n in names)
    assert len([n for n in names if n.startswith("rekap")]) >= 5


def test_an_import_id_longer_than_its_column_is_named_not_a_500(app, tree):
    from tests.conftest import FIXTURES
    from tests.web.test_manage import upload

    app.config["PROPAGATE_EXCEPTIONS"] = False
    rows = (FIXTURES / "worked_example.csv").read_text().splitlines()
    rows[2] = "r" * 90 + rows[2][4:]
    client = signed_in(app, "kanwil")
    preview = client.get(upload(client, "j.csv", "\n".join(rows).encode()).headers["Location"])
    assert preview.status_code == 422
    page = preview.get_data(as_text=True)  # in Indonesian, by row and column (issue 18.3)
    assert '<td>2</td><td class="source-header">id</td><td>Nilai rrrrrrrrrrrrrrrrrrrr...' in page
    assert "lebih panjang dari 67 karakter." in page and "Persingkat id itu." in page
    assert db.session.scalar(select(func.count()).select_from(Submission)) == 0


def test_a_ten_year_range_is_a_few_parameters_and_eleven_years_are_refused(app, tree):
    from sqlalchemy import event

    widest: list[int] = []

    def count(conn, cursor, statement, parameters, context, executemany):  # noqa: ANN001
        if not executemany:
            widest.append(len(parameters or ()))

    client = signed_in(app, "kanwil")
    event.listen(db.engine, "before_cursor_execute", count)
    try:
        page = client.get("/staf/unit/KANWIL?dari=2017-01&sampai=2026-12")
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert page.status_code == 200 and max(widest) < 40  # not one per month (120)
    assert client.get("/staf/unit/KANWIL?dari=2015-01&sampai=2026-12").status_code == 400


@pytest.mark.parametrize("secret", ["1", "no", "0"])
def test_a_secret_key_is_text_whatever_it_looks_like(monkeypatch, tmp_path, secret):
    monkeypatch.setenv("SURVEY_SECRET_KEY", secret)
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 's.db'}"})
    assert app.config["SECRET_KEY"] == secret


def test_with_redis_away_the_form_still_takes_answers(app, tree):
    from survey_app.services.collection.sources import RedisSalts

    app.extensions["zisurvey.salts"] = RedisSalts("redis://127.0.0.1:1")  # nothing listens
    target = layanan(tree)
    assert answer(respondent(app), target.token).status_code == 303
    assert db.session.scalar(select(func.count()).select_from(Submission)) == 1
