"""per-unit summaries for the Kementerian dashboard at 500 units (issue 20.4)

Revision ID: 0022
Revises: 0021
Create Date: 2026-11-30 13:20:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
