"""ZI readiness through the web layer: each profile, the spec's worked example, and thresholds."""

import re
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from analysis.lke import load_profile
from analysis.responses import read_responses
from survey_app.extensions import db
from survey_app.models import AuditLog, Evaluasi
from survey_app.services.collection.imports import import_responses
from tests.conftest import FIXTURES
from tests.readback import pdf_lines
from tests.web.conftest import CSRF, signed_in

# REGULATION.md section 5 worked example: areas 6,5 / 5,6 / 8,0 / 7,9 / 10,2 / 7,0 = 45,20
WORKED = {
    "manajemen_perubahan": "6.5",
    "penataan_tatalaksana": "5.6",
    "penataan_sdm": "8.0",
    "akuntabilitas_kinerja": "7.9",
    "penguatan_pengawasan": "10.2",
    "kualitas_pelayanan": "7.0",
}
# pengungkit 59 (52/2014) and 48 (BPMP's own weights)
KEMENKUMHAM_AREAS = {
    "manajemen_perubahan": "5",
    "penataan_tatalaksana": "5",
    "penataan_sdm": "15",
    "akuntabilitas_kinerja": "10",
    "penguatan_pengawasan": "15",
    "kualitas_pelayanan": "9",
}
BPMP_AREAS = {
    "manajemen_perubahan": "4",
    "penataan_tatalaksana": "4",
    "penataan_sdm": "12",
    "akuntabilitas_kinerja": "8",
    "penguatan_pengawasan": "12",
    "kualitas_pelayanan": "8",
}


@pytest.fixture
def data(app, tree, clock):
    catalogue = app.extensions["zisurvey.catalogue"]
    frame = read_responses(FIXTURES / "worked_example.csv", catalogue.schema(), tz="Asia/Makassar")
    import_responses(db.session, catalogue, tree["lapas"], frame, datetime(2026, 3, 1, tzinfo=UTC))
    db.session.commit()
    clock.now = datetime(2026, 7, 1, tzinfo=UTC)
    return tree


def post(client, profile="permenpanrb-90-2021", areas=None, **fields):
    token = CSRF.search(client.get("/staf/unit/LAPAS/zi?tahun=2026").get_data(as_text=True))
    data = {
        "csrf_token": token.group(1),
        "tahun": "2026",
        "profile": profile,
        "survei_dari": "2026-01",
        "survei_sampai": "2026-01",
        "capaian_kinerja": "4.0",
    }
    for area, value in (areas or WORKED).items():  # split each area evenly into its two halves
        half = f"{float(value) / 2:.3f}"
        data[f"{area}.pemenuhan"], data[f"{area}.reform"] = half, half
    data.update(fields)
    return client.post("/staf/unit/LAPAS/zi?tahun=2026", data=data)


def verdict(page: str, predikat: str) -> str:
    block = re.search(rf"<h2>{predikat}</h2>\s*<p class=\"verdict (\w+)\">", page)
    return block.group(1)


def test_worked_example_of_the_spec_through_the_web(app, data):
    client = signed_in(app, "kanwil")
    assert post(client).status_code == 302
    page = client.get("/staf/unit/LAPAS/zi?tahun=2026").get_data(as_text=True)
    # IPAK 3,92 -> 17,15; IPKP 3,5667 -> 15,60; pengungkit 45,20; total 81,95
    for label, value in [
        ("Pengungkit", "45,20"),
        ("Indeks Persepsi Anti Korupsi (IPAK)", "17,15"),
        ("Indeks Persepsi Kualitas Pelayanan (IPKP)", "15,60"),
        ("Birokrasi Bersih dan Akuntabel", "21,15"),
        ("Total", "81,95"),
    ]:
        assert f'<th scope="row">{label}</th><td>{value}</td>' in page
    assert verdict(page, "WBK") == "ok" and verdict(page, "WBBM") == "bad"
    assert "Total: 81,95 &lt; 85,00 <strong>(kurang 3,05)</strong>" in page
    assert "Pelayanan Publik Prima: 15,60 &lt; 15,75 <strong>(kurang 0,15)</strong>" in page
    assert "Indeks IPAK terendah yang masih lolos: 3,5989" in page
    # January had 20 KUNJ (< 30) and 10 TITIP (< 15): evaluators may reject it
    assert "Bulan di bawah jumlah minimal responden" in page
    assert (
        "Januari 2026: Layanan KUNJ 20 dari 30, kurang 10; Layanan TITIP 10 dari 15, kurang 5"
        in page
    )
    assert "tetap (30/15)</strong> · 0 dari 1 bulan memenuhi" in page
    assert "IPAK,\n        indeks 3,9200, n = 30, 2026-01 – 2026-01" in page
    entry = db.session.scalars(select(AuditLog).where(AuditLog.entity == "evaluasi")).one()
    assert entry.after["pengungkit"]["penguatan_pengawasan"] == {
        "pemenuhan": "5.100",
        "reform": "5.100",
    }


