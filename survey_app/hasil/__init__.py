"""Published results: the public page of a unit and its open data, read from frozen snapshots."""

from __future__ import annotations

import csv
import io
import json
from functools import lru_cache

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    jsonify,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale
from sqlalchemy import select

from analysis.periods import Span, span_of
from analysis.responses import formula_safe
from survey_app import security
from survey_app.alamat import address, survey_url
from survey_app.extensions import db
from survey_app.files import download
from survey_app.filters import tanggal
from survey_app.models import Publikasi, Unit
from survey_app.services.collection.submissions import unit_minutes
from survey_app.services.followup import register
from survey_app.services.publishing import artefacts
from survey_app.services.publishing.publications import current, latest_below, publications
from survey_app.services.reporting.dashboard import previous_span

bp = Blueprint("hasil", __name__, url_prefix="/hasil")
# the one page any site may frame; it has no form and no script
WIDGET_POLICY = security.policy(
    dict(security.BASE, **{"frame-ancestors": "*", "form-action": "'none'"})
)
# Results change only when staff publish: browsers and proxies may keep a page this long, then
# ask again with its ETag (304 when nothing changed). Banners and a unit's own website (the
# widget) send readers in crowds; this keeps most of them off the app.
PUBLIC_MAX_AGE = 60
LICENCE = "Data terbuka: CC BY 4.0. Sumber: survei layanan unit, angka dibekukan saat terbit."


def _unit(kode: str) -> Unit:
    unit = db.session.scalar(select(Unit).where(Unit.kode == kode))
    if unit is None:
        abort(404)
    return unit


def _publication(unit: Unit, publication_id: int) -> Publikasi:
    """A publication of ``unit`` whose files are still out: 404 when unknown, 410 once it was
    withdrawn (REGULATION §6)."""
    publication = db.session.get(Publikasi, publication_id)
    if publication is None or publication.unit_id != unit.id:
        abort(404)
    if publication.ditarik is not None:
        abort(410)
    return publication


@bp.after_request
def cacheable(response: Response) -> Response:
    """Public, cacheable and conditional, except a response choosing a language (a cookie).

    Without SURVEY_BASE_URL the absolute links (the QR codes) come from the request's Host
    header, which a client chooses: such a response is cached by the browser only, never by a
    shared cache that would hand one client's Host to everyone.
    """
    if (
        request.method != "GET"
        or response.status_code != 200
        or response.direct_passthrough
        or "lang" in request.args
    ):
        return response
    if current_app.config["BASE_URL"]:
        response.cache_control.public = True
    else:
        response.cache_control.private = True
    response.cache_control.max_age = PUBLIC_MAX_AGE
    response.vary.update(("Cookie", "Accept-Language"))
    response.add_etag()
    response.make_conditional(request)  # in place: 304 and no body when the ETag matches
    return response


@bp.get("/<kode>")
def show(kode: str) -> str:
    """The unit's published results: the newest period, or the one ``?periode=`` names; earlier
    periods as links; withdrawn publications as notices saying when and why."""
    unit = _unit(kode)
    shown = current(publications(db.session, unit))
    live = [p for p in shown if p.ditarik is None]
    asked = request.args.get("periode")
    if asked:
        chosen = next((p for p in shown if p.label == asked), None)
        if chosen is None:
            abort(404)
    else:
        chosen = live[0] if live else None
    latest = chosen if chosen is not None and chosen.ditarik is None else None
    period = _span_of(latest) if latest else None
    return render_template(
        "hasil/unit.html",
        unit=unit,
        latest=latest,
        withdrawn=[p for p in shown if p.ditarik is not None and (not asked or p is chosen)],
        # what was planned and done after the previous period, and what is planned after this
        followed=register.previous_entries(db.session, unit, period) if period else [],
        planned=register.entries(db.session, unit, period) if period else [],
        previous=previous_span(period) if period else None,
        labels=register.unsur_labels(current_app.extensions["zisurvey.catalogue"]),
        history=[p for p in live if latest is not None and p.sampai < latest.dari],
        below=latest_below(db.session, unit),
        widget=address("hasil.widget", kode=unit.kode),
    )


def _span_of(publication: Publikasi) -> Span:
    """The published period, named (a triwulan reads "Triwulan III 2026") when its label
    names one."""
    try:
        found = span_of(publication.label)
    except ValueError:
        found = None
    if found is None or (found.first, found.last) != (publication.dari, publication.sampai):
        return Span("rentang", publication.dari, publication.sampai)
    return found


