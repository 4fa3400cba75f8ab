"""Helpers every staff route shares: the catalogue, the clock, and units checked for scope."""

from __future__ import annotations

from datetime import datetime

from flask import abort, current_app
from flask_login import current_user
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import Layanan, Unit
from survey_app.services.access import can_manage, can_view
from survey_app.services.catalogue import Catalogue


def catalogue() -> Catalogue:
    found: Catalogue = current_app.extensions["zisurvey.catalogue"]
    return found


def now() -> datetime:
    clock: datetime = current_app.config["CLOCK"]()
    return clock


def viewable_unit(kode: str) -> Unit:
    """The unit ``kode``: 404 when it does not exist, 403 outside the user's scope."""
    unit = db.session.scalar(select(Unit).where(Unit.kode == kode))
    if unit is None:
        abort(404)
    if not can_view(db.session, current_user, unit):
        abort(403)
    return unit


def managed_unit(kode: str) -> Unit:
    """As :func:`viewable_unit`, and the user may change it (unit admin or admin)."""
    unit = viewable_unit(kode)
    if not can_manage(db.session, current_user, unit):
        abort(403)
    return unit


def managed_layanan(layanan_id: int) -> Layanan:
    layanan = db.session.get(Layanan, layanan_id)
    if layanan is None:
        abort(404)
    managed_unit(layanan.unit.kode)
    return layanan
