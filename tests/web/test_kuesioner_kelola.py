"""Looking after a unit's variants in the editor (issue 22, tester items 16-18): renaming the
variant being edited renames it (its versions and answers stay), "Simpan sebagai varian baru"
copies it, a variant no layanan uses can be retired (hidden, nothing deleted); the layanan's
history and the editor's version list read as words; a viewer sees no editable field."""

import html
import re

from sqlalchemy import func, select

from survey_app.extensions import db
from survey_app.models import AuditLog, KuesionerVarian, KuesionerVersi, Submission
from tests.web.conftest import signed_in
from tests.web.test_integrity import respondent
from tests.web.test_kuesioner import FIXTURE, WORKED, run, send
from tests.web.test_kuesioner_editor import BASE, post

HELP = {"U2-bantuan-id": "Prosedur: daftar, periksa, tunggu.", "U2-bantuan-en": "Register."}


def variants() -> dict[str, list[int]]:
    """Variant name -> its version numbers, as stored."""
    db.session.expire_all()
    found = db.session.scalars(select(KuesionerVarian).order_by(KuesionerVarian.id))
    return {v.nama: [x.nomor for x in v.versi] for v in found}


def flashes(client, path="/staf/unit/LAPAS/kuesioner") -> str:
    return html.unescape(client.get(path).get_data(as_text=True))


def test_renaming_the_variant_being_edited_renames_it_and_keeps_its_answers(app, varian):  # noqa: F811
    kunj, _versi = varian
    assert send(respondent(app), kunj.token, WORKED[0]).status_code == 303
    client = signed_in(app, "kanwil")
    data = BASE | {"asal": "Kunjungan", "nama": "Kunjungan Keluarga", "aksi": "simpan"}
    response = post(client, data | HELP)
    assert response.status_code == 302 and "Kunjungan+Keluarga" in response.headers["Location"]
    # the same variant, renamed; its first version keeps the answer, a second holds the edit
    assert variants() == {"Kunjungan Keluarga": [1, 2]}
    db.session.refresh(kunj)
    assert kunj.varian.nama == "Kunjungan Keluarga"
    answered = db.session.scalar(select(Submission.kuesioner_versi_id))
    assert db.session.get(KuesionerVersi, answered).nomor == 1
    entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "ganti_nama"))
    assert (entry.before, entry.after) == ({"nama": "Kunjungan"}, {"nama": "Kunjungan Keluarga"})
    page = flashes(client, "/staf/unit/LAPAS/kuesioner?varian=Kunjungan Keluarga")
    assert "Varian Kunjungan diganti nama menjadi Kunjungan Keluarga" in page
    exported = run(app, "kuesioner", "export", "LAPAS", "Kunjungan Keluarga").output
    assert "nama: Kunjungan Keluarga" in exported


def test_a_name_taken_by_another_variant_is_refused_and_a_copy_is_explicit(app, varian):  # noqa: F811
    client = signed_in(app, "kanwil")
    copy = BASE | HELP | {"asal": "Kunjungan", "nama": "Titipan", "aksi": "salin"}
    assert post(client, copy).status_code == 302
    assert variants() == {"Kunjungan": [1], "Titipan": [1]}  # a copy; the original unchanged
    assert "Disimpan sebagai varian baru Titipan." in flashes(client)
    # renaming Titipan to Kunjungan: the name belongs to another variant
    refused = post(client, BASE | {"asal": "Titipan", "nama": "Kunjungan", "aksi": "simpan"})
    assert refused.status_code == 422
    assert "Nama varian Kunjungan sudah dipakai varian lain unit ini." in html.unescape(
        refused.get_data(as_text=True)
    )
    again = post(client, BASE | {"asal": "Kunjungan", "nama": "Titipan", "aksi": "salin"})
    assert again.status_code == 422
    assert variants() == {"Kunjungan": [1], "Titipan": [1]}


