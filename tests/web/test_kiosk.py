"""Kiosk mode (issue 21.3): pairing through a one-time code, revocation, scope, and the
kiosk's answers (idempotent, placed at the device's time within bounds, a minimum gap)."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from survey_app.extensions import db
from survey_app.models import AuditLog, Kiosk, Layanan, Submission
from survey_app.services.administration.accounts import create_user
from tests.web.conftest import CSRF, PASSWORD, signed_in

# every item of the test tree's Layanan Kunjungan (SKM, IPAK and IPKP): a kiosk asks them all
ANSWERS = {
    **{f"U{i}": 3 for i in range(1, 10)},
    **{f"AK{i}": 3 for i in range(1, 6)},
    **{f"PK{i}": 3 for i in range(1, 9)},
}


@pytest.fixture
def kunj(tree):
    return db.session.scalar(
        select(Layanan).where(Layanan.unit_id == tree["lapas"].id, Layanan.kode == "KUNJ")
    )


@pytest.fixture
def petugas(tree):
    create_user(db.session, "loket", PASSWORD, "petugas", tree["lapas"])
    create_user(db.session, "loket-rutan", PASSWORD, "petugas", tree["rutan"])
    create_user(db.session, "admin-rutan", PASSWORD, "unit_admin", tree["rutan"])
    db.session.commit()


def token(client, path):
    return CSRF.search(client.get(path).get_data(as_text=True)).group(1)


def make_code(app, layanan, who="loket"):
    staff = signed_in(app, who)
    path = f"/staf/layanan/{layanan.id}/kiosk"
    page = staff.post(path, data={"csrf_token": token(staff, path)})
    assert page.status_code == 200, page.status_code
    return re.search(r'id="kode-pemasangan">([A-Z0-9-]+)<', page.get_data(as_text=True)).group(1)


def pair(app, code):
    device = app.test_client()
    form = device.get("/kiosk/")
    assert "Pasangkan tablet ini" in form.get_data(as_text=True)
    csrf = CSRF.search(form.get_data(as_text=True)).group(1)
    response = device.post("/kiosk/pasang", data={"csrf_token": csrf, "kode": code})
    return device, response


def paired(app, layanan, who="loket"):
    device, response = pair(app, make_code(app, layanan, who))
    assert response.status_code == 303
    return device


def send(device, clock, key="k" * 20, answers=None, recorded=None, durasi=40):
    when = clock.now if recorded is None else recorded
    body = {
        "kunci": key,
        "jawaban": ANSWERS if answers is None else answers,
        "dicatat": int(when.timestamp() * 1000),
        "durasi": durasi,
    }
    return device.post("/kiosk/jawaban", json=body)


def stored():
    return db.session.scalar(
        select(func.count()).select_from(Submission).where(Submission.source == "kiosk")
    )


def test_a_petugas_pairs_a_tablet_with_a_one_time_code(app, petugas, kunj, clock):
    code = make_code(app, kunj)
    device, response = pair(app, code)
    assert response.status_code == 303
    cookie = response.headers["Set-Cookie"]
    assert "zs-kiosk=" in cookie and "HttpOnly" in cookie and "SameSite=Strict" in cookie
    page = device.get("/kiosk/")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and 'id="kiosk-data"' in text and "Layanan KUNJ" in text
    assert "/staf" not in text  # no staff control, no way out
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
    kiosk = db.session.scalars(select(Kiosk)).one()
    # neither the code nor the secret is stored, only their hashes; the code is gone
    secret = cookie.split("zs-kiosk=")[1].split(";")[0]
    assert kiosk.kode_hash is None and kiosk.rahasia_hash not in (None, secret)
    assert code.replace("-", "") not in str(kiosk.__dict__)
    actions = set(db.session.scalars(select(AuditLog.action).where(AuditLog.entity == "kiosk")))
    assert actions == {"kode_kiosk", "pasang_kiosk"}
    # the code is one-time: a second tablet typing it is refused
    _, again = pair(app, code)
    assert again.status_code == 422
    assert "tidak dikenal atau sudah dipakai" in again.get_data(as_text=True)


def test_a_code_expires_after_its_minutes(app, petugas, kunj, clock):
    code = make_code(app, kunj)
    clock.now += timedelta(minutes=app.config["KIOSK_KODE_MENIT"], seconds=1)
    _, response = pair(app, code)
    assert response.status_code == 422
    assert "kedaluwarsa" in response.get_data(as_text=True)
    assert db.session.scalars(select(Kiosk)).one().dipasang is None


def test_a_revoked_kiosk_returns_to_its_pairing_page_and_takes_no_answer(app, petugas, kunj, clock):
    device = paired(app, kunj)
    assert send(device, clock).status_code == 201
    kiosk = db.session.scalars(select(Kiosk)).one()
    staff = signed_in(app, "kanwil")  # the unit admin above the Lapas may revoke too
    path = f"/staf/layanan/{kunj.id}/kiosk"
    response = staff.post(f"{path}/{kiosk.id}/cabut", data={"csrf_token": token(staff, path)})
    assert response.status_code == 303
    clock.now += timedelta(minutes=1)
    refused = send(device, clock, key="m" * 20)
    assert refused.status_code == 401 and refused.get_json()["kode"] == "tidak_dipasang"
    page = device.get("/kiosk/").get_data(as_text=True)
    assert "Pasangkan tablet ini" in page and "dicabut" in page
    assert stored() == 1  # its answers stay
    db.session.expire_all()
    assert db.session.get(Kiosk, kiosk.id).dicabut_oleh is not None


@pytest.mark.parametrize("who", ["lapas", "loket-rutan", "admin-rutan"])
def test_only_the_units_admins_and_petugas_pair_its_kiosks(app, petugas, kunj, who):
    staff = signed_in(app, who)
    path = f"/staf/layanan/{kunj.id}/kiosk"
    assert staff.get(path).status_code == 403
    csrf = token(staff, "/staf/akun")
    assert staff.post(path, data={"csrf_token": csrf}).status_code == 403
    assert db.session.scalar(select(func.count()).select_from(Kiosk)) == 0


def test_an_answer_sent_again_is_stored_once(app, petugas, kunj, clock):
    device = paired(app, kunj)
    first = send(device, clock)
    assert first.status_code == 201
    assert first.get_json() == {"kode": "tersimpan", "terlambat": False}
    for _ in range(2):  # the queue replayed: the same key adds nothing
        again = send(device, clock)
        assert again.status_code == 200 and again.get_json()["kode"] == "sudah_ada"
    submission = db.session.scalars(select(Submission)).one()
    assert submission.source == "kiosk" and submission.sumber is None  # no address hash
    assert submission.durasi == 40 and submission.period == "2026-01"


def test_the_minimum_gap_between_two_answers_of_one_kiosk(app, petugas, kunj, clock):
    device = paired(app, kunj)
    assert send(device, clock, key="a" * 20).status_code == 201
    clock.now += timedelta(seconds=app.config["KIOSK_JEDA_DETIK"] - 1)
    soon = send(device, clock, key="b" * 20)
    assert soon.status_code == 429
    assert soon.get_json()["kode"] == "jeda" and soon.get_json()["tunggu"] == 1
    assert "1 detik lagi" in soon.get_json()["pesan"]
    clock.now += timedelta(seconds=1)
    assert send(device, clock, key="b" * 20).status_code == 201
    # another kiosk of the same layanan has its own gap
    other = paired(app, kunj)
    assert send(other, clock, key="c" * 20).status_code == 201
    assert stored() == 3


def test_the_gap_is_configurable(app, petugas, kunj, clock):
    app.config["KIOSK_JEDA_DETIK"] = 5
    device = paired(app, kunj)
    assert send(device, clock, key="a" * 20).status_code == 201
    clock.now += timedelta(seconds=5)
    assert send(device, clock, key="b" * 20).status_code == 201


def test_an_answer_kept_offline_takes_the_period_the_device_recorded(app, petugas, kunj, clock):
    # Makassar (WITA): 31 January 23.30 local is 15.30 UTC; the server sees it on 1 February
    from datetime import UTC, datetime

    clock.now = datetime(2026, 1, 31, 12, 0, tzinfo=UTC)
    device = paired(app, kunj)
    recorded = datetime(2026, 1, 31, 15, 30, tzinfo=UTC)
    clock.now = datetime(2026, 2, 1, 2, 0, tzinfo=UTC)
    response = send(device, clock, recorded=recorded)
    assert response.status_code == 201 and response.get_json()["terlambat"] is True
    submission = db.session.scalars(select(Submission)).one()
    assert submission.period == "2026-01" and submission.terlambat
    assert submission.submitted_at == recorded


@pytest.mark.parametrize(
    ("offset", "why", "kode", "advice"),
    [
        (timedelta(minutes=10), "masa depan", "masa_depan", "setel jam tablet"),
        (-timedelta(hours=72, minutes=1), "72 jam", "terlalu_lama", "periksa jaringan tablet"),
        (-timedelta(hours=2), "sebelum perangkat ini dipasangkan", "sebelum_pasang", "jam"),
    ],
)
def test_a_recorded_time_out_of_bounds_is_refused(
    app, petugas, kunj, clock, offset, why, kode, advice
):
    device = paired(app, kunj)
    clock.now += timedelta(hours=70)
    recorded = clock.now + offset if offset > timedelta(0) or why == "72 jam" else None
    if why == "sebelum perangkat ini dipasangkan":
        recorded = clock.now - timedelta(hours=71)  # within 72 hours, but before the pairing
    response = send(device, clock, recorded=recorded)
    assert response.status_code == 422, response.get_json()
    assert why in response.get_json()["pesan"]
    assert stored() == 0
    # the refusal is counted on the kiosk, and its staff page says when and why
    kiosk = db.session.scalars(select(Kiosk)).one()
    db.session.refresh(kiosk)
    assert kiosk.ditolak == 1 and kiosk.ditolak_alasan == kode
    assert ditolak_cell(app, kunj).startswith("1") and advice in ditolak_cell(app, kunj)


def ditolak_cell(app, layanan, who="loket"):
    page = signed_in(app, who).get(f"/staf/layanan/{layanan.id}/kiosk").get_data(as_text=True)
    return re.search(r'<td class="kiosk-ditolak">(.*?)</td>', page, re.S).group(1)


def test_a_little_clock_skew_is_now_and_not_late(app, petugas, kunj, clock):
    device = paired(app, kunj)
    response = send(device, clock, recorded=clock.now + timedelta(seconds=90))
    assert response.status_code == 201 and response.get_json()["terlambat"] is False
    assert db.session.scalars(select(Submission)).one().submitted_at == clock.now


@pytest.mark.parametrize(
    "body",
    [
        {"kunci": "pendek", "jawaban": ANSWERS, "dicatat": 0},
        {"kunci": "k" * 20, "jawaban": {"U1": 5}, "dicatat": None},
        {"kunci": "k" * 20, "jawaban": {"U1": 5}},
        {"kunci": "k" * 20, "jawaban": {"X9": 1}, "dicatat": 1},
        {"kunci": "k" * 20, "jawaban": {}, "dicatat": 1},
        {"kunci": "k" * 20, "jawaban": {"U1": True}, "dicatat": 1},
        ["not", "an", "object"],
    ],
)
def test_a_broken_answer_is_refused_and_stores_nothing(app, petugas, kunj, clock, body):
    device = paired(app, kunj)
    if isinstance(body, dict) and body.get("dicatat") == 1:
        body = dict(body, dicatat=int(clock.now.timestamp() * 1000))
    response = device.post("/kiosk/jawaban", json=body)
    assert response.status_code == 422
    assert stored() == 0


def test_answers_need_a_paired_device_json_and_this_site(app, petugas, kunj, clock):
    anonymous = app.test_client()
    assert send(anonymous, clock).status_code == 401
    device = paired(app, kunj)
    as_form = device.post("/kiosk/jawaban", data={"kunci": "k" * 20})
    assert as_form.status_code == 400
    body = {"kunci": "k" * 20, "jawaban": ANSWERS, "dicatat": int(clock.now.timestamp() * 1000)}
    foreign = device.post("/kiosk/jawaban", json=body, headers={"Origin": "https://jahat.example"})
    assert foreign.status_code == 400
    assert stored() == 0


def test_a_closed_layanan_takes_no_kiosk_answer(app, petugas, kunj, clock):
    device = paired(app, kunj)
    kunj.aktif = False
    db.session.commit()
    assert send(device, clock).status_code == 410
    assert device.get("/kiosk/").status_code == 410


def test_the_unit_admin_switches_faces_on_audited(app, petugas, tree, kunj, clock):
    device = paired(app, kunj)
    assert '"wajah": false' in device.get("/kiosk/").get_data(as_text=True)
    staff = signed_in(app, "kanwil")
    path = "/staf/unit/LAPAS/layanan"
    response = staff.post(
        "/staf/unit/LAPAS/kiosk-wajah", data={"csrf_token": token(staff, path), "kiosk_wajah": "y"}
    )
    assert response.status_code == 303
    assert '"wajah": true' in device.get("/kiosk/").get_data(as_text=True)
    entry = db.session.scalars(select(AuditLog).where(AuditLog.action == "ubah")).all()[-1]
    assert entry.after == {"kiosk_wajah": True}
    # a petugas cannot change it
    loket = signed_in(app, "loket")
    csrf = token(loket, "/staf/loket")
    assert loket.post("/staf/unit/LAPAS/kiosk-wajah", data={"csrf_token": csrf}).status_code == 403


def test_the_kiosk_page_carries_both_languages(app, petugas, kunj, clock):
    device = paired(app, kunj)
    text = device.get("/kiosk/").get_data(as_text=True)
    assert "Mulai survei" in text and "Start the survey" in text
    assert "Sangat sesuai" in text and "Very appropriate" in text


def test_a_busy_kiosk_is_no_burst_and_its_share_is_shown_everywhere(app, petugas, kunj, clock):
    from analysis.periods import Span
    from survey_app.services.laporan.isi import channels

    device = paired(app, kunj)
    for i in range(6):  # six respondents in two minutes, one after the other
        answers = {c: (i + k) % 4 + 1 for k, c in enumerate(ANSWERS, 1)}
        assert send(device, clock, key=f"kunci-{i:014d}", answers=answers).status_code == 201
        clock.now += timedelta(seconds=app.config["KIOSK_JEDA_DETIK"])
    staff = signed_in(app, "kanwil")
    page = staff.get("/staf/unit/LAPAS/integritas?periode=2026-01").get_data(as_text=True)
    assert "Dari kios survei" in page and "6 (100,0%)" in page
    burst = page.split("Banyak kiriman dari satu sumber dalam waktu singkat</td>", 1)[1]
    assert burst.split("</td>", 1)[0].strip() == "<td>0"
    assert "terkirim terlambat" not in page
    dashboard = staff.get("/staf/unit/LAPAS?periode=2026-01").get_data(as_text=True)
    assert "6 dari 6 jawaban yang dihitung (100,0%) berasal dari kios survei" in dashboard
    found = channels(db.session, [kunj.id], Span("bulan", "2026-01", "2026-01"))
    assert [(k.kode, k.n) for k in found] == [("kiosk", 6)]


def test_the_integrity_page_counts_the_answers_sent_late(app, petugas, kunj, clock):
    device = paired(app, kunj)
    recorded = clock.now
    clock.now += timedelta(hours=3)
    assert send(device, clock, key="a" * 20, recorded=recorded).get_json()["terlambat"] is True
    assert send(device, clock, key="b" * 20).get_json()["terlambat"] is False
    page = signed_in(app, "kanwil").get("/staf/unit/LAPAS/integritas?periode=2026-01")
    assert "2 (100,0%), 1 di antaranya terkirim terlambat" in page.get_data(as_text=True)


def test_the_kiosk_can_be_added_to_a_tablet_home_screen_full_screen(app):
    import io
    import json

    from PIL import Image

    client = app.test_client()
    page = client.get("/kiosk/").get_data(as_text=True)
    assert '<link rel="manifest" href="/kiosk/manifest.webmanifest">' in page
    response = client.get("/kiosk/manifest.webmanifest")
    assert response.status_code == 200 and response.mimetype == "application/manifest+json"
    manifest = json.loads(response.get_data(as_text=True))
    assert manifest["start_url"] == manifest["scope"] == "/kiosk/"
    assert manifest["display"] == "fullscreen" and manifest["name"] == "Kios survei"
    sizes = []
    for icon in manifest["icons"]:
        image = Image.open(io.BytesIO(client.get(icon["src"]).data))
        assert image.format == "PNG" and f"{image.width}x{image.height}" == icon["sizes"]
        # the brand colour at the corner, white inside the safe zone
        assert image.getpixel((1, 1)) == (11, 79, 108)
        assert image.getpixel((image.width // 4 + 2, image.height // 3)) == (255, 255, 255)
        sizes.append(image.width)
    assert sizes == [192, 512]
    assert client.get("/kiosk/ikon-100.png").status_code == 404


def test_answers_kept_offline_a_gap_apart_are_all_stored_when_sent_together(
    app, petugas, kunj, clock
):
    """Two answers given 25 s apart while the network was down, sent within a second of each
    other a minute later: the gap is measured on the tablet's clock, so both are stored."""
    device = paired(app, kunj)
    given = clock.now
    clock.now += timedelta(seconds=60)
    assert send(device, clock, key="a" * 20, recorded=given).status_code == 201
    clock.now += timedelta(milliseconds=300)
    second = send(device, clock, key="b" * 20, recorded=given + timedelta(seconds=25))
    assert second.status_code == 201, second.get_json()
    assert stored() == 2
    # two given 10 s apart by the tablet's clock: the second is refused, and counted
    third = send(device, clock, key="c" * 20, recorded=given + timedelta(seconds=35))
    assert third.status_code == 429 and third.get_json()["kode"] == "jeda"
    assert stored() == 2 and "jeda minimal" in ditolak_cell(app, kunj)


