"""Every route, every parameter, hostile values (issue 19.8): never a 500, never a stored row.

The URL map is walked, so a route added later is covered without a line here. Each route's path
arguments and the query parameters the app reads get NUL, non-ASCII digits, a trailing newline,
huge numbers and ranges, long strings and a path walk, as anonymous, viewer and unit admin.
"""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest
from sqlalchemy import func, select

from survey_app.extensions import db
from survey_app.models import (
    AuditLog,
    Evaluasi,
    LaporanTeks,
    PemetaanUnggahan,
    Pengguna,
    Publikasi,
    ResetSandi,
    Submission,
    Tiket,
    Tinjauan,
)
from tests.web.conftest import signed_in
from tests.web.test_publish import lapas, publish  # noqa: F401  (the fixture)

HOSTILE = [
    "\x00",
    "a\x00b",
    "٢٠٢٦-01",
    "2026-01\n",
    "0000",
    "9999-12",
    "²¹²³",
    "1000-01",
    "9" * 30,
    "-1",
    "x" * 2000,
    "../../../etc/passwd",
    "2026-13",
    "2026-T5",
    "NaN",
    "\u202e",
]
QUERY = ["periode", "dari", "sampai", "tahun", "profile", "lang", "next", "abaikan", "urut", "kode"]
QUERY += ["pemetaan", "varian", "cari", "hal"]
SLOW = re.compile(r"\.(pdf|png|xlsx|zip|<fmt>)$|/widget$")  # drawn files: hostile path values only
STORED = (
    Pengguna,
    ResetSandi,
    Submission,
    AuditLog,
    Evaluasi,
    Publikasi,
    Tiket,
    Tinjauan,
    LaporanTeks,
    PemetaanUnggahan,
)


def counts() -> tuple[int, ...]:
    return tuple(db.session.scalar(select(func.count()).select_from(m)) for m in STORED)


@pytest.fixture
def valid(app, lapas):  # noqa: F811
    publish(signed_in(app, "kanwil"))
    layanan = lapas.layanan[0]
    publication = db.session.scalars(select(Publikasi)).first()
    return {
        "kode": "LAPAS",
        "layanan_id": str(layanan.id),
        "token": layanan.token,
        "ticket": "tidak-ada",
        "publication_id": str(publication.id),
        "name": "poster-a3.pdf",
        "submission_id": str(db.session.scalars(select(Submission.id)).first()),
        "job_id": "tidak-ada",
        "filename": "style.css",
        "tiket_id": "1",
        "entry_id": "1",
        "bukti_id": "1",
        "pengguna_id": str(db.session.scalars(select(Pengguna.id)).first()),
        "fmt": "pdf",
        "pemetaan_id": "1",
        "kiosk_id": "1",
        "size": "192",
    }


def urls(app, valid):
    """(rule, url) for every GET route: hostile path arguments, then hostile query values."""
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if "GET" not in rule.methods:
            continue
        for value in HOSTILE:
            if rule.arguments:
                args = {name: quote(value, safe="") for name in rule.arguments}
                path = rule.rule
                for name, text in args.items():
                    path = re.sub(rf"<(?:\w+:)?{name}>", text, path)
                yield rule.rule, path
            if SLOW.search(rule.rule):
                continue
            path = rule.rule
            for name in rule.arguments:
                path = re.sub(rf"<(?:\w+:)?{name}>", quote(valid[name], safe=""), path)
            query = "&".join(f"{name}={quote(value, safe='')}" for name in QUERY)
            yield rule.rule, f"{path}?{query}"


def walk(client, requests) -> list[str]:
    """GET every (rule, url); return the 500s. A refusal's page never shows a traceback."""
    failures = []
    for rule, url in requests:
        response = client.get(url)
        if response.status_code >= 500:
            failures.append(f"{response.status_code} {rule}: {url[:160]!r}")
        elif response.status_code >= 400:
            assert "Traceback" not in response.get_data(as_text=True), url
        response.close()  # a file sent from disk is closed, as the server would
    return failures


@pytest.mark.parametrize("who", ["anonymous", "lapas", "kanwil"])
def test_no_route_answers_500_to_hostile_values(app, valid, who):
    app.config["SUBMIT_LIMIT"] = "100000 per minute"
    app.config["PROPAGATE_EXCEPTIONS"] = False  # a fault answers 500, as in production
    client = app.test_client() if who == "anonymous" else signed_in(app, who)
    before = counts()
    failures = walk(client, urls(app, valid))
    assert not failures, "\n".join(failures)
    assert counts() == before  # a GET stores nothing, whatever it was sent


@pytest.mark.parametrize("field", ["username", "password"])
@pytest.mark.parametrize("value", ["\x00", "admin\x00", "x" * 5000, "٢"])
def test_sign_in_with_hostile_fields_is_refused_cleanly(app, tree, field, value):
    client = app.test_client()
    page = client.get("/staf/masuk").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    data = {"csrf_token": token, "username": "kanwil", "password": "salah-sekali"}
    data[field] = value
    response = client.post("/staf/masuk", data=data)
    assert response.status_code in (200, 400, 403, 422)


EDGES = ["2099-12", "2000-01", "2099", "2000", "2099-T4", "2000-S1", "2000-T1", "X"]
PERIODS = {"periode", "dari", "sampai", "tahun"}


def single_parameters(app, valid):
    """Each query parameter alone, valid route arguments: edge periods (the first and last
    year a period may name, whose neighbours may not) and a value colliding with a route
    argument's name (``?kode=X``), so no other parameter is refused first."""
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if "GET" not in rule.methods or SLOW.search(rule.rule):
            continue
        path = rule.rule
        for name in rule.arguments:
            path = re.sub(rf"<(?:\w+:)?{name}>", quote(valid[name], safe=""), path)
        for name in QUERY:
            for value in EDGES if name in PERIODS else ["X"]:
                yield rule.rule, f"{path}?{name}={quote(value, safe='')}"


def test_each_parameter_alone_at_its_edges_never_answers_500(app, valid):
    app.config["PROPAGATE_EXCEPTIONS"] = False
    client = signed_in(app, "kanwil")
    before = counts()
    failures = walk(client, single_parameters(app, valid))
    assert not failures, "\n".join(failures)
    assert counts() == before
