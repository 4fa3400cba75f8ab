"""Configuration: defaults, then SURVEY_* variables, then the mapping passed to create_app."""

from survey_app import create_app


def test_environment_then_mapping(monkeypatch, tmp_path):
    monkeypatch.setenv("SURVEY_DATABASE_URL", f"sqlite:///{tmp_path / 'env.db'}")
    monkeypatch.setenv("SURVEY_SESSION_COOKIE_SECURE", "1")
    monkeypatch.setenv("SURVEY_LOGIN_LIMIT", "3 per minute")
    app = create_app({"SECRET_KEY": "x", "LOGIN_LIMIT": "5 per minute"})
    assert app.config["SQLALCHEMY_DATABASE_URI"].endswith("env.db")
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["LOGIN_LIMIT"] == "5 per minute"  # the mapping wins over the environment
