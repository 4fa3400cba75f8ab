"""saved upload mappings per unit (issue 18.3) — filled in by issue 18

Revision ID: 0018
Revises: 0017
Create Date: 2026-11-30 07:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'pemetaan_unggahan',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('unit_id', sa.Integer(), nullable=False),
        sa.Column('nama', sa.String(length=80), nullable=False),
        sa.Column('isi', sa.JSON(), nullable=False),
        sa.Column('dibuat', sa.DateTime(timezone=True), nullable=False),
        sa.Column('diubah', sa.DateTime(timezone=True), nullable=False),
        sa.Column('pengguna_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ['pengguna_id'], ['pengguna.id'], name=op.f('fk_pemetaan_unggahan_pengguna_id_pengguna')
        ),
        sa.ForeignKeyConstraint(
            ['unit_id'], ['unit.id'], name=op.f('fk_pemetaan_unggahan_unit_id_unit')
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_pemetaan_unggahan')),
        sa.UniqueConstraint('unit_id', 'nama', name='uq_pemetaan_unggahan_unit_nama'),
    )
    with op.batch_alter_table('pemetaan_unggahan', schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f('ix_pemetaan_unggahan_unit_id'), ['unit_id'], unique=False
        )


def downgrade():
    with op.batch_alter_table('pemetaan_unggahan', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pemetaan_unggahan_unit_id'))
    op.drop_table('pemetaan_unggahan')
