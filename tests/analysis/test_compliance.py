"""Which months are judged, open spans, pace and projection (REGULATION.md section 3)."""

from datetime import UTC, datetime

import pytest

from analysis.compliance import OpenSpan, Service, Today, judge, open_in, today
from analysis.sample import Rule

# 29 November 2026, 10.00 WITA: the clock of issue 16
NOW = datetime(2026, 11, 29, 2, 0, tzinfo=UTC)
TRIWULAN_IV = ["2026-10", "2026-11", "2026-12"]


def test_the_running_month_is_read_in_the_units_zone():
    # 30 November 23.30 WITA is 1 December 00.30 WIT: the same instant, two running months
    instant = datetime(2026, 11, 30, 15, 30, tzinfo=UTC)
    assert today(instant, "Asia/Makassar") == Today("2026-11", 30, 30)
    assert today(instant, "Asia/Jayapura") == Today("2026-12", 1, 31)
    assert today(instant, "Asia/Makassar").days_left == 0  # the last day: "hari terakhir"
    assert today(instant, "WIT").days_left == 30


def test_a_span_covers_its_months_both_ends_included():
    spans = (OpenSpan("2026-03", "2026-05"), OpenSpan("2026-09"))
    assert [open_in(spans, m) for m in ("2026-02", "2026-03", "2026-05", "2026-06", "2026-12")] == [
        False,
        True,
        True,
        False,
        True,
    ]
    with pytest.raises(ValueError):
        OpenSpan("2026-05", "2026-03")


def test_triwulan_iv_on_29_november_judges_october_runs_november_and_never_december():
    services = [Service("KUNJ", True, (OpenSpan("2026-09"),))]
    counts = {"2026-10": {"KUNJ": 31}, "2026-11": {"KUNJ": 12}}
    result = judge(TRIWULAN_IV, today(NOW, "Asia/Makassar"), Rule(), services, counts, {})
    assert [(m.period, m.status) for m in result.months] == [
        ("2026-10", "memenuhi"),
        ("2026-11", "berjalan"),
    ]
    assert result.not_begun == ("2026-12",)
    assert (result.met, len(result.judged)) == (1, 1)  # "1 dari 1 bulan memenuhi"
    pace = result.running.pace(result.running.layanan[0])
    # 12 in 29 of 30 days: 12 x 30 / 29 = 12,41 -> 12; 18 still needed on the last day
    assert (pace.projected, pace.warning, pace.needed_per_day) == (12, True, 18)


def test_a_closed_layanan_keeps_its_short_month_and_a_new_one_changes_no_earlier_month():
    bankum = Service("BANKUM", False, (OpenSpan("2026-09", "2026-11"),))  # closed in November
    kunj = Service("KUNJ", True, (OpenSpan("2026-09"),))
    baru = Service("BARU", True, (OpenSpan("2026-11"),))  # opened in November
    counts = {"2026-09": {"BANKUM": 17, "KUNJ": 38}, "2026-10": {"BANKUM": 11, "KUNJ": 34}}
    now = today(NOW, "Asia/Makassar")
    months = [f"2026-{m:02d}" for m in range(1, 13)]
    before = judge(months, now, Rule(), [bankum, kunj], counts, {})
    after = judge(months, now, Rule(), [bankum, kunj, baru], counts, {})
    assert before.months[:10] == after.months[:10]
    october = after.months[9]
    assert october.status == "kurang"
    assert [(s.kode, s.n, s.minimum, s.kurang) for s in october.short] == [("BANKUM", 11, 15, 4)]
    # January to August: no layanan open yet, so not judged (never "below minimum")
    assert {m.status for m in after.months[:8]} == {"tidak_dinilai"}
    assert (after.met, len(after.judged)) == (1, 2)
    assert [s.kode for s in after.running.layanan] == ["BANKUM", "KUNJ", "BARU"]


def test_people_served_decide_only_under_sampel_month_by_month():
    services = [Service("INTEG", True, (OpenSpan("2026-01"),))]
    counts = {"2026-09": {"INTEG": 32}, "2026-10": {"INTEG": 32}}
    served = {"2026-10": {"INTEG": 350}}  # none for September: it falls back to tetap
    now = today(NOW, "Asia/Makassar")
    result = judge(["2026-09", "2026-10"], now, Rule("sampel"), services, counts, served)
    september, october = (m.layanan[0] for m in result.months)
    assert (september.requirement.fallback, september.minimum, september.memenuhi) == (
        True,
        30,
        True,
    )
    assert (october.requirement.aturan, october.minimum, october.kurang) == ("sampel", 183, 151)
