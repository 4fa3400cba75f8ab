"""Public addresses printed in QR codes, links and documents: SURVEY_BASE_URL when set (behind
a proxy), else the request's own host. Needs a request context (a worker builds one)."""

from __future__ import annotations

from typing import Any

from flask import current_app, url_for

from survey_app.models import Layanan, Tiket, Unit


def address(endpoint: str, **values: Any) -> str:
    """The public address of ``endpoint``: SURVEY_BASE_URL when set, else the request's."""
    base = current_app.config["BASE_URL"]
    if base:
        return f"{base.rstrip('/')}{url_for(endpoint, **values)}"
    return url_for(endpoint, _external=True, **values)


def public_url(layanan: Layanan) -> str:
    """The form of ``layanan`` (its QR code's target)."""
    return address("survei.show_form", token=layanan.token)


def ticket_url(tiket: Tiket) -> str:
    """The form reached through the one-time ticket ``tiket``."""
    return address("survei.show_ticket", ticket=tiket.token)


def survey_url(unit: Unit) -> str:
    """Where a unit's printed QR sends people: the form when the unit has one open layanan;
    otherwise the page of its open layanan as large buttons (which also redirects to the form
    once only one is left open, so a printed QR never leads to a closed service)."""
    open_ = [x for x in unit.layanan if x.aktif]
    if len(open_) == 1:
        return public_url(open_[0])
    return address("survei.choose", kode=unit.kode)
