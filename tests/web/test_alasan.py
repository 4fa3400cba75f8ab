"""Why a respondent scored low (issue 17.2, REGULATION §8): asked beside an answer of 1 or 2,
stored with the answers, read by the unit's staff per unsur, never published."""

import io
import re
from datetime import UTC, datetime

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from survey_app.extensions import db
from survey_app.models import AlasanJawaban, AuditLog, Submission
from survey_app.services.administration.accounts import create_user
from survey_app.services.collection.submissions import (
    Response,
    SubmissionRejected,
    record_submission,
)
from tests.web.conftest import CSRF, PASSWORD, login, signed_in
from tests.web.helpers import IPAK, SKM, full_answers
from tests.web.test_integrity import answer, respondent, review

REASON_FIELD = re.compile(r'<input[^>]*name="alasan-([A-Z]+\d+)"[^>]*>')
HIDDEN = re.compile(r'<input[^>]*name="(csrf_token|kunci|layanan|mulai)"[^>]*value="([^"]*)"')


def stored() -> dict[str, str]:
    db.session.expire_all()
    return dict(db.session.execute(select(AlasanJawaban.item_code, AlasanJawaban.teks)).all())


def submissions() -> int:
    return db.session.scalar(select(func.count()).select_from(Submission))


def kunjungan(tree, unit="lapas"):
    return next(x for x in tree[unit].layanan if x.kode == "KUNJ")


def every_answer() -> dict[str, str]:
    """Every item of the tree's KUNJ answered 2 (SKM), 4 (IPAK) and 4 (IPKP)."""
    return full_answers(SKM, 2) | full_answers(IPAK) | full_answers([f"PK{i}" for i in range(1, 9)])


def setting(client, on, kode="LAPAS"):
    token = CSRF.search(client.get(f"/staf/unit/{kode}/layanan").get_data(as_text=True))
    data = {"csrf_token": token.group(1)} | ({"tanya_alasan": "y"} if on else {})
    return client.post(f"/staf/unit/{kode}/tanya-alasan", data=data)


def test_the_form_asks_beside_every_item_with_a_label_and_a_limit(app, tree):
    page = respondent(app).get(f"/survei/{kunjungan(tree).token}").get_data(as_text=True)
    fields = REASON_FIELD.findall(page)
    assert fields == [f"U{i}" for i in range(1, 10)] + [f"AK{i}" for i in range(1, 6)] + [
        f"PK{i}" for i in range(1, 9)
    ]
    assert '<label class="alasan-label" for="alasan-U3">Apa yang perlu diperbaiki?</label>' in page
    assert page.count("tidak wajib, paling banyak 300 karakter") == 22
    field = re.search(r'<input[^>]*name="alasan-U3"[^>]*>', page).group(0)
    assert 'maxlength="300"' in field and 'aria-describedby="alasan-U3-hint"' in field
    assert "required" not in field
    assert " style=" not in page and "<script" not in page  # shown by app.css alone
    english = respondent(app).get(f"/survei/{kunjungan(tree).token}?lang=en")
    assert "What should be improved?" in english.get_data(as_text=True)


def test_reasons_are_stored_beside_1_or_2_only_trimmed(app, tree):
    sent = answer(
        respondent(app),
        kunjungan(tree).token,
        U3="2",
        **{"alasan-U3": "  Antrean terlalu lama  ", "U1": "1", "alasan-U1": "   "},
        **{"alasan-U5": "dipakai?", "U5": "3", "alasan-AK2": "tidak", "PK4": "1"},
        **{"alasan-PK4": "Ruang tunggu panas"},
    )
    assert sent.status_code == 303
    assert stored() == {"U3": "Antrean terlalu lama", "PK4": "Ruang tunggu panas"}


@pytest.mark.parametrize("name", ["alasan-U10", "alasan-", "alasan-u3", "alasan"])
def test_a_reason_for_no_item_of_the_form_is_refused(app, tree, name):
    sent = answer(respondent(app), kunjungan(tree).token, U3="2", **{name: "x"})
    assert sent.status_code == 400
    assert submissions() == 0 and stored() == {}


