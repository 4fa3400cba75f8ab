"""Long exports as background jobs (issues 5 and 9): enqueue, progress, download, scope."""

import io
import json
import re
import secrets
import zlib

import pytest
import redis
from openpyxl import load_workbook
from rq import SimpleWorker

from survey_app.services.reporting import jobs
from tests.conftest import REDIS_URL, require_redis
from tests.web.conftest import signed_in
from tests.web.test_staff import worked  # noqa: F401  (the fixture)


@pytest.fixture
def queued(app):
    require_redis()
    connection = redis.Redis.from_url(REDIS_URL)
    name = f"zisurvey-test-{secrets.token_hex(4)}"
    app.config.update(JOBS_REDIS_URL=REDIS_URL, JOBS_QUEUE=name)
    queue = jobs.queue(REDIS_URL, name)
    yield queue
    ids = [*queue.job_ids, *queue.finished_job_registry.get_job_ids()]
    queue.empty()
    queue.delete(delete_jobs=True)
    keys = [*connection.scan_iter(f"*{name}*")]
    keys += [f"rq:{kind}:{job}" for job in ids for kind in ("job", "results")]
    for key in keys:
        connection.delete(key)
    connection.close()


def test_an_export_runs_in_the_background_with_progress(app, worked, queued):  # noqa: F811
    client = signed_in(app, "kanwil")
    asked = client.get("/staf/unit/LAPAS/rekap.xlsx?periode=2026-01")
    assert asked.status_code == 303  # the web worker answers at once
    progress = client.get(asked.headers["Location"]).get_data(as_text=True)
    assert "sedang disiapkan di latar belakang" in progress
    assert '<meta http-equiv="refresh" content="2">' in progress  # no script needed
    assert len(queued) == 1

    SimpleWorker([queued], connection=queued.connection, serializer=queued.serializer).work(
        burst=True
    )
    done = client.get(asked.headers["Location"]).get_data(as_text=True)
    assert "Berkas siap: 30 jawaban." in done and "http-equiv" not in done
    link = re.search(r'href="(/staf/ekspor/[^"]+/berkas)"', done).group(1)
    download = client.get(link)
    assert download.headers["Content-Disposition"].endswith('filename="rekap-LAPAS-2026-01.xlsx"')
    book = load_workbook(io.BytesIO(download.data))
    nilai = [r for r in book["Rekap unit"].iter_rows(values_only=True) if r[1] == "Nilai IKM"]
    assert nilai[0][5] == 87.55 and book["Jawaban"].max_row == 31
    job = jobs.find(queued, link.split("/")[3])
    assert job.meta["done"] == job.meta["total"] == 30
    stored = queued.connection.hget(f"rq:job:{job.id}", "data")
    assert json.loads(zlib.decompress(stored))[0].endswith("run_rekap")  # JSON, never a pickle


def test_only_the_user_who_asked_may_see_or_fetch_an_export(app, worked, queued):  # noqa: F811
    asked = signed_in(app, "kanwil").get("/staf/unit/LAPAS/rekap.xlsx?periode=2026-01")
    page = asked.headers["Location"]
    assert signed_in(app, "lapas").get(page).status_code == 403
    assert signed_in(app, "lapas").get(page + "/berkas").status_code == 403
    assert app.test_client().get(page).status_code == 302  # sign in first
    assert signed_in(app, "kanwil").get("/staf/ekspor/tidak-ada").status_code == 404
    assert signed_in(app, "kanwil").get(page + "/berkas").status_code == 409  # not built yet
