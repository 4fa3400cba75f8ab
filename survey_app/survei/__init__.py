"""The respondent's path: QR code -> form -> one stored submission -> thank-you page."""

from flask import Blueprint

bp = Blueprint("survei", __name__, url_prefix="/survei")

from survey_app.survei import views  # noqa: E402,F401  (the routes attach themselves to bp)
