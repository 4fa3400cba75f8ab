"""Sign-in throttling and session versions (issue 15.4 and 15.5)."""

import re
import statistics
import time
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from survey_app.extensions import db
from survey_app.models import Pengguna, PercobaanMasuk
from survey_app.services.administration.signin import Throttle
from tests.web.conftest import CSRF, PASSWORD, login, signed_in

WRONG = "salah-sandi-123"


@pytest.fixture
def no_rate_limit(app):
    app.config["LOGIN_LIMIT"] = "1000 per minute"  # the throttle answers, not the rate limit


def test_the_wait_doubles_from_one_minute_and_stops_at_fifteen():
    throttle = Throttle()
    waits = [throttle.wait(n, 5) for n in range(1, 11)]
    minutes = [w and w / timedelta(minutes=1) for w in waits]
    assert minutes == [None, None, None, None, 1, 2, 4, 8, 15, 15]


def test_five_anonymous_failures_do_not_keep_the_real_user_out_after_the_wait(
    app, tree, clock, no_rate_limit
):
    attacker = app.test_client()
    assert [login(attacker, "lapas", WRONG).status_code for _ in range(5)] == [200] * 5
    user = app.test_client()
    waiting = login(user, "lapas")  # the right password, during the wait
    assert waiting.status_code == 429 and 59 <= int(waiting.headers["Retry-After"]) <= 60
    assert "Tunggu 1 menit" in waiting.get_data(as_text=True)
    assert user.get("/staf/").status_code == 302
    clock.now += timedelta(seconds=61)
    assert login(user, "lapas").status_code == 302  # the wait has passed: it works
    assert user.get("/staf/").status_code in (200, 302)
    assert db.session.scalar(select(Pengguna.terakhir_masuk).where(Pengguna.username == "lapas"))


def test_failures_during_a_wait_are_not_counted_and_later_ones_wait_longer(
    app, tree, clock, no_rate_limit
):
    client = app.test_client()
    for _ in range(5):
        login(client, "lapas", WRONG)
    for _ in range(20):  # hammering during the wait changes nothing
        assert login(client, "lapas", WRONG).status_code == 429
    clock.now += timedelta(minutes=1, seconds=1)
    assert login(client, "lapas", WRONG).status_code == 200  # the 6th failure
    second = login(client, "lapas")
    assert second.status_code == 429 and 119 <= int(second.headers["Retry-After"]) <= 120
    clock.now += timedelta(minutes=2, seconds=1)
    assert login(client, "lapas").status_code == 302
    # a success clears the username's count: the next failure waits for nothing
    assert login(app.test_client(), "lapas", WRONG).status_code == 200
    assert login(app.test_client(), "lapas").status_code == 302


def test_an_unknown_and_a_known_username_answer_alike(app, tree, clock, no_rate_limit):
    def walk(name):
        client = app.test_client()
        answers = [login(client, name, WRONG) for _ in range(6)]
        return [(r.status_code, _message(r)) for r in answers]

    assert walk("lapas") == walk("tidak-ada") == walk("kanwil")
    # the same rows: one per username typed, none naming it
    keys = db.session.scalars(select(PercobaanMasuk.kunci)).all()
    assert sum(k.startswith("akun:") for k in keys) == 3
    assert not any("lapas" in k or "tidak-ada" in k for k in keys)


def test_an_unknown_username_takes_as_long_as_a_known_one(app, tree, clock, no_rate_limit):
    client = app.test_client()
    token = CSRF.search(client.get("/staf/masuk").get_data(as_text=True)).group(1)

    def timed(name):
        clock.now += timedelta(hours=25)  # every count forgotten: no wait in the way
        started = time.perf_counter()
        response = client.post(
            "/staf/masuk", data={"csrf_token": token, "username": name, "password": WRONG}
        )
        assert response.status_code == 200
        return time.perf_counter() - started

    known, unknown = [], []
    for _ in range(7):  # interleaved, so load on the machine falls on both
        known.append(timed("lapas"))
        unknown.append(timed("orang-asing"))
    ratio = statistics.median(unknown) / statistics.median(known)
    assert 0.6 < ratio < 1.6, ratio  # both check one scrypt hash (about 50 ms); no shortcut


