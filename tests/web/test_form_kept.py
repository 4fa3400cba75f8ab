"""The layanan a form is shown and posted for, kept per worker (issue 20.3): loaded once while
nothing the form reads of it changes, and never served after a change (closed, another
instrument set, a unit setting, a variant renamed or given a new version)."""

import pytest
import yaml
from sqlalchemy import func, select

from survey_app.extensions import db
from survey_app.models import LayananInstrumen, Submission
from survey_app.services.collection import kept
from survey_app.services.collection.kuesioner import choose, save_version
from tests.web.conftest import KUESIONER, tree, varian  # noqa: F401  (the fixtures)
from tests.web.helpers import IPAK, SKM, full_answers, hidden_fields


@pytest.fixture
def loads(monkeypatch):
    """The tokens :func:`kept._load` loaded, in order."""
    seen = []
    real = kept._load

    def counting(session, token):
        seen.append(token)
        return real(session, token)

    monkeypatch.setattr(kept, "_load", counting)
    return seen


def page(client, layanan):
    answer = client.get(f"/survei/{layanan.token}")
    return answer.status_code, answer.get_data(as_text=True)


def test_kept_while_unchanged_and_loaded_again_after_every_change(app, layanan, loads):
    client = app.test_client()
    for _ in range(3):
        assert page(client, layanan)[0] == 200
    assert loads == [layanan.token]  # once: the key read back equals the loaded objects'

    layanan.aktif = False
    db.session.commit()
    assert page(client, layanan)[0] == 410
    layanan.aktif = True
    db.session.commit()
    assert page(client, layanan)[0] == 200

    layanan.unit.aktif = False
    db.session.commit()
    assert page(client, layanan)[0] == 410
    layanan.unit.aktif = True
    db.session.commit()

    assert 'name="alasan-U1"' in page(client, layanan)[1]
    layanan.unit.tanya_alasan = False
    db.session.commit()
    assert 'name="alasan-U1"' not in page(client, layanan)[1]
    layanan.unit.tanya_alasan = True
    db.session.commit()

    layanan.unit.nama = "Unit Berganti Nama"
    layanan.nama = "Layanan Berganti Nama"
    db.session.commit()
    text = page(client, layanan)[1]
    assert "Unit Berganti Nama" in text and "Layanan Berganti Nama" in text

    assert 'name="AK1"' in page(client, layanan)[1]
    db.session.delete(db.session.get(LayananInstrumen, (layanan.id, "ipak")))
    db.session.commit()
    text = page(client, layanan)[1]
    assert 'name="AK1"' not in text and 'name="U1"' in text
    assert len(loads) > 1 and set(loads) == {layanan.token}


def test_a_post_to_a_layanan_closed_since_its_form_was_kept_is_refused(app, layanan):
    client = app.test_client()
    fields = hidden_fields(client, layanan.token)
    layanan.aktif = False
    db.session.commit()
    posted = client.post(f"/survei/{layanan.token}", data=fields | full_answers(SKM + IPAK))
    assert posted.status_code == 410
    assert db.session.scalar(select(func.count()).select_from(Submission)) == 0

    layanan.aktif = True
    db.session.commit()
    posted = client.post(f"/survei/{layanan.token}", data=fields | full_answers(SKM + IPAK))
    assert posted.status_code == 303
    assert db.session.scalar(select(func.count()).select_from(Submission)) == 1


def test_a_variant_renamed_or_given_a_new_version_is_read_again(app, varian, clock, loads):  # noqa: F811
    layanan, versi = varian
    client = app.test_client()
    for _ in range(2):
        assert f'name="versi" type="hidden" value="{versi.id}"' in page(client, layanan)[1]
    assert loads == [layanan.token]

    versi.varian.nama = "nama baru"
    db.session.commit()
    assert page(client, layanan)[0] == 200
    assert len(loads) == 2

    raw = yaml.safe_load(KUESIONER.read_text(encoding="utf-8"))
    raw["nama"] = "nama baru"
    raw["instrumen"]["skm"]["U2"]["bantuan"]["id"] = "Prosedur versi kedua."
    catalogue = app.extensions["zisurvey.catalogue"]
    newer, created = save_version(
        db.session, catalogue.instruments, layanan.unit, raw, clock(), None
    )
    db.session.commit()
    assert created and newer.id != versi.id
    text = page(client, layanan)[1]
    assert f'name="versi" type="hidden" value="{newer.id}"' in text
    assert "Prosedur versi kedua." in text

    choose(db.session, layanan, None, clock())  # back to the shipped base
    db.session.commit()
    text = page(client, layanan)[1]
    assert 'name="versi" type="hidden" value=""' in text


def test_an_unknown_token_is_not_found(app, layanan):
    assert app.test_client().get("/survei/tidak-ada").status_code == 404
    assert app.test_client().post("/survei/tidak-ada").status_code in (400, 404)
