"""The report's blocks as a Word document (python-docx), so units can edit it before signing.

A4, Arial 11; BAB headings are Word's "Heading 1" (each on a new page), so the navigation pane
and the table of contents work; the daftar isi is a real TOC field holding the headings, which
Word fills with page numbers when it updates fields (it asks on opening); pages are numbered
in the footer.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from docx.table import Table
from docx.text.paragraph import Paragraph
from PIL import Image

from survey_app import render
from survey_app.dokumen.blok import (
    Blok,
    Daftar,
    DaftarIsi,
    Gambar,
    Grafik,
    Judul,
    Paragraf,
    Sampul,
    Tabel,
    TandaTangan,
)

FONT = "Arial"
TEXT_WIDTH_CM = 15.5  # A4 less the margins
HEAD_FILL = "DBE8EF"


def write(blocks: Sequence[Blok], title: str, author: str) -> bytes:
    """The DOCX file of ``blocks`` (bytes); ``title`` and ``author`` go to its properties."""
    document = Document()
    _page_and_styles(document)
    document.core_properties.title = title
    document.core_properties.author = author
    headings = [b for b in blocks if isinstance(b, Judul) and b.level <= 2]
    for block in blocks:
        _add(document, block, headings)
    _footer_page_numbers(document)
    _update_fields_on_open(document)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _page_and_styles(document: DocumentObject) -> None:
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.left_margin, section.right_margin = Cm(3), Cm(2.5)
    section.top_margin, section.bottom_margin = Cm(2.5), Cm(2.5)
    normal = document.styles["Normal"]
    normal.font.name, normal.font.size = FONT, Pt(11)
    normal.element.rPr.rFonts.set(qn("w:eastAsia"), FONT)
    normal.paragraph_format.space_after = Pt(6)
    normal.paragraph_format.line_spacing = 1.15
    for name, size in (("Heading 1", 14), ("Heading 2", 12), ("Heading 3", 11)):
        style = document.styles[name]
        style.font.name, style.font.size, style.font.bold = FONT, Pt(size), True
        style.font.color.rgb = RGBColor(0, 0, 0)
        style.element.rPr.rFonts.set(qn("w:asciiTheme"), "")
        style.paragraph_format.space_before = Pt(12 if name != "Heading 1" else 0)
        style.paragraph_format.space_after = Pt(6)
    document.styles["Heading 1"].paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER


def _add(document: DocumentObject, block: Blok, headings: list[Judul]) -> None:
    if isinstance(block, Sampul):
        _cover(document, block)
    elif isinstance(block, Judul):
        heading = document.add_heading(block.teks, block.level)
        heading.paragraph_format.page_break_before = block.halaman_baru
    elif isinstance(block, DaftarIsi):
        _toc(document, headings)
    elif isinstance(block, Paragraf):
        _paragraph(document, block)
    elif isinstance(block, Daftar):
        for number, text in enumerate(block.butir, 1):
            line = document.add_paragraph(
                f"{number}.\t{text}" if block.nomor else f"\u2022\t{text}"
            )
            line.paragraph_format.left_indent = Cm(0.75)
            line.paragraph_format.first_line_indent = Cm(-0.75)
            line.paragraph_format.tab_stops.add_tab_stop(Cm(0.75))
    elif isinstance(block, Tabel):
        _table(document, block)
    elif isinstance(block, Grafik):
        _picture(document, render.png(block.gambar, 800, 380), block.judul, TEXT_WIDTH_CM)
    elif isinstance(block, Gambar):
        _picture(document, block.png, block.judul, 11)
    elif isinstance(block, TandaTangan):
        _signature(document, block)


def _cover(document: DocumentObject, cover: Sampul) -> None:
    def centred(text: str, size: int, bold: bool = True, before: int = 0) -> Paragraph:
        line = document.add_paragraph()
        line.alignment = WD_ALIGN_PARAGRAPH.CENTER
        line.paragraph_format.space_before = Pt(before)
        run = line.add_run(text)
        run.bold, run.font.size = bold, Pt(size)
        return line

    for number, text in enumerate(cover.judul):
        centred(text, 18 if number else 16, before=48 if number == 0 else 0)
    if cover.logo:
        picture = document.add_paragraph()
        picture.alignment = WD_ALIGN_PARAGRAPH.CENTER
        picture.paragraph_format.space_before = Pt(48)
        with Image.open(io.BytesIO(cover.logo)) as logo:
            tall = logo.height > logo.width
        side = {"height": Cm(4.5)} if tall else {"width": Cm(4.5)}  # a tall logo: its height
        picture.add_run().add_picture(io.BytesIO(cover.logo), **side)
    centred(cover.periode, 14, before=48 if not cover.logo else 36)
    centred(cover.unit, 16, before=96)
    for line in cover.tempat_tahun.split("\n"):
        centred(line, 14)


def _toc(document: DocumentObject, headings: list[Judul]) -> None:
    """A TOC field whose shown result lists the headings (indented by level) until Word
    updates it with page numbers."""
    shown: list[Judul | None] = [
        h for h in headings if h.teks not in ("DAFTAR ISI", "KATA PENGANTAR")
    ] or [None]
    for number, heading in enumerate(shown):
        line = document.add_paragraph()
        if number == 0:
            _field_char(line, "begin")
            instruction = line.add_run()._r
            text = OxmlElement("w:instrText")
            text.set(qn("xml:space"), "preserve")
            text.text = r' TOC \o "1-2" \h \z \u '
            instruction.append(text)
            _field_char(line, "separate")
        if heading is not None:
            line.paragraph_format.left_indent = Cm(0.75 * (heading.level - 1))
            line.add_run(heading.teks).bold = heading.level == 1
        if number == len(shown) - 1:
            _field_char(line, "end")


def _field_char(paragraph: Paragraph, kind: str) -> None:
    element = OxmlElement("w:fldChar")
    element.set(qn("w:fldCharType"), kind)
    paragraph.add_run()._r.append(element)


def _paragraph(document: DocumentObject, block: Paragraf) -> None:
    line = document.add_paragraph()
    run = line.add_run(block.teks)
    if block.gaya == "kutipan":
        run.italic = True
        line.paragraph_format.left_indent = Cm(1)
    elif block.gaya == "kecil":
        run.font.size = Pt(9)
    elif block.gaya == "tebal":
        run.bold = True
        line.paragraph_format.keep_with_next = True
    elif block.gaya == "tengah":
        line.alignment = WD_ALIGN_PARAGRAPH.CENTER
    if block.gaya in ("biasa", "kutipan"):
        line.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY


def _table(document: DocumentObject, block: Tabel) -> Table:
    if block.judul:
        caption = document.add_paragraph()
        caption.paragraph_format.keep_with_next = True
        caption.add_run(block.judul).bold = True
    table = document.add_table(rows=1 + len(block.baris), cols=len(block.kepala))
    table.style = document.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    widths = block.lebar or [1 / len(block.kepala)] * len(block.kepala)
    for column, share in zip(table.columns, widths, strict=True):
        column.width = Cm(TEXT_WIDTH_CM * share)  # the grid LibreOffice lays out by
    for row_number, values in enumerate([block.kepala, *block.baris]):
        row = table.rows[row_number]
        last = row_number == len(block.baris) and block.tebal_akhir
        for column, value in enumerate(values):
            cell = row.cells[column]
            cell.width = Cm(TEXT_WIDTH_CM * widths[column])
            paragraph = cell.paragraphs[0]
            paragraph.paragraph_format.space_after = Pt(0)
            run = paragraph.add_run(value)
            run.font.size = Pt(9.5)
            if row_number == 0:
                run.bold = True
                _shade(cell, HEAD_FILL)
            elif last:
                run.bold = True
            if row_number and column in block.angka:
                paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    _repeat_header(table)
    document.add_paragraph()
    return table


def _shade(cell: object, fill: str) -> None:
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:fill"), fill)
    cell._tc.get_or_add_tcPr().append(shading)  # type: ignore[attr-defined]


def _repeat_header(table: Table) -> None:
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    table.rows[0]._tr.get_or_add_trPr().append(header)


def _picture(document: DocumentObject, png: bytes, caption: str, width_cm: float) -> None:
    picture = document.add_paragraph()
    picture.alignment = WD_ALIGN_PARAGRAPH.CENTER
    picture.paragraph_format.keep_with_next = True
    picture.add_run().add_picture(io.BytesIO(png), width=Cm(width_cm))
    line = document.add_paragraph()
    line.alignment = WD_ALIGN_PARAGRAPH.CENTER
    line.add_run(caption).italic = True


def _signature(document: DocumentObject, block: TandaTangan) -> None:
    table = document.add_table(rows=1, cols=2)
    cell = table.rows[0].cells[1]
    cell.width = Cm(8)
    table.rows[0].cells[0].width = Cm(TEXT_WIDTH_CM - 8)
    lines = [block.tempat_tanggal, block.jabatan, "", "", "", block.nama, block.nip]
    cell.paragraphs[0].add_run(lines[0])
    for number, text in enumerate(lines[1:], 1):
        run = cell.add_paragraph().add_run(text)
        if number == 5:
            run.bold = run.underline = True
    for paragraph in cell.paragraphs:
        paragraph.paragraph_format.space_after = Pt(0)
        paragraph.paragraph_format.keep_with_next = True


def _footer_page_numbers(document: DocumentObject) -> None:
    """Page numbers in the footer, but not on the cover."""
    for section in document.sections:
        section.different_first_page_header_footer = True
        line = section.footer.paragraphs[0]
        line.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _field_char(line, "begin")
        instruction = OxmlElement("w:instrText")
        instruction.set(qn("xml:space"), "preserve")
        instruction.text = " PAGE "
        line.add_run()._r.append(instruction)
        _field_char(line, "separate")
        line.add_run("1")
        _field_char(line, "end")


def _update_fields_on_open(document: DocumentObject) -> None:
    """Word refreshes the TOC's page numbers when the file is opened (it asks first)."""
    update = OxmlElement("w:updateFields")
    update.set(qn("w:val"), "true")
    document.settings.element.append(update)