def test_one_source_guessing_across_usernames_waits_too(app, tree, clock, no_rate_limit):
    app.config["LOGIN_SOURCE_LOCKOUT"] = 8
    client = app.test_client()
    statuses = [login(client, f"tamu{n}", WRONG).status_code for n in range(9)]
    assert statuses == [200] * 8 + [429]
    clock.now += timedelta(minutes=1, seconds=1)
    assert login(client, "lapas").status_code == 302


def test_failures_are_counted_atomically(app, tree, backend):
    """Concurrent failures under one key each count: the upsert adds in the database."""
    import threading

    from survey_app.services.administration import signin

    now = app.config["CLOCK"]()
    errors: list[BaseException] = []

    def fail_once():
        try:
            with app.app_context():
                keys = {signin.account_key("lapas"): 1000, signin.source_key("s"): 1000}
                signin._fail(db.session, keys, now, Throttle())
                db.session.commit()
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=fail_once) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if backend == "sqlite":  # one writer at a time: a busy database may refuse, never miscount
        errors = [e for e in errors if "locked" not in str(e)]
    assert errors == []
    db.session.expire_all()
    counts = db.session.scalars(select(PercobaanMasuk.gagal)).all()
    stored = db.session.scalar(select(func.count()).select_from(PercobaanMasuk))
    assert stored == 2 and counts[0] == counts[1] and (backend == "sqlite" or counts[0] == 8)


def _message(response):
    found = re.search(r'class="flash error"[^>]*>([^<]+)<', response.get_data(as_text=True))
    return found.group(1) if found else None


def test_a_cookie_saved_before_sign_out_gets_the_sign_in_page_after_it(app, tree):
    client = signed_in(app, "lapas")
    saved = client.get_cookie("session").value
    other_device = signed_in(app, "lapas")
    page = client.get("/staf/unit/LAPAS").get_data(as_text=True)
    token = CSRF.search(page) or re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert client.post("/staf/keluar", data={"csrf_token": token.group(1)}).status_code == 302
    replay = app.test_client()
    replay.set_cookie("session", saved)
    response = replay.get("/staf/unit/LAPAS")
    assert response.status_code == 302 and response.headers["Location"].startswith("/staf/masuk")
    # sign-out ends every session of the account, on every device
    assert other_device.get("/staf/unit/LAPAS").status_code == 302


def test_sign_in_rotates_the_csrf_token_and_keeps_no_address(app, tree):
    client = app.test_client()
    before = CSRF.search(client.get("/staf/masuk").get_data(as_text=True)).group(1)
    assert login(client, "lapas").status_code == 302
    page = client.get("/staf/unit/LAPAS").get_data(as_text=True)
    after = (CSRF.search(page) or re.search(r'name="csrf_token" value="([^"]+)"', page)).group(1)
    assert after != before
    with client.session_transaction() as session:
        assert "_id" not in session and "csrf_token" in session
        assert session["_user_id"].endswith(":0")


def test_a_deactivated_or_changed_account_is_signed_out(app, tree):
    client = signed_in(app, "lapas")
    user = db.session.scalar(select(Pengguna).where(Pengguna.username == "lapas"))
    user.sesi_versi += 1  # what a password change, a role change or a reset does
    db.session.commit()
    assert client.get("/staf/unit/LAPAS").status_code == 302
    client = signed_in(app, "lapas")
    user.aktif = False
    db.session.commit()
    assert client.get("/staf/unit/LAPAS").status_code == 302
    assert login(app.test_client(), "lapas").status_code == 200  # and cannot sign in again
    _ = PASSWORD
