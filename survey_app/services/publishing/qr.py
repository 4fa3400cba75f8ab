"""QR codes for a layanan's public form, the A4 poster for the loket, and ticket slips."""

from __future__ import annotations

import io

import qrcode
import qrcode.image.svg
from qrcode.constants import ERROR_CORRECT_M
from reportlab.lib.colors import HexColor, black
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import cm
from reportlab.pdfgen.canvas import Canvas

QR_SIDE = 14 * cm  # a QR code scans from about ten times its width: 14 cm reaches 1 m with room
INSTRUCTION = (
    "Pindai kode QR ini dengan ponsel Anda untuk mengisi survei (tanpa nama, sekitar %d menit)."
)


def _matrix(url: str) -> list[list[bool]]:
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=4)
    code.add_data(url)
    code.make(fit=True)
    return code.get_matrix()


def qr_png(url: str, box_size: int = 10) -> bytes:
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=4, box_size=box_size)
    code.add_data(url)
    buffer = io.BytesIO()
    code.make_image().save(buffer, format="PNG")
    return buffer.getvalue()


def qr_svg(url: str) -> bytes:
    image = qrcode.make(
        url, image_factory=qrcode.image.svg.SvgPathImage, error_correction=ERROR_CORRECT_M
    )
    buffer = io.BytesIO()
    image.save(buffer)
    return buffer.getvalue()


def poster_pdf(unit: str, layanan: str, url: str, minutes: int = 2) -> bytes:
    """An A4 portrait poster: unit, layanan, a 14 cm vector QR code, one instruction, the URL."""
    buffer = io.BytesIO()
    pdf = Canvas(buffer, pagesize=A4, pageCompression=1)
    pdf.setTitle(f"Survei {layanan} - {unit}")
    width, height = A4
    pdf.setFillColor(HexColor("#0b4f6c"))
    pdf.rect(0, height - 4.2 * cm, width, 4.2 * cm, stroke=0, fill=1)
    pdf.setFillColor(HexColor("#ffffff"))
    pdf.setFont("Helvetica-Bold", 26)
    pdf.drawCentredString(width / 2, height - 2.2 * cm, "SURVEI KEPUASAN MASYARAKAT")
    pdf.setFont("Helvetica", 15)
    pdf.drawCentredString(width / 2, height - 3.3 * cm, _fit(pdf, unit, 15, width - 3 * cm))
    pdf.setFillColor(black)
    pdf.setFont("Helvetica-Bold", 22)
    pdf.drawCentredString(width / 2, height - 6 * cm, _fit(pdf, layanan, 22, width - 3 * cm))
    _draw_qr(pdf, url, (width - QR_SIDE) / 2, height - 7 * cm - QR_SIDE, QR_SIDE)
    pdf.setFont("Helvetica", 14)
    y = height - 8.3 * cm - QR_SIDE
    for line in _wrap(pdf, INSTRUCTION % minutes, 14, width - 4 * cm):
        pdf.drawCentredString(width / 2, y, line)
        y -= 0.7 * cm
    pdf.setFont("Courier", 11)
    pdf.drawCentredString(width / 2, y - 0.4 * cm, url)
    pdf.setFont("Helvetica-Oblique", 10)
    pdf.drawCentredString(
        width / 2, 1.5 * cm, "Jawaban Anda anonim: tidak ada nama, NIK atau nomor telepon."
    )
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


TICKET_COLUMNS, TICKET_ROWS = 2, 4
TICKET_HEAD, TICKET_FOOT = 1.5 * cm, 1.35 * cm  # unit and layanan above; caption and code below


def tickets_pdf(unit: str, layanan: str, links: list[tuple[str, str]], minutes: int = 2) -> bytes:
    """Slips of one-time survey links, 8 to an A4 page, to cut and hand out with each service.

    ``links`` holds (short code, URL) pairs; each slip shows the unit, the layanan, the QR code
    and the short code, and says that the link works once.
    """
    buffer = io.BytesIO()
    pdf = Canvas(buffer, pagesize=A4, pageCompression=1)
    pdf.setTitle(f"Tiket survei {layanan} - {unit}")
    width, height = A4
    slip_w, slip_h = width / TICKET_COLUMNS, height / TICKET_ROWS
    per_page = TICKET_COLUMNS * TICKET_ROWS
    # The QR with its quiet zone fills what the texts leave, so no caption ever covers it.
    side = slip_h - TICKET_HEAD - TICKET_FOOT
    for number, (code, url) in enumerate(links):
        if number and number % per_page == 0:
            pdf.showPage()
        col, row = number % TICKET_COLUMNS, (number % per_page) // TICKET_COLUMNS
        x, top = col * slip_w, height - row * slip_h
        pdf.setDash(3, 3)
        pdf.setStrokeColor(HexColor("#999999"))
        pdf.rect(x, top - slip_h, slip_w, slip_h, stroke=1, fill=0)
        pdf.setFillColor(black)
        pdf.setFont("Helvetica-Bold", 11)
        pdf.drawCentredString(x + slip_w / 2, top - 0.8 * cm, _fit(pdf, unit, 11, slip_w - cm))
        pdf.setFont("Helvetica", 10)
        pdf.drawCentredString(x + slip_w / 2, top - 1.3 * cm, _fit(pdf, layanan, 10, slip_w - cm))
        _draw_qr(pdf, url, x + (slip_w - side) / 2, top - TICKET_HEAD - side, side)
        pdf.setFont("Helvetica", 8.5)
        pdf.drawCentredString(
            x + slip_w / 2,
            top - slip_h + 0.95 * cm,
            f"Tiket survei sekali pakai. Anonim, sekitar {minutes} menit.",
        )
        pdf.setFont("Courier", 8.5)
        pdf.drawCentredString(x + slip_w / 2, top - slip_h + 0.5 * cm, code)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def _draw_qr(pdf: Canvas, url: str, x: float, y: float, side: float) -> None:
    matrix = _matrix(url)
    module = side / len(matrix)
    pdf.setFillColor(black)
    for row, cells in enumerate(matrix):
        for col, dark in enumerate(cells):
            if dark:
                top = y + side - (row + 1) * module
                pdf.rect(x + col * module, top, module, module, stroke=0, fill=1)


def _fit(pdf: Canvas, text: str, size: float, width: float) -> str:
    while text and pdf.stringWidth(text, pdf._fontname, size) > width:
        text = text[:-2] + "…"
    return text


def _wrap(pdf: Canvas, text: str, size: float, width: float) -> list[str]:
    lines: list[str] = []
    for word in text.split():
        candidate = f"{lines[-1]} {word}" if lines else word
        if lines and pdf.stringWidth(candidate, pdf._fontname, size) <= width:
            lines[-1] = candidate
        else:
            lines.append(word)
    return lines
