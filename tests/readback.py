"""Reading back what the app wrote, as a user's tools would: PDF text, pages and fonts, QR codes.

Pip wheels only (PDFium through pypdfium2, zxing-cpp), so the suite needs no poppler or zbar.
"""

from __future__ import annotations

import ctypes
import io
from dataclasses import dataclass
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import zxingcpp
from PIL import Image

PdfSource = Path | bytes
# PDFium reports a hyphen that ends a line as U+0002 and joins the line to the next.
SOFT_HYPHEN = "\x02"


def _open(pdf: PdfSource) -> pdfium.PdfDocument:
    return pdfium.PdfDocument(pdf.read_bytes() if isinstance(pdf, Path) else pdf)


def pdf_text(pdf: PdfSource) -> str:
    """Every page's text in reading order, lines joined by newlines, pages by a form feed."""
    document = _open(pdf)
    try:
        pages = []
        for page in document:
            textpage = page.get_textpage()
            text = textpage.get_text_bounded().replace("\r\n", "\n")
            pages.append(text.replace(SOFT_HYPHEN, "-\n"))
        return "\f".join(pages)
    finally:
        document.close()


def pdf_lines(pdf: PdfSource, tolerance: float = 6.0) -> str:
    """The text with the characters of one baseline on one line, left to right, like a table row.

    Characters whose baselines lie within ``tolerance`` points of a line's first share it (a
    larger figure in a table cell sits a few points lower); a gap wider than a space between two
    characters is kept as spaces (as ``pdftotext -layout`` does).
    """
    document = _open(pdf)
    try:
        out = []
        for page in document:
            textpage = page.get_textpage()
            glyphs = []
            for index in range(textpage.count_chars()):
                char = chr(pdfium_c.FPDFText_GetUnicode(textpage, index)).replace(SOFT_HYPHEN, "-")
                if char in "\r\n\x00\ufffe":
                    continue
                left, _bottom, right, _top = textpage.get_charbox(index, loose=False)
                x, y = ctypes.c_double(), ctypes.c_double()
                pdfium_c.FPDFText_GetCharOrigin(textpage, index, ctypes.byref(x), ctypes.byref(y))
                glyphs.append((y.value, left, right, char))
            rows: list[tuple[float, list[tuple[float, float, str]]]] = []
            for y, left, right, char in sorted(glyphs, key=lambda g: -g[0]):
                if rows and rows[-1][0] - y <= tolerance:
                    rows[-1][1].append((left, right, char))
                else:
                    rows.append((y, [(left, right, char)]))
            for _y, row in rows:
                line, end = "", None
                for left, right, char in sorted(row):
                    if end is not None and left - end > 3.5:
                        line += "  "
                    line += char
                    end = right
                out.append(line)
            out.append("\f")
        return "\n".join(out)
    finally:
        document.close()


@dataclass(frozen=True)
class PdfInfo:
    pages: int
    size: tuple[float, float]  # the first page, in points
    fonts: dict[str, bool]  # base font name -> embedded
    images: list[tuple[int, int]]  # pixel sizes of the images drawn


def pdf_info(pdf: PdfSource) -> PdfInfo:
    """Page count and size, the fonts used (embedded or not) and the images' pixel sizes."""
    document = _open(pdf)
    try:
        fonts: dict[str, bool] = {}
        images: list[tuple[int, int]] = []
        for page in document:
            for obj in page.get_objects(max_depth=4):
                if obj.type == pdfium_c.FPDF_PAGEOBJ_TEXT:
                    font = pdfium_c.FPDFTextObj_GetFont(obj)
                    buffer = (pdfium_c.c_char * 256)()
                    size = pdfium_c.FPDFFont_GetBaseFontName(font, buffer, 256)
                    name = bytes(buffer[: max(size - 1, 0)]).decode("latin-1")
                    fonts[name] = bool(pdfium_c.FPDFFont_GetIsEmbedded(font))
                elif obj.type == pdfium_c.FPDF_PAGEOBJ_IMAGE:
                    images.append(tuple(obj.get_px_size()))  # type: ignore[arg-type]
        width, height = document[0].get_size()
        return PdfInfo(len(document), (round(width, 3), round(height, 3)), fonts, images)
    finally:
        document.close()


def pdf_pages(pdf: PdfSource, dpi: int = 72) -> list[Image.Image]:
    """Each page rendered to a PIL image at ``dpi``."""
    document = _open(pdf)
    try:
        return [page.render(scale=dpi / 72).to_pil() for page in document]
    finally:
        document.close()


def save_pages(pdf: PdfSource, folder: Path, dpi: int = 72, stem: str = "p") -> list[Path]:
    """Each page as ``folder/stem-N.png`` (N from 1), for a person or a decoder to look at."""
    paths = []
    for number, image in enumerate(pdf_pages(pdf, dpi), start=1):
        path = folder / f"{stem}-{number}.png"
        image.save(path)
        paths.append(path)
    return paths


def decode_qr(image: Image.Image | Path | bytes) -> list[str]:
    """The text of every QR code found in ``image`` (a PIL image, a PNG file or its bytes)."""
    if isinstance(image, Path):
        image = Image.open(image)
    elif isinstance(image, bytes):
        image = Image.open(io.BytesIO(image))
    found = zxingcpp.read_barcodes(image.convert("RGB"), formats=zxingcpp.BarcodeFormat.QRCode)
    return [barcode.text for barcode in found]
