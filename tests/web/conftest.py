"""Staff fixtures: a unit tree with accounts at each level, signing in, and a real local SMTP
server (aiosmtpd) whose received mail is parsed back."""

import email
import re
import socket
from email.policy import default
from pathlib import Path

import pytest
import yaml
from aiosmtpd.controller import Controller

from survey_app.extensions import db
from survey_app.services.administration.accounts import create_user
from tests.conftest import make_layanan, make_unit

PASSWORD = "sandi-rahasia-1"
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


@pytest.fixture
def tree(app):
    kanwil = make_unit("KANWIL", jenis="kanwil")
    lapas = make_unit("LAPAS", parent=kanwil)
    rutan = make_unit("RUTAN", parent=kanwil)
    other = make_unit("UPT-LAIN", parent=make_unit("KANWIL-LAIN", jenis="kanwil"))
    for unit in (lapas, rutan, other):
        make_layanan(unit, "KUNJ", ("skm", "ipak", "ipkp"))
        make_layanan(unit, "TITIP", ("skm", "ipak", "ipkp"), kebutuhan_utama=False)
    users = {
        "admin": create_user(db.session, "admin", PASSWORD, "admin"),
        "kanwil": create_user(db.session, "kanwil", PASSWORD, "unit_admin", kanwil),
        "lapas": create_user(db.session, "lapas", PASSWORD, "viewer", lapas),
    }
    db.session.commit()
    return {"kanwil": kanwil, "lapas": lapas, "rutan": rutan, "other": other, "users": users}


def login(client, username, password=PASSWORD):
    token = CSRF.search(client.get("/staf/masuk").get_data(as_text=True)).group(1)
    return client.post(
        "/staf/masuk", data={"csrf_token": token, "username": username, "password": password}
    )


def signed_in(app, username):
    client = app.test_client()
    assert login(client, username).status_code == 302
    return client


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Inbox:
    """An aiosmtpd handler keeping every message it accepts, parsed."""

    def __init__(self) -> None:
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):  # the name aiosmtpd calls
        self.envelopes.append(envelope)
        return "250 OK"

    @property
    def messages(self):
        return [email.message_from_bytes(e.content, policy=default) for e in self.envelopes]


@pytest.fixture
def smtp():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    inbox.port = controller.port
    yield inbox
    controller.stop()


KUESIONER = Path(__file__).parents[1] / "fixtures" / "kuesioner-kunjungan.yaml"


@pytest.fixture
def varian(app, tree, clock):
    """The worked example's variant (docs/kuesioner.md §5), chosen for the Lapas's KUNJ:
    ``(layanan, versi)``."""
    from survey_app.services.collection.kuesioner import choose, save_version

    layanan = next(x for x in tree["lapas"].layanan if x.kode == "KUNJ")
    raw = yaml.safe_load(KUESIONER.read_text(encoding="utf-8"))
    catalogue = app.extensions["zisurvey.catalogue"]
    versi, _ = save_version(db.session, catalogue.instruments, tree["lapas"], raw, clock())
    choose(db.session, layanan, versi.varian, clock())
    db.session.commit()
    return layanan, versi
