"""The public form's POST without a WTForms instance, its rows written with Core (issue 20.3):
the same decisions as the form itself, and one record for one key even when sent twice at once."""

import random
import threading
import time

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.datastructures import MultiDict

from survey_app.extensions import db
from survey_app.models import Answer, Layanan, RekapBulanan, Submission
from survey_app.services.collection.recording import record_response
from survey_app.services.collection.submissions import Origin, Response, shaped
from survey_app.survei import forms
from survey_app.survei.forms import form_class, respond
from survey_app.survei.posted import read, rules_of
from tests.web.conftest import tree  # noqa: F401  (the fixture)
from tests.web.helpers import IPAK, SKM, full_answers, hidden_fields

KUNCI = "k" * 24


def catalogue(app):
    return app.extensions["zisurvey.catalogue"]


def values(rng: random.Random, field: str, cls) -> list[str]:
    """What a browser, or someone editing the page, may send for one field: nothing, an
    empty value, blanks, a right choice, a wrong one, a text at or over its limit."""
    options = ["", "  ", "1", "2", "4", "5", "ya", "tidak", "L", "x" * 200, " y" * 101]
    options += ["z" * 300, "w" * 301, "2026", "SMA", "<b>", "9" * 3001]
    unbound = getattr(cls, field)
    choices = [str(c.value) for c in unbound.kwargs.get("choices") or []]
    pick = rng.choice([*options, *choices, *choices, *choices])
    return [] if rng.random() < 0.15 else [pick]


def fine(field: str, cls) -> list[str]:
    """A value the form accepts for ``field``."""
    if field in cls.item_codes:
        return ["3"]
    if field in ("kunci", "layanan", "mulai"):
        return [KUNCI]
    choices = [str(c.value) for c in getattr(cls, field).kwargs.get("choices") or []]
    return [choices[len(field) % len(choices)]] if choices else [" baik "]


def test_the_fast_reader_decides_every_field_as_wtforms_does(app, varian):  # noqa: F811
    """Random posts of the variant's form (sub-questions, extra questions of every kind) and of
    the base form (reasons, profile, saran): where WTForms finds an error the reader steps
    aside; where WTForms accepts, the reader gives the very same response."""
    layanan, versi = varian
    rng = random.Random(20)
    plain_form = shaped(catalogue(app), layanan, None)
    variant_form = shaped(catalogue(app), layanan, versi)
    with app.test_request_context():
        classes = [
            form_class(i, catalogue(app).profile, "id", 3000, asks, x)
            for (i, x) in (plain_form, variant_form)
            for asks in (True, False)
        ]
    agreed = {True: 0, False: 0}
    for cls in classes:
        rules = rules_of(cls)
        assert rules is not None  # every field of the form is one the reader knows
        names = [r.name for r in rules]
        assert {"saran", "kunci", *cls.item_codes, *cls.profile_keys} <= set(names)
        for _ in range(150):
            posted: MultiDict[str, str] = MultiDict()
            noise = rng.choice([0.0, 0.02, 0.1, 0.4])
            for name in names:
                for value in values(rng, name, cls) if rng.random() < noise else fine(name, cls):
                    posted.add(name, value)
            with app.test_request_context(method="POST"):
                form = cls(formdata=posted, meta={"csrf": False})
                valid = form.validate()
                data = read(rules, posted)
                assert (data is not None) == valid, (dict(posted), form.errors)
                if valid:
                    assert respond(cls, data) == form.response()
            agreed[valid] += 1
    assert min(agreed.values()) > 20  # both outcomes were met often


def test_a_valid_post_builds_no_form_and_an_incomplete_one_shows_its_errors(
    app, layanan, monkeypatch
):
    client = app.test_client()
    built = []
    original = forms.SurveyForm.__init__

    def counting(self, *args, **kwargs):
        built.append(request_method())
        original(self, *args, **kwargs)

    monkeypatch.setattr(forms.SurveyForm, "__init__", counting)
    data = hidden_fields(client, layanan.token) | full_answers(SKM + IPAK)
    built.clear()
    assert client.post(f"/survei/{layanan.token}", data=data).status_code == 303
    assert built == []
    client.delete_cookie("zs-terkirim", path="/survei/")
    data = hidden_fields(client, layanan.token) | full_answers(SKM + IPAK[1:])
    response = client.post(f"/survei/{layanan.token}", data=data)
    assert response.status_code == 422 and built.count("POST") >= 1
    assert "Ada 1 pertanyaan yang belum dijawab" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Submission)) == 1


def request_method() -> str:
    from flask import request

    return request.method


def test_the_same_key_sent_twice_at_the_same_moment_is_stored_once(app, layanan, clock):
    """Two connections store the same form at once: the second INSERT waits for the first
    transaction, then finds its key and writes nothing (no error, no second rollup count)."""
    layanan_id = layanan.id
    db.session.commit()
    given = Response(
        answers={code: 3 for code in SKM + IPAK}, profile={}, saran=None, idempotency_key=KUNCI
    )
    first, second = Session(db.engine), Session(db.engine)
    results: list[bool] = []

    def send_second() -> None:
        results.append(
            record_response(
                second, catalogue(app), second.get(Layanan, layanan_id), given, clock(), Origin()
            )
        )
        second.commit()

    try:
        assert record_response(
            first, catalogue(app), first.get(Layanan, layanan_id), given, clock(), Origin()
        )
        racer = threading.Thread(target=send_second)
        racer.start()
        time.sleep(0.3)
        assert racer.is_alive()  # waiting for the first transaction's row
        first.commit()
        racer.join(10)
        assert results == [False]
    finally:
        first.close()
        second.close()
    assert db.session.scalar(select(func.count()).select_from(Submission)) == 1
    assert db.session.scalar(select(func.count()).select_from(Answer)) == 14
    kiriman = select(RekapBulanan.n).where(RekapBulanan.jenis == "kiriman")
    assert db.session.scalar(kiriman) == 1


@pytest.mark.parametrize("field", ["layanan", "csrf_token"])
def test_a_post_missing_a_hidden_value_is_refused_as_before(app, layanan, field):
    client = app.test_client()
    data = hidden_fields(client, layanan.token) | full_answers(SKM + IPAK)
    data[field] = ""
    response = client.post(f"/survei/{layanan.token}", data=data)
    assert response.status_code == 400
    assert db.session.scalar(select(func.count()).select_from(Submission)) == 0
