"""the SKM report's free texts per unit and period (REGULATION §8)

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-30 05:45:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
