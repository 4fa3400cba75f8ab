"""The physical cost of the public form (issue 20.3), the baseline of ``benchmarks/submit.py``.

A bare Flask app, served by gunicorn with the repository's ``gunicorn.conf.py`` like the app:

* ``GET /form`` renders a page of the form's own bytes: the survey form's fresh page, captured
  by ``submit.py``, as a Jinja template whose hidden values (CSRF token, kunci, start stamp) are
  filled per request with random values of the same lengths;
* ``POST /form`` stores what one form submission stores, in ONE transaction with SQLAlchemy
  Core: the submission row, its answer rows, and the monthly rollup upserts (``kiriman``,
  ``responden`` per instrument, ``butir`` per item; no profile was given), then answers 303.

It reads the answers from the posted fields and nothing else: no layanan lookup, no
idempotency check, no CSRF, no session. That is the floor the form is compared with. Its
tables are the app's own (a database migrated like the app's, reflected at start), so every
index, constraint and foreign key costs what it costs the app.

gunicorn imports ``app`` from the environment: ``BARE_DATABASE_URL`` and ``BARE_FORM`` (the
JSON written by ``submit.py``: the page split at its hidden values, their lengths, the layanan
id and time zone, the items with their instrument, version and scale).
"""

from __future__ import annotations

import json
import os
import secrets
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import Flask, redirect, request
from sqlalchemy.dialects import postgresql, sqlite


def page_source(spec: dict[str, Any]) -> str:
    """The captured page as a Jinja template: its text raw, each hidden value an expression."""
    text = "{% raw %}" + spec["head"] + "{% endraw %}"
    for name, after in spec["rest"]:
        text += "{{ " + name + " }}{% raw %}" + after + "{% endraw %}"
    return text


def make_app(spec: dict[str, Any], database_url: str | None) -> Flask:
    """The bare app; without a database only its GET (the in-process baseline)."""
    app = Flask(__name__)
    page = app.jinja_env.from_string(page_source(spec))
    lengths: dict[str, int] = spec["lengths"]

    @app.get("/form")
    def form() -> str:
        return page.render({name: secrets.token_urlsafe(n)[:n] for name, n in lengths.items()})

    if database_url is not None:
        app.post("/form")(_storing(spec, sa.create_engine(database_url, pool_pre_ping=True)))
    return app


def _upsert(table: sa.Table, dialect_name: str) -> Any:
    dialect = postgresql if dialect_name == "postgresql" else sqlite
    statement = dialect.insert(table)
    return statement.on_conflict_do_update(
        index_elements=list(table.primary_key.columns),
        set_={
            "n": table.c.n + statement.excluded.n,
            "jumlah": table.c.jumlah + statement.excluded.jumlah,
        },
    )


def _storing(spec: dict[str, Any], engine: sa.Engine) -> Any:
    """The POST view: one transaction of Core statements, the app's tables reflected."""
    meta = sa.MetaData()
    meta.reflect(engine, only=["submission", "answer", "rekap_bulanan"])
    submission, answer = meta.tables["submission"], meta.tables["answer"]
    upsert = _upsert(meta.tables["rekap_bulanan"], engine.dialect.name)
    zone = ZoneInfo(spec["timezone"])
    items = [tuple(item) for item in spec["items"]]  # code, instrument, version, scale

    def post() -> Any:
        posted = request.form
        now = datetime.now(UTC)
        where = {"layanan_id": spec["layanan_id"], "period": now.astimezone(zone).strftime("%Y-%m")}
        values = [(code, inst, ver, scale, int(posted[code])) for code, inst, ver, scale in items]
        rollup = [{**where, "jenis": "kiriman", "kunci": "", "n": 1, "jumlah": 0}]
        rollup += [
            {**where, "jenis": "responden", "kunci": inst, "n": 1, "jumlah": 0}
            for inst in sorted({v[1] for v in values})
        ]
        rollup += [
            {**where, "jenis": "butir", "kunci": v[0], "n": 1, "jumlah": v[4]} for v in values
        ]
        rollup.sort(key=lambda row: (row["jenis"], row["kunci"]))  # the app's lock order
        with engine.begin() as connection:
            row = {
                **where,
                "submitted_at": now,
                "idempotency_key": posted["kunci"],
                "source": "form",
                "sumber": secrets.token_hex(8),
                "durasi": 30,
                "terlambat": False,
            }
            key = connection.execute(submission.insert(), row).inserted_primary_key[0]
            connection.execute(
                answer.insert(),
                [
                    {
                        "submission_id": key,
                        "item_code": code,
                        "instrument_id": inst,
                        "instrument_version": ver,
                        "scale": scale,
                        "value": value,
                    }
                    for code, inst, ver, scale, value in values
                ],
            )
            connection.execute(upsert, rollup)
        return redirect("/form/terima-kasih", 303)

    return post


app = (
    make_app(
        json.loads(Path(os.environ["BARE_FORM"]).read_text(encoding="utf-8")),
        os.environ["BARE_DATABASE_URL"],
    )
    if "BARE_FORM" in os.environ
    else None
)