@pytest.mark.parametrize("broken", ["one-item", "one-missing", "outside-scale", "not-carried"])
def test_an_incomplete_answer_is_refused_even_within_the_gap(app, petugas, kunj, clock, broken):
    device = paired(app, kunj)
    full = full_for(kunj)
    assert send(device, clock, key="a" * 20, answers=full).status_code == 201
    first, last = min(full), max(full)
    answers = {
        "one-item": {first: 3},
        "one-missing": {c: v for c, v in full.items() if c != last},
        "outside-scale": {**full, last: 5},
        "not-carried": {**full, "X9": 3},
    }[broken]
    response = send(device, clock, key="b" * 20, answers=answers)  # within the 20 s gap
    assert response.status_code == 422 and response.get_json()["kode"] == "ditolak"
    assert "tidak lengkap atau tidak sesuai" in response.get_json()["pesan"]
    assert stored() == 1
    assert "muat ulang halaman kios" in ditolak_cell(app, kunj)


def codes_of(layanan):
    from flask import current_app

    catalogue = current_app.extensions["zisurvey.catalogue"]
    return {c for i in layanan.instrument_ids for c in catalogue.instruments[i].codes}


def full_for(layanan):
    assert codes_of(layanan) == set(ANSWERS)
    return dict(ANSWERS)


