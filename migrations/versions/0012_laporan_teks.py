"""the SKM report's free texts per unit and period (REGULATION §8)

Kata pengantar, latar belakang, tim pelaksana and kesimpulan as staff wrote them over the
defaults, one row per unit, period and part.

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
    op.create_table('laporan_teks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('dari', sa.String(length=7), nullable=False),
    sa.Column('sampai', sa.String(length=7), nullable=False),
    sa.Column('bagian', sa.String(length=20), nullable=False),
    sa.Column('teks', sa.Text(), nullable=False),
    sa.Column('diubah', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("bagian IN ('pengantar', 'latar_belakang', 'tim', 'kesimpulan')", name=op.f('ck_laporan_teks_bagian')),
    sa.CheckConstraint('dari <= sampai', name=op.f('ck_laporan_teks_periode')),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_laporan_teks_unit_id_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_laporan_teks')),
    sa.UniqueConstraint('unit_id', 'dari', 'sampai', 'bagian', name='uq_laporan_teks')
    )


def downgrade():
    op.drop_table('laporan_teks')
