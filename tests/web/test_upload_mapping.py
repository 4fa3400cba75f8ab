"""The web mapping screen of an upload (issue 18.3): a Google Forms or Excel export mapped by a
person, then previewed and imported with the figures of the command line."""

import io
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from openpyxl import load_workbook
from sqlalchemy import func, select

from survey_app.extensions import db
from survey_app.models import AuditLog, PemetaanUnggahan, Submission
from tests.conftest import FIXTURES
from tests.web.conftest import CSRF, signed_in
from tests.web.gforms import EMAIL, excel_id, google_forms
from tests.web.test_upload_integrity import upload

NAMES = {"KUNJ": "Layanan KUNJ", "TITIP": "Penitipan barang"}
EXTERNAL = FIXTURES / "external"


def stored() -> int:
    return db.session.scalar(select(func.count()).select_from(Submission))


def chosen(page: str) -> dict[str, str]:
    """The form as the page shows it: each select's selected option, each checked radio, and
    the name field."""
    data = {"csrf_token": CSRF.search(page).group(1)}
    for name, body in re.findall(r'<select[^>]*name="(\w+)"[^>]*>(.*?)</select>', page, re.S):
        picked = re.search(r'<option selected value="([^"]*)"', body)
        data[name] = picked.group(1) if picked else ""
    for name, value in re.findall(r'<input checked[^>]*name="(\w+)"[^>]*type="radio" value="(\w+)"', page):
        data[name] = value
    nama = re.search(r'<input[^>]*name="nama"[^>]*value="([^"]*)"', page)
    data["nama"] = nama.group(1) if nama else ""
    return data


def to_mapping(client, body: bytes, name="jawaban.csv"):
    sent = upload(client, body, name)
    assert sent.status_code == 302, sent.get_data(as_text=True)
    location = sent.headers["Location"]
    assert location.endswith("/pemetaan"), location
    page = client.get(location)
    return location, page


def confirm_mapping(client, location, page_text, **changes):
    data = chosen(page_text) | changes | {"aksi": "simpan"}
    saved = client.post(location, data=data)
    assert saved.status_code == 303, saved.get_data(as_text=True)[:3000]
    preview_url = saved.headers["Location"]
    preview = client.get(preview_url)
    return preview_url, preview


def confirm_import(client, preview_url, preview):
    page = preview.get_data(as_text=True)
    assert preview.status_code == 200, page
    done = client.post(preview_url, data={"csrf_token": CSRF.search(page).group(1)})
    assert done.status_code == 302, done.get_data(as_text=True)
    return client.get(done.headers["Location"]).get_data(as_text=True)


def test_a_google_forms_export_is_proposed_confirmed_imported_and_adds_nothing_again(app, tree):
    client = signed_in(app, "kanwil")
    body = google_forms(NAMES)
    location, page = to_mapping(client, body)
    text = page.get_data(as_text=True)
    assert page.status_code == 200, text
    assert "Diusulkan" in text and "Data pribadi: selalu diabaikan" in text
    data = chosen(text)
    assert data["waktu"] == "gforms" and data["jawaban"] == "label"
    assert data["kolom_0"] == "submitted_at" and data["kolom_1"] == ""  # the email: skipped
    assert data["kolom_2"] == "layanan" and data["kolom_7"] == "U1"
    # "Layanan KUNJ" is the name of KUNJ; "Penitipan barang" is close to none: chosen by hand
    assert data["layanan_0"] == "" and data["layanan_1"] == "KUNJ"
    checked = client.post(location, data=data | {"layanan_0": "TITIP", "aksi": "periksa"})
    text = checked.get_data(as_text=True)
    assert checked.status_code == 200, text
    assert "30 baris dibaca: 30 baru, 0 sudah ada." in text  # the rows read back
    assert stored() == 0 and db.session.scalar(select(func.count(PemetaanUnggahan.id))) == 0
    preview_url, preview = confirm_mapping(client, location, text)
    assert "30 baris dibaca: 30 baru, 0 sudah ada." in preview.get_data(as_text=True)
    done = confirm_import(client, preview_url, preview)
    assert "30 jawaban ditambahkan, 0 sudah ada." in done and stored() == 30
    assert "87,55" in client.get("/staf/unit/LAPAS?periode=2026-01").get_data(as_text=True)
    saved = db.session.scalars(select(PemetaanUnggahan)).one()
    assert EMAIL in saved.isi["abaikan"] and EMAIL not in saved.isi["kolom"].values()
    assert saved.isi["layanan"] == {"Layanan KUNJ": "KUNJ", "Penitipan barang": "TITIP"}
    assert "contoh.id" not in json.dumps(saved.isi)  # no respondent's value kept
    assert db.session.scalar(select(AuditLog).where(AuditLog.entity == "pemetaan_unggahan"))

    # next month's file: the saved mapping is offered; the same rows add nothing
    location, page = to_mapping(client, body)
    text = page.get_data(as_text=True)
    assert "Pemetaan tersimpan" in text and "Tersimpan" in text
    assert "30 baris dibaca: 0 baru, 30 sudah ada." in text
    preview_url, preview = confirm_mapping(client, location, text)
    assert "30 baris dibaca: 0 baru, 30 sudah ada." in preview.get_data(as_text=True)
    done = confirm_import(client, preview_url, preview)
    assert "0 jawaban ditambahkan, 30 sudah ada." in done and stored() == 30
    assert db.session.scalar(select(func.count(PemetaanUnggahan.id))) == 1
