"""Response headers that make the pages harder to abuse.

No page has an inline script: the public pages need none, and staff charts are drawn by
``static/charts.js`` from a data attribute. Plotly adds a <style> element of its own, so staff
pages allow inline styles; public pages do not. The kiosk (a controlled tablet) runs
``static/kiosk.js`` and a service worker from its own path, both from the app and nothing else;
its policy names them, and the phone form's stays as it is.
"""

from __future__ import annotations

from flask import Flask, Response, abort, request

BASE = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}
STAFF = dict(BASE, **{"style-src": "'self' 'unsafe-inline'"})
KIOSK = dict(BASE, **{"connect-src": "'self'", "worker-src": "'self'", "manifest-src": "'self'"})


def policy(directives: dict[str, str]) -> str:
    return "; ".join(f"{name} {value}" for name, value in directives.items())


def refuse_nul() -> None:
    """A NUL character anywhere in the path, the query or the form answers 400.

    No text a person types holds one, PostgreSQL cannot store one, and a NUL cut short in one
    layer and not another is how filters are slipped past: refused before any view reads it.
    """
    values = [request.path, *request.args.keys(), *request.args.values()]
    if request.method == "POST" and request.mimetype in FORM_TYPES:
        values += [*request.form.keys(), *request.form.values()]
    if any("\x00" in value for value in values):
        abort(400, description="NUL")


FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def register(app: Flask) -> None:
    public, staff, kiosk = policy(BASE), policy(STAFF), policy(KIOSK)
    app.before_request(refuse_nul)

    @app.after_request
    def secure_headers(response: Response) -> Response:
        is_staff = request.path.startswith("/staf")
        chosen = staff if is_staff else kiosk if request.path.startswith("/kiosk/") else public
        response.headers.setdefault("Content-Security-Policy", chosen)
        if is_staff and request.endpoint != "staf.plotly_js":
            # figures, exports and saran never stay in a browser's or a proxy's cache
            response.headers["Cache-Control"] = "no-store"
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        return response
