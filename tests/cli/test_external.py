"""Files shaped like what units have (fixtures/external/README.md), each with its right result.

Then the same kinds made anew here (other separators, encodings, stamps, titles, leftovers,
workbooks), since the handed files are only examples of each kind.
"""

from __future__ import annotations

import io
import json

import pandas as pd
import pytest
from openpyxl import Workbook

from tests.cli.test_commands import EXPECTED, run
from tests.conftest import FIXTURES

EXTERNAL = FIXTURES / "external"
ITEMS = ",".join(f"U{i}" for i in range(1, 10))
ANSWERS = ",".join("4" * 9)
WORKED = FIXTURES / "worked_example.csv"


def score(path, *args):
    return run("score", str(path), "--instrument", "skm", "--json", *args)


def summary(done):
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    return result["n"], result["indeks"], result["nilai"], result["mutu"]


# -- the README's rows -----------------------------------------------------------------------------


def test_google_forms_export_through_its_mapping():
    done = score(
        EXTERNAL / "gforms_raw_export.csv",
        "--mapping",
        str(EXTERNAL / "gforms_raw_export.mapping.yaml"),
    )
    assert summary(done) == (8, 3.4583, 86.46, "B")
    nrr = json.loads(done.stdout)["nrr"]
    assert nrr == {
        "U1": 3.625, "U2": 3.375, "U3": 3.25, "U4": 3.875, "U5": 3.125,
        "U6": 3.125, "U7": 3.75, "U8": 3.625, "U9": 3.375,
    }  # fmt: skip


def test_google_forms_export_without_a_mapping_names_the_columns_and_the_fix():
    done = score(EXTERNAL / "gforms_raw_export.csv")
    assert (done.returncode, done.stdout) == (2, "")
    assert "column Cap waktu: unknown column" in done.stderr
    assert "column 1. Bagaimana pendapat Saudara tentang kesesuaian" in done.stderr
    assert "a mapping file is needed (zisurvey mapping FILE" in done.stderr


def test_excel_in_an_indonesian_locale_is_the_worked_example():
    assert json.loads(score(EXTERNAL / "excel_idID_semicolon.csv").stdout) == EXPECTED["skm"]


def test_day_month_year_stamps_with_waktu_and_ambiguous_without():
    path = EXTERNAL / "sheets_dmy_timestamps.csv"
    assert summary(score(path, "--waktu", "dmy", "--period", "2026-01")) == (3, 3.4074, 85.19, "B")
    done = score(path, "--period", "2026-01")
    assert (done.returncode, done.stdout) == (2, "")
    lines = done.stderr.splitlines()
    assert [line.split(",")[0] for line in lines] == ["row 1", "row 2", "row 3"]
    assert all("cannot be told apart" in line and "--waktu dmy" in line for line in lines)


def test_service_codes_typed_by_hand_are_matched_trimmed_and_ignoring_case():
    path = EXTERNAL / "layanan_stray_space.csv"
    assert summary(score(path, "--layanan", "KUNJ")) == (20, 3.5251, 88.13, "B")
    assert summary(score(path, "--layanan", " kunj ")) == (20, 3.5251, 88.13, "B")


def test_a_truncated_workbook_is_refused_in_one_line():
    done = score(EXTERNAL / "xlsx_truncated_download.xlsx")
    assert (done.returncode, done.stdout) == (2, "")
    [line] = done.stderr.splitlines()
    assert "damaged or incomplete" in line and "Traceback" not in done.stderr


# -- the same kinds, made anew --------------------------------------------------------------------


def worked_rows() -> list[list[str]]:
    return [line.split(",") for line in WORKED.read_text().splitlines()]


def test_semicolons_crlf_and_a_bom_together(tmp_path):
    text = "\r\n".join(";".join(row) for row in worked_rows()) + "\r\n"
    path = tmp_path / "rekap.csv"
    path.write_bytes("\ufeff".encode() + text.encode())
    assert json.loads(score(path).stdout) == EXPECTED["skm"]


def test_another_encoding_is_refused_with_the_fix_or_read_when_named(tmp_path):
    lines = WORKED.read_text().splitlines()
    lines[1] += '"Antrean cepat, café nyaman"'  # the first respondent's saran
    text = "\n".join(lines) + "\n"
    path = tmp_path / "ansi.csv"
    path.write_bytes(text.encode("cp1252"))
    done = score(path)
    assert done.returncode == 2 and "not UTF-8" in done.stderr and "CSV UTF-8" in done.stderr
    assert "--encoding cp1252" in done.stderr
    assert json.loads(score(path, "--encoding", "cp1252").stdout) == EXPECTED["skm"]
    utf16 = tmp_path / "unicode.txt"
    utf16.write_bytes(WORKED.read_text().encode("utf-16"))
    assert "UTF-16" in score(utf16).stderr


