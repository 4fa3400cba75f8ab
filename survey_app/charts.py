"""Charts as pure functions: DataFrame -> plotly Figure. No database access here."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from markupsafe import Markup

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
    items = items.dropna(subset=["nrr"]).sort_values("nrr")
    colours = [WEAK if rank < weakest else BRAND for rank in range(len(items))]
    figure = go.Figure(
        go.Bar(
            x=items["nrr"],
            y=items["code"] + " " + items["label"],
            orientation="h",
            marker_color=colours,
            text=[f"{v:.2f}".replace(".", ",") for v in items["nrr"]],
            textposition="outside",
            hovertemplate="%{y}: %{x:.4f}<extra></extra>",
        )
    )
    figure.update_layout(title=title, **LAYOUT)
    figure.update_xaxes(range=[1, 4.3], gridcolor=GRID, title="NRR (1-4)")
    return figure


def trend_lines(trend: pd.DataFrame, title: str) -> go.Figure:
    """Nilai per month (columns period, instrument, nilai), one line per index."""
    figure = go.Figure()
    for name, part in trend.groupby("instrument", sort=True):
        figure.add_trace(
            go.Scatter(x=part["period"], y=part["nilai"], mode="lines+markers", name=str(name))
        )
    figure.update_layout(title=title, legend=dict(orientation="h", y=-0.2), **LAYOUT)
    figure.update_yaxes(range=[25, 100], gridcolor=GRID, title="Nilai")
    figure.update_xaxes(type="category")
    return figure


def html(figure: go.Figure) -> Markup:
    """The figure as a <div data-figure> that static/charts.js draws: no inline script."""
    return Markup('<div class="chart" data-figure="{}"></div>').format(figure.to_json())
