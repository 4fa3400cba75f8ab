"""Print and social artefacts of a publication, drawn from its frozen snapshot.

The layout units already use for SKM publications: the title, the unit and period, a large
NILAI IKM with mutu and kinerja, IPAK and IPKP, respondents by layanan, jenis kelamin and
pendidikan, the survey period, a thank-you line and the QR code back to the survey. Every number
comes from the snapshot, so an artefact can never disagree with the published page.

PDFs (A3 poster, 60 x 160 cm X-banner) have vector text in the DejaVu Sans fonts shipped under
``static/fonts`` (embedded, subset); PNGs (1080 x 1080, 1080 x 1920) use the same fonts.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import qrcode
from babel.dates import format_date
from PIL import Image, ImageDraw, ImageFont
from qrcode.constants import ERROR_CORRECT_M
from reportlab.lib.colors import HexColor, white
from reportlab.lib.pagesizes import A3
from reportlab.lib.units import cm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from analysis.periods import Span, nama_periode
from analysis.sample import FORMULA_NAMES

FONTS = Path(__file__).resolve().parents[2] / "static" / "fonts"
REGULAR, BOLD = "DejaVuSans", "DejaVuSans-Bold"
BRAND, INK, MUTED = "#0b4f6c", "#1c2328", "#51606b"
TITLE = "SURVEI KEPUASAN MASYARAKAT"
PAGES = {"a3": A3, "xbanner": (60 * cm, 160 * cm)}
# every artefact of a publication by its file name: a PDF page size or a PNG image size
FILES = {
    "poster-a3.pdf": ("a3", None),
    "xbanner-60x160.pdf": ("xbanner", None),
    "sosial-1080x1080.png": (None, "1080x1080"),
    "sosial-1080x1920.png": (None, "1080x1920"),
}
IMAGES = {"1080x1080": (1080, 1080), "1080x1920": (1080, 1920)}


@dataclass(frozen=True)
class Content:
    """What every artefact says, as text, from a snapshot."""

    unit: str
    period: str
    dates: str
    ikm: str
    ikm_mutu: str
    others: list[tuple[str, str, str]]  # IPAK/IPKP: name, nilai, mutu
    respondents: str
    per_layanan: list[tuple[str, str]]
    jenis_kelamin: str
    pendidikan: str
    notes: list[str]
    thanks: str
    url: str
    logo: bytes | None = None  # the unit's PNG, drawn in the title band
    minutes: int = 2  # the honest estimate of the form the QR opens


def content(
    snapshot: dict[str, Any],
    survey_url: str,
    tanggal: Any,
    logo: bytes | None = None,
    minutes: int = 2,
) -> Content:
    """The texts of the artefacts; ``tanggal`` formats an ISO date the Indonesian way."""
    by_index = {row["indeks"]: row for row in snapshot["indeks"]}
    ikm = by_index.get("IKM", {})
    notes = []
    until = snapshot["periode"].get("sementara_sampai")
    if until:  # a period not ended yet says so on every artefact (REGULATION §6)
        notes.append(f"HASIL SEMENTARA s.d. {tanggal(until)}: periode belum berakhir.")
    if not snapshot.get("memenuhi_minimal", True):
        sampel = snapshot.get("aturan_minimal", {}).get("aturan") == "sampel"
        short = ", ".join(
            f"{s['layanan']} {month_words(s['bulan'])} {s['n']}/{s['minimum']}"
            + (
                " (tetap: jumlah dilayani tidak diisi)"
                if sampel and s.get("aturan") == "tetap"
                else ""
            )
            for s in snapshot["di_bawah_minimal"]
        )
        notes.append(f"Belum memenuhi jumlah minimal responden{rule_words(snapshot)}: {short}.")
    for gone in left_out_once(snapshot.get("dihilangkan")):
        layanan = f" (layanan {', '.join(gone['layanan'])})" if gone["layanan"] else ""
        notes.append(f"{gone['indeks']} tanpa butir {gone['kode']}{layanan}: {gone['alasan']}")
    excluded = snapshot.get("dikecualikan", {}).get("jumlah", 0)
    if excluded:
        notes.append(f"{excluded} jawaban dikecualikan setelah ditinjau petugas.")
    return Content(
        unit=snapshot["unit"]["nama"],
        period=f"Periode {_period(snapshot['periode'])}",
        dates=(
            f"Periode survei: {tanggal(snapshot['periode']['tanggal_awal'])} - "
            f"{tanggal(snapshot['periode']['tanggal_akhir'])}"
        ),
        ikm=_koma(ikm.get("nilai")),
        ikm_mutu=f"Mutu {ikm.get('mutu') or '-'} · {ikm.get('kinerja') or '-'}",
        others=[
            (name, _koma(row.get("nilai")), f"Mutu {row.get('mutu') or '-'}")
            for name, row in by_index.items()
            if name != "IKM" and row.get("n")
        ],
        respondents=f"{snapshot['responden']} responden",
        per_layanan=[(r["layanan"], str(r["n"])) for r in snapshot["responden_per_layanan"]],
        jenis_kelamin=_cells(snapshot["demografi"].get("jenis_kelamin", [])),
        pendidikan=_cells(snapshot["demografi"].get("pendidikan", [])),
        notes=notes,
        thanks=snapshot.get("terima_kasih", "Terima kasih."),
        url=survey_url,
        logo=logo,
        minutes=minutes,
    )


def _period(periode: dict[str, Any]) -> str:
    """The period as people read it (Triwulan IV 2026), from the snapshot's kind and months."""
    kind = periode.get("jenis")
    if kind and periode.get("dari") and periode.get("sampai"):
        return nama_periode(Span(kind, periode["dari"], periode["sampai"]))
    return str(periode["label"])