def test_the_same_form_sent_twice_stores_its_reasons_once(app, tree):
    client = respondent(app)
    page = client.get(f"/survei/{kunjungan(tree).token}").get_data(as_text=True)
    data = dict(HIDDEN.findall(page)) | every_answer() | {"alasan-U2": "Prosedur berbelit"}
    for _ in range(2):
        assert client.post(f"/survei/{kunjungan(tree).token}", data=data).status_code == 303
    assert submissions() == 1 and stored() == {"U2": "Prosedur berbelit"}


def test_a_reason_of_300_characters_is_kept_and_a_longer_one_refused(app, tree):
    token = kunjungan(tree).token
    longest = "a" * 300
    assert (
        answer(respondent(app), token, U3="2", **{"alasan-U3": f" {longest} "}).status_code == 303
    )
    assert stored() == {"U3": longest}
    refused = answer(respondent(app), token, U3="1", **{"alasan-U3": "b" * 301})
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert "Alasan terlalu panjang: paling banyak 300 karakter." in page
    assert 'href="#alasan-U3"' in page  # the error summary leads to the field
    assert '<div class="alasan has-error">' in page  # shown even where CSS would hide it
    assert submissions() == 1 and stored() == {"U3": longest}


def test_a_form_sent_back_keeps_the_reason_typed(app, tree):
    sent = answer(
        respondent(app), kunjungan(tree).token, U4=None, U3="2", **{"alasan-U3": "Antrean <lama>"}
    )
    page = sent.get_data(as_text=True)
    assert sent.status_code == 422 and "Ada 1 pertanyaan yang belum dijawab" in page
    assert 'value="Antrean &lt;lama&gt;"' in page
    assert '<input id="U3-1" name="U3" type="radio" value="2" required checked>' in page
    assert submissions() == 0 and stored() == {}


def test_a_reason_that_cannot_come_from_the_form_is_refused_by_the_service(app, tree):
    catalogue = app.extensions["zisurvey.catalogue"]
    target = kunjungan(tree)
    now = datetime(2026, 1, 15, 3, tzinfo=UTC)
    for n, alasan in enumerate([{"U7": "tidak dijawab"}, {"U1": "x" * 301}]):
        response = Response({"U1": 1, "U2": 4}, {}, None, f"kunci-{n}", alasan)
        with pytest.raises(SubmissionRejected):
            record_submission(db.session, catalogue, target, response, now)
        db.session.rollback()
    assert submissions() == 0 and stored() == {}
    answered = Response({"U1": 2, "U2": 4}, {}, None, "kunci-baik", {"U2": "bagus", "U1": "x"})
    record_submission(db.session, catalogue, target, answered, now)
    db.session.commit()
    assert stored() == {"U1": "x"}


def test_switching_the_question_off_hides_the_field_and_stores_nothing(app, tree):
    admin = signed_in(app, "kanwil")
    lapas = tree["lapas"]
    token = kunjungan(tree).token
    client = respondent(app)
    opened = client.get(f"/survei/{token}").get_data(as_text=True)  # opened before the switch
    assert "Alasan nilai rendah" in admin.get("/staf/unit/LAPAS/layanan").get_data(as_text=True)
    assert setting(admin, on=False).status_code == 303
    db.session.refresh(lapas)
    assert lapas.tanya_alasan is False
    assert 'name="alasan-' not in respondent(app).get(f"/survei/{token}").get_data(as_text=True)
    layanan_page = admin.get("/staf/unit/LAPAS/layanan").get_data(as_text=True)
    assert (
        re.search(r'<input[^>]*name="tanya_alasan"[^>]*>', layanan_page).group(0).find("checked")
        == -1
    )
    data = dict(HIDDEN.findall(opened)) | every_answer() | {"alasan-U3": "terlambat dimatikan"}
    assert client.post(f"/survei/{token}", data=data).status_code == 303
    assert submissions() == 1 and stored() == {}
    # a sibling unit still asks: the setting is the unit's own
    assert 'name="alasan-U1"' in respondent(app).get(
        f"/survei/{kunjungan(tree, 'rutan').token}"
    ).get_data(as_text=True)

    assert setting(admin, on=False).status_code == 303  # no change: nothing audited
    assert setting(admin, on=True).status_code == 303
    assert 'name="alasan-U1"' in respondent(app).get(f"/survei/{token}").get_data(as_text=True)
    log = db.session.scalars(
        select(AuditLog).where(AuditLog.entity == "unit").order_by(AuditLog.id)
    ).all()
    assert [(e.action, e.before, e.after) for e in log] == [
        ("ubah", {"tanya_alasan": True}, {"tanya_alasan": False}),
        ("ubah", {"tanya_alasan": False}, {"tanya_alasan": True}),
    ]
    assert all(e.pengguna.username == "kanwil" for e in log)