def test_a_variant_no_layanan_uses_is_retired_and_hidden_never_deleted(app, varian):  # noqa: F811
    kunj, _versi = varian
    assert send(respondent(app), kunj.token, WORKED[0]).status_code == 303
    client = signed_in(app, "kanwil")
    # in use by KUNJ: refused, naming the layanan
    assert post(client, {"asal": "Kunjungan", "aksi": "pensiun"}).status_code == 302
    assert "masih dipakai layanan Layanan KUNJ" in flashes(client)
    page = flashes(client, "/staf/unit/LAPAS/kuesioner?varian=Kunjungan")
    assert 'value="pensiun"' not in page and "belum dapat dipensiunkan" in page
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    choose = {"csrf_token": token, "layanan": str(kunj.id), "varian": ""}
    assert client.post("/staf/unit/LAPAS/kuesioner/pilih", data=choose).status_code == 302
    assert post(client, {"asal": "Kunjungan", "aksi": "pensiun"}).status_code == 302
    page = flashes(client)
    assert "Varian Kunjungan dipensiunkan" in page
    assert re.search(r'id="dipensiunkan">[^<]*<a href="[^"]*">Kunjungan</a>', page)
    assert '<option value="' not in page.split('id="varian-')[1].split("</select>")[0].replace(
        '<option value="">', ""
    )  # no longer offered to a layanan
    assert variants() == {"Kunjungan": [1]}  # its version and answer stay
    assert db.session.scalar(select(func.count()).select_from(Submission)) == 1
    assert post(client, {"asal": "Kunjungan", "aksi": "aktifkan"}).status_code == 302
    assert 'id="dipensiunkan"' not in flashes(client)


def test_histories_read_as_words_and_old_versions_can_be_read(app, tree, clock):
    assert run(app, "kuesioner", "import", "LAPAS", str(FIXTURE)).exit_code == 0
    entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "versi_baru"))
    assert entry.pengguna_id is None and entry.after["sumber"] == "baris perintah"
    client = signed_in(app, "kanwil")
    kunj = next(x for x in tree["lapas"].layanan if x.kode == "KUNJ")
    token = re.search(r'name="csrf_token" value="([^"]+)"', flashes(client)).group(1)
    varian_id = db.session.scalar(select(KuesionerVarian.id))
    choose = {"csrf_token": token, "layanan": str(kunj.id), "varian": str(varian_id)}
    assert client.post("/staf/unit/LAPAS/kuesioner/pilih", data=choose).status_code == 302
    assert send(respondent(app), kunj.token, WORKED[0]).status_code == 303
    assert post(client, BASE | HELP | {"asal": "Kunjungan", "aksi": "simpan"}).status_code == 302
    history = flashes(client, f"/staf/layanan/{kunj.id}")
    assert "Kuesioner layanan diganti" in history and "pilih_kuesioner" not in history
    assert "Kuesioner: bawaan (berkas resmi) → varian Kunjungan versi 1" in history
    assert "kuesioner_varian_id" not in history
    page = flashes(client, "/staf/unit/LAPAS/kuesioner?varian=Kunjungan")
    rows = re.findall(r"<tr><td>(\d)</td><td>[^<]+</td><td>([^<]+)</td><td[^>]*>(\d+)</td>", page)
    assert rows == [("2", "kanwil", "0"), ("1", "baris perintah", "1")]
    old = flashes(client, "/staf/unit/LAPAS/kuesioner?varian=Kunjungan&versi=1")
    shown = old.split('id="lihat"')[1].split("</section>")[0]
    assert "Versi 1 (hanya dilihat)" in shown
    assert "Kecepatan pendaftaran kunjungan" in shown  # the version's sub-question, as asked
    assert "Prosedur: daftar, periksa, tunggu." not in shown  # version 2's help is not
    assert client.get("/staf/unit/LAPAS/kuesioner?varian=Kunjungan&versi=9").status_code == 404
    assert client.get("/staf/unit/LAPAS/kuesioner?varian=Kunjungan&versi=x").status_code == 404


def test_a_viewer_sees_the_editor_read_only_without_buttons(app, varian):  # noqa: F811
    page = flashes(signed_in(app, "lapas"), "/staf/unit/LAPAS/kuesioner?varian=Kunjungan")
    form = page.split('class="kuesioner-editor"')[1].split("</form>")[0]
    assert "<button" not in form
    # every field inside the disabled fieldset: read-only in the browser, none sent
    fields = [m.start() for m in re.finditer(r"<(?:input|textarea|select)(?![^>]*hidden)", form)]
    assert fields and min(fields) > form.index('<fieldset class="plain" disabled>')
    assert form.rstrip().endswith("</fieldset>")
    assert "Lihat versi 1" in page  # the versions stay readable