def month_words(month: str) -> str:
    """``2026-10`` as people read it: Oktober 2026."""
    return str(format_date(date(int(month[:4]), int(month[5:7]), 1), "MMMM y", locale="id"))


def rule_words(snapshot: dict[str, Any]) -> str:
    """The minimum rule a snapshot was judged under, by name (REGULATION §3), as
    " (aturan tetap: 30/15 per bulan)"; empty for a snapshot from before rules had names."""
    rule = snapshot.get("aturan_minimal")
    if not rule:
        return ""
    if rule.get("aturan") == "sampel":
        name = FORMULA_NAMES.get(rule.get("rumus", ""), "Krejcie-Morgan")
        return f" (aturan sampel {name} dari jumlah orang dilayani)"
    return " (aturan tetap: 30/15 per bulan)"


def _koma(value: str | None) -> str:
    return "-" if value is None else f"{Decimal(value):.2f}".replace(".", ",")


def draw(text: Content, name: str) -> bytes:
    """The artefact ``name`` (a key of :data:`FILES`) of ``text``; KeyError for another."""
    page, image = FILES[name]
    return poster_pdf(text, page) if page else social_png(text, image or "")


def _cell(row: dict[str, Any]) -> str:
    """A demographic count, "<5" for a small cell, "*" for one hidden against differencing."""
    if row["n"] is not None:
        return str(row["n"])
    return "*" if row.get("disembunyikan") == "selisih" else "<5"


def _cells(rows: list[dict[str, Any]]) -> str:
    shown = [f"{r['nilai']} {_cell(r)}" for r in rows if r["n"] != 0]
    return " · ".join(shown) or "-"


# -- PDF -------------------------------------------------------------------------------------


def _fonts() -> None:
    if REGULAR not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(REGULAR, str(FONTS / "DejaVuSans.ttf")))
        pdfmetrics.registerFont(TTFont(BOLD, str(FONTS / "DejaVuSans-Bold.ttf")))


