"""Issue 16.2-16.5 as the issue states its cases: layanan spans, the months judged, the unit's
minimum rule by name, and IKM per layanan (REGULATION §3), through the staff pages, the ZI page,
publications and their artefacts. The clock is 29 November 2026, 10.00 WITA."""

import re
from datetime import UTC, datetime
from uuid import uuid4

import pytest
from sqlalchemy import select

from analysis.periods import span_of
from survey_app.extensions import db
from survey_app.models import AuditLog, Dilayani, Layanan, Unit
from survey_app.services.administration.demo import DEMO_PASSWORD, load_demo
from survey_app.services.collection.submissions import Response, record_submission
from survey_app.services.reporting.compliance import unit_compliance
from tests.conftest import make_layanan
from tests.readback import pdf_text
from tests.web.conftest import CSRF, login, signed_in
from tests.web.helpers import IPAK, SKM

NOW = datetime(2026, 11, 29, 2, 0, tzinfo=UTC)  # 29 November 2026, 10.00 WITA
IPKP = [f"PK{i}" for i in range(1, 9)]


def section(page: str, ident: str) -> str:
    """The <section id=ident> of a page."""
    found = re.search(rf'<section class="card" id="{ident}">.*?</section>', page, re.S)
    assert found, ident
    return found.group(0)


def text_of(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


@pytest.fixture
def demo(app, clock):
    clock.now = NOW
    load_demo(db.session, app.extensions["zisurvey.catalogue"], NOW)
    db.session.commit()
    client = app.test_client()
    assert login(client, "kanwil", DEMO_PASSWORD).status_code == 302
    return client


def layanan_of(unit_kode: str, kode: str) -> Layanan:
    return db.session.scalar(
        select(Layanan).join(Layanan.unit).where(Unit.kode == unit_kode, Layanan.kode == kode)
    )


def token_of(client, path: str) -> str:
    return CSRF.search(client.get(path).get_data(as_text=True)).group(1)


def close(client, layanan: Layanan) -> None:
    """Close ``layanan`` through its edit form, changing nothing else."""
    path = f"/staf/layanan/{layanan.id}"
    data = {"csrf_token": token_of(client, path), "nama": layanan.nama}
    data |= {"instrumen": layanan.instrument_ids}
    data |= {"kebutuhan_utama": "y"} if layanan.kebutuhan_utama else {}
    assert client.post(path, data=data).status_code == 302


def test_closing_bantuan_hukum_keeps_rutan_october_kurang_4(demo):
    bankum = layanan_of("RUTAN-MKS", "BANKUM")
    close(demo, bankum)
    assert not bankum.aktif
    assert [(m.dari, m.sampai) for m in bankum.masa] == [("2026-09", "2026-11")]
    page = demo.get("/staf/unit/RUTAN-MKS?periode=2026-10").get_data(as_text=True)
    minimal = text_of(section(page, "minimal"))
    assert "0 dari 1 bulan memenuhi" in minimal
    assert "Oktober 2026 : Bantuan Hukum 11 dari 15, kurang 4" in minimal
    # the Kanwil's column stays "kurang" for the Rutan's October
    kanwil = demo.get("/staf/unit/KANWIL-SULSEL?periode=2026-10").get_data(as_text=True)
    row = re.search(r'<a href="/staf/unit/RUTAN-MKS\?periode=2026-10">.*?</tr>', kanwil, re.S)
    assert "0 dari 1 bulan memenuhi" in row.group(0) and "Bantuan Hukum kurang 4" in row.group(0)
    # November, the month it closed in, still counts it: closing hides no running shortfall
    november = unit_compliance(db.session, bankum.unit, span_of("2026-11"), NOW).period
    assert str(bankum.id) in {s.kode for s in november.running.layanan}


def test_a_layanan_opened_in_november_leaves_january_to_october_unchanged(app, demo):
    rutan = db.session.scalar(select(Unit).where(Unit.kode == "RUTAN-MKS"))
    year = span_of("2026")
    before = unit_compliance(db.session, rutan, year, NOW).period
    page_before = text_of(section(demo.get("/staf/unit/RUTAN-MKS?periode=2026").text, "minimal"))
    path = "/staf/unit/RUTAN-MKS/layanan"
    data = {"csrf_token": token_of(demo, path), "kode": "PENGADUAN", "nama": "Pengaduan"}
    assert demo.post(path, data=data | {"kebutuhan_utama": "y"}).status_code == 302
    added = layanan_of("RUTAN-MKS", "PENGADUAN")
    assert [(m.dari, m.sampai) for m in added.masa] == [("2026-11", None)]
    after = unit_compliance(db.session, rutan, year, NOW).period
    assert after.months[:10] == before.months[:10]
    assert {m.status for m in after.months[:8]} == {"tidak_dinilai"}  # before the first opening
    assert [m.status for m in after.months[8:10]] == ["memenuhi", "kurang"]
    assert added.id in {int(s.kode) for s in after.running.layanan}
    page = text_of(section(demo.get("/staf/unit/RUTAN-MKS?periode=2026").text, "minimal"))
    assert "1 dari 2 bulan memenuhi" in page_before and "1 dari 2 bulan memenuhi" in page
    assert "Januari" not in page and "Juni" not in page


def test_triwulan_iv_on_29_november_judges_october_runs_november_never_december(demo, clock):
    page = demo.get("/staf/unit/RUTAN-MKS?periode=2026-T4").get_data(as_text=True)
    minimal = text_of(section(page, "minimal"))
    assert "0 dari 1 bulan memenuhi" in minimal  # October alone is judged
    assert "Oktober 2026 : Bantuan Hukum 11 dari 15, kurang 4" in minimal
    assert "November 2026 berjalan : hari ke-29 dari 30" in minimal
    assert "Sisa 1 hari di bulan ini." in minimal and "proyeksi akhir bulan" in minimal
    assert "Desember" not in minimal and "0/30" not in minimal
    assert "Per layanan, November 2026" in minimal  # the table is about the running month
    clock.now = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)  # the last day
    last = text_of(section(demo.get("/staf/unit/RUTAN-MKS?periode=2026-T4").text, "minimal"))
    assert "hari terakhir" in last and "0 hari" not in last


