"""questionnaire variants per unit, versioned (issue 22) — filled in by issue 22

Revision ID: 0019
Revises: 0018
Create Date: 2026-11-30 09:20:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
