"""Kiosk mode (issue 21.3): a tablet on the counter, paired with one layanan, one question per
screen. Its own channel ("kiosk") and the one public page with a script of its own (served
from the app): the phone form stays script-free."""

from flask import Blueprint

bp = Blueprint("kiosk", __name__, url_prefix="/kiosk")

from survey_app.kiosk import views  # noqa: E402,F401  (the routes attach themselves to bp)
