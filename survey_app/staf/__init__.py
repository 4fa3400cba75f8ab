"""The staff workspace: sign-in, the unit dashboard, reports, exports and management."""

from flask import Blueprint

bp = Blueprint("staf", __name__, url_prefix="/staf")

from survey_app.staf import (  # noqa: E402,F401  (routes attach themselves to bp)
    akun,
    alasan,
    integritas,
    kiosk,
    kuesioner,
    laporan_skm,
    loket,
    manage,
    pemetaan,
    publikasi,
    tindak_lanjut,
    units,
    views,
    zi,
)
