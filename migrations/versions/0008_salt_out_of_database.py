"""the day's source salt leaves the database (Redis with an expiry, or process memory)

A copy of the database taken during a day carried that day's salt, with which the stored
source hashes could be reversed (2^32 IPv4 guesses). The table goes; salts already in it are
dropped with it.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30 00:45:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    op.drop_table('garam_sumber')


def downgrade():
    op.create_table(
        'garam_sumber',
        sa.Column('hari', sa.String(length=10), nullable=False),
        sa.Column('nilai', sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint('hari', name=op.f('pk_garam_sumber')),
    )
