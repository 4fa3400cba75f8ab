"""Publishing safely (REGULATION §6, issue 16.7): a preview of exactly what will be public, then a
confirmation of that snapshot; a period not ended only as "sementara"; withdrawal with a reason;
earlier periods as links."""

from datetime import UTC, datetime

from sqlalchemy import func, select

from survey_app.extensions import db
from survey_app.models import AuditLog, Publikasi
from tests.readback import pdf_text
from tests.web.conftest import CSRF, signed_in
from tests.web.test_integrity import answer, layanan
from tests.web.test_publish import SIDIK, lapas, publish  # noqa: F401  (the fixture)


def stored() -> int:
    return db.session.scalar(select(func.count()).select_from(Publikasi))


def test_the_preview_is_the_public_page_and_confirming_publishes_exactly_it(app, lapas):  # noqa: F811
    client = signed_in(app, "kanwil")
    preview = client.get("/staf/unit/LAPAS/terbitkan?periode=2026-01")
    page = preview.get_data(as_text=True)
    assert preview.status_code == 200 and stored() == 0  # looking stores nothing
    assert "Pratinjau publikasi · Januari 2026" in page
    assert '<p class="bignum">87,55</p>' in page and "belum diterbitkan (pratinjau)" in page
    assert "RAHASIA" not in page  # saran is never public, not even in the preview
    poster = client.get("/staf/unit/LAPAS/pratinjau/poster-a3.pdf?periode=2026-01")
    assert poster.status_code == 200 and "87,55" in pdf_text(poster.data)
    assert stored() == 0
    sent = client.post(
        "/staf/unit/LAPAS/terbitkan?periode=2026-01",
        data={"csrf_token": CSRF.search(page).group(1), "sidik": SIDIK.search(page).group(1)},
    )
    assert sent.status_code == 303 and stored() == 1
    public = app.test_client().get(sent.headers["Location"]).get_data(as_text=True)
    assert '<p class="bignum">87,55</p>' in public
    audit = db.session.scalars(select(AuditLog).where(AuditLog.action == "terbitkan")).one()
    assert audit.after == {"label": "2026-01", "sementara": None}


def test_figures_that_changed_after_the_preview_are_shown_again_not_published(app, lapas, clock):  # noqa: F811
    clock.now = datetime(2026, 1, 20, 3, tzinfo=UTC)  # January still running
    client = signed_in(app, "kanwil")
    page = client.get("/staf/unit/LAPAS/terbitkan?periode=2026-01").get_data(as_text=True)
    assert answer(app.test_client(), layanan(app_tree(lapas)).token).status_code == 303
    sent = client.post(
        "/staf/unit/LAPAS/terbitkan?periode=2026-01",
        data={"csrf_token": CSRF.search(page).group(1), "sidik": SIDIK.search(page).group(1)},
    )
    again = sent.get_data(as_text=True)
    assert sent.status_code == 409 and stored() == 0
    assert "Angka berubah sejak pratinjau dibuka" in again
    assert SIDIK.search(again).group(1) != SIDIK.search(page).group(1)  # the new figures


def app_tree(unit):
    return {"lapas": unit}


def test_a_period_not_ended_is_published_as_sementara_everywhere(app, lapas, clock):  # noqa: F811
    clock.now = datetime(2026, 1, 20, 3, tzinfo=UTC)  # 20 January, 11.00 WITA
    client = signed_in(app, "kanwil")
    preview = client.get("/staf/unit/LAPAS/terbitkan?periode=2026-01").get_data(as_text=True)
    assert "HASIL SEMENTARA s.d. 20 Januari 2026" in preview
    assert "Terbitkan hasil sementara" in preview
    assert publish(client, "2026-01").status_code == 303
    publication = db.session.scalars(select(Publikasi)).one()
    assert publication.data["periode"]["sementara_sampai"] == "2026-01-20"
    public = app.test_client()
    assert "HASIL SEMENTARA s.d. 20 Januari 2026" in public.get("/hasil/LAPAS").get_data(
        as_text=True
    )
    assert "sementara s.d. 20 Januari 2026" in public.get("/hasil/LAPAS/widget").get_data(
        as_text=True
    )
    poster = public.get(f"/hasil/LAPAS/{publication.id}/poster-a3.pdf").data
    assert "HASIL SEMENTARA s.d. 20 Januari 2026" in pdf_text(poster)
    rows = public.get(f"/hasil/LAPAS/{publication.id}.csv").get_data(as_text=True)
    assert "sementara_sampai,2026-01,2026-01-20" in rows
    assert (
        public.get(f"/hasil/LAPAS/{publication.id}.json").get_json()["periode"]["sementara_sampai"]
        == "2026-01-20"
    )


