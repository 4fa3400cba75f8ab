"""Uploads' size and safety (issue 18.4): zip bombs and row caps refused at once, a quota per
account, files private and swept after a day, read once, big files as background jobs."""

import io
import json
import os
import time
import zipfile
import zlib
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask.cli import ScriptInfo
from rq import SimpleWorker
from sqlalchemy import func, select

from survey_app.cli import main
from survey_app.extensions import db
from survey_app.models import Submission
from survey_app.services.collection import upload_jobs
from tests.conftest import FIXTURES
from tests.web.conftest import CSRF, signed_in
from tests.web.test_jobs import queued  # noqa: F401  (the fixture)
from tests.web.test_upload_integrity import upload

MB = 1024 * 1024


def stored() -> int:
    return db.session.scalar(select(func.count()).select_from(Submission))


def folder(app) -> Path:
    return Path(app.instance_path) / "unggahan"


def kept(app) -> list[Path]:
    return sorted(folder(app).glob("*")) if folder(app).is_dir() else []


def workbook(sheet: bytes | None = None, zeros_mb: int = 0) -> bytes:
    """A zip shaped like an .xlsx whose sheet is ``sheet``, or ``zeros_mb`` MB of zeros."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as book:
        book.writestr("[Content_Types].xml", "<Types/>")
        with book.open("xl/worksheets/sheet1.xml", "w") as out:
            if sheet is not None:
                out.write(sheet)
            block = b"0" * MB
            for _ in range(zeros_mb):
                out.write(block)
    return buffer.getvalue()


def test_a_zip_bomb_is_refused_within_a_second_and_nothing_is_stored(app, tree):
    bomb = workbook(zeros_mb=300)  # 300 MB of zeros inside, well under 1 MB sent
    assert len(bomb) < MB
    client = signed_in(app, "kanwil")
    started = time.perf_counter()
    refused = upload(client, bomb, "rekap.xlsx")
    elapsed = time.perf_counter() - started
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422 and elapsed < 1.0, elapsed
    assert "berkas XLSX ini terlalu besar setelah dibuka: 300 MB, paling banyak 100 MB" in page
    assert kept(app) == [] and stored() == 0


def test_a_workbook_or_csv_with_too_many_rows_is_refused_at_once(app, tree):
    app.config["UPLOAD_MAX_ROWS"] = 1000
    client = signed_in(app, "kanwil")
    # formatted empty rows: nothing to see in Excel, but every one of them is walked
    empty_rows = b"".join(b'<row r="%d" ht="15"/>' % n for n in range(1, 200_001))
    sheet = b"<worksheet><sheetData>" + empty_rows + b"</sheetData></worksheet>"
    started = time.perf_counter()
    refused = upload(client, workbook(sheet), "rekap.xlsx")
    assert time.perf_counter() - started < 1.0
    assert refused.status_code == 422
    assert "sekitar 200.000 baris, paling banyak 1.000 baris" in refused.get_data(as_text=True)
    lines = (FIXTURES / "worked_example.csv").read_text().splitlines()
    long_csv = "\n".join([lines[0], *[lines[1]] * 1200]).encode()
    refused = upload(client, long_csv)
    assert refused.status_code == 422 and "paling banyak 1.000 baris" in refused.get_data(
        as_text=True
    )
    assert kept(app) == [] and stored() == 0


def test_the_quota_refuses_the_next_upload_of_the_hour_and_stores_nothing(app, tree):
    app.config["UPLOADS_PER_HOUR"] = 3
    client = signed_in(app, "kanwil")
    form = client.get("/staf/unit/LAPAS/unggah").get_data(as_text=True)
    assert "Paling banyak 250.000 baris per berkas dan 3 berkas per jam untuk setiap akun." in form
    body = (FIXTURES / "worked_example.csv").read_bytes()
    for _ in range(3):
        assert upload(client, body).status_code == 302
    refused = upload(client, body)
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert "batas unggahan tercapai: paling banyak 3 berkas per jam" in page
    assert "coba lagi dalam 61 menit" not in page and "menit" in page
    assert len(kept(app)) == 3 and stored() == 0
    # another account has its own quota
    assert upload(signed_in(app, "admin"), body).status_code == 302
    # an hour later the oldest no longer counts
    hour_ago = time.time() - 3700
    oldest = sorted(folder(app).glob(f"{tree['users']['kanwil'].id}-*"))[0]
    os.utime(oldest, (hour_ago, hour_ago))
    assert upload(client, body).status_code == 302


def test_upload_files_are_private_and_the_sweep_keeps_only_the_last_day(app, tree):
    client = signed_in(app, "kanwil")
    body = (FIXTURES / "worked_example.csv").read_bytes()
    old, new = (upload(client, body).headers["Location"] for _ in range(2))
    for location in (old, new):
        assert client.get(location).status_code == 200  # the preview keeps the checked rows
    files = kept(app)
    assert len(files) == 4 and {p.suffix for p in files} == {".csv", ".baris"}
    assert all(p.stat().st_mode & 0o777 == 0o600 for p in files)
    assert folder(app).stat().st_mode & 0o777 == 0o700
    old_token = old.rsplit("/", 1)[1].split("?")[0]
    day_ago = time.time() - 24 * 3600 - 60
    for path in folder(app).glob(f"*-{old_token}.*"):
        os.utime(path, (day_ago, day_ago))
    done = CliRunner().invoke(main, ["sweep"], obj=ScriptInfo(create_app=lambda: app))
    assert done.exit_code == 0 and "2 berkas lama dihapus." in done.output
    left = kept(app)
    assert len(left) == 2 and all(old_token not in p.name for p in left)
    assert client.get(old).status_code == 404 and client.get(new).status_code == 200


def test_the_file_is_read_once_the_confirmation_stores_the_checked_rows(app, tree, monkeypatch):
    client = signed_in(app, "kanwil")
    location = upload(client, (FIXTURES / "worked_example.csv").read_bytes()).headers["Location"]
    page = client.get(location).get_data(as_text=True)
    assert "30 baris dibaca: 30 baru, 0 sudah ada." in page
    assert "Januari 2026" in page  # months as people read them

    def read_again(*args, **kwargs):
        raise AssertionError("the file was read a second time")

    monkeypatch.setattr(upload_jobs, "read_responses", read_again)
    done = client.post(location, data={"csrf_token": CSRF.search(page).group(1)})
    assert done.status_code == 302 and stored() == 30


def test_checked_rows_with_a_wrong_signature_are_never_unpickled(app, tree, monkeypatch):
    client = signed_in(app, "kanwil")
    location = upload(client, (FIXTURES / "worked_example.csv").read_bytes()).headers["Location"]
    page = client.get(location).get_data(as_text=True)
    [rows] = folder(app).glob("*.baris")
    rows.write_bytes(b"\0" * 32 + rows.read_bytes()[32:])  # a forged signature
    monkeypatch.setattr("pickle.loads", lambda data: pytest.fail("unpickled a forged file"))
    done = client.post(location, data={"csrf_token": CSRF.search(page).group(1)})
    assert done.status_code == 302 and stored() == 30  # read from the upload itself instead


def test_a_big_upload_is_previewed_and_stored_in_the_background(app, tree, queued):  # noqa: F811
    app.config["UPLOAD_JOB_BYTES"] = 1000  # the worked example (3 kB) counts as big
    client = signed_in(app, "kanwil")
    location = upload(client, (FIXTURES / "worked_example.csv").read_bytes()).headers["Location"]
    waiting = client.get(location).get_data(as_text=True)
    assert "sedang dibaca dan diperiksa di latar belakang" in waiting
    assert '<meta http-equiv="refresh" content="2">' in waiting and len(queued) == 1
    client.get(location)
    assert len(queued) == 1  # a reload finds the same job

    worker = SimpleWorker([queued], connection=queued.connection, serializer=queued.serializer)
    worker.work(burst=True)
    page = client.get(location).get_data(as_text=True)
    assert "30 baris dibaca: 30 baru, 0 sudah ada." in page and stored() == 0

    sent = client.post(location, data={"csrf_token": CSRF.search(page).group(1)})
    assert sent.status_code == 303
    progress = client.get(sent.headers["Location"]).get_data(as_text=True)
    assert "Jawaban sedang disimpan di latar belakang" in progress and stored() == 0
    worker.work(burst=True)
    done = client.get(sent.headers["Location"], follow_redirects=True).get_data(as_text=True)
    assert "30 jawaban ditambahkan, 0 sudah ada." in done
    db.session.expire_all()
    assert stored() == 30
    [job] = [
        upload_jobs.find_job(queued, i)
        for i in queued.finished_job_registry.get_job_ids()
        if "simpan" in i
    ]
    assert job.meta["done"] == job.meta["total"] == 30
    data = queued.connection.hget(f"rq:job:{job.id}", "data")
    assert json.loads(zlib.decompress(data))[0].endswith("run_store")  # JSON, never a pickle
    # another user cannot follow the job
    assert signed_in(app, "admin").get(sent.headers["Location"]).status_code == 404
