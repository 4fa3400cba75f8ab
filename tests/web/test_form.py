"""The respondent's path through the public form: every case of issue 3, item 5."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from survey_app.extensions import db
from survey_app.models import Answer, Submission
from tests.conftest import make_layanan
from tests.web.helpers import IPAK, SKM, full_answers, hidden_fields


def count() -> int:
    return db.session.scalar(select(func.count()).select_from(Submission))


@pytest.fixture
def client(app):
    return app.test_client()


def post(client, target, **changes):
    data = hidden_fields(client, target.token) | full_answers(SKM + IPAK)
    data.update(changes)
    return client.post(
        f"/survei/{target.token}", data={k: v for k, v in data.items() if v is not None}
    )


def test_form_has_one_fieldset_per_question_with_four_labelled_choices(client, layanan):
    page = client.get(f"/survei/{layanan.token}").get_data(as_text=True)
    assert page.count('<fieldset class="question') == 9 + 5 + 1  # + jenis kelamin
    assert "Bagaimana pendapat Saudara tentang kecepatan waktu dalam memberikan pelayanan?" in page
    for label in ("Tidak cepat", "Kurang cepat", "Cepat", "Sangat cepat"):
        assert f'<span class="text">{label}</span>' in page
    assert 'name="PK1"' not in page  # this layanan's form carries SKM and IPAK only
    assert 'lang="id"' in page


def test_english_switch(client, layanan):
    page = client.get(f"/survei/{layanan.token}?lang=en").get_data(as_text=True)
    assert "How fast was the service delivered?" in page and "Very fast" in page
    assert "Send answers" in page
    again = client.get(f"/survei/{layanan.token}").get_data(as_text=True)  # the cookie remembers
    assert "How fast was the service delivered?" in again


def test_valid_answers_are_stored_once_and_redirect_to_thanks(client, layanan, clock):
    response = post(
        client, layanan, U3="2", jenis_kelamin="P", pendidikan="SMA", saran="Antrean lama"
    )
    assert response.status_code == 303
    assert response.headers["Location"].endswith(
        f"/survei/{layanan.token}/terima-kasih#terima-kasih"
    )
    assert "Terima kasih" in client.get(response.headers["Location"]).get_data(as_text=True)
    submission = db.session.scalars(select(Submission)).one()
    answers = {
        a.item_code: (a.value, a.instrument_id, a.instrument_version) for a in submission.answers
    }
    assert answers["U3"] == (2, "skm", "2017.1") and answers["AK5"] == (4, "ipak", "2021.1")
    assert len(answers) == 14
    assert (submission.jenis_kelamin, submission.pendidikan, submission.umur) == ("P", "SMA", None)
    assert submission.saran == "Antrean lama"
    assert submission.submitted_at == clock.now


def test_missing_answer_shows_the_form_again_with_summary_and_kept_answers(client, layanan):
    response = post(client, layanan, U4=None, AK2=None, U1="2")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'class="error-summary"' in page and "Ada 2 pertanyaan yang belum dijawab" in page
    assert 'href="#U4"' in page and 'href="#AK2"' in page
    assert '<input id="U1-1" name="U1" type="radio" value="2" required checked>' in page
    assert page.count(" checked") == 9 + 5 - 2  # every answer sent comes back checked
    assert count() == 0


@pytest.mark.parametrize(
    "tamper",
    [
        {"U1": "5"},
        {"U1": "0"},
        {"U1": "x"},
        {"U10": "4"},
        {"PK1": "4"},
        {"layanan": "TITIP"},
        {"jenis_kelamin": "X"},
        {"period": "2025-12"},
        {"submitted_at": "2026-01-01T00:00:00"},
        {"kunci": "short"},
    ],
)
def test_tampered_posts_get_400_and_store_nothing(client, layanan, tamper):
    response = post(client, layanan, **tamper)
    assert response.status_code == 400
    assert "Permintaan tidak dapat diproses" in response.get_data(as_text=True)
    assert count() == 0


def test_the_same_submission_posted_twice_is_one_record(client, layanan):
    data = hidden_fields(client, layanan.token) | full_answers(SKM + IPAK)
    first = client.post(f"/survei/{layanan.token}", data=data)
    second = client.post(f"/survei/{layanan.token}", data=data)
    assert first.status_code == second.status_code == 303
    assert first.headers["Location"] == second.headers["Location"]
    assert count() == 1
    assert db.session.scalar(select(func.count()).select_from(Answer)) == 14


def test_a_key_reused_on_another_layanan_is_refused(client, layanan, unit):
    other = make_layanan(unit, kode="TITIP")
    data = hidden_fields(client, layanan.token) | full_answers(SKM + IPAK)
    assert client.post(f"/survei/{layanan.token}", data=data).status_code == 303
    data["layanan"] = "TITIP"
    assert client.post(f"/survei/{other.token}", data=data).status_code == 400
    assert count() == 1


def test_inactive_layanan_is_closed_and_unknown_token_is_404(client, unit, layanan):
    closed = make_layanan(unit, kode="LAMA", aktif=False)
    response = client.get(f"/survei/{closed.token}")
    assert response.status_code == 410 and "Survei ditutup" in response.get_data(as_text=True)
    # a form opened before the layanan was closed, sent after
    data = hidden_fields(client, layanan.token) | full_answers(SKM + IPAK) | {"layanan": "LAMA"}
    assert client.post(f"/survei/{closed.token}", data=data).status_code == 410
    assert count() == 0
    assert client.get("/survei/tidak-ada").status_code == 404


def test_missing_csrf_token_is_refused_with_a_friendly_page(client, layanan):
    data = hidden_fields(client, layanan.token) | full_answers(SKM + IPAK)
    del data["csrf_token"]
    response = client.post(f"/survei/{layanan.token}", data=data)
    assert response.status_code == 400 and "kedaluwarsa" in response.get_data(as_text=True)
    assert count() == 0


@pytest.mark.parametrize(
    ("utc", "period"),
    [
        (datetime(2026, 1, 31, 15, 30, tzinfo=UTC), "2026-01"),  # 23:30 WITA, 31 January
        (datetime(2026, 1, 31, 16, 30, tzinfo=UTC), "2026-02"),  # 00:30 WITA, 1 February
    ],
)
def test_period_comes_from_the_server_clock_in_the_units_zone(client, layanan, clock, utc, period):
    clock.now = utc
    assert post(client, layanan).status_code == 303
    assert db.session.scalars(select(Submission.period)).one() == period


def test_a_too_long_saran_is_a_422_not_a_crash(client, layanan, app):
    response = post(client, layanan, saran="x" * (app.config["SARAN_MAX"] + 1))
    assert response.status_code == 422 and count() == 0


def test_public_pages_send_a_strict_policy(client, layanan):
    response = client.get(f"/survei/{layanan.token}")
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy
    assert "<script" not in response.get_data(as_text=True)  # nothing inline to allow