@pytest.mark.parametrize(
    ("waktu", "stamp", "tz", "period"),
    [
        ("mdy", "01/31/2026 23:30", "WITA", "2026-01"),
        ("dmy", "31.01.2026 23.30", "WIT", "2026-01"),
        ("gforms", "2026/01/31 11:30:00 PM GMT+7", "WIB", "2026-01"),
        ("gforms", "2026/02/01 12:30:00 AM GMT+9", "WIB", "2026-01"),  # 31 Jan 22:30 WIB
        ("gforms", "1/31/2026 23:30:00", "Asia/Makassar", "2026-01"),
        ("%d-%m-%Y %H:%M", "31-01-2026 23:30", "WIB", "2026-01"),
    ],
)
def test_each_stamp_style_lands_in_its_month(tmp_path, waktu, stamp, tz, period):
    path = tmp_path / "stamps.csv"
    path.write_text(f"submitted_at,layanan,{ITEMS}\n{stamp},KUNJ,{ANSWERS}\n")
    done = score(path, "--waktu", waktu, "--tz", tz, "--period", period)
    assert summary(done)[0] == 1, done.stderr


def test_a_gforms_stamp_keeps_its_offset_and_counts_in_the_units_month(tmp_path):
    path = tmp_path / "stamps.csv"
    path.write_text(f"submitted_at,layanan,{ITEMS}\n2026/01/31 11:30:00 PM GMT+7,KUNJ,{ANSWERS}\n")
    by_month = {
        (tz, month): summary(score(path, "--waktu", "gforms", "--tz", tz, "--period", month))[0]
        for tz in ("WIB", "WIT")
        for month in ("2026-01", "2026-02")
    }  # 23:30 WIB is 01:30 the next day in WIT
    assert by_month == {
        ("WIB", "2026-01"): 1, ("WIB", "2026-02"): 0, ("WIT", "2026-01"): 0, ("WIT", "2026-02"): 1
    }  # fmt: skip


def test_labels_on_our_own_form_are_accepted_for_profile_fields(tmp_path):
    rows = worked_rows()
    sex = rows[0].index("jenis_kelamin")
    for row in rows[1:]:
        row[sex] = {"L": " laki-laki", "P": "Perempuan"}.get(row[sex], row[sex])
    path = tmp_path / "labels.csv"
    path.write_text("\n".join(",".join(r) for r in rows))
    assert json.loads(score(path).stdout) == EXPECTED["skm"]


def test_a_title_above_the_header_and_excel_leftovers(tmp_path):
    rows = worked_rows()
    body = "\n".join(",".join([*r, "", ""]) for r in rows)
    path = tmp_path / "judul.csv"
    path.write_text(f"REKAP SURVEI JANUARI 2026,,\n\n{body}\n,,,,\n")
    assert json.loads(score(path).stdout) == EXPECTED["skm"]


def workbook_bytes(rows, title=None, leftovers=False) -> bytes:
    book = Workbook()
    sheet = book.active
    if title:
        sheet.append([title])
        sheet.append([])
    for row in rows:
        sheet.append([*row, *([None, None] if leftovers else [])])
    if leftovers:
        sheet.append([None] * len(rows[0]))
        sheet.cell(row=sheet.max_row + 3, column=1).value = None
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def numeric(rows):
    return [rows[0], *[[int(c) if c.isdigit() else (c or None) for c in r] for r in rows[1:]]]


def test_a_workbook_with_a_title_and_leftovers(tmp_path):
    path = tmp_path / "rekap.xlsx"
    path.write_bytes(workbook_bytes(numeric(worked_rows()), title="Rekap SKM", leftovers=True))
    assert json.loads(score(path).stdout) == EXPECTED["skm"]