def test_an_answer_kept_under_a_revoked_pairing_is_not_stored_under_the_next(
    app, petugas, kunj, clock
):
    """The tablet answered offline, staff revoked it and paired it again within a minute: the
    answer waiting on it names its old pairing and is refused, never filed under the new."""
    from survey_app.services.collection.kiosk import device as kiosk_of

    device = paired(app, kunj)
    old = kiosk_of(db.session, device.get_cookie("zs-kiosk", path="/kiosk/").value)
    given = clock.now
    staff = signed_in(app, "loket")
    path = f"/staf/layanan/{kunj.id}/kiosk/{old.id}/cabut"
    staff.post(path, data={"csrf_token": token(staff, f"/staf/layanan/{kunj.id}/kiosk")})
    clock.now += timedelta(seconds=40)
    device, response = pair(app, make_code(app, kunj))
    body = {
        "kunci": "q" * 20,
        "pasangan": old.id,
        "jawaban": full_for(kunj),
        "dicatat": int(given.timestamp() * 1000),
    }
    refused = device.post("/kiosk/jawaban", json=body)
    assert refused.status_code == 422 and "pemasangan kios yang lain" in refused.get_json()["pesan"]
    assert stored() == 0
    assert "pemasangan yang sudah dicabut" in ditolak_cell(app, kunj)
