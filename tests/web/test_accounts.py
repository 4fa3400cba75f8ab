"""Accounts in the web (issue 15.2 and 15.3): a list per scope, creation within scope with a
one-time link, role and unit changes, deactivation, lifting a wait, reset links, one's own
password, and the petugas loket who issues tickets and sees no figures."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from survey_app.extensions import db
from survey_app.models import AuditLog, Layanan, Pengguna, ResetSandi
from tests.web.conftest import CSRF, PASSWORD, login, signed_in

NEW = "kopi-pagi-di-loket-7"


def token_of(client, path):
    page = client.get(path).get_data(as_text=True)
    found = CSRF.search(page) or re.search(r'name="csrf_token" value="([^"]+)"', page)
    return found.group(1)


def create(client, username, role, unit="", email=""):
    token = token_of(client, "/staf/pengguna")
    data = {"csrf_token": token, "username": username, "role": role, "unit": unit, "email": email}
    return client.post("/staf/pengguna", data=data, follow_redirects=True)


def link_in(response):
    found = re.search(r'value="(http://[^"]+/staf/sandi/[^"]+)"', response.get_data(as_text=True))
    return found.group(1).removeprefix("http://127.0.0.1:5000")


def set_password(app, link, password=NEW):
    client = app.test_client()
    token = token_of(client, link)
    return client.post(link, data={"csrf_token": token, "password": password, "ulang": password})


def user(name):
    return db.session.scalar(select(Pengguna).where(Pengguna.username == name))


def test_a_new_account_sets_its_own_password_through_a_one_time_link(app, tree, clock):
    admin = signed_in(app, "admin")
    created = create(admin, "operator.lapas", "unit_admin", "LAPAS", "op@lapas.go.id")
    assert created.status_code == 200 and "Akun operator.lapas dibuat." in created.get_data(True)
    link = link_in(created)
    assert login(app.test_client(), "operator.lapas", NEW).status_code == 200  # no password yet
    weak = set_password(app, link, "1234567890")
    assert weak.status_code == 422 and "terlalu umum" in weak.get_data(as_text=True)
    assert set_password(app, link).status_code == 302
    assert login(app.test_client(), "operator.lapas", NEW).status_code == 302
    again = app.test_client().get(link)
    assert again.status_code == 410 and "tidak berlaku lagi" in again.get_data(as_text=True)
    stored = db.session.scalars(select(ResetSandi.token_hash)).all()
    assert link.rsplit("/", 1)[1] not in stored  # only the hash is kept


def test_a_reset_link_expires_after_24_hours_and_a_newer_one_replaces_it(app, tree, clock):
    admin = signed_in(app, "admin")
    target = user("lapas")
    path = f"/staf/pengguna/{target.id}/reset"
    token = token_of(admin, path[:-6])
    first = link_in(admin.post(path, data={"csrf_token": token}, follow_redirects=True))
    again = admin.get(path[:-6]).get_data(as_text=True)
    assert first.rsplit("/", 1)[1] not in again  # shown once: a refresh shows no link again
    second = link_in(admin.post(path, data={"csrf_token": token}, follow_redirects=True))
    assert app.test_client().get(first).status_code == 410
    assert app.test_client().get(second).status_code == 200
    clock.now += timedelta(hours=24, seconds=1)
    assert app.test_client().get(second).status_code == 410


def test_a_reset_ends_every_session_and_lifts_the_wait(app, tree, clock):
    app.config["LOGIN_LIMIT"] = "1000 per minute"
    session = signed_in(app, "lapas")
    for _ in range(6):
        login(app.test_client(), "lapas", "salah-sandi-123")
    assert login(app.test_client(), "lapas").status_code == 429
    admin = signed_in(app, "admin")
    path = f"/staf/pengguna/{user('lapas').id}"
    token = token_of(admin, path)
    link = link_in(admin.post(f"{path}/reset", data={"csrf_token": token}, follow_redirects=True))
    assert set_password(app, link).status_code == 302
    assert session.get("/staf/unit/LAPAS").status_code == 302  # the old session ended
    assert login(app.test_client(), "lapas", NEW).status_code == 302  # no wait left


def test_a_unit_admin_grants_no_more_than_it_holds_and_only_in_its_subtree(app, tree):
    kanwil = signed_in(app, "kanwil")
    page = kanwil.get("/staf/pengguna").get_data(as_text=True)
    assert 'value="admin"' not in page and 'value="UPT-LAIN"' not in page
    assert ">admin<" not in page  # the central admin's account is not in its list
    before = db.session.scalar(select(func.count()).select_from(Pengguna))
    refused = [
        create(kanwil, "boss", "admin"),
        create(kanwil, "luar", "viewer", "UPT-LAIN"),
        create(kanwil, "tanpa-unit", "viewer", ""),
    ]
    assert [r.status_code for r in refused] == [422, 422, 422]
    assert db.session.scalar(select(func.count()).select_from(Pengguna)) == before
    assert create(kanwil, "petugas.lapas", "petugas", "LAPAS").status_code == 200
    assert user("petugas.lapas").role == "petugas"
    admin_id, other = user("admin").id, _account_in_other_kanwil()
    assert kanwil.get(f"/staf/pengguna/{admin_id}").status_code == 403
    assert kanwil.get(f"/staf/pengguna/{other}").status_code == 403
    assert signed_in(app, "lapas").get("/staf/pengguna").status_code == 403  # a viewer


def _account_in_other_kanwil():
    from survey_app.models import Unit
    from survey_app.services.administration.accounts import create_user

    unit = db.session.scalar(select(Unit).where(Unit.kode == "UPT-LAIN"))
    account = create_user(db.session, "lain", PASSWORD, "viewer", unit)
    db.session.commit()
    return account.id


def test_usernames_are_unique_ignoring_case_and_passwords_follow_the_policy(app, tree):
    admin = signed_in(app, "admin")
    taken = create(admin, "LAPAS", "viewer", "LAPAS")
    assert taken.status_code == 422 and "sudah dipakai" in taken.get_data(as_text=True)
    link = link_in(create(admin, "baru", "viewer", "LAPAS"))
    for password, why in [
        ("pendek-1", "paling sedikit 10"),
        ("password123", "terlalu umum"),
        ("baru-baru-baru-1", "nama pengguna"),
    ]:
        response = set_password(app, link, password)
        assert response.status_code == 422 and why in response.get_data(as_text=True)


def test_a_role_change_or_deactivation_ends_the_accounts_sessions(app, tree):
    target = signed_in(app, "lapas")
    kanwil = signed_in(app, "kanwil")
    path = f"/staf/pengguna/{user('lapas').id}"
    data = {"csrf_token": token_of(kanwil, path), "role": "unit_admin", "unit": "LAPAS"}
    assert kanwil.post(path, data=data).status_code == 302
    assert user("lapas").role == "unit_admin"
    assert target.get("/staf/unit/LAPAS").status_code == 302
    target = signed_in(app, "lapas")
    assert kanwil.post(f"{path}/status", data={"csrf_token": data["csrf_token"]}).status_code == 302
    assert target.get("/staf/unit/LAPAS").status_code == 302
    assert login(app.test_client(), "lapas").status_code == 200  # refused like a wrong password
    kanwil.post(f"{path}/status", data={"csrf_token": data["csrf_token"]})
    assert login(app.test_client(), "lapas").status_code == 302
    # nobody changes their own role or deactivates themselves
    own = f"/staf/pengguna/{user('kanwil').id}"
    kanwil.post(own, data={**data, "role": "viewer", "unit": "KANWIL"})
    kanwil.post(f"{own}/status", data={"csrf_token": data["csrf_token"]})
    assert user("kanwil").role == "unit_admin" and user("kanwil").aktif


def test_an_admin_lifts_a_sign_in_wait(app, tree):
    app.config["LOGIN_LIMIT"] = "1000 per minute"
    for _ in range(5):
        login(app.test_client(), "lapas", "salah-sandi-123")
    assert login(app.test_client(), "lapas").status_code == 429
    admin = signed_in(app, "admin")
    path = f"/staf/pengguna/{user('lapas').id}"
    assert "Menunggu sampai" in admin.get(path).get_data(as_text=True)
    admin.post(f"{path}/tunggu", data={"csrf_token": token_of(admin, path)})
    assert login(app.test_client(), "lapas").status_code == 302


def test_everyone_changes_their_own_password_and_other_sessions_end(app, tree):
    other = signed_in(app, "lapas")
    client = signed_in(app, "lapas")
    token = token_of(client, "/staf/akun")
    wrong = client.post(
        "/staf/akun",
        data={"csrf_token": token, "sekarang": "salah-salah-1", "password": NEW, "ulang": NEW},
    )
    assert wrong.status_code == 422 and "sekarang salah" in wrong.get_data(as_text=True)
    mismatch = client.post(
        "/staf/akun",
        data={"csrf_token": token, "sekarang": PASSWORD, "password": NEW, "ulang": NEW + "x"},
    )
    assert mismatch.status_code == 422 and "tidak sama" in mismatch.get_data(as_text=True)
    done = client.post(
        "/staf/akun",
        data={"csrf_token": token, "sekarang": PASSWORD, "password": NEW, "ulang": NEW},
    )
    assert done.status_code == 302
    assert client.get("/staf/unit/LAPAS").status_code == 200  # this session goes on
    assert other.get("/staf/unit/LAPAS").status_code == 302  # the other one ended
    assert login(app.test_client(), "lapas", NEW).status_code == 302


def test_every_action_is_audited_and_shown_with_names_and_local_times(app, tree):
    admin = signed_in(app, "admin")
    create(admin, "operator", "viewer", "LAPAS")
    target = user("operator")
    path = f"/staf/pengguna/{target.id}"
    token = token_of(admin, path)
    admin.post(path, data={"csrf_token": token, "role": "petugas", "unit": "LAPAS"})
    admin.post(f"{path}/status", data={"csrf_token": token})
    admin.post(f"{path}/reset", data={"csrf_token": token})
    actions = db.session.scalars(
        select(AuditLog.action).where(AuditLog.entity_id == str(target.id)).order_by(AuditLog.id)
    ).all()
    assert actions == ["akun_dibuat", "akun_diubah", "akun_dinonaktifkan"]  # an inactive: no link
    page = admin.get(path).get_data(as_text=True)
    history = page.split("Riwayat perubahan")[1]
    assert "Akun dibuat" in history and "Akun dinonaktifkan" in history
    assert "<td>admin</td>" in history and "UTC" not in history
    assert "peran: Pembaca (hanya melihat) → Petugas loket (hanya tiket)" in history
    assert "status: aktif → nonaktif" in history and "None" not in history
    assert re.search(r"\d{1,2} \w{3} 2026 \d\d\.\d\d WIB", history)  # the admin reads WIB


def test_a_petugas_issues_tickets_for_its_unit_and_sees_no_figures(app, tree):
    admin = signed_in(app, "admin")
    assert (
        set_password(app, link_in(create(admin, "loket.lapas", "petugas", "LAPAS"))).status_code
        == 302
    )
    client = app.test_client()
    assert login(client, "loket.lapas", NEW).headers["Location"] == "/staf/"
    assert client.get("/staf/").headers["Location"] == "/staf/loket"
    own = db.session.scalar(
        select(Layanan).where(Layanan.unit_id == tree["lapas"].id, Layanan.kode == "KUNJ")
    )
    sibling = db.session.scalar(
        select(Layanan).where(Layanan.unit_id == tree["rutan"].id, Layanan.kode == "KUNJ")
    )
    counter = client.get("/staf/loket").get_data(as_text=True)
    assert f"/staf/layanan/{own.id}/tiket" in counter
    assert client.get(f"/staf/layanan/{own.id}/tiket").status_code == 200
    token = token_of(client, f"/staf/layanan/{own.id}/tiket")
    slips = client.post(f"/staf/layanan/{own.id}/tiket", data={"csrf_token": token, "jumlah": "2"})
    assert slips.status_code == 200 and slips.mimetype == "application/pdf"
    screen = client.post(f"/staf/layanan/{own.id}/tiket/layar", data={"csrf_token": token})
    assert screen.status_code == 303
    assert client.get(f"/staf/layanan/{sibling.id}/tiket").status_code == 403
    figures = [
        "/staf/unit/LAPAS",
        "/staf/unit/LAPAS?periode=2026",
        "/staf/unit/LAPAS/jawaban.csv",
        "/staf/unit/LAPAS/rekap.xlsx",
        "/staf/unit/LAPAS/laporan.pdf",
        "/staf/unit/LAPAS/zi",
        "/staf/unit/LAPAS/integritas",
        "/staf/unit/LAPAS/layanan",
        f"/staf/layanan/{own.id}",
        "/staf/pengguna",
    ]
    assert [client.get(path).status_code for path in figures] == [403] * len(figures)
    assert "/staf/unit/" not in counter  # no link to a figure


@pytest.mark.parametrize("name", ["lapas", "tidak-ada"])
def test_forgot_password_answers_alike_for_known_and_unknown_names(app, tree, name):
    client = app.test_client()
    assert "Lupa kata sandi?" in client.get("/staf/masuk").get_data(as_text=True)
    page = client.get("/staf/lupa-sandi").get_data(as_text=True)
    assert "dapat membuatkan tautan" in page  # without mail: ask the unit's admin
    token = token_of(client, "/staf/masuk")
    response = client.post("/staf/lupa-sandi", data={"csrf_token": token, "username": name})
    assert response.status_code == 302
    assert "Bila akun itu ada" in client.get("/staf/masuk").get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(ResetSandi)) == 0  # no mail set


def _mail_to(app, smtp):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp.port, MAIL_SECURITY="none")


def test_a_reset_link_is_mailed_when_mail_is_configured(app, tree, smtp):
    _mail_to(app, smtp)
    admin = signed_in(app, "admin")
    created = create(admin, "op.rutan", "unit_admin", "RUTAN", "op@rutan.go.id")
    assert "Tautan juga dikirim ke op@rutan.go.id." in created.get_data(as_text=True)
    [sent] = smtp.messages
    assert sent["To"] == "op@rutan.go.id"
    body = sent.get_content()
    shown = link_in(created)
    assert f"http://127.0.0.1:5000{shown}" in body and "24 jam" in body and "WITA" in body
    assert set_password(app, shown).status_code == 302


@pytest.mark.parametrize("name", ["lapas", "LAPAS ", "tidak-ada", "kanwil"])
def test_forgot_password_mails_only_an_active_account_with_an_address(app, tree, smtp, name):
    _mail_to(app, smtp)
    target = user("lapas")
    target.email = "lapas@contoh.go.id"
    db.session.commit()
    client = app.test_client()
    token = token_of(client, "/staf/lupa-sandi")
    response = client.post("/staf/lupa-sandi", data={"csrf_token": token, "username": name})
    assert response.status_code == 302  # the same answer, whoever it is
    expected = 1 if name.strip().lower() == "lapas" else 0  # kanwil has no address
    assert len(smtp.messages) == expected
    if expected:
        link = re.search(r"http://\S+/staf/sandi/\S+", smtp.messages[0].get_content()).group(0)
        assert set_password(app, link.removeprefix("http://127.0.0.1:5000")).status_code == 302


def test_form_messages_are_indonesian_and_english_through_the_switch(app, tree):
    client = signed_in(app, "lapas")
    token = token_of(client, "/staf/akun")
    empty = client.post("/staf/akun", data={"csrf_token": token}).get_data(as_text=True)
    assert "Wajib diisi." in empty and "This field is required." not in empty
    english = client.post("/staf/akun?lang=en", data={"csrf_token": token})
    assert "This field is required." in english.get_data(as_text=True)
    client.get("/staf/akun?lang=id")
    long_name = create(signed_in(app, "admin"), "x" * 65, "viewer", "LAPAS")
    assert "Paling banyak 64 karakter." in long_name.get_data(as_text=True)


def test_a_mailed_link_never_takes_its_host_from_the_request(app, tree, smtp):
    _mail_to(app, smtp)
    target = user("lapas")
    target.email = "lapas@contoh.go.id"
    db.session.commit()
    client = app.test_client()
    forged = {"Host": "evil.example"}
    app.config["TRUSTED_HOSTS"] = None
    page = client.get("/staf/lupa-sandi", headers=forged).get_data(as_text=True)
    token = CSRF.search(page).group(1)
    client.post("/staf/lupa-sandi", data={"csrf_token": token, "username": "lapas"}, headers=forged)
    [sent] = smtp.messages
    assert "evil.example" not in sent.get_content()
    assert "http://127.0.0.1:5000/staf/sandi/" in sent.get_content()  # SURVEY_BASE_URL
    app.config["BASE_URL"] = None  # no public address set: nothing is mailed at all
    page = client.get("/staf/lupa-sandi", headers=forged).get_data(as_text=True)
    assert "Kirim tautan" not in page and "dapat membuatkan tautan" in page
    client.post("/staf/lupa-sandi", data={"csrf_token": token, "username": "lapas"}, headers=forged)
    assert len(smtp.messages) == 1


def test_a_unit_admin_cannot_take_over_a_peer(app, tree):
    from survey_app.services.administration.accounts import create_user

    peer = create_user(db.session, "kanwil2", PASSWORD, "unit_admin", tree["kanwil"])
    db.session.commit()
    kanwil = signed_in(app, "kanwil")
    assert kanwil.get(f"/staf/pengguna/{peer.id}").status_code == 403
    assert kanwil.post(f"/staf/pengguna/{peer.id}/reset").status_code in (400, 403)
    refused = create(kanwil, "kanwil3", "unit_admin", "KANWIL")
    assert refused.status_code == 422 and "admin di atas Anda" in refused.get_data(True)
    assert create(kanwil, "admin.lapas", "unit_admin", "LAPAS").status_code == 200  # below: yes
    assert create(kanwil, "baca.kanwil", "viewer", "KANWIL").status_code == 200


def test_errors_stand_under_their_own_field(app, tree):
    admin = signed_in(app, "admin")
    page = create(admin, "baru", "viewer", "LAPAS", "bukan-surel").get_data(as_text=True)
    email_block = page.split('for="email"')[1].split('class="question"')[0]
    assert "alamat surel tidak sah" in email_block
    page = create(admin, "baru", "viewer", "").get_data(as_text=True)
    assert "memerlukan unit" in page.split('for="unit"')[1].split('class="question"')[0]


@pytest.mark.parametrize("weak", ["passwordpassword", "abcabcabcabc", "kopikopikopi"])
def test_a_password_said_twice_is_refused(app, tree, weak):
    admin = signed_in(app, "admin")
    link = link_in(create(admin, "ulang", "viewer", "LAPAS"))
    response = set_password(app, link, weak)
    assert response.status_code == 422 and "terlalu umum" in response.get_data(as_text=True)


def test_a_closed_layanan_or_unit_issues_no_ticket(app, tree):
    own = db.session.scalar(
        select(Layanan).where(Layanan.unit_id == tree["lapas"].id, Layanan.kode == "KUNJ")
    )
    kanwil = signed_in(app, "kanwil")
    token = token_of(kanwil, f"/staf/layanan/{own.id}/tiket")
    tree["lapas"].aktif = False
    db.session.commit()
    closed = kanwil.post(f"/staf/layanan/{own.id}/tiket/layar", data={"csrf_token": token})
    assert closed.status_code == 409 and "sudah ditutup" in closed.get_data(as_text=True)
    assert kanwil.get(f"/staf/layanan/{own.id}/tiket").status_code == 409
    from survey_app.models import Tiket

    assert db.session.scalar(select(func.count()).select_from(Tiket)) == 0