# every area at its 60 % floor (4,8 / 4,2 / 6,0 / 6,0 / 9,0 / 6,0 = 36,00) plus what is needed
FLOOR = {
    "manajemen_perubahan": "4.8",
    "penataan_tatalaksana": "4.2",
    "penataan_sdm": "6.0",
    "akuntabilitas_kinerja": "6.0",
    "penguatan_pengawasan": "9.0",
    "kualitas_pelayanan": "6.0",
}


@pytest.mark.parametrize(
    ("change", "syarat", "passes"),
    [
        # WBK pengungkit >= 40,00 (90/2021): 39,99 fails, 40,00 passes
        ({"manajemen_perubahan": "7.99", "penataan_sdm": "6.8"}, "Pengungkit", False),
        ({"manajemen_perubahan": "8.00", "penataan_sdm": "6.8"}, "Pengungkit", True),
        # every area >= 60 % of its weight: 15 x 0,6 = 9,00
        ({"penguatan_pengawasan": "8.99"}, "Penguatan Pengawasan", False),
        ({"penguatan_pengawasan": "9.00"}, "Penguatan Pengawasan", True),
    ],
)
def test_wbk_thresholds_one_cent_each_side(app, data, change, syarat, passes):
    client = signed_in(app, "kanwil")
    areas = dict(FLOOR if syarat == "Pengungkit" else WORKED, **change)
    assert post(client, areas=areas).status_code == 302
    page = client.get("/staf/unit/LAPAS/zi?tahun=2026").get_data(as_text=True)
    wbk = page.split("<h2>WBBM</h2>")[0].split("<h2>WBK</h2>")[1]
    assert (f"{syarat}:" not in wbk) is passes
    if not passes:
        assert "<strong>(kurang 0,01)</strong>" in wbk


def test_capaian_kinerja_cent_below_its_minimum(app, data):
    client = signed_in(app, "kanwil")
    post(client, capaian_kinerja="2.49")
    page = client.get("/staf/unit/LAPAS/zi?tahun=2026").get_data(as_text=True)
    assert "Capaian Kinerja: 2,49 &lt; 2,50 <strong>(kurang 0,01)</strong>" in page
    post(client, capaian_kinerja="2.50")
    page = client.get("/staf/unit/LAPAS/zi?tahun=2026").get_data(as_text=True)
    assert "Capaian Kinerja:" not in page.split("<h2>WBBM</h2>")[0]


def test_bpmp_profile_uses_its_own_weights_and_ipak_minimum(app, data):
    client = signed_in(app, "kanwil")
    areas = BPMP_AREAS
    assert post(client, profile="bpmp-2023", areas=areas).status_code == 302
    page = client.get("/staf/unit/LAPAS/zi?tahun=2026").get_data(as_text=True)
    assert '<th scope="row">Pengungkit</th><td>48,00</td>' in page
    assert db.session.scalar(select(Evaluasi.profile)) == "bpmp-2023"
    # 12 > 15/2 is refused for the 90/2021 profile, whose SDM half-weight is 5
    refused = post(client, areas=areas)
    assert refused.status_code == 422
    assert "penataan_sdm.pemenuhan: 6.000 is outside 0-5" in refused.get_data(as_text=True)


