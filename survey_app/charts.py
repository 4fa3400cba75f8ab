"""Charts as pure functions: DataFrame -> plotly Figure. No database access here."""

from __future__ import annotations

import base64
from collections.abc import Mapping, Sequence
from functools import lru_cache

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from markupsafe import Markup
from plotly.io.json import to_json_plotly

BRAND, WEAK, GRID = "#0b4f6c", "#b00020", "#dde3e8"
LAYOUT = dict(
    margin=dict(l=10, r=10, t=30, b=10),
    paper_bgcolor="white",
    plot_bgcolor="white",
    font=dict(family="system-ui, sans-serif", size=13),
    height=360,
)


def nrr_bars(items: pd.DataFrame, title: str, weakest: int = 2) -> go.Figure:
    """Horizontal bars of NRR per item (columns code, label, nrr); the weakest ones in red."""
    x, y, colours, text = _nrr_bars_data(items, weakest)
    figure = go.Figure(
        go.Bar(
            x=x,
            y=y,
            orientation="h",
            marker_color=colours,
            text=text,
            textposition="outside",
            hovertemplate=NRR_HOVER,
        )
    )
    _nrr_bars_layout(figure, title)
    return figure


NRR_HOVER = "%{y}: %{x:.4f}<extra></extra>"


def _nrr_bars_data(
    items: pd.DataFrame, weakest: int
) -> tuple[pd.Series, pd.Series, list[str], list[str]]:
    items = items.dropna(subset=["nrr"]).sort_values("nrr")
    colours = [WEAK if rank < weakest else BRAND for rank in range(len(items))]
    text = [f"{v:.2f}".replace(".", ",") for v in items["nrr"]]
    return items["nrr"], items["code"] + " " + items["label"], colours, text


def _nrr_bars_layout(figure: go.Figure, title: str) -> None:
    figure.update_layout(title=title, **LAYOUT)
    figure.update_xaxes(range=[1, 4.3], gridcolor=GRID, title="NRR (1-4)")


def nrr_bars_json(items: pd.DataFrame, title: str, weakest: int = 2) -> str:
    """``nrr_bars(items, title, weakest).to_json()``, the same text, without building the
    plotly figure per request (~20 ms each): the layout is serialised once per title, the
    trace written as plotly writes it (numbers as little-endian float64, base64)."""
    x, y, colours, text = _nrr_bars_data(items, weakest)
    if not len(x) or x.dtype != "float64":  # as plotly writes them: only float arrays here
        return str(nrr_bars(items, title, weakest).to_json())
    trace = {
        "hovertemplate": NRR_HOVER,
        "marker": {"color": colours},
        "orientation": "h",
        "text": text,
        "textposition": "outside",
        "x": _float64(x),
        "y": list(y),
        "type": "bar",
    }
    return _figure_json([trace], _layout_json("nrr", title))


def trend_lines(trend: pd.DataFrame, title: str) -> go.Figure:
    """Nilai per month (columns period, instrument, nilai), one line per index."""
    figure = go.Figure()
    for name, part in trend.groupby("instrument", sort=True):
        figure.add_trace(
            go.Scatter(x=part["period"], y=part["nilai"], mode="lines+markers", name=str(name))
        )
    _trend_lines_layout(figure, title)
    return figure


def _trend_lines_layout(figure: go.Figure, title: str) -> None:
    figure.update_layout(title=title, legend=dict(orientation="h", y=-0.2), **LAYOUT)
    figure.update_yaxes(range=[25, 100], gridcolor=GRID, title="Nilai")
    figure.update_xaxes(type="category")


def trend_lines_json(trend: pd.DataFrame, title: str) -> str:
    """``trend_lines(trend, title).to_json()``, the same text, built as :func:`nrr_bars_json`."""
    traces = [
        {
            "mode": "lines+markers",
            "name": str(name),
            "x": list(part["period"]),
            "y": _float64(part["nilai"]),
            "type": "scatter",
        }
        for name, part in trend.groupby("instrument", sort=True)
    ]
    if trend["nilai"].dtype != "float64" or any(
        not isinstance(x, str) for t in traces for x in t["x"]
    ):
        return str(trend_lines(trend, title).to_json())
    return _figure_json(traces, _layout_json("trend", title))


def _float64(values: pd.Series) -> dict[str, str]:
    """A float64 column as plotly 6 writes it: a typed array, base64."""
    data = np.asarray(values, dtype="<f8").tobytes()
    return {"dtype": "f8", "bdata": base64.b64encode(data).decode("ascii")}


@lru_cache(maxsize=64)
def _layout_json(kind: str, title: str) -> str:
    figure = go.Figure()
    {"nrr": _nrr_bars_layout, "trend": _trend_lines_layout}[kind](figure, title)
    return str(to_json_plotly(figure.to_dict()["layout"]))


def _figure_json(traces: Sequence[Mapping[str, object]], layout: str) -> str:
    return '{"data":' + str(to_json_plotly(traces)) + ',"layout":' + layout + "}"


def html(figure: go.Figure | str) -> Markup:
    """The figure (or its JSON) as a <div data-figure> that static/charts.js draws: no inline
    script."""
    text = figure if isinstance(figure, str) else figure.to_json()
    return Markup('<div class="chart" data-figure="{}"></div>').format(text)
