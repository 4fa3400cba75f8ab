"""Publishing: a frozen snapshot, public and as open data; never saran, small cells hidden."""

import csv
import io
import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from analysis.responses import read_responses
from survey_app.extensions import db
from survey_app.models import Submission
from survey_app.services.collection.imports import import_responses
from tests.conftest import FIXTURES
from tests.web.conftest import CSRF, signed_in


def load(app, unit, path, tz="Asia/Makassar"):
    catalogue = app.extensions["zisurvey.catalogue"]
    frame = read_responses(path, catalogue.schema(), tz=tz)
    import_responses(db.session, catalogue, unit, frame, datetime(2026, 3, 1, tzinfo=UTC))
    db.session.commit()


@pytest.fixture
def lapas(app, tree, clock):
    load(app, tree["lapas"], FIXTURES / "worked_example.csv")
    first = db.session.scalars(select(Submission).order_by(Submission.id)).first()
    first.saran = "RAHASIA: petugas X minta uang"  # saran is never published
    db.session.commit()
    clock.now = datetime(2026, 2, 2, tzinfo=UTC)
    return tree["lapas"]


SIDIK = re.compile(r'name="sidik" type="hidden" value="([0-9a-f]{64})"')


def publish(client, periode="2026-01", kode="LAPAS"):
    """Open the preview, then confirm exactly what it showed (issue 16.7)."""
    preview = client.get(f"/staf/unit/{kode}/terbitkan?periode={periode}")
    assert preview.status_code == 200, preview.get_data(as_text=True)[:300]
    page = preview.get_data(as_text=True)
    return client.post(
        f"/staf/unit/{kode}/terbitkan?periode={periode}",
        data={"csrf_token": CSRF.search(page).group(1), "sidik": SIDIK.search(page).group(1)},
    )


def test_publishing_shows_the_frozen_figures_publicly(app, lapas):
    assert publish(signed_in(app, "kanwil")).headers["Location"] == "/hasil/LAPAS?periode=2026-01"
    page = app.test_client().get("/hasil/LAPAS").get_data(as_text=True)
    assert '<p class="bignum">87,55</p>' in page and "Mutu B · Baik" in page
    assert "98,00" in page and "89,17" in page
    assert "Responden: 30" in page
    assert "1 Januari 2026 – 31 Januari 2026" in page
    assert "Layanan KUNJ (Januari 2026: 20/30)" in page  # below the minimum, and said so
    assert "Aturan minimal: tetap (30/15)" in page  # by name (REGULATION §3)
    assert "RAHASIA" not in page and "<script" not in page


def test_a_publication_does_not_change_when_answers_do(app, lapas, tmp_path):
    client = signed_in(app, "kanwil")
    publish(client)
    more = tmp_path / "lagi.csv"
    rows = (FIXTURES / "worked_example.csv").read_text().splitlines()
    more.write_text("\n".join([rows[0]] + [r.replace("r0", "x0", 1) for r in rows[1:11]]) + "\n")
    load(app, lapas, more)
    assert '<p class="bignum">87,55</p>' in app.test_client().get("/hasil/LAPAS").get_data(
        as_text=True
    )
    publish(client)  # a new publication supersedes it; both stay on record
    page = app.test_client().get("/hasil/LAPAS").get_data(as_text=True)
    assert '<p class="bignum">87,55</p>' not in page and "Responden: 40" in page
    listing = app.test_client().get("/hasil/LAPAS/publikasi.json").get_json()
    assert [p["berlaku"] for p in listing["publikasi"]] == [True, False]
    old = app.test_client().get(listing["publikasi"][1]["json"]).get_json()
    assert old["indeks"][0]["nilai"] == "87.55" and old["responden"] == 30


def test_open_data_hides_small_cells_and_saran(app, lapas, tree, tmp_path):
    publish(signed_in(app, "kanwil"))
    listing = app.test_client().get("/hasil/LAPAS/publikasi.json").get_json()
    assert listing["lisensi"].startswith("Data terbuka")
    data = app.test_client().get(listing["publikasi"][0]["json"]).get_json()
    counts = [row["n"] for rows in data["demografi"].values() for row in rows]
    assert counts and all(n is None or n == 0 or n >= 5 for n in counts)
    assert "RAHASIA" not in str(data) and "saran" not in data
    # three respondents at the Rutan: every non-empty cell is under 5 and must be hidden
    few = tmp_path / "sedikit.csv"
    few.write_text("\n".join((FIXTURES / "worked_example.csv").read_text().splitlines()[:4]))
    load(app, tree["rutan"], few)
    client = signed_in(app, "kanwil")
    assert publish(client, "2026-01", kode="RUTAN").status_code == 303
    small = app.test_client().get("/hasil/RUTAN").get_data(as_text=True)
    rutan = app.test_client().get("/hasil/RUTAN/publikasi.json").get_json()["publikasi"][0]
    cells = [
        r["n"]
        for rows in app.test_client().get(rutan["json"]).get_json()["demografi"].values()
        for r in rows
    ]
    assert set(cells) == {None, 0} and "&lt; 5" in small
    body = app.test_client().get(listing["publikasi"][0]["csv"]).get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(body)))
    assert ["nilai", "IKM", "87.55"] in rows and rows[-1][0] == "lisensi"


def test_only_a_unit_admin_in_scope_publishes(app, lapas):
    viewer = signed_in(app, "lapas")
    assert viewer.get("/staf/unit/LAPAS/terbitkan?periode=2026-01").status_code == 403
    token = CSRF.search(viewer.get("/staf/unit/LAPAS?periode=2026-01").get_data(as_text=True))
    sent = viewer.post(
        "/staf/unit/LAPAS/terbitkan?periode=2026-01",
        data={"csrf_token": token.group(1), "sidik": "0" * 64},
    )
    assert sent.status_code == 403
    assert app.test_client().post("/staf/unit/LAPAS/terbitkan").status_code in (302, 400)
    assert "Belum ada hasil survei yang diterbitkan." in app.test_client().get(
        "/hasil/LAPAS"
    ).get_data(as_text=True)
    assert app.test_client().get("/hasil/TIDAK-ADA").status_code == 404
    publish(signed_in(app, "kanwil"))
    own = app.test_client().get("/hasil/LAPAS/publikasi.json").get_json()["publikasi"][0]["id"]
    assert app.test_client().get(f"/hasil/RUTAN/{own}.json").status_code == 404
