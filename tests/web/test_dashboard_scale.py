"""Dashboards at 500 units (issue 20.4): the fast paths write exactly what the slow ones wrote,
and a page above many units reads the database a fixed number of times, not once per unit."""

from __future__ import annotations

from decimal import Decimal

import pandas as pd
import pytest
from babel.numbers import format_decimal, get_decimal_symbol, get_group_symbol
from flask_babel import force_locale
from sqlalchemy import event

from survey_app import charts
from survey_app.extensions import db
from survey_app.filters import SEPARATORS, angka
from survey_app.services.reporting import dashboard
from survey_app.services.reporting.aggregates import Tallies
from tests.conftest import make_layanan, make_unit
from tests.web.conftest import signed_in

ITEMS = [
    # code, label, nrr (None: nobody answered); labels with characters JSON and HTML escape
    [("U1", "Persyaratan", 3.2512), ("U2", "Prosedur", 2.75), ("U3", "Waktu", None)],
    [("U1", "A/B \u201ckutip\u201d", 4.0), ("U2", "<b>&", 1.0), ("U3", "Biaya", 1.0)],
    [("AK1", "Pungutan", 3.9)],
]


@pytest.mark.parametrize("rows", ITEMS)
def test_nrr_bars_json_is_the_text_plotly_writes(rows):
    items = pd.DataFrame(rows, columns=["code", "label", "nrr"]).astype({"nrr": float})
    for weakest in (0, 2):
        expected = charts.nrr_bars(items, "NRR IKM", weakest).to_json()
        assert charts.nrr_bars_json(items, "NRR IKM", weakest) == expected


@pytest.mark.parametrize(
    "rows",
    [
        [("2026-01", "IKM", 80.5), ("2026-02", "IKM", 81.25), ("2026-01", "IPAK", 97.0)],
        [("2025-12", "IPKP", None), ("2026-01", "IPKP", 88.88), ("2026-01", "IKM", 100.0)],
        [("2026-03", "IKM", None)],  # every nilai blank: not a float column, plotly's own path
        [],
    ],
)
def test_trend_lines_json_is_the_text_plotly_writes(rows):
    trend = pd.DataFrame(rows, columns=["period", "instrument", "nilai"])
    assert charts.trend_lines_json(trend, "Tren") == charts.trend_lines(trend, "Tren").to_json()


@pytest.mark.parametrize("language", sorted(SEPARATORS))
def test_the_separators_angka_writes_are_babels(language):
    assert SEPARATORS[language] == (get_decimal_symbol(language), get_group_symbol(language))


VALUES = [0, 7, 1234, 1234567, Decimal("0"), Decimal("87.55"), Decimal("87.5"), Decimal("100")]
VALUES += [Decimal("1E+3"), Decimal("12345.6789"), Decimal("99.995"), Decimal("-3.25"), 87.555]


@pytest.mark.parametrize("language", ["id", "en"])
@pytest.mark.parametrize("places", [0, 1, 2, 4])
def test_angka_writes_what_babel_writes(app, language, places):
    pattern = "#,##0." + "0" * places if places else "#,##0"
    with app.test_request_context(), force_locale(language):
        for value in VALUES:  # exact ones written directly, the rest (rounding) through Babel
            assert angka(value, places) == format_decimal(value, pattern, locale=language)
    with app.test_request_context():
        assert angka(Decimal("1234.5"), 2) == "1.234,50"


def test_monthly_counts_of_tallies_per_layanan():
    found = Tallies([(1, "2026-01", 5), (2, "2026-01", 3), (1, "2026-02", 4)], [], [])
    assert found.counts("2026-01") == {"1": 5, "2": 3}
    assert found.counts("2026-02") == {"1": 4} and found.counts("2026-03") == {}
    found.counts("2026-01")["9"] = 1  # a caller's change stays its own
    assert found.counts("2026-01") == {"1": 5, "2": 3}


def _statements(app, client, path):
    seen = []

    def count(*args):
        # the signed-in user, reloaded after a commit, and a report transaction's planner
        # setting (once per transaction, which the tests' one long session begins unevenly)
        if "FROM pengguna" not in args[2] and "plan_cache_mode" not in args[2]:
            seen.append(args[2])

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        response = client.get(path)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert response.status_code == 200
    return response.get_data(as_text=True), len(seen)


def test_a_parent_page_reads_as_often_with_two_units_below_as_with_twelve(app, tree, monkeypatch):
    client = signed_in(app, "kanwil")
    _, few = _statements(app, client, "/staf/unit/KANWIL?periode=2026-01")
    # a subtree of a few layanan reads its tallies once (not four times); compared here is
    # the read of a bigger one, with two units below and with twelve
    monkeypatch.setattr(dashboard, "FEW_LAYANAN", 0)
    _, before = _statements(app, client, "/staf/unit/KANWIL?periode=2026-01")
    assert few == before - 4  # a bigger one also reads the versions of its settled months
    for number in range(10):
        unit = make_unit(f"UPT-{number}", parent=tree["kanwil"])
        make_layanan(unit, "KUNJ")
        make_layanan(unit, "TITIP", kebutuhan_utama=False)
    db.session.commit()
    page, after = _statements(app, client, "/staf/unit/KANWIL?periode=2026-01")
    assert after == before
    assert all(f"Unit UPT-{number}" in page for number in range(10))
