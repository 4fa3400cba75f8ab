"""indexes or summaries for dashboards at 500 units (issue 20.4) — landed empty; stays empty (no schema was needed)

Revision ID: 0020
Revises: 0019
Create Date: 2026-11-30 09:20:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
