"""Uploads keep the integrity promise (issue 18.5): fingerprints, their own channel, the flags,
and the form's own limits on saran and NUL characters."""

import io
from pathlib import Path

from sqlalchemy import func, select
from werkzeug.test import EnvironBuilder

from survey_app.extensions import db
from survey_app.models import Submission
from tests.conftest import FIXTURES
from tests.web.conftest import CSRF, signed_in

SKM = [f"U{i}" for i in range(1, 10)]


def stored() -> int:
    return db.session.scalar(select(func.count()).select_from(Submission))


def upload(client, body: bytes, name="jawaban.csv", unit="LAPAS"):
    """POST ``body`` as the upload form does; a large body is spooled to a temporary file,
    closed here as a server would."""
    path = f"/staf/unit/{unit}/unggah"
    token = CSRF.search(client.get(path).get_data(as_text=True)).group(1)
    data = {"csrf_token": token, "berkas": (io.BytesIO(body), name)}
    builder = EnvironBuilder(path=path, method="POST", data=data)
    environ = builder.get_environ()
    try:
        return client.open(environ)
    finally:
        environ["wsgi.input"].close()
        builder.close()


def preview_and_confirm(client, body: bytes, name="jawaban.csv"):
    """Upload ``body``, read its preview, confirm it; returns (preview text, flash page)."""
    sent = upload(client, body, name)
    assert sent.status_code == 302, sent.get_data(as_text=True)
    preview = client.get(sent.headers["Location"])
    page = preview.get_data(as_text=True)
    assert preview.status_code == 200, page
    token = CSRF.search(page).group(1)
    done = client.post(sent.headers["Location"], data={"csrf_token": token}, follow_redirects=True)
    return page, done.get_data(as_text=True)


def without_ids() -> bytes:
    """The worked example with its id column taken out."""
    lines = (FIXTURES / "worked_example.csv").read_text().splitlines()
    return ("\n".join(line.split(",", 1)[1] for line in lines) + "\n").encode()


def rows(*lines: str, header=("submitted_at", "layanan", *SKM)) -> bytes:
    return (",".join(header) + "\n" + "\n".join(lines) + "\n").encode()


def test_a_file_without_ids_uploaded_twice_adds_nothing_and_says_sudah_ada(app, tree):
    client = signed_in(app, "kanwil")
    page, done = preview_and_confirm(client, without_ids())
    assert "30 baris dibaca: 30 baru, 0 sudah ada." in page
    assert "30 jawaban ditambahkan, 0 sudah ada." in done and stored() == 30
    page, done = preview_and_confirm(client, without_ids())
    assert "30 baris dibaca: 0 baru, 30 sudah ada." in page
    assert "Baris yang sudah ada tidak ditambahkan lagi" in page
    assert "0 jawaban ditambahkan, 30 sudah ada." in done and stored() == 30
    keys = db.session.scalars(select(Submission.idempotency_key)).all()
    assert all(k.startswith("sidik:") and len(k) == 70 for k in keys)
    assert set(db.session.scalars(select(Submission.source))) == {"unggahan"}
    # the same figures as the file with ids: 87,55
    assert "87,55" in client.get("/staf/unit/LAPAS?periode=2026-01").get_data(as_text=True)


def test_rows_alike_in_one_file_are_each_stored_once_and_a_longer_file_adds_only_the_new(app, tree):
    client = signed_in(app, "kanwil")
    same = "2026-01-06,KUNJ," + ",".join(["4"] * 9)  # a day typed in without a time
    first = rows(same, same, "2026-01-06,KUNJ," + ",".join(["3"] * 9))
    preview_and_confirm(client, first)
    assert stored() == 3  # two respondents who answered alike are two answers
    longer = rows(same, same, same, "2026-01-06,KUNJ," + ",".join(["3"] * 9))
    page, done = preview_and_confirm(client, longer)
    assert "4 baris dibaca: 1 baru, 3 sudah ada." in page
    assert "1 jawaban ditambahkan, 3 sudah ada." in done and stored() == 4


def test_the_same_rows_with_ids_keep_their_ids_idempotency(app, tree):
    client = signed_in(app, "kanwil")
    body = (FIXTURES / "worked_example.csv").read_bytes()
    preview_and_confirm(client, body)
    page, done = preview_and_confirm(client, body)
    assert "30 baris dibaca: 0 baru, 30 sudah ada." in page and stored() == 30
    keys = set(db.session.scalars(select(Submission.idempotency_key)))
    assert "import:LAPAS:r001" in keys and not any(k.startswith("sidik:") for k in keys)