def poster_pdf(text: Content, kind: str) -> bytes:
    """One page: ``kind`` is "a3" (297 x 420 mm) or "xbanner" (600 x 1600 mm)."""
    _fonts()
    width, height = PAGES[kind]
    unit = width / 29.7  # one "cm" of the A3 design, scaled to the sheet's width
    buffer = io.BytesIO()
    pdf = Canvas(buffer, pagesize=(width, height), pageCompression=1)
    pdf.setTitle(f"{TITLE} - {text.unit} - {text.period}")
    blocks = _blocks(pdf, text, width, unit)
    gap = max(0.6 * unit, (height - 4 * unit - sum(h for h, _ in blocks)) / (len(blocks) + 1))
    y = height
    for number, (block_height, draw) in enumerate(blocks):
        y -= block_height if number == 0 else gap + block_height
        draw(y)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def _blocks(pdf: Canvas, text: Content, width: float, u: float) -> list[tuple[float, Any]]:
    middle = width / 2

    def centred(
        y: float, line: str, font: str, size: float, colour: str = INK, room: float = 3.0
    ) -> None:
        pdf.setFillColor(HexColor(colour) if colour != "white" else white)
        pdf.setFont(font, _fit(line, font, size, width - room * u))
        pdf.drawCentredString(middle, y, line)

    def header(y: float) -> None:
        pdf.setFillColor(HexColor(BRAND))
        pdf.rect(0, y, width, 6.5 * u, stroke=0, fill=1)
        if text.logo:
            side = 4.6 * u
            pdf.drawImage(
                ImageReader(io.BytesIO(text.logo)),
                1.0 * u,
                y + 1.0 * u,
                side,
                side,
                preserveAspectRatio=True,
                mask="auto",
            )
        room = 13.5 if text.logo else 3.0  # clear of the logo on the left, and balanced
        centred(y + 4.4 * u, TITLE, BOLD, 1.25 * u, "white", room)
        centred(y + 2.7 * u, text.unit, BOLD, 0.95 * u, "white", room)
        centred(y + 1.3 * u, text.period, REGULAR, 0.75 * u, "white", room)

    def ikm(y: float) -> None:
        centred(y + 5.6 * u, "NILAI IKM", BOLD, 0.8 * u, MUTED)
        centred(y + 1.9 * u, text.ikm, BOLD, 3.6 * u, BRAND)
        centred(y + 0.4 * u, text.ikm_mutu, BOLD, 0.9 * u)

    def others(y: float) -> None:
        count = max(1, len(text.others))
        for n, (name, nilai, mutu) in enumerate(text.others):
            x = width * (n + 0.5) / count
            pdf.setFillColor(HexColor(MUTED))
            pdf.setFont(BOLD, 0.7 * u)
            pdf.drawCentredString(x, y + 2.4 * u, name)
            pdf.setFillColor(HexColor(BRAND))
            pdf.setFont(BOLD, 1.6 * u)
            pdf.drawCentredString(x, y + 0.8 * u, nilai)
            pdf.setFillColor(HexColor(INK))
            pdf.setFont(REGULAR, 0.6 * u)
            pdf.drawCentredString(x, y, mutu)

    def respondents(y: float) -> None:
        lines = [(text.respondents, BOLD, 0.85 * u)]
        lines += [(f"{name}: {n}", REGULAR, 0.6 * u) for name, n in text.per_layanan]
        lines += [
            (f"Jenis kelamin: {text.jenis_kelamin}", REGULAR, 0.6 * u),
            (f"Pendidikan: {text.pendidikan}", REGULAR, 0.6 * u),
            *[(note, REGULAR, 0.55 * u) for note in text.notes],
        ]
        top = y + len(lines) * 0.95 * u
        for line, font, size in lines:
            top -= 0.95 * u
            centred(top, line, font, size)

    def survey(y: float) -> None:
        side = 6 * u
        _qr_vector(pdf, text.url, middle - side / 2, y + 1.6 * u, side)
        centred(
            y + 0.9 * u,
            f"Pindai untuk mengisi survei (anonim, sekitar {text.minutes} menit)",
            BOLD,
            0.6 * u,
        )
        centred(y + 0.1 * u, text.url, REGULAR, 0.45 * u, MUTED)

    def closing(y: float) -> None:
        centred(y + 0.9 * u, text.thanks, BOLD, 0.65 * u, BRAND)
        centred(y, text.dates, REGULAR, 0.55 * u, MUTED)

    rows = len(text.per_layanan) + 3 + len(text.notes)
    return [
        (6.5 * u, header),
        (6.6 * u, ikm),
        (3.2 * u if text.others else 0.0, others),
        (rows * 0.95 * u, respondents),
        (7.8 * u, survey),
        (1.6 * u, closing),
    ]


def _fit(line: str, font: str, size: float, width: float) -> float:
    while size > 4 and pdfmetrics.stringWidth(line, font, size) > width:
        size *= 0.95
    return size


def _matrix(url: str) -> list[list[bool]]:
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=4)
    code.add_data(url)
    code.make(fit=True)
    return code.get_matrix()


def _qr_vector(pdf: Canvas, url: str, x: float, y: float, side: float) -> None:
    matrix = _matrix(url)
    module = side / len(matrix)
    pdf.setFillColor(white)
    pdf.rect(x, y, side, side, stroke=0, fill=1)
    pdf.setFillColor(HexColor("#000000"))
    for row, cells in enumerate(matrix):
        for col, dark in enumerate(cells):
            if dark:
                pdf.rect(x + col * module, y + side - (row + 1) * module, module, module, 0, 1)


# -- PNG -------------------------------------------------------------------------------------


