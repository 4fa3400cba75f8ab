"""The respondent's minute (issue 21, items 1 and 2): where one is, an honest estimate, clearing
an optional answer, switching language without losing answers, a form that knows it was sent,
and a thank-you page that says the right thing and where to complain."""

import re

import pytest
from sqlalchemy import func, select

from instruments import estimate_minutes
from survey_app.extensions import db
from survey_app.models import Submission
from tests.web.helpers import IPAK, SKM, full_answers, hidden_fields


def count() -> int:
    return db.session.scalar(select(func.count()).select_from(Submission))


@pytest.fixture
def phone(app):
    return app.test_client()


def send(phone, target, fields=None, **changes):
    data = (fields or hidden_fields(phone, target.token)) | full_answers(SKM + IPAK)
    data.update(changes)
    return phone.post(
        f"/survei/{target.token}", data={k: v for k, v in data.items() if v is not None}
    )


def test_every_question_says_where_one_is_and_the_form_how_long_it_takes(phone, layanan):
    page = phone.get(f"/survei/{layanan.token}").get_data(as_text=True)
    total = len(SKM + IPAK)
    assert f"{total} pertanyaan, sekitar {estimate_minutes(total)} menit." in page
    assert estimate_minutes(14) == 2 and estimate_minutes(22) == 3  # 6 s each and 30 s
    for number in range(1, total + 1):
        assert f"Pertanyaan {number} dari {total}</span>" in page
        assert f'<progress class="bar" max="{total}" value="{number}"' in page
    assert "1 menit" not in page
    assert 'class="answered"' in page  # the answered count, drawn by CSS counters


def test_the_missing_answer_summary_names_the_question_and_is_where_the_page_opens(phone, layanan):
    fields = hidden_fields(phone, layanan.token)
    answer = send(phone, layanan, fields, U3=None)
    page = answer.get_data(as_text=True)
    assert answer.status_code == 422
    summary = page[page.index('id="kesalahan"') : page.index("</div>", page.index("kesalahan"))]
    assert "Pertanyaan 3: Bagaimana pendapat Saudara tentang kecepatan waktu" in summary
    assert f'action="/survei/{layanan.token}#kesalahan"' in page  # the answer opens there


def test_an_optional_answer_can_be_taken_back(phone, layanan):
    page = phone.get(f"/survei/{layanan.token}").get_data(as_text=True)
    assert re.search(r'name="jenis_kelamin" type="radio" value=""', page)
    assert send(phone, layanan, jenis_kelamin="").status_code == 303
    assert db.session.scalars(select(Submission.jenis_kelamin)).one() is None


def test_occupations_of_lapas_and_rutan_visitors_are_offered(phone, layanan):
    page = phone.get(f"/survei/{layanan.token}").get_data(as_text=True)
    for choice in ("Ibu rumah tangga", "Petani/Nelayan", "Buruh", "Tidak bekerja"):
        assert f">{choice}</option>" in page
    assert send(phone, layanan, pekerjaan="Petani/Nelayan").status_code == 303
    assert db.session.scalars(select(Submission.pekerjaan)).one() == "Petani/Nelayan"


def test_switching_language_keeps_what_was_answered(phone, layanan):
    fields = hidden_fields(phone, layanan.token)
    switched = phone.post(
        f"/survei/{layanan.token}",
        data=fields | {"U1": "2", "U2": "3", "jenis_kelamin": "P", "bahasa": "en"},
    )
    assert switched.status_code == 303 and count() == 0  # nothing stored, nothing refused
    assert switched.headers["Location"] == f"/survei/{layanan.token}?lang=en"
    page = phone.get(switched.headers["Location"]).get_data(as_text=True)
    assert "How fast was the service delivered?" in page and "error-summary" not in page
    assert re.search(r'name="U1" type="radio" value="2" required checked', page)
    assert re.search(r'name="U2" type="radio" value="3" required checked', page)
    assert re.search(r'value="P" checked|checked[^>]*value="P"', page)
    assert f'name="kunci" type="hidden" value="{fields["kunci"]}"' in page  # the same form
    assert send(phone, layanan, fields).status_code == 303 and count() == 1


def test_a_resend_or_a_reload_after_thanks_stores_nothing_new(phone, layanan):
    fields = hidden_fields(phone, layanan.token)
    assert send(phone, layanan, fields).status_code == 303
    assert send(phone, layanan, fields).status_code == 303  # the back button's cached form
    again = phone.get(f"/survei/{layanan.token}")  # the back button fetching the form anew
    assert "Jawaban Anda sudah terkirim" in again.get_data(as_text=True)
    assert count() == 1
    fresh = phone.get(f"/survei/{layanan.token}?baru=1").get_data(as_text=True)
    assert 'name="kunci"' in fresh  # another person on the same phone may still answer
    other = phone.__class__(phone.application)
    assert 'name="kunci"' in other.get(f"/survei/{layanan.token}").get_data(as_text=True)


def test_thanks_names_the_service_once_and_shows_where_to_complain(phone, layanan):
    layanan.nama = "Layanan Kunjungan"
    layanan.unit.tautan_pengaduan = "https://wbs.example.go.id/lapor"
    db.session.commit()
    done = send(phone, layanan)
    assert done.headers["Location"] == f"/survei/{layanan.token}/terima-kasih#terima-kasih"
    page = phone.get(done.headers["Location"]).get_data(as_text=True)
    assert "untuk layanan Layanan" not in page
    assert f"tentang Layanan Kunjungan di {layanan.unit.nama}" in page
    assert 'href="https://www.lapor.go.id"' in page
    assert 'href="https://wbs.example.go.id/lapor"' in page
    assert f'href="/hasil/{layanan.unit.kode}"' in page
    assert "pungutan liar" not in page


