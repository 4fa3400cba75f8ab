"""Template helpers: Indonesian number and date formats, and the language cookie."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from flask import Flask, Response, request
from flask_babel import format_date, format_decimal, get_locale


def angka(value: Decimal | float | int | None, places: int = 2) -> str:
    """87.55 -> '87,55' in Indonesian, '87.55' in English; '-' for no value."""
    if value is None:
        return "-"
    pattern = "#,##0." + "0" * places if places else "#,##0"
    return str(format_decimal(value, format=pattern))


def tanggal(value: date | str) -> str:
    """31 Januari 2026 (also from an ISO date kept in a snapshot)."""
    day = date.fromisoformat(value) if isinstance(value, str) else value
    return str(format_date(day, format="d MMMM y"))


def register(app: Flask) -> None:
    app.jinja_env.filters["angka"] = angka
    app.jinja_env.filters["tanggal"] = tanggal
    app.jinja_env.globals["current_language"] = lambda: str(get_locale() or "id")

    @app.after_request
    def remember_language(response: Response) -> Response:
        chosen = request.args.get("lang")
        if chosen and chosen in app.config["LANGUAGES"]:
            response.set_cookie("lang", chosen, max_age=365 * 24 * 3600, samesite="Lax")
        return response