def test_uploaded_rows_get_the_identical_answers_and_burst_flags(app, tree):
    client = signed_in(app, "kanwil")
    alike = ",".join(["4", "3"] * 4 + ["4"])
    body = rows(
        # three identical answer vectors within half an hour: identik
        f"2026-01-07T09:00:00+08:00,KUNJ,{alike}",
        f"2026-01-07T09:10:00+08:00,KUNJ,{alike}",
        f"2026-01-07T09:20:00+08:00,KUNJ,{alike}",
        # five different answers of one layanan within ten minutes: beruntun
        *(f"2026-01-08T10:0{i}:00+08:00,TITIP,{i % 4 + 1},2,3,4,1,2,3,4,1" for i in range(5)),
    )
    preview_and_confirm(client, body)
    # days without a time (stored at local midnight): no window or hours can be judged
    preview_and_confirm(client, rows(*(f"2026-01-09,KUNJ,{alike}" for _ in range(3))))
    assert stored() == 11
    page = client.get("/staf/unit/LAPAS/integritas?periode=2026-01").get_data(as_text=True)
    summary = page.split("Ditandai untuk ditinjau", 1)[1].split("Dikecualikan", 1)[0]
    assert "<td>8</td>" in summary  # flagged in all: 3 identical + 5 in a burst
    assert _count(summary, "Jawaban identik berulang") == 3
    assert _count(summary, "Banyak kiriman dari satu sumber") == 5
    assert _count(summary, "Dikirim di luar jam layanan") == 0  # not the three without a time
    assert "Dari unggahan berkas" in page and "11 (100,0%)" in page


def _count(summary: str, label: str) -> int:
    after = summary.split(label, 1)[1]
    return int(after.split("<td>", 1)[1].split("</td>", 1)[0])


def test_the_dashboard_and_the_report_show_the_uploaded_share(app, tree):
    client = signed_in(app, "kanwil")
    preview_and_confirm(client, (FIXTURES / "worked_example.csv").read_bytes())
    page = client.get("/staf/unit/LAPAS?periode=2026-01").get_data(as_text=True)
    assert "30 dari 30 jawaban yang dihitung (100,0%) berasal dari unggahan berkas" in page


def test_a_saran_over_the_forms_limit_or_a_nul_is_refused_by_row_and_nothing_stored(app, tree):
    app.config["SARAN_MAX"] = 20
    client = signed_in(app, "kanwil")
    header = ("submitted_at", "layanan", *SKM, "saran")
    good = "2026-01-07T09:00:00+08:00,KUNJ," + ",".join(["4"] * 9)
    body = rows(
        good + ",ramah",
        good.replace("09:00", "09:30") + "," + "x" * 21,
        good.replace("09:00", "10:00") + ",  " + "y" * 20 + "  ",  # trimmed as the form does
        header=header,
    )
    preview = client.get(upload(client, body).headers["Location"])
    page = preview.get_data(as_text=True)
    assert preview.status_code == 422 and "Tidak ada yang disimpan" in page
    row = '<td>2</td><td class="source-header">saran</td><td>21 karakter, lebih dari 20 karakter'
    assert row in page and "<td>persingkat saran itu</td>" in page  # the fix beside
    assert "<td>1</td>" not in page and "<td>3</td>" not in page and stored() == 0
    token = CSRF.search(client.get("/staf/unit/LAPAS/unggah").get_data(as_text=True)).group(1)
    location = upload(client, body).headers["Location"]
    assert client.post(location, data={"csrf_token": token}).status_code == 422
    assert stored() == 0

    # a NUL (the CSV parser would silently cut the cell there): refused at once, by line
    nul = rows(good + ",ramah", good.replace("09:00", "10:00") + ",ada\x00nul", header=header)
    refused = upload(client, nul)
    text = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "baris berkas 3: berisi karakter NUL" in text
    assert stored() == 0  # only the two files above wait in the folder
    assert len(list((Path(app.instance_path) / "unggahan").glob("*.csv"))) == 2


def test_rows_stored_meanwhile_by_another_request_are_a_message_not_an_error(
    app, tree, monkeypatch
):
    """Two confirmations at once: the second finds nothing stored when it plans, then meets
    the first one's rows (the UNIQUE key) when it stores; it says so and stores nothing."""
    from survey_app.services.collection import imports

    client = signed_in(app, "kanwil")
    preview_and_confirm(client, without_ids())
    assert stored() == 30
    monkeypatch.setattr(imports, "_existing", lambda session, keys: set())
    sent = upload(client, without_ids())
    page = client.get(sent.headers["Location"]).get_data(as_text=True)
    assert "30 baris dibaca: 30 baru, 0 sudah ada." in page  # as the second request saw it
    done = client.post(sent.headers["Location"], data={"csrf_token": CSRF.search(page).group(1)})
    assert done.status_code == 422
    assert "sedang atau baru saja disimpan oleh permintaan lain" in done.get_data(as_text=True)
    assert stored() == 30
