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
    global _running
    with _lock:
        if not _running:
            os.environ.setdefault("BROWSER_PATH", shutil.which("chromium") or "/usr/bin/chromium")
            kaleido.start_sync_server(silence_warnings=True)
            atexit.register(kaleido.stop_sync_server, silence_warnings=True)
            _running = True
        image = kaleido.calc_fig_sync(
            figure, opts={"format": "svg", "width": width, "height": height}
        )
    return bytes(image).decode("utf-8")


def svg_data_uri(figure: go.Figure, width: int = 700, height: int = 340) -> str:
    """The SVG as a data: URI for an <img>, which WeasyPrint draws with its SVG renderer."""
    encoded = base64.b64encode(svg(figure, width, height).encode("utf-8")).decode("ascii")
    return f"data:image/svg+xml;base64,{encoded}"
