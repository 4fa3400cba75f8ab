"""The staff workspace: sign-in, the unit dashboard, reports and exports."""

from flask import Blueprint

bp = Blueprint("staf", __name__, url_prefix="/staf")

from survey_app.staf import views  # noqa: E402,F401  (the routes attach themselves to bp)