def test_only_those_who_manage_the_unit_switch_it(app, tree):
    viewer = signed_in(app, "lapas")
    assert viewer.get("/staf/unit/LAPAS/layanan").status_code == 403
    token = CSRF.search(viewer.get("/staf/unit/LAPAS").get_data(as_text=True)).group(1)
    refused = viewer.post("/staf/unit/LAPAS/tanya-alasan", data={"csrf_token": token})
    assert refused.status_code == 403
    without_token = signed_in(app, "kanwil").post("/staf/unit/LAPAS/tanya-alasan", data={})
    assert without_token.status_code == 400
    db.session.refresh(tree["lapas"])
    assert tree["lapas"].tanya_alasan is True


def given(app, tree, text, item="U3", value="2", unit="lapas"):
    """One respondent's answers with ``text`` beside ``item``; returns the submission id."""
    before = set(db.session.scalars(select(Submission.id)))
    client = respondent(app, f"203.0.113.{len(before) + 10}")
    sent = answer(client, kunjungan(tree, unit).token, **{item: value, f"alasan-{item}": text})
    assert sent.status_code == 303
    [new] = set(db.session.scalars(select(Submission.id))) - before
    return new


def test_staff_read_the_reasons_per_unsur_without_excluded_answers(app, tree, clock):
    first = given(app, tree, "Antrean lama sekali")
    given(app, tree, "Petugas loket hanya satu", value="1")
    given(app, tree, "Tidak ada jadwal yang jelas", item="AK2")
    given(app, tree, "Rutan: ruang tunggu sempit", unit="rutan")
    viewer = signed_in(app, "lapas")
    page = viewer.get("/staf/unit/LAPAS/alasan?periode=2026-01").get_data(as_text=True)
    assert page.index("IKM · U3 Waktu Penyelesaian") < page.index("IPAK · AK2")
    u3 = page[page.index('id="alasan-U3"') : page.index('id="alasan-AK2"')]
    assert "(2 alasan)" in u3 and "Antrean lama sekali" in u3 and "Petugas loket hanya satu" in u3
    assert "jawaban 2 (Kurang cepat)" in u3 and "jawaban 1 (Tidak cepat)" in u3
    assert "Tidak ada jadwal yang jelas" in page
    assert "Rutan: ruang tunggu sempit" not in page  # a sibling unit's
    kanwil = signed_in(app, "kanwil")
    above = kanwil.get("/staf/unit/KANWIL/alasan?periode=2026-01").get_data(as_text=True)
    assert "Rutan: ruang tunggu sempit" in above and "Antrean lama sekali" in above
    dashboard = viewer.get("/staf/unit/LAPAS?periode=2026-01").get_data(as_text=True)
    section = dashboard[dashboard.index('id="alasan"') :]
    assert "Petugas loket hanya satu" in section  # the newest of U3
    assert "/staf/unit/LAPAS/alasan?periode=2026-01" in section
    earlier = viewer.get("/staf/unit/LAPAS/alasan?periode=2025-12").get_data(as_text=True)
    assert "Tidak ada alasan pada periode ini." in earlier and "Antrean" not in earlier

    assert review(kanwil, first).status_code == 303  # excluded: its reason leaves every list
    page = viewer.get("/staf/unit/LAPAS/alasan?periode=2026-01").get_data(as_text=True)
    assert "Antrean lama sekali" not in page and "(1 alasan)" in page
    dashboard = viewer.get("/staf/unit/LAPAS?periode=2026-01").get_data(as_text=True)
    assert "<td>1</td><td>Petugas loket hanya satu</td>" in dashboard
    assert review(kanwil, first, "pertahankan", "lainnya", "nyata").status_code == 303
    page = viewer.get("/staf/unit/LAPAS/alasan?periode=2026-01").get_data(as_text=True)
    assert "Antrean lama sekali" in page  # kept again: back, never edited


