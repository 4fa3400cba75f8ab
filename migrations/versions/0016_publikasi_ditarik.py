"""a publication can be withdrawn (ditarik) with a reason (REGULATION §6, issue 16.7)

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-30 06:35:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('publikasi', schema=None) as batch_op:
        batch_op.add_column(sa.Column('ditarik', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('alasan_tarik', sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column('ditarik_oleh', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f('fk_publikasi_ditarik_oleh_pengguna'), 'pengguna', ['ditarik_oleh'], ['id']
        )


def downgrade():
    with op.batch_alter_table('publikasi', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_publikasi_ditarik_oleh_pengguna'), type_='foreignkey')
        batch_op.drop_column('ditarik_oleh')
        batch_op.drop_column('alasan_tarik')
        batch_op.drop_column('ditarik')