def integ(app, tree, count: int) -> Layanan:
    """INTEG of the Lapas (kebutuhan utama, three surveys) with ``count`` answers in October."""
    layanan = make_layanan(tree["lapas"], "INTEG", ("skm", "ipak", "ipkp"))
    catalogue = app.extensions["zisurvey.catalogue"]
    for i in range(count):
        when = datetime(2026, 10, 1 + i % 28, 1 + (i % 6), tzinfo=UTC)
        answers = dict.fromkeys(SKM + IPAK + IPKP, 4) | {"U1": 3, "U3": 1 + i % 4}
        record_submission(
            db.session, catalogue, layanan, Response(answers, {}, None, uuid4().hex), when
        )
    db.session.commit()
    return layanan


def test_integ_32_of_350_served_meets_tetap_with_the_sample_beside_it_and_is_151_short_under_sampel(
    app, tree, clock
):
    layanan = integ(app, tree, 32)
    clock.now = NOW
    client = signed_in(app, "kanwil")
    path = f"/staf/layanan/{layanan.id}"
    served = {"csrf_token": token_of(client, path), "period": "2026-10", "jumlah": "350"}
    assert client.post(f"{path}/dilayani", data=served).status_code == 302
    page = client.get("/staf/unit/LAPAS?periode=2026-10").get_data(as_text=True)
    row = re.search(
        r"<th scope=\"row\">Layanan INTEG.*?</tr>", section(page, "minimal"), re.S
    ).group(0)
    assert "<td>32</td>\n        <td>30</td>" in row and '<span class="ok">memenuhi</span>' in row
    assert "target sampel Krejcie-Morgan 183 (350 dilayani)" in row
    assert "Aturan minimal unit: tetap (30/15)" in text_of(section(page, "minimal"))
    # per layanan: IKM, IPAK, IPKP with n and mutu, no note (INTEG met October)
    per = re.search(r"Layanan INTEG.*?</tr>", section(page, "per-layanan"), re.S).group(0)
    assert text_of(per).count("n 32") == 3 and "di bawah minimal" not in per

    rule = {"csrf_token": token_of(client, "/staf/unit/LAPAS/layanan")}
    rule |= {"aturan_minimal": "sampel", "rumus_sampel": "krejcie_morgan"}
    assert client.post("/staf/unit/LAPAS/aturan-minimal", data=rule).status_code == 303
    entry = db.session.scalars(select(AuditLog).where(AuditLog.entity == "unit")).all()[-1]
    assert entry.before["aturan_minimal"] == "tetap" and entry.after["aturan_minimal"] == "sampel"
    page = client.get("/staf/unit/LAPAS?periode=2026-10").get_data(as_text=True)
    row = re.search(
        r"<th scope=\"row\">Layanan INTEG.*?</tr>", section(page, "minimal"), re.S
    ).group(0)
    assert "<td>32</td>\n        <td>183</td>" in row and "kurang 151" in row
    assert "sampel Krejcie-Morgan dari 350 dilayani; minimal tetap 30" in row
    per = text_of(re.search(r"Layanan INTEG.*?</tr>", section(page, "per-layanan"), re.S)[0])
    assert "n di bawah minimal: Oktober 2026 (32 dari 183)" in per
    # the Kanwil's table and the ZI page judge by the same rule, by name
    kanwil = client.get("/staf/unit/KANWIL?periode=2026-10").get_data(as_text=True)
    lapas_row = re.search(r'href="/staf/unit/LAPAS\?periode=2026-10">.*?</tr>', kanwil, re.S)[0]
    assert "INTEG kurang 151" in text_of(lapas_row) and "sampel Krejcie-Morgan" in lapas_row
    # Slovin as the option: 350 / (1 + 350 x 0,05²) = 186,67 -> 187
    rule |= {"csrf_token": token_of(client, "/staf/unit/LAPAS/layanan"), "rumus_sampel": "slovin"}
    assert client.post("/staf/unit/LAPAS/aturan-minimal", data=rule).status_code == 303
    page = client.get("/staf/unit/LAPAS?periode=2026-10").get_data(as_text=True)
    assert "kurang 155" in section(page, "minimal")