def test_an_answer_of_1_or_2_on_corruption_says_where_to_report_it(app, layanan):
    phone = app.test_client()
    done = send(phone, layanan, AK4="1")
    assert done.headers["Location"].endswith("/terima-kasih?lapor=1#terima-kasih")
    page = phone.get(done.headers["Location"]).get_data(as_text=True)
    assert "pungutan liar" in page and "SP4N-LAPOR!" in page
    low_service = app.test_client()
    assert (
        not send(low_service, layanan, U1="1").headers["Location"].endswith("lapor=1#terima-kasih")
    )


def test_the_english_thank_you_page_is_english(phone, layanan):
    send(phone, layanan)
    page = phone.get(f"/survei/{layanan.token}/terima-kasih?lang=en").get_data(as_text=True)
    assert "Thank you" in page and "Terima kasih" not in page and "Jawaban" not in page


def test_a_unit_admin_sets_the_complaint_channel_and_a_bad_address_is_refused(app, tree):
    from survey_app.models import AuditLog
    from tests.web.conftest import CSRF, signed_in

    client = signed_in(app, "kanwil")
    page = client.get("/staf/unit/LAPAS/layanan").get_data(as_text=True)
    token = CSRF.search(page).group(1)
    bad = client.post(
        "/staf/unit/LAPAS/pengaduan",
        data={"csrf_token": token, "tautan_pengaduan": "javascript:alert(1)"},
    )
    assert bad.status_code == 422
    assert "tulis alamat lengkap, misalnya https://wbs.kemenimipas.go.id" in bad.get_data(
        as_text=True
    )
    assert tree["lapas"].tautan_pengaduan is None
    good = client.post(
        "/staf/unit/LAPAS/pengaduan",
        data={"csrf_token": token, "tautan_pengaduan": " https://wbs.example.go.id "},
    )
    assert good.status_code == 303
    db.session.refresh(tree["lapas"])
    assert tree["lapas"].tautan_pengaduan == "https://wbs.example.go.id"
    entry = db.session.scalars(select(AuditLog).where(AuditLog.entity == "unit")).all()[-1]
    assert entry.after == {"tautan_pengaduan": "https://wbs.example.go.id"}
    viewer = signed_in(app, "lapas")
    assert viewer.post(
        "/staf/unit/LAPAS/pengaduan", data={"csrf_token": token, "tautan_pengaduan": ""}
    ).status_code in (400, 403)


def test_the_questions_rendered_once_are_exactly_those_rendered_per_request(
    app, layanan, monkeypatch
):
    """Issue 20.3: a fresh form's questions are rendered once per instrument set and language
    and reused; the page must be byte for byte the one rendered in full, hidden values aside."""
    from survey_app.survei import views

    hidden = re.compile(r'(name="(?:csrf_token|kunci|mulai)" type="hidden" value=")[^"]*"')
    phone = app.test_client()
    cached = [phone.get(f"/survei/{layanan.token}").get_data(as_text=True) for _ in range(2)]
    assert len(app.extensions["zisurvey.questions"]) == 1
    english = phone.get(f"/survei/{layanan.token}?lang=en").get_data(as_text=True)
    assert "How fast was the service delivered?" in english  # its own entry per language
    assert len(app.extensions["zisurvey.questions"]) == 2
    monkeypatch.setattr(views, "_fresh", views._form)  # every request builds the whole form
    full = phone.get(f"/survei/{layanan.token}?lang=id").get_data(as_text=True)
    assert hidden.sub(r"\1", cached[0]) == hidden.sub(r"\1", cached[1]) == hidden.sub(r"\1", full)


def test_a_kept_page_follows_a_renamed_unit_and_layanan_at_once(app, layanan):
    """Issue 20.3: the fresh page is kept per layanan wording; a rename shows on the next GET."""
    phone = app.test_client(use_cookies=False)
    before = phone.get(f"/survei/{layanan.token}").get_data(as_text=True)
    assert "Layanan KUNJ" in before and layanan.unit.nama in before
    layanan.nama, layanan.unit.nama = "Kunjungan Keluarga", "Lapas Kelas IIA Contoh"
    db.session.commit()
    after = phone.get(f"/survei/{layanan.token}").get_data(as_text=True)
    assert "Kunjungan Keluarga" in after and "Lapas Kelas IIA Contoh" in after
    assert "Layanan KUNJ" not in after


def test_a_ticket_page_is_the_full_render_with_its_own_ticket(app, layanan, monkeypatch):
    """Two one-time tickets share the kept page; each posts to its own ticket, and the page
    is byte for byte the full render apart from the hidden values."""
    from survey_app.models import Tiket
    from survey_app.survei import views

    tickets = [Tiket(layanan=layanan, dibuat=app.config["CLOCK"]()) for _ in range(2)]
    db.session.add_all(tickets)
    db.session.commit()
    hidden = re.compile(r'(name="(?:csrf_token|kunci|mulai)" type="hidden" value=")[^"]*"')
    phone = app.test_client()
    kept = [phone.get(f"/survei/t/{t.token}").get_data(as_text=True) for t in tickets]
    for tiket, page in zip(tickets, kept, strict=True):
        assert f'action="/survei/t/{tiket.token}#kesalahan"' in page
    monkeypatch.setattr(views, "_fresh", views._form)
    full = phone.get(f"/survei/t/{tickets[1].token}").get_data(as_text=True)
    assert hidden.sub(r"\1", kept[1]) == hidden.sub(r"\1", full)
    fields = dict(
        re.findall(r'name="(kunci|mulai|csrf_token|layanan)"[^>]*value="([^"]*)"', kept[0])
    )
    answered = phone.post(f"/survei/t/{tickets[0].token}", data=fields | full_answers(SKM + IPAK))
    assert answered.status_code == 303 and count() == 1
