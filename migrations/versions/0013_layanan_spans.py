"""layanan open spans and the unit's minimum rule (REGULATION §3) — filled in by issue 16

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-30 05:45:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
