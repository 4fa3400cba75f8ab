"""Reliability (issue 9): the health check, and a friendly 503 while the database is away."""

from survey_app import create_app
from survey_app.extensions import db

UNREACHABLE = "postgresql+psycopg://postgres@127.0.0.1:1/none?connect_timeout=2"


def test_health_reports_the_database(app):
    response = app.test_client().get("/health")
    assert response.status_code == 200
    assert response.get_json()["database"] == "ok"


def test_without_a_database_the_form_says_try_again_with_503(tmp_path):
    app = create_app({"SQLALCHEMY_DATABASE_URI": UNREACHABLE, "SECRET_KEY": "x"})
    client = app.test_client()
    health = client.get("/health")
    assert health.status_code == 503 and health.get_json()["status"] == "error"
    for path in ("/survei/abc", "/hasil/LAPAS", "/"):
        response = client.get(path)
        page = response.get_data(as_text=True)
        assert response.status_code == 503, path
        assert response.headers["Retry-After"] == "30"
        assert "coba lagi" in page and "Traceback" not in page and "psycopg" not in page
    posted = client.post("/survei/abc", data={"U1": "4"})
    assert posted.status_code in (400, 503)  # CSRF refuses first or the database is away
    with app.app_context():
        db.engine.dispose()


def test_postgresql_connections_get_the_planner_settings(app, backend):
    from sqlalchemy import text

    if backend != "postgresql":
        assert app.config["PG_SESSION_SETTINGS"] == "random_page_cost=1.1,jit=off"
        return
    cost = db.session.execute(text("SHOW random_page_cost")).scalar()
    path = db.session.execute(text("SHOW search_path")).scalar()
    assert db.session.execute(text("SHOW jit")).scalar() == "off"
    assert cost == "1.1" and path.startswith("zisurvey_test_")  # the URL's options still apply


def test_dashboards_read_from_the_replica_when_one_is_configured(tmp_path):
    """SURVEY_REPORTS_DATABASE_URL: dashboards and exports read there; sign-in and changes use
    the primary. A replica lagging one answer behind shows the count it has."""
    import re
    import shutil

    from tests.conftest import make_layanan, make_unit
    from tests.web.conftest import signed_in
    from tests.web.test_integrity import answer, respondent

    primary, replica = tmp_path / "primary.db", tmp_path / "replica.db"
    settings = {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{primary}", "SECRET_KEY": "x"}
    app = create_app(settings | {"SUBMIT_LIMIT": "100 per minute"})
    with app.app_context():
        db.create_all()
        from survey_app.services.administration.accounts import create_user

        unit = make_unit("LAPAS", timezone="Asia/Jakarta")
        layanan = make_layanan(unit, "KUNJ", ("skm", "ipak", "ipkp"))
        create_user(db.session, "admin", "sandi-rahasia-1", "admin")
        db.session.commit()
        token = layanan.token
    # requests outside the setup's app context: each gets its own, as in production
    assert answer(respondent(app), token).status_code == 303
    shutil.copy(primary, replica)  # the replica as of now
    assert answer(respondent(app, "198.51.100.9"), token).status_code == 303  # not seen yet
    with app.app_context():
        db.engine.dispose()

    def ikm_n(application) -> int:
        client = signed_in(application, "admin")
        page = client.get("/staf/unit/LAPAS").get_data(True)
        with application.app_context():
            db.engine.dispose()
        return int(re.search(r"<h2>IKM</h2>.*?n = (\d+)", page, re.S).group(1))

    assert ikm_n(create_app(settings)) == 2
    with_replica = create_app(settings | {"REPORTS_DATABASE_URL": f"sqlite:///{replica}"})
    assert ikm_n(with_replica) == 1
    with_replica.extensions["zisurvey.reports"].dispose()


def test_reports_plan_each_statement_for_its_values_and_the_form_keeps_cached_plans(app, backend):
    """On PostgreSQL a report's transactions run with plan_cache_mode=force_custom_plan (a
    generic plan of a Kementerian's tallies was 6x slower); other work keeps 'auto'."""
    from sqlalchemy import text

    from survey_app.staf.scope import custom_plans, reports_session

    with app.test_request_context("/staf/unit/X"):
        session = reports_session()
        if backend != "postgresql":
            assert "custom_plans" not in session.info
            return
        assert session.execute(text("SHOW plan_cache_mode")).scalar() == "force_custom_plan"
        session.commit()  # a new transaction: set again
        assert session.execute(text("SHOW plan_cache_mode")).scalar() == "force_custom_plan"
        assert custom_plans(session) is session  # once per session, not once per call
        session.rollback()
    with db.engine.connect() as connection:  # the form's work: the server's default
        assert connection.execute(text("SHOW plan_cache_mode")).scalar() == "auto"
