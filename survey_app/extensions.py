"""Extensions, unbound: ``create_app`` binds them."""

from flask import current_app
from flask_babel import Babel
from flask_limiter import Limiter
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

# Stable constraint names, so Alembic revisions name the same constraint on every database.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
csrf = CSRFProtect()
babel = Babel()
login_manager = LoginManager()


def _source_key() -> str:
    """The request's salted source hash, by the function ``create_app`` registers.

    Looked up at request time, so this module imports nothing of the app (no import circle).
    """
    key: str = current_app.extensions["zisurvey.source_key"]()
    return key


# Keyed by the salted source hash, never the address: memory, or Redis with several workers.
limiter = Limiter(key_func=_source_key, default_limits=[])