def test_any_broken_workbook_is_one_line(tmp_path):
    whole = workbook_bytes(numeric(worked_rows()))
    for cut in (len(whole) // 3, len(whole) - 40, 30):
        path = tmp_path / f"cut{cut}.xlsx"
        path.write_bytes(whole[:cut])
        done = score(path)
        assert done.returncode == 2 and len(done.stderr.splitlines()) == 1, done.stderr
        assert "damaged or incomplete" in done.stderr


def test_an_html_table_saved_as_xls_is_read(tmp_path):
    frame = pd.read_csv(WORKED, dtype=str, keep_default_na=False)
    path = tmp_path / "export.xls"
    path.write_text("<html><body><h1>Rekap</h1>" + frame.to_html(index=False) + "</body></html>")
    assert json.loads(score(path).stdout) == EXPECTED["skm"]
    empty = tmp_path / "page.xls"
    empty.write_text("<html><body><p>Sesi habis, silakan masuk lagi</p></body></html>")
    done = score(empty)
    assert done.returncode == 2 and "web page (HTML) with no table" in done.stderr


def test_a_quote_that_swallows_records_is_refused_naming_the_row(tmp_path):
    lines = WORKED.read_text().splitlines()
    lines[3] += '"Antrian lama'  # opened in row 3's saran ...
    lines[6] += 'ok"'  # ... and closed in row 6's: rows 4 to 6 would vanish into one cell
    path = tmp_path / "quote.csv"
    path.write_text("\n".join(lines) + "\n")
    done = score(path)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.startswith("row 3, column saran: a quoted value runs over 3 following")


def test_a_quote_never_closed_and_an_unquoted_separator_name_their_rows(tmp_path):
    lines = WORKED.read_text().splitlines()
    path = tmp_path / "open.csv"
    path.write_text("\n".join([*lines[:-1], lines[-1] + '"Antrian lama']) + "\n")
    assert score(path).stderr.startswith("row 30: a quoted value is never closed")
    lines[5] += "Antrean cepat, ramah"
    path.write_text("\n".join(lines) + "\n")
    assert score(path).stderr.startswith("row 5: 31 cells where the header has 30")


def test_compliance_matches_service_codes_trimmed_and_ignoring_case(tmp_path):
    services = tmp_path / "layanan.csv"
    services.write_text("kode,nama,kebutuhan_utama\nKUNJ ,Kunjungan,ya\nTITIP,Penitipan,tidak\n")
    path = EXTERNAL / "layanan_stray_space.csv"
    done = run("compliance", str(path), "--services", str(services), "--period", "2026-01")
    assert done.returncode == 0, done.stderr
    done = run(
        "compliance", str(path), "--services", str(services), "--period", "2026-01", "--json"
    )
    counts = {s["kode"]: s["n"] for s in json.loads(done.stdout)["layanan"]}
    assert counts == {"KUNJ": 20, "TITIP": 10}


# -- mapping files ---------------------------------------------------------------------------------


def test_the_proposed_mapping_names_every_column_and_is_never_applied(tmp_path):
    done = run("mapping", str(EXTERNAL / "gforms_raw_export.csv"), "--instrument", "skm")
    assert done.returncode == 0, done.stderr
    proposal = done.stdout
    assert 'U9: "9. Bagaimana pendapat Saudara tentang kualitas sarana dan prasarana?"' in proposal
    assert 'submitted_at: "Cap waktu"' in proposal and "waktu: gforms" in proposal
    assert "jawaban: label" in proposal and '# "Kunjungan": KODE' in proposal
    filled = proposal.replace('# "Kunjungan": KODE', '"Kunjungan": KUNJ').replace(
        '# "Penitipan barang": KODE', '"Penitipan barang": TITIP'
    )
    (tmp_path / "map.yaml").write_text(filled)
    done = score(EXTERNAL / "gforms_raw_export.csv", "--mapping", str(tmp_path / "map.yaml"))
    assert summary(done) == (8, 3.4583, 86.46, "B")


def test_a_bad_mapping_lists_every_problem(tmp_path):
    path = tmp_path / "map.yaml"
    path.write_text(
        "kolom:\n  U1: 'Tidak ada'\n  U99: 'x'\nwaktu: kapan\njawaban: huruf\nbaris_judul: 0\n"
        "label_tambahan:\n  U1: {'Oke': 7}\nwarna: merah\n"
    )
    done = score(EXTERNAL / "gforms_raw_export.csv", "--mapping", str(path))
    assert done.returncode == 2 and done.stdout == ""
    for expected in ("'warna'", "'U99'", "'kapan'", "'huruf'", "baris_judul", "'Oke'"):
        assert expected in done.stderr


def test_a_mapped_file_reports_by_row_and_source_header(tmp_path):
    text = (EXTERNAL / "gforms_raw_export.csv").read_text()
    path = tmp_path / "typo.csv"
    path.write_text(text.replace('"Sangat sesuai","Mudah"', '"Sesuai sekali","Mudah"', 1))
    done = score(path, "--mapping", str(EXTERNAL / "gforms_raw_export.mapping.yaml"))
    assert done.returncode == 2
    assert done.stderr.startswith(
        'row 1, column "1. Bagaimana pendapat Saudara tentang kesesuaian persyaratan pelayanan '
        'dengan jenis pelayanannya?" (U1): value Sesuai sekali is not one of the answer labels'
    )


# -- what a first helper broke, kind by kind -------------------------------------------------------

MADE = FIXTURES / "made"


def write_lines(tmp_path, name, lines, newline="\n"):
    path = tmp_path / name
    path.write_bytes(newline.join(lines).encode() + newline.encode())
    return path


def test_a_row_with_more_or_fewer_cells_than_the_header_is_named_never_shifted(tmp_path):
    lines = [";".join(row) for row in worked_rows()]
    first = lines.copy()
    first[1] = first[1].replace(";4;3;3;3;2;", ";4;3;3;;3;2;", 1)  # an extra cell in row 1
    done = score(write_lines(tmp_path, "a.csv", first, "\r\n"))
    assert done.stderr.startswith("row 1: 31 cells where the header has 30 (a ';' inside")
    short = worked_rows()
    short[3] = short[3][:6]  # row 3 stops after six cells
    done = score(write_lines(tmp_path, "b.csv", [",".join(r) for r in short]))
    assert (done.returncode, done.stderr) == (2, "row 3: 6 cells where the header has 30\n")


@pytest.mark.parametrize("column", ["saran", "layanan"])
def test_a_quote_that_swallows_one_record_is_refused(tmp_path, column):
    rows = worked_rows()
    at = rows[0].index(column)
    rows[4][at] = '"' + rows[4][at]  # opened in row 4 ...
    rows[5][at] = rows[5][at] + '"'  # ... closed in row 5: one record would vanish
    done = score(write_lines(tmp_path, "q.csv", [",".join(r) for r in rows]))
    assert done.returncode == 2
    assert done.stderr.startswith(f"row 4, column {column}: a quoted value runs over 1 following")


def test_a_closed_multiline_saran_with_commas_is_read(tmp_path):
    rows = worked_rows()
    rows[4][-1] = '"Antrean lama,\nloket 1, 2, 3, 4, 5, 6, 7 tutup,\ntolong ditambah."'
    done = score(write_lines(tmp_path, "m.csv", [",".join(r) for r in rows]))
    assert json.loads(done.stdout) == EXPECTED["skm"]


@pytest.mark.parametrize("stamp", ["31/01/2026 24:30", "15/01/2026 12:75", "15/01/2026 10:20:61"])
def test_a_clock_time_that_does_not_exist_is_refused_never_rolled_over(tmp_path, stamp):
    path = write_lines(
        tmp_path, "t.csv", [f"submitted_at,layanan,{ITEMS}", f"{stamp},KUNJ,{ANSWERS}"]
    )
    done = score(path, "--waktu", "dmy")
    assert done.returncode == 2 and "is not a timestamp written as dmy" in done.stderr


def test_services_file_is_read_like_a_responses_file_and_knows_a_code_written_twice(tmp_path):
    data = EXTERNAL / "layanan_stray_space.csv"
    twice = write_lines(
        tmp_path, "s.csv", ["kode,nama,kebutuhan_utama", "KUNJ,K,ya", "kunj ,K,tidak"]
    )
    done = run("compliance", str(data), "--services", str(twice), "--period", "2026-01")
    assert (done.returncode, done.stderr) == (
        2,
        "row 2, column kode: value kunj appears more than once\n",
    )
    excel = tmp_path / "s2.csv"
    excel.write_bytes(
        "\ufeffkode;nama;kebutuhan_utama\r\nKUNJ;Kunjungan;ya\r\nTITIP;Titip;tidak\r\n".encode()
    )
    done = run("compliance", str(data), "--services", str(excel), "--period", "2026-01", "--json")
    assert {s["kode"]: s["n"] for s in json.loads(done.stdout)["layanan"]} == {
        "KUNJ": 20,
        "TITIP": 10,
    }


def test_semicolons_are_found_when_the_headers_hold_commas(tmp_path):
    rows = worked_rows()
    rows[0] = [f"{c} Sistem, Mekanisme" if c.startswith("U") else c for c in rows[0]]
    mapping = tmp_path / "m.yaml"
    mapping.write_text(
        "kolom:\n"
        + "".join(f'  U{i}: "U{i} Sistem, Mekanisme"\n' for i in range(1, 10))
        + "abaikan: ["
        + ", ".join(f'"{c}"' for c in rows[0] if c[:2] in ("AK", "PK"))
        + "]\n"
    )
    path = write_lines(tmp_path, "c.csv", [";".join(r) for r in rows], "\r\n")
    assert json.loads(score(path, "--mapping", str(mapping)).stdout) == EXPECTED["skm"]


def test_xls_workbooks_with_a_title_and_with_real_date_cells():
    assert json.loads(score(MADE / "title_above_header.xls").stdout) == EXPECTED["skm"]
    done = score(
        MADE / "gforms_date_cells.xls", "--mapping", str(MADE / "gforms_date_cells.mapping.yaml")
    )
    assert json.loads(done.stdout) == EXPECTED["skm"]  # dates as cells, labels as answers


def test_a_damaged_xls_says_so_on_stderr_only(tmp_path):
    whole = (MADE / "title_above_header.xls").read_bytes()
    for body in (whole[:3000], whole + b"abc"):
        path = tmp_path / "x.xls"
        path.write_bytes(body)
        done = score(path)
        assert done.stdout == "" or json.loads(done.stdout) == EXPECTED["skm"]


@pytest.mark.parametrize("before", ["<!-- dibuat oleh e-SKM -->\n", "<style>td{}</style>", ""])
def test_html_tables_keep_their_text_whatever_comes_first(tmp_path, before):
    rows = worked_rows()
    rows[1][0] = "0007"  # an id with leading zeros stays as written
    cells = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    path = tmp_path / "e.xls"
    path.write_text(f"{before}<table><tr><td colspan=30>REKAP</td></tr>{cells}</table>")
    assert json.loads(score(path).stdout) == EXPECTED["skm"]
    rows[2][rows[0].index("jenis_kelamin")] = "NA"
    cells = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    path.write_text(f"{before}<table>{cells}</table>")
    assert "row 2, column jenis_kelamin: value NA is not one of" in score(path).stderr


def test_row_numbers_are_the_files_own_with_blank_lines_and_rows(tmp_path):
    lines = [",".join(r) for r in worked_rows()]
    lines[5] = lines[5].replace(",4,4,4,4,4,", ",4,9,4,4,4,", 1)  # data row 5 ...
    lines.insert(3, "")  # ... after a blank line before data row 3 ...
    lines.insert(4, ",,,,")  # ... and a line of empty cells is the 7th line under the header
    done = score(write_lines(tmp_path, "r.csv", lines))
    assert done.stderr.startswith("row 7, column "), done.stderr
    book_rows = numeric(worked_rows())
    book_rows[3] = [9 if isinstance(c, int) else c for c in book_rows[3]]
    book_rows.insert(2, [None] * 30)
    path = tmp_path / "r.xlsx"
    path.write_bytes(workbook_bytes(book_rows))
    assert score(path).stderr.startswith("row 4, column ")


@pytest.mark.parametrize(
    ("body", "says"),
    [
        (bytes(range(256)) * 4, "neither CSV nor an Excel workbook"),
        (b"\xef\xbb\xbf", "the file is empty"),
        (
            b"PK\x03\x04"
            + b"\x00" * 30
            + b"mimetypeapplication/vnd.oasis.opendocument.spreadsheet",
            "OpenDocument",
        ),
    ],
)
def test_files_that_are_no_table_say_what_they_are(tmp_path, body, says):
    path = tmp_path / "x.xlsx"
    path.write_bytes(body)
    done = score(path)
    assert done.returncode == 2 and says in done.stderr and len(done.stderr.splitlines()) == 1


def test_a_mapping_naming_one_column_twice_or_a_key_twice_is_refused(tmp_path):
    path = tmp_path / "m.yaml"
    path.write_text('kolom:\n  U1: "A"\n  U2: "a "\n')
    assert "U1 and U2 name the same column" in score(WORKED, "--mapping", str(path)).stderr
    path.write_text('kolom:\n  U1: "A"\n  U1: "B"\n')
    assert "key U1 is written twice" in score(WORKED, "--mapping", str(path)).stderr


def test_proposals_match_short_headers_and_whole_words(tmp_path):
    headers = [
        "Timestamp", "Layanan yang diterima", "Usia", "Prosedur pelayanan mudah dipahami?",
        "Kecepatan waktu pelayanan", "Sarana: ruang tunggu", "Kritik dan saran\n(opsional)",
    ]  # fmt: skip
    path = tmp_path / "h.csv"
    pd.DataFrame([["2026/01/05 8:00:00 AM GMT+7", "Kunjungan", "30", "Mudah", "Cepat", "Baik", ""]],
                 columns=headers).to_csv(path, index=False)  # fmt: skip
    proposal = run("mapping", str(path), "--instrument", "skm").stdout
    assert 'U2: "Prosedur pelayanan mudah dipahami?"' in proposal
    assert 'U3: "Kecepatan waktu pelayanan"' in proposal
    assert 'saran: "Kritik dan saran\\n(opsional)"' in proposal and 'umur: "Usia"' in proposal
    assert 'saran: "Sarana' not in proposal