@bp.get("/<kode>/logo.png")
def logo(kode: str) -> Response:
    unit = _unit(kode)
    if unit.logo is None:
        abort(404)
    return Response(unit.logo, mimetype="image/png")


@bp.get("/<kode>/widget")
def widget(kode: str) -> Response:
    """A small card of the latest result for the unit's own website, in an iframe.

    No script at all; the only page of the app that any site may frame.
    """
    unit = _unit(kode)
    live = [p for p in current(publications(db.session, unit)) if p.ditarik is None]
    page = render_template("hasil/widget.html", unit=unit, latest=live[0] if live else None)
    return Response(page, headers={"Content-Security-Policy": WIDGET_POLICY})


@bp.get("/<kode>/publikasi.json")
def index(kode: str) -> Response:
    unit = _unit(kode)
    every = publications(db.session, unit)
    shown = {p.id for p in current(every)}
    return jsonify(
        {
            "unit": {"kode": unit.kode, "nama": unit.nama},
            "lisensi": LICENCE,
            "publikasi": [
                {
                    "id": p.id,
                    "periode": p.label,
                    "terbit": p.dibuat.isoformat(),
                    "berlaku": p.id in shown and p.ditarik is None,
                    "ditarik": p.ditarik.isoformat() if p.ditarik else None,
                    "alasan_tarik": p.alasan_tarik,
                    "json": url_for("hasil.snapshot_json", kode=kode, publication_id=p.id),
                    "csv": url_for("hasil.snapshot_csv", kode=kode, publication_id=p.id),
                }
                for p in every
            ],
        }
    )


@bp.get("/<kode>/<int:publication_id>.json")
def snapshot_json(kode: str, publication_id: int) -> Response:
    publication = _publication(_unit(kode), publication_id)
    return jsonify(
        {
            "id": publication.id,
            "terbit": publication.dibuat.isoformat(),
            "lisensi": LICENCE,
            **publication.data,
        }
    )


@bp.get("/<kode>/<int:publication_id>.csv")
def snapshot_csv(kode: str, publication_id: int) -> Response:
    """The snapshot as rows of (bagian, nama, nilai): one table a spreadsheet opens directly."""
    data = _publication(_unit(kode), publication_id).data
    buffer = io.StringIO()
    out = csv.writer(buffer)
    out.writerow(["bagian", "nama", "nilai"])
    out.writerow(["periode", data["periode"]["label"], data["periode"]["tanggal_awal"]])
    if data["periode"].get("sementara_sampai"):
        out.writerow(
            ["sementara_sampai", data["periode"]["label"], data["periode"]["sementara_sampai"]]
        )
    for row in data["indeks"]:
        out.writerow(["nilai", row["indeks"], row["nilai"] or ""])
        out.writerow(["mutu", row["indeks"], row["mutu"] or ""])
    for row in data["responden_per_layanan"]:
        out.writerow(["responden", formula_safe(row["layanan"]), row["n"]])
    for key, rows in data["demografi"].items():
        for row in rows:
            out.writerow([key, row["nilai"], "" if row["n"] is None else row["n"]])
    for row in data.get("dikecualikan", {}).get("per_alasan", []):
        out.writerow(["dikecualikan", row["alasan"], row["n"]])
    out.writerow(["lisensi", LICENCE, ""])
    return download(buffer.getvalue().encode("utf-8"), f"hasil-{kode}-{publication_id}.csv")


@bp.get("/<kode>/<int:publication_id>/<name>")
def artefact(kode: str, publication_id: int, name: str) -> Response:
    """A poster, X-banner or social image of a publication, from its frozen snapshot."""
    if name not in artefacts.FILES:
        abort(404)
    unit = _unit(kode)
    publication = _publication(unit, publication_id)
    snapshot = json.dumps(publication.data, sort_keys=True)
    minutes = unit_minutes(current_app.extensions["zisurvey.catalogue"], unit)
    body = _rendered(snapshot, name, survey_url(unit), unit.logo, str(get_locale()), minutes)
    return download(body, f"{kode}-{publication.label}-{name}")


@lru_cache(maxsize=32)
def _rendered(
    snapshot: str, name: str, survey_url: str, logo: bytes | None, locale: str, minutes: int
) -> bytes:
    """An artefact drawn from everything it shows, so a repeat costs nothing (a frozen snapshot
    never changes; a new logo, QR target or form length is a new key). ``locale`` keys the
    date words."""
    text = artefacts.content(json.loads(snapshot), survey_url, tanggal, logo, minutes)
    return artefacts.draw(text, name)