def test_a_period_that_has_not_begun_cannot_be_published(app, lapas):  # noqa: F811
    client = signed_in(app, "kanwil")
    refused = client.get("/staf/unit/LAPAS/terbitkan?periode=2026-03")
    assert refused.status_code == 400
    assert "Periode ini belum dimulai" in refused.get_data(as_text=True)
    assert stored() == 0


def test_a_withdrawn_publication_says_when_and_why_and_its_files_are_gone(app, lapas, clock):  # noqa: F811
    client = signed_in(app, "kanwil")
    publish(client, "2026-01")
    publication = db.session.scalars(select(Publikasi)).one()
    files = [
        f"/hasil/LAPAS/{publication.id}/poster-a3.pdf",
        f"/hasil/LAPAS/{publication.id}.json",
        f"/hasil/LAPAS/{publication.id}.csv",
    ]
    page = client.get("/staf/unit/LAPAS/publikasi").get_data(as_text=True)
    token = CSRF.search(page).group(1)
    short = client.post(
        f"/staf/publikasi/{publication.id}/tarik", data={"csrf_token": token, "alasan": "salah"}
    )
    assert short.status_code == 422 and "tulis 10 sampai 500 karakter" in short.get_data(
        as_text=True
    )
    assert publication.ditarik is None
    clock.now = datetime(2026, 2, 3, 2, tzinfo=UTC)
    reason = "Salah memilih periode; diganti publikasi baru."
    done = client.post(
        f"/staf/publikasi/{publication.id}/tarik", data={"csrf_token": token, "alasan": reason}
    )
    assert done.status_code == 303
    db.session.refresh(publication)
    assert publication.ditarik == clock.now and publication.alasan_tarik == reason
    assert publication.data["indeks"]  # nothing is deleted from the record
    public = app.test_client()
    text = public.get("/hasil/LAPAS").get_data(as_text=True)
    assert "Publikasi Januari 2026 ditarik" in text
    assert f"Ditarik pada 3 Februari 2026. Alasan: {reason}" in text
    assert "87,55" not in text
    assert [public.get(path).status_code for path in files] == [410, 410, 410]
    listed = public.get("/hasil/LAPAS/publikasi.json").get_json()["publikasi"][0]
    assert listed["berlaku"] is False and listed["alasan_tarik"] == reason
    audit = db.session.scalars(select(AuditLog).where(AuditLog.action == "tarik")).one()
    assert audit.after["alasan"] == reason
    again = client.post(
        f"/staf/publikasi/{publication.id}/tarik", data={"csrf_token": token, "alasan": reason}
    )
    assert again.status_code == 422  # once only
    viewer = signed_in(app, "lapas")
    assert viewer.post(
        f"/staf/publikasi/{publication.id}/tarik", data={"csrf_token": token, "alasan": reason}
    ).status_code in (400, 403)


def test_earlier_periods_are_listed_as_links_and_only_earlier_ones(app, lapas, clock):  # noqa: F811
    client = signed_in(app, "kanwil")
    clock.now = datetime(2026, 4, 2, tzinfo=UTC)
    publish(client, "2026-01")
    publish(client, "2026-T1")
    publish(client, "2026-03")
    public = app.test_client()
    page = public.get("/hasil/LAPAS").get_data(as_text=True)  # the newest: March
    history = page[page.index("Hasil periode sebelumnya") :]
    assert '<a href="/hasil/LAPAS?periode=2026-01">Januari 2026</a>' in history
    assert "Triwulan I 2026" not in history  # it ends with March: not earlier
    january = public.get("/hasil/LAPAS?periode=2026-01").get_data(as_text=True)
    assert "<strong>Januari 2026</strong>" in january and "Hasil periode sebelumnya" not in january
    assert public.get("/hasil/LAPAS?periode=2025-12").status_code == 404
