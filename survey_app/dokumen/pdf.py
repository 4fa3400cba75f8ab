"""The report's blocks as an A4 PDF (WeasyPrint): the cover without a page number, a daftar
isi with real page numbers (CSS target-counter), charts as vector SVG."""

from __future__ import annotations

import base64
from collections.abc import Sequence

from flask import render_template
from weasyprint import HTML

from survey_app import render
from survey_app.dokumen.blok import Blok, Gambar, Grafik, Judul


def write(blocks: Sequence[Blok], title: str, footer: str) -> bytes:
    """The PDF of ``blocks`` (bytes); ``footer`` is printed at the foot of every page but the
    cover. Needs an application context (the template)."""
    shown = [_drawn(b) for b in blocks]
    headings = [(f"h{n}", b) for n, b in enumerate(blocks) if isinstance(b, Judul) and b.level <= 2]
    page = render_template(
        "dokumen/laporan.html", blocks=shown, title=title, footer=footer, headings=headings
    )
    return bytes(HTML(string=page).write_pdf())


def _drawn(block: Blok) -> Blok | tuple[str, str]:
    """Charts become SVG and images data URIs, so the template only places them."""
    if isinstance(block, Grafik):
        return render.svg_data_uri(block.gambar, 700, 330), block.judul
    if isinstance(block, Gambar):
        return "data:image/png;base64," + base64.b64encode(block.png).decode("ascii"), block.judul
    return block
