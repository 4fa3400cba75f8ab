"""the unit's complaint channel (WBS/pengaduan), shown on the thank-you page (issue 21)

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-30 06:20:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('unit', schema=None) as batch_op:
        batch_op.add_column(sa.Column('tautan_pengaduan', sa.String(length=300), nullable=True))


def downgrade():
    with op.batch_alter_table('unit', schema=None) as batch_op:
        batch_op.drop_column('tautan_pengaduan')