def test_the_dashboard_shows_each_unsur_with_its_count_and_newest_reason(app, tree, clock):
    for n in range(5):
        clock.now = datetime(2026, 1, 10 + n, 3, tzinfo=UTC)
        given(app, tree, f"alasan nomor {n}")
    given(app, tree, "jadwal tidak jelas", item="AK2")
    dashboard = signed_in(app, "lapas").get("/staf/unit/LAPAS").get_data(as_text=True)
    section = dashboard[dashboard.index('id="alasan"') :]
    rows = re.findall(
        r"<tr><th scope=\"row\"><a href=\"([^\"]+)\">([^<]+)</a></th>\s*"
        r"<td>(\d+)</td><td>([^<]+)</td></tr>",
        section,
    )
    assert rows == [
        ("/staf/unit/LAPAS/alasan#alasan-U3", "IKM · U3 Waktu Penyelesaian", "5", "alasan nomor 4"),
        (
            "/staf/unit/LAPAS/alasan#alasan-AK2",
            "IPAK · AK2 Kecurangan pelayanan",
            "1",
            "jadwal tidak jelas",
        ),
    ]
    page = signed_in(app, "lapas").get("/staf/unit/LAPAS/alasan").get_data(as_text=True)
    assert all(f"alasan nomor {n}" in page for n in range(5))
    assert page.index("alasan nomor 4") < page.index("alasan nomor 0")  # the newest first


def test_a_petugas_reads_no_reason(app, tree):
    create_user(db.session, "loket.lapas", PASSWORD, "petugas", tree["lapas"])
    db.session.commit()
    given(app, tree, "Antrean lama")
    client = app.test_client()
    assert login(client, "loket.lapas").status_code == 302
    assert client.get("/staf/unit/LAPAS/alasan").status_code == 403
    assert signed_in(app, "lapas").get("/staf/unit/LAPAS/alasan").status_code == 200


def test_reasons_never_reach_a_public_page_an_export_or_a_publication(app, tree, clock):
    secret = "RAHASIA-ALASAN petugas minta uang"
    given(app, tree, secret)
    given(app, tree, secret, item="PK2", value="1")
    clock.now = datetime(2026, 2, 2, tzinfo=UTC)
    staff = signed_in(app, "kanwil")
    assert secret in staff.get("/staf/unit/LAPAS/alasan?periode=2026-01").get_data(as_text=True)
    from tests.web.test_publish import publish

    assert publish(staff, "2026-01").status_code == 303
    public = app.test_client()
    listing = public.get("/hasil/LAPAS/publikasi.json").get_json()
    [publication] = listing["publikasi"]
    bodies = [
        public.get("/hasil/LAPAS").get_data(as_text=True),
        public.get("/hasil/LAPAS/widget").get_data(as_text=True),
        str(listing),
        public.get(publication["json"]).get_data(as_text=True),
        public.get(publication["csv"]).get_data(as_text=True),
        staff.get("/staf/unit/LAPAS/jawaban.csv?periode=2026-01").get_data(as_text=True),
    ]
    assert "Responden" in bodies[0] or "responden" in bodies[0]
    assert all("RAHASIA" not in body for body in bodies)
    book = load_workbook(io.BytesIO(staff.get("/staf/unit/LAPAS/rekap.xlsx?periode=2026-01").data))
    cells = [str(c) for sheet in book for row in sheet.iter_rows(values_only=True) for c in row]
    assert cells and not any("RAHASIA" in c for c in cells)
