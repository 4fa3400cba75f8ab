"""Domain services: take the session, add and flush; the request or CLI command commits."""

from typing import Any, TypeAlias

from sqlalchemy.orm import Session, scoped_session

# Services accept a plain Session (CLI, scripts) or Flask-SQLAlchemy's scoped one (requests).
DbSession: TypeAlias = Session | scoped_session[Any]
