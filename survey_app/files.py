"""Sending generated files: one place for types, names and HTML-to-PDF."""

from __future__ import annotations

from collections.abc import Iterable

from flask import Response, request
from weasyprint import HTML

TYPES = {
    ".csv": "text/csv",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".zip": "application/zip",
    ".pdf": "application/pdf",
    ".png": "image/png",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".yaml": "application/yaml",
}


def download(body: bytes | Iterable[bytes], filename: str) -> Response:
    """A file response; PDFs and images open in the browser, the others are saved."""
    suffix = filename[filename.rfind(".") :]
    disposition = "inline" if suffix in (".pdf", ".png") else "attachment"
    return Response(
        body,
        mimetype=TYPES[suffix],
        headers={"Content-Disposition": f'{disposition}; filename="{filename}"'},
    )


def pdf(page: str) -> bytes:
    """An HTML page (with its @page CSS) printed to PDF by WeasyPrint."""
    return bytes(HTML(string=page, base_url=request.url_root).write_pdf())