def social_png(text: Content, size: str) -> bytes:
    """A square (1080 x 1080) or story (1080 x 1920) image for social media."""
    width, height = IMAGES[size]
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    tall = height > width
    band = 300 if tall else 250
    draw.rectangle((0, 0, width, band), fill=BRAND)
    if text.logo:
        with Image.open(io.BytesIO(text.logo)) as logo:
            mark = logo.convert("RGBA")
        mark.thumbnail((120, 120))
        image.paste(mark, (24, 24), mark)
    room = 340 if text.logo else 80
    _line(draw, width, 60, TITLE, BOLD, 56, "white", room)
    _line(draw, width, 140, text.unit, BOLD, 46, "white", room)
    _line(draw, width, 205, text.period, REGULAR, 34, "white", room)
    y = band + (90 if tall else 25)
    _line(draw, width, y, "NILAI IKM", BOLD, 40, MUTED)
    _line(draw, width, y + 50, text.ikm, BOLD, 200 if tall else 150, BRAND)
    y += 290 if tall else 225
    _line(draw, width, y, text.ikm_mutu, BOLD, 46 if tall else 40, INK)
    y += 90 if tall else 70
    for n, (name, nilai, mutu) in enumerate(text.others):
        x = width * (n + 0.5) / max(1, len(text.others))
        _at(draw, x, y, f"{name} {nilai}", BOLD, 48 if tall else 42, BRAND)
        _at(draw, x, y + 55, mutu, REGULAR, 32 if tall else 28, INK)
    y += (130 if tall else 105) if text.others else 0
    lines = [text.respondents]
    if not tall and text.notes:  # no room for details, but every artefact says it
        lines.append("Catatan: " + " ".join(text.notes))
    if tall:
        lines += [f"{name}: {n}" for name, n in text.per_layanan]
        lines += [f"Jenis kelamin: {text.jenis_kelamin}", f"Pendidikan: {text.pendidikan}"]
        lines += text.notes
    for line in lines:
        bold = line == text.respondents
        _line(draw, width, y, line, BOLD if bold else REGULAR, 34 if bold or tall else 24, INK)
        y += 50 if bold or tall else 34
    side = 300 if tall else 210
    qr = _qr_image(text.url, side)
    top = height - side - (170 if tall else 110)
    image.paste(qr, ((width - side) // 2, top))
    _line(draw, width, top + side + 10, "Pindai untuk mengisi survei", BOLD, 32, INK)
    _line(draw, width, height - (80 if tall else 50), text.thanks, BOLD, 30, BRAND)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def _font(name: str, size: int) -> ImageFont.FreeTypeFont:
    path = FONTS / ("DejaVuSans-Bold.ttf" if name == BOLD else "DejaVuSans.ttf")
    return ImageFont.truetype(str(path), size)


def _line(
    draw: ImageDraw.ImageDraw,
    width: int,
    y: float,
    text: str,
    name: str,
    size: int,
    fill: str,
    room: int = 80,
) -> None:
    _at(draw, width / 2, y, text, name, size, fill, max_width=width - room)


def _at(
    draw: ImageDraw.ImageDraw,
    x: float,
    y: float,
    text: str,
    name: str,
    size: int,
    fill: str,
    max_width: float | None = None,
) -> None:
    font = _font(name, size)
    while max_width and size > 12 and draw.textlength(text, font=font) > max_width:
        size = int(size * 0.92)
        font = _font(name, size)
    draw.text((x, y), text, font=font, fill=fill, anchor="ma")


def _qr_image(url: str, side: int) -> Image.Image:
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=4, box_size=10)
    code.add_data(url)
    code.make(fit=True)
    image = code.make_image().convert("RGB")
    return image.resize((side, side), Image.Resampling.NEAREST)


def left_out_once(entries: Any) -> list[dict[str, Any]]:
    """A publication's left-out items (its snapshot's ``dihilangkan``: one entry per version)
    once per index, code and reason, in their order: a reason kept by several versions is
    said once, with the names of the layanan of all of them (``layanan``, sorted; empty for a
    snapshot frozen before it named them, which still renders)."""
    out: dict[tuple[str, str, str], dict[str, Any]] = {}
    for x in entries or []:
        get = x.get if isinstance(x, dict) else (lambda name, x=x: getattr(x, name, ""))
        key = (str(get("indeks")), str(get("kode")), str(get("alasan")).rstrip(". "))
        found = out.setdefault(
            key,
            {"indeks": key[0], "kode": key[1], "alasan": str(get("alasan")), "layanan": set()},
        )
        found["layanan"].update(str(n) for n in (get("layanan") or ()))
    return [x | {"layanan": sorted(x["layanan"])} for x in out.values()]