def test_kemenkumham_profile_uses_ipk_tlhp_and_ikm(app, data):
    client = signed_in(app, "kanwil")
    areas = KEMENKUMHAM_AREAS
    response = post(
        client, profile="kemenkumham-52-2014", areas=areas, capaian_kinerja="", tlhp="4.5"
    )
    assert response.status_code == 302
    page = client.get("/staf/unit/LAPAS/zi?tahun=2026").get_data(as_text=True)
    # IPK 3,92 / 4 x 15 = 14,70; IKM 3,5019 / 4 x 20 = 17,51 (87,55 / 100 x 20)
    assert '<th scope="row">Indeks Persepsi Korupsi (IPK)</th><td>14,70</td>' in page
    assert '<th scope="row">Indeks Kepuasan Masyarakat (IKM/IPKP)</th><td>17,51</td>' in page
    assert "IKM,\n        indeks 3,5019, n = 30" in page
    assert verdict(page, "WBK") == "ok"


def test_ikm_stands_in_when_the_unit_runs_no_ipkp(app, tree, clock, tmp_path):
    catalogue = app.extensions["zisurvey.catalogue"]
    no_pk = tmp_path / "tanpa-pk.csv"
    lines = (FIXTURES / "worked_example.csv").read_text().splitlines()
    header = lines[0].split(",")
    keep = [i for i, name in enumerate(header) if not name.startswith("PK")]
    no_pk.write_text("\n".join(",".join(r.split(",")[i] for i in keep) for r in lines) + "\n")
    frame = read_responses(no_pk, catalogue.schema(), tz="Asia/Makassar")
    import_responses(db.session, catalogue, tree["lapas"], frame, datetime(2026, 3, 1, tzinfo=UTC))
    db.session.commit()
    client = signed_in(app, "kanwil")
    assert post(client).status_code == 302
    page = client.get("/staf/unit/LAPAS/zi?tahun=2026").get_data(as_text=True)
    assert "IKM menggantikan IPKP (survei kualitas pelayanan tidak dijalankan)" in page
    # IKM 3,5019 / 4 x 17,5 = 15,32
    assert '<th scope="row">Indeks Persepsi Kualitas Pelayanan (IPKP)</th><td>15,32</td>' in page


def test_scope_viewers_read_only_and_kanwil_table(app, data):
    kanwil = signed_in(app, "kanwil")
    post(kanwil)
    viewer = signed_in(app, "lapas")
    assert viewer.get("/staf/unit/LAPAS/zi?tahun=2026").status_code == 200
    assert post(viewer).status_code == 403
    assert viewer.get("/staf/unit/KANWIL/zi").status_code == 403
    assert signed_in(app, "kanwil").get("/staf/unit/UPT-LAIN/zi").status_code == 403
    table = kanwil.get("/staf/unit/KANWIL/zi?tahun=2026").get_data(as_text=True)
    row = re.search(r"Unit LAPAS</a></th>(.*?)</tr>", table, re.S).group(1)
    # WBBM: the five conditions of the worked example, and the unit does not hold WBK yet
    assert '<td class="ok">ya</td>' in row and "belum (6)" in row and "<td>81,95</td>" in row
    assert db.session.scalar(select(func.count()).select_from(Evaluasi)) == 1


def test_capaian_kinerja_criteria_are_shown_with_their_indicator_and_how_sure_they_are(app, data):
    page = signed_in(app, "kanwil").get("/staf/unit/LAPAS/zi?tahun=2026").get_data(as_text=True)
    form = page.split('for="capaian_kinerja"')[1].split('for="tlhp"')[0]
    assert "Capaian Kinerja Lebih Baik dari pada Capaian Kinerja Sebelumnya." in form
    assert "belum dicocokkan kata demi kata dengan LKE resmi" in form
    assert form.count("<li>") == 5 and "<li>a. " in form and "<li>e. " in form


