"""Migrations: an empty database upgraded to head matches the models exactly."""

from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from survey_app import create_app
from survey_app.extensions import db
from tests.conftest import database_url, empty_database


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_upgrade_to_head_matches_the_models(backend, tmp_path: Path):
    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": database_url(backend, tmp_path), "SECRET_KEY": "test"}
    )
    with app.app_context():
        empty_database()
        upgrade()
        with db.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            assert compare_metadata(context, db.metadata) == []
        downgrade(revision="base")
        assert set(sa.inspect(db.engine).get_table_names()) <= {"alembic_version"}
        db.engine.dispose()
