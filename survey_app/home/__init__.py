"""The home page: every unit's layanan with its form and QR poster (the demo's starting point)."""

from flask import Blueprint, render_template
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import Unit

bp = Blueprint("home", __name__)


@bp.get("/")
def index() -> str:
    units = db.session.scalars(select(Unit).order_by(Unit.parent_id.is_not(None), Unit.nama)).all()
    return render_template("home/index.html", units=units)