def test_profiles_shipped_have_what_the_form_needs():
    for name in ("permenpanrb-90-2021", "bpmp-2023", "kemenkumham-52-2014"):
        profile = load_profile(name)
        assert {c.survei for c in profile.hasil if c.dari == "indeks"} <= {"ipak", "ipkp", "skm"}


def test_history_and_pdf_summary_for_the_tpi(app, data, tmp_path):
    client = signed_in(app, "kanwil")
    post(client)
    post(client, capaian_kinerja="3.5")
    page = client.get("/staf/unit/LAPAS/zi?tahun=2026").get_data(as_text=True)
    history = page.split("Riwayat evaluasi")[1].split("</table>")[0]
    assert history.count("<tr>") == 3  # header + two saves, newest first
    assert "capaian_kinerja" in history and "dibuat" in history and "kanwil" in history
    pdf = tmp_path / "zi.pdf"
    pdf.write_bytes(client.get("/staf/unit/LAPAS/zi.pdf?tahun=2026").data)
    text = pdf_lines(pdf)
    assert "Kesiapan Zona Integritas 2026" in text and "Unit LAPAS" in text
    assert re.search(r"Total\s+81,45", text)  # 45,20 + 17,15 + 3,50 + 15,60
    assert re.search(r"WBK: Memenuhi", text) and re.search(r"WBBM: Belum memenuhi", text)
    assert re.search(r"Total\s+81,45\s+85,00\s+3,55", text)
    assert client.get("/staf/unit/LAPAS/zi.pdf?tahun=2025").status_code == 404
    assert signed_in(app, "lapas").get("/staf/unit/RUTAN/zi.pdf?tahun=2026").status_code == 403


def _entered_thresholds():
    """Every condition decided by entered values alone, in each profile (name, key, minimum)."""
    for name in ("permenpanrb-90-2021", "bpmp-2023", "kemenkumham-52-2014"):
        profile = load_profile(name)
        for predikat, rules in profile.predikat.items():
            for rule in rules:
                if rule.get("nilai") in ("pengungkit", "capaian_kinerja", "tlhp"):
                    yield name, predikat, rule["nilai"], rule["minimum"]
                elif "setiap_area" in rule:
                    area = profile.pengungkit[-1]  # one area per share rule keeps this quick
                    share = float(rule["setiap_area"]) * float(area.bobot)
                    yield name, predikat, area.key, f"{share:.2f}"


# SQLite only: the same page on PostgreSQL is covered by the other tests of this file.
@pytest.mark.parametrize("backend", ["sqlite"])
@pytest.mark.parametrize(("profile", "predikat", "key", "minimum"), list(_entered_thresholds()))
@pytest.mark.parametrize("below", [False, True])
def test_every_entered_threshold_of_every_profile_through_the_web(
    app, data, profile, predikat, key, minimum, below
):
    p = load_profile(profile)
    full = {a.key: str(a.bobot) for a in p.pengungkit}
    value = float(minimum) - (0.01 if below else 0)
    fields = (
        {"capaian_kinerja": "5", "tlhp": "5"}
        if profile != "kemenkumham-52-2014"
        else {"capaian_kinerja": "", "tlhp": "5"}
    )
    if profile != "kemenkumham-52-2014":
        fields.pop("tlhp")
    if key in ("capaian_kinerja", "tlhp"):
        fields[key] = f"{value:.2f}"
    elif key == "pengungkit":  # every area in proportion, the last one takes the remainder
        total = sum(float(a.bobot) for a in p.pengungkit)
        shares = [round(float(a.bobot) * value / total, 2) for a in p.pengungkit[:-1]]
        for area, share in zip(p.pengungkit, shares, strict=False):
            full[area.key] = f"{share:.2f}"
        full[p.pengungkit[-1].key] = f"{value - sum(shares):.2f}"
    else:
        full[key] = f"{value:.2f}"
    client = signed_in(app, "kanwil")
    response = post(client, profile=profile, areas=full, **fields)
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    page = client.get("/staf/unit/LAPAS/zi?tahun=2026").get_data(as_text=True)
    other = "WBBM" if predikat == "wbk" else "ZZZ"
    section = page.split(f"<h2>{predikat.upper()}</h2>")[1].split(f"<h2>{other}</h2>")[0]
    label = p.label(key)
    if below:
        assert f"{label}: " in section and "<strong>(kurang 0,01)</strong>" in section
    else:
        assert f"{label}: " not in section


