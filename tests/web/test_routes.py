"""Every staff route, found from the URL map (a new route is covered without editing this file):
an anonymous visitor is sent to sign in, and a unit admin of a sibling unit gets 403."""

import pytest
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import Layanan, Submission
from survey_app.services.administration.accounts import create_user
from tests.web.conftest import CSRF, PASSWORD, signed_in
from tests.web.test_integrity import answer, respondent

OPEN = {
    "staf.login",
    "staf.logout",
    "staf.index",
    "staf.plotly_js",
    "staf.reset_password",  # a one-time link: tests/web/test_accounts.py
    "staf.forgot_password",
}
# Pages of one's own account or scope: a sibling unit's admin sees its own there, not 403.
OWN = {"staf.own_account", "staf.accounts_list"}


def staff_routes(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("staf.") and rule.endpoint not in OPEN:
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                yield rule, method


@pytest.fixture
def lapas_ids(app, tree):
    target = db.session.scalar(
        select(Layanan).where(Layanan.unit_id == tree["lapas"].id, Layanan.kode == "KUNJ")
    )
    answer(respondent(app), target.token)
    create_user(db.session, "rutan", PASSWORD, "unit_admin", tree["rutan"])
    db.session.commit()
    from survey_app.models import BuktiTindakLanjut, Pengguna, Tiket, TindakLanjut

    now = app.config["CLOCK"]()
    tiket = Tiket(layanan_id=target.id, dibuat=now)
    entry = TindakLanjut(
        unit_id=tree["lapas"].id,
        dari="2026-01",
        sampai="2026-03",
        instrument_id="skm",
        unsur="U1",
        program="Program",
        waktu="2026-04",
        penanggung_jawab="Kepala",
        status="rencana",
        dibuat=now,
        diubah=now,
    )
    entry.bukti.append(
        BuktiTindakLanjut(
            nama="b.pdf", jenis="application/pdf", ukuran=1, sha256="0" * 64, isi=b"%", dibuat=now
        )
    )
    from survey_app.models import Publikasi

    publication = Publikasi(
        unit_id=tree["lapas"].id, label="2026-01", dari="2026-01", sampai="2026-01",
        dibuat=now, data={"periode": {"label": "2026-01"}},
    )  # fmt: skip
    from survey_app.models import Kiosk, PemetaanUnggahan

    mapping = PemetaanUnggahan(
        unit_id=tree["lapas"].id, nama="Google Forms", isi={"kolom": {}}, dibuat=now, diubah=now
    )
    kiosk = Kiosk(layanan_id=target.id, kode_berlaku_sampai=now, dibuat=now)
    db.session.add_all([tiket, entry, publication, mapping, kiosk])
    db.session.commit()
    values = {
        "pengguna_id": db.session.scalar(select(Pengguna.id).where(Pengguna.username == "lapas")),
        "tiket_id": tiket.id,
        "entry_id": entry.id,
        "bukti_id": entry.bukti[0].id,
        "kode": "LAPAS",
        "layanan_id": target.id,
        "submission_id": db.session.scalar(select(Submission.id)),
        "token": "a" * 32,
        "job_id": "x",
        "fmt": "pdf",
        "name": "poster-a3.pdf",
        "publication_id": publication.id,
        "pemetaan_id": mapping.id,
        "kiosk_id": kiosk.id,
        "size": 192,
    }
    return values


def url(app, rule, values):
    with app.test_request_context():
        from flask import url_for

        return url_for(rule.endpoint, **{k: values[k] for k in rule.arguments})


def test_the_inventory_is_not_empty(app):
    endpoints = {rule.endpoint for rule, _ in staff_routes(app)}
    assert {"staf.show_dashboard", "staf.review", "staf.tickets", "staf.zi"} <= endpoints
    units = {"staf.list_units", "staf.new_unit", "staf.edit_unit", "staf.close_unit"}
    units |= {"staf.reopen_unit", "staf.import_units", "staf.preview_import"}
    assert units | {"staf.confirm_import", "staf.unit_template_csv"} <= endpoints
    uploads = {"staf.upload", "staf.preview_upload", "staf.confirm_upload", "staf.upload_progress"}
    uploads |= {"staf.map_upload", "staf.upload_template", "staf.mapping_yaml"}
    assert uploads <= endpoints
    assert len(endpoints) >= 15


def test_every_staff_route_sends_anonymous_visitors_to_sign_in(app, lapas_ids):
    client = app.test_client()
    token = CSRF.search(client.get("/staf/masuk").get_data(as_text=True)).group(1)
    for rule, method in staff_routes(app):
        target = url(app, rule, lapas_ids)
        response = client.open(target, method=method, data={"csrf_token": token})
        assert response.status_code == 302, (method, target)
        assert response.headers["Location"].startswith("/staf/masuk?next="), (method, target)


def test_every_staff_route_refuses_a_sibling_units_admin(app, lapas_ids):
    client = signed_in(app, "rutan")
    token = CSRF.search(client.get("/staf/unit/RUTAN").get_data(as_text=True)).group(1)
    for rule, method in staff_routes(app):
        if "job_id" in rule.arguments or rule.endpoint in OWN:
            continue  # an export belongs to a user, not a unit: test_jobs.py checks those
        target = url(app, rule, lapas_ids)
        response = client.open(target, method=method, data={"csrf_token": token})
        assert response.status_code == 403, (method, target, response.status_code)


def test_every_staff_post_without_a_csrf_token_is_refused_and_changes_nothing(app, lapas_ids):
    from sqlalchemy import func

    from survey_app.models import AuditLog, Pengguna, Publikasi, ResetSandi, Tiket, Tinjauan, Unit

    client = signed_in(app, "admin")
    from survey_app.models import BuktiTindakLanjut, TindakLanjut

    tables = (Layanan, Submission, AuditLog, Publikasi, Tiket, Tinjauan, Unit, Pengguna, ResetSandi)
    tables += (TindakLanjut, BuktiTindakLanjut)

    def counts():
        db.session.expire_all()
        units = db.session.execute(
            select(Unit.kode, Unit.nama, Unit.aktif, Unit.tanya_alasan).order_by(Unit.kode)
        )
        return [db.session.scalar(select(func.count()).select_from(t)) for t in tables] + [
            units.all()
        ]

    before = counts()
    posts = [rule for rule, method in staff_routes(app) if method == "POST"]
    assert len(posts) >= 8
    for rule in posts:
        response = client.post(url(app, rule, lapas_ids), data={"jumlah": "1", "nama": "x"})
        assert response.status_code == 400, rule.rule
    assert counts() == before
