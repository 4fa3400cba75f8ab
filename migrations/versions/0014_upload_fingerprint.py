"""uploaded rows' fingerprint and channel (issue 18) — filled in by issue 18

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-30 05:45:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