# -- index-dependent thresholds: answers engineered to the lowest passing index, and one below --


def answers_for(codes: list[str], index: Decimal) -> list[dict[str, int]]:
    """625 respondents' answers to ``codes`` whose index (the mean of the item means) is exactly
    ``index``, to 4 decimals. Item 1 is answered by 16 of them and item 2 by all 625: a/16 +
    b/625 = (625a + 16b)/10000 reaches every multiple of 1/10000 (16 and 625 are coprime); the
    other items, answered by the 16, have whole means."""
    k = len(codes)
    needed = int(index * 10_000) * k  # the sum of the item means, x 10000
    for rest in range(k - 2, 4 * (k - 2) + 1):
        remainder = needed - rest * 10_000
        for a in range(16, 65):
            b, left = divmod(remainder - 625 * a, 16)
            if not left and 625 <= b <= 2500:
                rows: list[dict[str, int]] = [{} for _ in range(625)]
                spread(rows, codes[1], b)
                spread(rows[:16], codes[0], a)
                whole = [rest // (k - 2) + (i < rest % (k - 2)) for i in range(k - 2)]
                for code, mean in zip(codes[2:], whole, strict=True):
                    spread(rows[:16], code, mean * 16)
                return rows
    raise ValueError(f"no answers give index {index}")


def spread(rows: list[dict[str, int]], code: str, total: int) -> None:
    """Answers to ``code`` in ``rows`` (each 1-4) summing to ``total``."""
    base, extra = divmod(total, len(rows))
    for i, row in enumerate(rows):
        row[code] = base + (i < extra)
    assert all(1 <= row[code] <= 4 for row in rows)


def import_month(app, tree, tmp_path, month: str, indices: dict[str, Decimal]) -> None:
    """625 answers in ``month`` with each instrument at exactly the given index."""
    catalogue = app.extensions["zisurvey.catalogue"]
    rows: list[dict[str, int]] = [{} for _ in range(625)]
    for name, index in indices.items():
        for row, part in zip(
            rows, answers_for(list(catalogue.instruments[name].codes), index), strict=True
        ):
            row.update(part)
    codes = [c for name in indices for c in catalogue.instruments[name].codes]
    lines = [",".join(["submitted_at", "layanan", *codes])]
    lines += [
        ",".join([f"{month}-10T09:00:00", "KUNJ", *(str(row.get(c, "")) for c in codes)])
        for row in rows
    ]
    path = tmp_path / f"{month}.csv"
    path.write_text("\n".join(lines) + "\n")
    frame = read_responses(path, catalogue.schema(), tz="Asia/Makassar")
    import_responses(db.session, catalogue, tree["lapas"], frame, datetime(2026, 7, 1, tzinfo=UTC))
    db.session.commit()


def readiness_for(client, month: str, profile: str, areas: dict, fields: dict, predikat: str):
    """The verdict section of ``predikat`` with the survey of ``month``: (failing, page)."""
    response = post(
        client, profile=profile, areas=areas, survei_dari=month, survei_sampai=month, **fields
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    page = client.get("/staf/unit/LAPAS/zi?tahun=2026").get_data(as_text=True)
    section = page.split(f"<h2>{predikat.upper()}</h2>")[1].split("</article>")[0]
    return set(re.findall(r"<li>([^<:]+): ", section)), section, page


FOUR = Decimal(4)


@pytest.mark.parametrize("backend", ["sqlite"])  # the same pages on PostgreSQL: tests above
@pytest.mark.parametrize(
    ("profile", "predikat", "key", "varied", "fixed", "areas", "fields", "lowest"),
    [
        # Comparisons are on points rounded to 2 decimals (REGULATION.md section 5), so IPAK
        # points >= 15,75 hold from 15,745: 15,745 / 17,5 x 4 = 3,59885..., not the "3,60" the
        # spec quotes beside it
        ("permenpanrb-90-2021", "wbk", "ipak", "ipak", {"ipkp": FOUR}, WORKED, {}, "3,5989"),
        # the total binds: 42 + 2,5 + 14 (IPKP 3,2) + IPAK >= 74,995: 16,495 / 17,5 x 4 = 3,77028
        (
            "permenpanrb-90-2021",
            "wbk",
            "ipak",
            "ipak",
            {"ipkp": Decimal("3.2")},
            dict(FLOOR, manajemen_perubahan="8.0", penataan_sdm="8.8"),
            {"capaian_kinerja": "2.5"},
            "3,7703",
        ),
        # Pelayanan Publik Prima >= 14,00 from 13,995: 13,995 / 17,5 x 4 = 3,19885...
        ("permenpanrb-90-2021", "wbk", "ipkp", "ipkp", {"ipak": FOUR}, WORKED, {}, "3,1989"),
        # BPMP's IPAK minimum 15,50 from 15,495: 15,495 / 17,5 x 4 = 3,54171...
        ("bpmp-2023", "wbk", "ipak", "ipak", {"ipkp": FOUR}, BPMP_AREAS, {}, "3,5418"),
        # 52/2014: Bersih dan Bebas KKN >= 18 with TLHP 4: 13,995 / 15 x 4 = 3,732
        (
            "kemenkumham-52-2014",
            "wbk",
            "ipak",
            "ipak",
            {"skm": FOUR},
            KEMENKUMHAM_AREAS,
            {"capaian_kinerja": "", "tlhp": "4"},
            "3,7320",
        ),
        # 52/2014 WBBM, IKM for service quality: hasil >= 34 with IPK 3,7 (13,875) and TLHP 3,5
        # needs 16,62 / 20 x 4 = 3,324; Bersih dan Bebas KKN (17,375 < 18) fails either way
        (
            "kemenkumham-52-2014",
            "wbbm",
            "ipkp",
            "skm",
            {"ipak": Decimal("3.7")},
            KEMENKUMHAM_AREAS,
            {"capaian_kinerja": "", "tlhp": "3.5"},
            "3,3240",
        ),
    ],
)
def test_lowest_passing_index_holds_at_it_and_fails_one_step_below(
    app, data, tmp_path, profile, predikat, key, varied, fixed, areas, fields, lowest
):
    """The page names the lowest index that still passes; answers engineered to give exactly
    that index pass every condition that depends on it, and 0,0001 less fails one."""
    client = signed_in(app, "kanwil")
    import_month(app, data, tmp_path, "2026-04", {varied: Decimal("2.5"), **fixed})
    _, section, _ = readiness_for(client, "2026-04", profile, areas, fields, predikat)
    found = re.search(rf"Indeks {key.upper()} terendah yang masih lolos: (\d,\d{{4}})", section)
    assert found is not None and found.group(1) == lowest
    at = Decimal(lowest.replace(",", "."))
    import_month(app, data, tmp_path, "2026-05", {varied: at, **fixed})
    import_month(app, data, tmp_path, "2026-06", {varied: at - Decimal("0.0001"), **fixed})
    passing, section, page = readiness_for(client, "2026-05", profile, areas, fields, predikat)
    assert f"indeks {lowest}, n = 625" in page
    failing, below, page = readiness_for(client, "2026-06", profile, areas, fields, predikat)
    assert f"indeks {at - Decimal('0.0001'):.4f}, n = 625".replace(".", ",") in page
    assert passing < failing, (passing, failing)  # one more condition fails, none passes instead
    if not passing:
        assert '<p class="verdict ok">' in section and '<p class="verdict bad">' in below