def publish_october(client) -> str:
    from tests.web.test_publish import publish

    assert publish(client, "2026-10").status_code == 303  # the preview, then its confirmation
    return client.get("/hasil/LAPAS").get_data(as_text=True)


@pytest.mark.parametrize("backend", ["sqlite"])
def test_publications_and_posters_say_the_verdict_of_the_rule_in_force_by_name(
    app, tree, clock, tmp_path
):
    layanan = integ(app, tree, 32)
    db.session.add(Dilayani(layanan_id=layanan.id, period="2026-10", jumlah=350))
    db.session.commit()
    clock.now = NOW
    client = signed_in(app, "kanwil")
    page = publish_october(client)
    # under tetap INTEG met October: no "32/183" anywhere (KUNJ and TITIP had no answer)
    assert "32/183" not in page and "Layanan INTEG (Oktober 2026" not in page
    assert "Layanan KUNJ (Oktober 2026: 0/30)" in page and "Aturan minimal: tetap (30/15)" in page
    assert re.search(r"Layanan INTEG</th><td>32</td>", page)  # IKM per layanan, with n
    tree["lapas"].aturan_minimal = "sampel"
    db.session.commit()
    page = publish_october(client)
    assert "Layanan INTEG (Oktober 2026: 32/183)" in page
    assert "Aturan minimal: sampel Krejcie-Morgan dari jumlah orang dilayani" in page
    assert "Catatan: n di bawah minimal pada Oktober 2026 (32/183)" in page
    poster = re.search(r'href="(/hasil/LAPAS/\d+/poster-a3.pdf)"', page).group(1)
    pdf = tmp_path / "poster.pdf"
    pdf.write_bytes(app.test_client().get(poster).data)
    text = " ".join(pdf_text(pdf).split())
    assert "aturan sampel Krejcie-Morgan dari jumlah orang dilayani" in text
    assert "Layanan INTEG Oktober 2026 32/183" in text
