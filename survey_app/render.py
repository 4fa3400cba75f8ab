"""Chart images for PDF reports: kaleido drives Debian's chromium, started once and kept open.

One browser per process serves every chart (about 0.3 s each once it runs), instead of a
browser start per chart.
"""

from __future__ import annotations

import atexit
import base64
import os
import shutil
import threading

import kaleido
import plotly.graph_objects as go

_lock = threading.Lock()
_running = False


def svg(figure: go.Figure, width: int = 700, height: int = 340) -> str:
    """The figure as an SVG document (text), for inlining in an HTML page made into a PDF."""
    return _image(figure, "svg", width, height).decode("utf-8")


def png(figure: go.Figure, width: int = 700, height: int = 340, scale: float = 2) -> bytes:
    """The figure as a PNG (``scale`` times the pixels, sharp in print), for a DOCX."""
    return _image(figure, "png", width, height, scale)


def _image(figure: go.Figure, kind: str, width: int, height: int, scale: float = 1) -> bytes:
    global _running
    with _lock:
        if not _running:
            os.environ.setdefault("BROWSER_PATH", shutil.which("chromium") or "/usr/bin/chromium")
            kaleido.start_sync_server(silence_warnings=True)
            atexit.register(kaleido.stop_sync_server, silence_warnings=True)
            _running = True
        image = kaleido.calc_fig_sync(
            figure, opts={"format": kind, "width": width, "height": height, "scale": scale}
        )
    return bytes(image)


def svg_data_uri(figure: go.Figure, width: int = 700, height: int = 340) -> str:
    """The SVG as a data: URI for an <img>, which WeasyPrint draws with its SVG renderer."""
    encoded = base64.b64encode(svg(figure, width, height).encode("utf-8")).decode("ascii")
    return f"data:image/svg+xml;base64,{encoded}"
