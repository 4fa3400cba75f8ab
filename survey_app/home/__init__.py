"""The home page: every unit's layanan with its form and QR poster (the demo's starting point)."""

import time

from flask import Blueprint, Response, jsonify, render_template
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from survey_app.extensions import db
from survey_app.models import Unit

bp = Blueprint("home", __name__)


@bp.get("/")
def index() -> str:
    units = db.session.scalars(select(Unit).order_by(Unit.parent_id.is_not(None), Unit.nama)).all()
    return render_template("home/index.html", units=units)


@bp.get("/health")
def health() -> tuple[Response, int]:
    """For the load balancer: 200 when the database answers a query, 503 when it does not."""
    started = time.perf_counter()
    try:
        db.session.execute(text("SELECT 1"))
        db.session.rollback()
    except DBAPIError as exc:
        db.session.rollback()
        return jsonify(status="error", database=type(exc.orig).__name__), 503
    elapsed = round((time.perf_counter() - started) * 1000, 1)
    return jsonify(status="ok", database="ok", database_ms=elapsed), 200
