"""Helpers every staff route shares: the catalogue, the clock, and units checked for scope."""

from __future__ import annotations

from datetime import datetime

from flask import abort, current_app, g
from flask_login import current_user
from sqlalchemy import Connection, event, select
from sqlalchemy.orm import Session

from survey_app.extensions import db
from survey_app.models import Layanan, Unit
from survey_app.services.access import can_issue_tickets, can_manage, can_view
from survey_app.services.catalogue import Catalogue


def catalogue() -> Catalogue:
    found: Catalogue = current_app.extensions["zisurvey.catalogue"]
    return found


def now() -> datetime:
    clock: datetime = current_app.config["CLOCK"]()
    return clock


def reports_session() -> Session:
    """Where dashboards and exports read: the read replica when SURVEY_REPORTS_DATABASE_URL is
    set (closed at the end of the request), otherwise the primary's session; on PostgreSQL
    with custom plans (:func:`custom_plans`)."""
    engine = current_app.extensions.get("zisurvey.reports")
    if engine is None:
        return custom_plans(db.session())
    if "reports_session" not in g:
        g.reports_session = Session(engine)
    session: Session = g.reports_session
    return custom_plans(session)


CUSTOM_PLANS = "SET LOCAL plan_cache_mode = force_custom_plan"


def custom_plans(session: Session) -> Session:
    """``session``, each of whose transactions on PostgreSQL plans every statement for its own
    values. psycopg prepares a statement run five times, and PostgreSQL then may reuse a generic
    plan made without the values: a Kementerian's 13 months of tallies (958 layanan ids, a
    range of months) took 325-373 ms under it, 58 ms under the plan for the actual values.
    Reports only: the form's short writes keep their cached plans (planning each again cost it
    a fifth of its throughput)."""
    if "custom_plans" not in session.info and session.get_bind().dialect.name == "postgresql":
        session.info["custom_plans"] = True
        event.listen(session, "after_begin", _custom_plans)
        if session.in_transaction():
            session.connection().exec_driver_sql(CUSTOM_PLANS)
    return session


def _custom_plans(session: Session, transaction: object, connection: Connection) -> None:
    connection.exec_driver_sql(CUSTOM_PLANS)


def close_reports_session(exc: BaseException | None = None) -> None:
    session = g.pop("reports_session", None)
    if session is not None:
        session.close()


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


def ticket_layanan(layanan_id: int) -> Layanan:
    """The layanan whose tickets the user may issue (its unit's admins, its petugas loket)."""
    layanan = db.session.get(Layanan, layanan_id)
    if layanan is None:
        abort(404)
    if not can_issue_tickets(db.session, current_user, layanan):
        abort(403)
    return layanan


def staff_zone() -> str:
    """The zone to show times in to the signed-in person: their unit's, else the default."""
    unit = getattr(current_user, "unit", None)
    zone: str = unit.timezone if unit else current_app.config["BABEL_DEFAULT_TIMEZONE"]
    return zone
