"""No demographic count of 1-4 readable by subtracting one publication from another (REGULATION
§6, issue 16.8): "Triwulan IV 15 minus November 11 gives October 4"."""

import csv
import io
from datetime import UTC, datetime

from analysis.responses import read_responses
from survey_app.extensions import db
from survey_app.models import Publikasi
from survey_app.services.collection.imports import import_responses
from tests.web.conftest import signed_in
from tests.web.test_publish import publish

NOW = datetime(2026, 12, 2, tzinfo=UTC)


def load(app, unit, path):
    catalogue = app.extensions["zisurvey.catalogue"]
    frame = read_responses(path, catalogue.schema(), tz="Asia/Makassar")
    import_responses(db.session, catalogue, unit, frame, NOW)
    db.session.commit()


HEADER = (
    "id,submitted_at,layanan,umur,jenis_kelamin,pendidikan,pekerjaan,U1,U2,U3,U4,U5,U6,U7,U8,"
    "U9,saran\n"
)


def rows(month, women, men):
    lines = []
    for number in range(women + men):
        sex = "P" if number < women else "L"
        day = 1 + number % 27
        lines.append(
            f"{month}-{number},2026-{month}-{day:02d}T09:00:00+08:00,KUNJ,30,{sex},SMA,Swasta,"
            "3,3,3,3,3,3,3,3,3,"
        )
    return lines


def women(publication):
    cells = publication.data["demografi"]["jenis_kelamin"]
    return next(c for c in cells if c["nilai"] == "Perempuan")


def test_a_cell_that_would_reveal_october_by_subtraction_is_hidden(app, tree, clock, tmp_path):
    source = tmp_path / "q4.csv"
    source.write_text(HEADER + "\n".join(rows("10", 4, 12) + rows("11", 11, 9)) + "\n")
    load(app, tree["lapas"], source)
    clock.now = NOW
    client = signed_in(app, "kanwil")
    assert publish(client, "2026-T4").status_code in (302, 303)
    assert publish(client, "2026-11").status_code in (302, 303)
    q4, november = db.session.query(Publikasi).order_by(Publikasi.id).all()
    assert women(q4) == {"nilai": "Perempuan", "n": 15}
    assert women(november) == {"nilai": "Perempuan", "n": None, "disembunyikan": "selisih"}
    men = [c for c in november.data["demografi"]["jenis_kelamin"] if c["nilai"] == "Laki-laki"]
    assert men == [{"nilai": "Laki-laki", "n": 9}]  # 21 - 9 = 12 in October: safe to show
    assert publish(client, "2026-10").status_code in (302, 303)
    october = db.session.query(Publikasi).order_by(Publikasi.id.desc()).first()
    assert women(october) == {"nilai": "Perempuan", "n": None, "disembunyikan": "kecil"}
    public = app.test_client().get(f"/hasil/LAPAS/{november.id}.csv").get_data(as_text=True)
    cells = [row for row in csv.reader(io.StringIO(public)) if row[0] == "jenis_kelamin"]
    assert cells == [["jenis_kelamin", "Laki-laki", "9"], ["jenis_kelamin", "Perempuan", ""]]
    page = app.test_client().get("/hasil/LAPAS").get_data(as_text=True)  # October, the newest
    assert "* disembunyikan karena" not in page and "&lt; 5" in page


def test_the_other_order_hides_the_triwulan_cell(app, tree, clock, tmp_path):
    source = tmp_path / "q4.csv"
    source.write_text(HEADER + "\n".join(rows("10", 4, 12) + rows("11", 11, 9)) + "\n")
    load(app, tree["lapas"], source)
    clock.now = NOW
    client = signed_in(app, "kanwil")
    publish(client, "2026-11")
    publish(client, "2026-T4")
    november, q4 = db.session.query(Publikasi).order_by(Publikasi.id).all()
    assert women(november)["n"] == 11
    assert women(q4) == {"nilai": "Perempuan", "n": None, "disembunyikan": "selisih"}
    shown = {}
    for publication in (november, q4):
        for cell in publication.data["demografi"]["jenis_kelamin"]:
            if cell["n"] is not None:
                shown[(publication.label, cell["nilai"])] = cell["n"]
    # nothing a reader can subtract gives 1-4
    assert shown == {("2026-11", "Perempuan"): 11, ("2026-11", "Laki-laki"): 9,
                     ("2026-T4", "Laki-laki"): 21}  # fmt: skip
