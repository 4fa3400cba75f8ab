"""Hostile input, generated: random fields and values on the public form and the upload.

Whatever arrives, the answer is never a 500, and a refused request stores nothing.
"""

import csv
import io

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from survey_app.extensions import db
from survey_app.models import Answer, Submission
from tests.conftest import FIXTURES
from tests.web.conftest import CSRF, signed_in
from tests.web.test_integrity import FIELDS, layanan, respondent

FUZZ = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
NAMES = [
    *[f"U{i}" for i in range(1, 10)],
    *[f"AK{i}" for i in range(1, 6)],
    *[f"PK{i}" for i in range(1, 9)],
    *["umur", "jenis_kelamin", "pendidikan", "pekerjaan", "saran", "layanan", "kunci", "mulai"],
]
VALUES = st.one_of(
    st.sampled_from(["1", "2", "3", "4", "0", "5", "-1", "4.0", " 4", "", "L", "P", "SMA"]),
    st.text(max_size=40),
    st.text(alphabet="=+-@<>\"'\\;%\x00", max_size=10),
)


def stored() -> int:
    return db.session.scalar(select(func.count()).select_from(Submission))


@FUZZ
@given(
    drop=st.sets(st.sampled_from(NAMES)),
    change=st.dictionaries(st.sampled_from(NAMES), VALUES, max_size=6),
    extra=st.dictionaries(st.text(min_size=1, max_size=12), VALUES, max_size=3),
)
def test_the_public_form_never_fails_and_never_stores_a_refused_post(
    app, tree, drop, change, extra
):
    app.config["SUBMIT_LIMIT"] = "100000 per minute"
    target = layanan(tree)
    phone = respondent(app)
    page = phone.get(f"/survei/{target.token}").get_data(as_text=True)
    data = dict(FIELDS.findall(page)) | {name: "3" for name in NAMES[:22]}
    data = {k: v for k, v in (data | change | extra).items() if k not in drop}
    before = stored()
    response = phone.post(f"/survei/{target.token}", data=data)
    assert response.status_code in (303, 400, 413, 422), response.status_code
    assert "Traceback" not in response.get_data(as_text=True)
    assert stored() == before + (1 if response.status_code == 303 else 0)
    values = db.session.scalars(select(Answer.value)).all()
    assert all(1 <= v <= 4 for v in values)


HEADER = (FIXTURES / "worked_example.csv").read_text().splitlines()[0].split(",")


@FUZZ
@given(
    columns=st.lists(st.sampled_from([*HEADER, "x", "U1"]), min_size=1, max_size=14),
    rows=st.lists(st.lists(VALUES, min_size=14, max_size=14), min_size=1, max_size=4),
    garbage=st.none() | st.binary(max_size=200),
)
def test_an_upload_never_fails_and_stores_nothing_unless_all_is_valid(
    app, tree, columns, rows, garbage
):
    # the app (and so the signed-in client) lives across a test's examples
    if "fuzz.client" not in app.extensions:
        app.extensions["fuzz.client"] = signed_in(app, "kanwil")
    client = app.extensions["fuzz.client"]
    if garbage is None:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(columns)
        writer.writerows(row[: len(columns)] for row in rows)
        body = buffer.getvalue().encode()
    else:
        body = garbage
    token = CSRF.search(client.get("/staf/unit/LAPAS/unggah").get_data(as_text=True)).group(1)
    sent = client.post(
        "/staf/unit/LAPAS/unggah",
        data={"csrf_token": token, "berkas": (io.BytesIO(body), "jawaban.csv")},
        content_type="multipart/form-data",
    )
    assert sent.status_code in (302, 422)
    if sent.status_code == 422:
        return
    preview = client.get(sent.headers["Location"])
    assert preview.status_code in (200, 422)
    before = stored()
    if sent.headers["Location"].endswith("/pemetaan"):  # not the format's headers: mapped first
        mapped = client.post(sent.headers["Location"], data={"csrf_token": token, "aksi": "simpan"})
        assert mapped.status_code in (200, 303, 422) and stored() == before
        return
    confirmed = client.post(sent.headers["Location"], data={"csrf_token": token})
    assert confirmed.status_code == (302 if preview.status_code == 200 else 422)
    if confirmed.status_code == 422:
        assert stored() == before
    else:
        assert stored() - before <= len(rows)
