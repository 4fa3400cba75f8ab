"""A Kementerian page lists its units below a page at a time (issue 20.4): every figure on a page
is exactly what the whole table (the old computation, still what publications, reports and the
digest use) shows for that unit or layanan, on a tree with units in three time zones, excluded
answers, a closed layanan, a variant with sub-questions and a left-out item, uploaded and kiosk
answers; searching and sorting pick the right units."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml
from sqlalchemy import func, select

from analysis.periods import span_of
from survey_app.extensions import db
from survey_app.models import Answer, Pengguna, Submission, Unit
from survey_app.services.collection import rollup
from survey_app.services.collection.integrity import decide
from survey_app.services.collection.kuesioner import choose, save_version
from survey_app.services.reporting import dashboard
from survey_app.services.reporting.dashboard import Below, build
from tests.conftest import make_layanan, make_unit
from tests.web.conftest import signed_in

FIXTURE = Path(__file__).parents[1] / "fixtures" / "kuesioner-kunjungan.yaml"
SKM = [f"U{i}" for i in range(1, 10)]
IPAK = [f"AK{i}" for i in range(1, 6)]
# Jakarta is still on 31 January, Makassar and Jayapura are on 1 February: January runs for
# some units and is judged for others
NOW = datetime(2026, 1, 31, 16, 30, tzinfo=UTC)
ZONES = ["Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura"]


def _submission(layanan, number, period, values, **fields):
    day = 1 + number % 27
    submission = Submission(
        layanan_id=layanan.id,
        submitted_at=datetime(int(period[:4]), int(period[5:]), day, 2, number % 60, tzinfo=UTC),
        period=period,
        idempotency_key=f"k-{layanan.id}-{period}-{number}",
        jenis_kelamin="L" if number % 3 else "P",
        pendidikan=("SMA", "D4/S1", None)[number % 3],
        saran=f"saran {number}" if number % 5 == 0 else None,
        **fields,
    )
    submission.answers = [
        Answer(item_code=code, instrument_id=inst, instrument_version=ver, scale=4, value=value)
        for code, inst, ver, value in values
    ]
    db.session.add(submission)
    return submission


def _answers(number, codes=SKM, ipak=True):
    out = [(c, "skm", "2017.1", 1 + (number * 7 + k * 3) % 4) for k, c in enumerate(codes)]
    if ipak:
        out += [(c, "ipak", "2021.1", 1 + (number + k) % 4) for k, c in enumerate(IPAK)]
    return out


@pytest.fixture
def kementerian(app, tree, clock):
    """KEMEN above the tree's two Kanwil and four more, UPT in three zones, answers in
    December and January (rollup rebuilt from them), some of them excluded."""
    clock.now = NOW
    catalogue = app.extensions["zisurvey.catalogue"]
    top = make_unit("KEMEN", jenis="kementerian", timezone="Asia/Jakarta")
    for kanwil in (tree["kanwil"], tree["other"].parent):
        kanwil.parent = top
    for number in range(4):
        kanwil = make_unit(f"KW-{number}", jenis="kanwil", parent=top, timezone=ZONES[number % 3])
        for upt in range(3):
            unit = make_unit(f"UPT-{number}{upt}", parent=kanwil, timezone=ZONES[upt])
            make_layanan(unit, "KUNJ", ("skm", "ipak", "ipkp"))
            make_layanan(unit, "TITIP", ("skm", "ipak"), kebutuhan_utama=False)
    closed = make_layanan(tree["rutan"], "LAMA", ("skm", "ipak"), aktif=False)
    raw = yaml.safe_load(FIXTURE.read_text(encoding="utf-8"))
    versi, _ = save_version(db.session, catalogue.instruments, tree["lapas"], raw, NOW)
    lapas_kunj = next(x for x in tree["lapas"].layanan if x.kode == "KUNJ")
    choose(db.session, lapas_kunj, versi.varian, NOW)
    db.session.commit()
    every = sorted(
        (x for u in _units(top) for x in u.layanan if x.aktif or x is closed), key=lambda x: x.id
    )
    number = 0
    for k, layanan in enumerate(every):
        for period in ("2025-12", "2026-01"):
            for _ in range(3 if layanan is closed else k % 5):  # none, or a few
                number += 1
                source = ("form", "unggahan", "kiosk")[number % 3]
                _submission(layanan, number, period, _answers(number), source=source)
    # the variant: U3 as two sub-questions, U4 left out
    variant_codes = ["U1", "U2", "U3.1/2", "U3.2/2", "U5", "U6", "U7", "U8", "U9"]
    for _ in range(4):
        number += 1
        _submission(
            lapas_kunj,
            number,
            "2026-01",
            _answers(number, variant_codes),
            kuesioner_versi_id=versi.id,
        )
    db.session.flush()
    rollup.rebuild(db.session.connection())
    admin = db.session.scalar(select(Pengguna).where(Pengguna.username == "admin"))
    chosen = db.session.scalars(select(Submission).order_by(Submission.id)).all()[3::7]
    for submission in chosen:
        decide(db.session, admin, submission, "kecualikan", "identik", "", NOW)
    decide(db.session, admin, chosen[0], "pertahankan", "identik", "", NOW)  # kept again
    db.session.commit()
    assert rollup.differences(db.session.connection()) == []
    return top


def _units(unit):
    yield unit
    for child in unit.children:
        yield from _units(child)


def _reference_order(rows, urut):
    """The table's order as the page promises it, applied to the old computation's rows."""
    rows = sorted(rows, key=lambda r: (r.unit.nama, r.unit.id))
    if urut == "n":
        return sorted(rows, key=lambda r: -r.n)
    if urut in ("skm", "ipak", "ipkp"):
        return sorted(
            rows, key=lambda r: (r.results[urut].index is None, r.results[urut].index or 0)
        )
    return rows


WHOLE = [
    "figures",
    "services",
    "month",
    "days_left",
    "compliance",
    "profile",
    "profile_codes",
    "respondents",
    "per_layanan",
    "saran",
    "excluded",
    "uploaded",
    "kiosk",
    "dihilangkan",
    "versi",
]


@pytest.mark.parametrize("cari", ["", "upt-1", "unit lapas"])
def test_every_page_shows_exactly_what_the_whole_table_shows(app, kementerian, cari):
    catalogue = app.extensions["zisurvey.catalogue"]
    span = span_of("2026-01")
    whole = build(db.session, catalogue, kementerian, span, NOW)
    assert {r.unit.kode for r in whole.children} >= {"UPT-00", "UPT-32", "LAPAS", "RUTAN"}
    assert whole.excluded and whole.uploaded and whole.kiosk and whole.dihilangkan
    wanted = [r for r in whole.children if Below(cari=cari).matches(r.unit)]
    for urut in ("nama", "n", "skm", "ipak", "ipkp", "tidak-ada"):
        expected = _reference_order(wanted, urut)
        pages = [
            build(db.session, catalogue, kementerian, span, NOW, Below(urut, cari, hal, 4))
            for hal in range(1, -(-len(expected) // 4) + 1)
        ]
        assert [r for page in pages for r in page.children] == expected, urut
        for page in pages:
            for name in WHOLE:
                assert getattr(page, name) == getattr(whole, name), name
            assert page.trend.equals(whole.trend)
            shown = {kementerian.id} | {r.unit.id for r in page.children}
            assert page.layanan_figures == [
                row for row in whole.layanan_figures if row.layanan.unit_id in shown
            ]
            assert page.below_found == len(expected) and page.below_all == len(whole.children)
    # the channels as the old reads counted them: kept answers per source
    for source, figure in (("unggahan", whole.uploaded), ("kiosk", whole.kiosk)):
        assert figure == db.session.scalar(
            select(func.count())
            .select_from(Submission)
            .where(Submission.source == source, Submission.period == "2026-01", rollup.kept())
        )


def test_past_the_last_page_is_the_last_page(app, kementerian):
    catalogue = app.extensions["zisurvey.catalogue"]
    span = span_of("2026-01")
    last = build(db.session, catalogue, kementerian, span, NOW, Below(hal=999, size=5))
    assert last.below.hal == last.pages == -(-last.below_found // 5)
    assert 1 <= len(last.children) <= 5
    first = build(db.session, catalogue, kementerian, span, NOW, Below(hal=-3, size=5))
    assert first.below.hal == 1


ROW = re.compile(r'<tr>\s*<th scope="row"><a href="/staf/unit/([^"?]+)\?periode=2026-01">')


def test_the_kementerian_page_pages_sorts_and_searches(app, kementerian):
    app.config["UNITS_PER_PAGE"] = 5
    client = signed_in(app, "admin")
    page = client.get("/staf/unit/KEMEN?periode=2026-01").get_data(as_text=True)
    first = ROW.findall(page)
    assert len(first) == 5 and "Halaman 1 dari" in page
    assert 'href="?periode=2026-01&amp;hal=2#unit-bawah"' in page
    second = ROW.findall(client.get("/staf/unit/KEMEN?periode=2026-01&hal=2").get_data(True))
    assert len(second) == 5 and not set(first) & set(second)
    found = client.get("/staf/unit/KEMEN?periode=2026-01&cari=upt-3").get_data(as_text=True)
    assert ROW.findall(found) == ["UPT-30", "UPT-31", "UPT-32"]
    assert "Unit 1–3 dari 3" in found
    nothing = client.get("/staf/unit/KEMEN?periode=2026-01&cari=zzz").get_data(as_text=True)
    assert "Tidak ada unit yang cocok dengan “zzz”." in nothing and not ROW.findall(nothing)
    # a Kanwil with three units below shows them all, without paging or a search box
    kanwil = client.get("/staf/unit/KW-1?periode=2026-01").get_data(as_text=True)
    assert ROW.findall(kanwil) == ["UPT-10", "UPT-11", "UPT-12"] and 'name="cari"' not in kanwil


@pytest.mark.parametrize("periode", ["2026-01", "2025-12", "2026", "2025-S2"])
def test_a_few_layanan_read_once_give_what_the_separate_reads_give(
    app, kementerian, monkeypatch, periode
):
    """A UPT's page reads its layanan's tallies per month once; the figures are those of the
    separate reads a bigger subtree makes (FEW_LAYANAN 0 forces those)."""
    catalogue = app.extensions["zisurvey.catalogue"]
    span = span_of(periode)
    units = [db.session.scalar(select(Unit).where(Unit.kode == kode)) for kode in KODES]
    for below in (None, Below(), Below("n", size=2, hal=2), Below("ipak", "upt")):
        once = [build(db.session, catalogue, u, span, NOW, below) for u in units]
        monkeypatch.setattr(dashboard, "FEW_LAYANAN", 0)
        apart = [build(db.session, catalogue, u, span, NOW, below) for u in units]
        monkeypatch.undo()
        for new, old in zip(once, apart, strict=True):
            assert new.figures == old.figures and new.trend.equals(old.trend)
            for name in [*WHOLE, "children", "layanan_figures", "below_found", "below"]:
                assert getattr(new, name) == getattr(old, name), (new.unit.kode, name)
    assert any(d.figures[0].result.n for d in once) and any(d.children for d in once)


KODES = ["LAPAS", "RUTAN", "KANWIL", "KW-1", "UPT-12"]
