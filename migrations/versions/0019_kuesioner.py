"""questionnaire variants per unit, versioned (issue 22)

A unit's variant (``kuesioner_varian``: name, the instruments it adapts) has immutable versions
(``kuesioner_versi``: content as JSON, when, by whom). A layanan may choose a variant
(``layanan.kuesioner_varian_id``; NULL is the shipped base) and every submission keeps the
version it was given under (``submission.kuesioner_versi_id``; NULL is the base). Answers to
extra questions, never scored, are kept apart from the answers (``jawaban_tambahan``).

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
    op.create_table('kuesioner_varian',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('nama', sa.String(length=80), nullable=False),
    sa.Column('instrumen', sa.String(length=100), nullable=False),
    sa.Column('dibuat', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_kuesioner_varian_unit_id_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kuesioner_varian')),
    sa.UniqueConstraint('unit_id', 'nama', name='uq_kuesioner_varian_unit_nama')
    )
    with op.batch_alter_table('kuesioner_varian', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_kuesioner_varian_unit_id'), ['unit_id'], unique=False)
    op.create_table('kuesioner_versi',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('varian_id', sa.Integer(), nullable=False),
    sa.Column('nomor', sa.Integer(), nullable=False),
    sa.Column('isi', sa.JSON(), nullable=False),
    sa.Column('dibuat', sa.DateTime(timezone=True), nullable=False),
    sa.Column('dibuat_oleh', sa.Integer(), nullable=True),
    sa.CheckConstraint('nomor >= 1', name=op.f('ck_kuesioner_versi_nomor')),
    sa.ForeignKeyConstraint(['varian_id'], ['kuesioner_varian.id'], name=op.f('fk_kuesioner_versi_varian_id_kuesioner_varian')),
    sa.ForeignKeyConstraint(['dibuat_oleh'], ['pengguna.id'], name=op.f('fk_kuesioner_versi_dibuat_oleh_pengguna')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kuesioner_versi')),
    sa.UniqueConstraint('varian_id', 'nomor', name='uq_kuesioner_versi_varian_nomor')
    )
    with op.batch_alter_table('kuesioner_versi', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_kuesioner_versi_varian_id'), ['varian_id'], unique=False)
    op.create_table('jawaban_tambahan',
    sa.Column('submission_id', sa.Integer(), nullable=False),
    sa.Column('kode', sa.String(length=32), nullable=False),
    sa.Column('nilai', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['submission_id'], ['submission.id'], name=op.f('fk_jawaban_tambahan_submission_id_submission')),
    sa.PrimaryKeyConstraint('submission_id', 'kode', name=op.f('pk_jawaban_tambahan'))
    )
    with op.batch_alter_table('layanan', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kuesioner_varian_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_layanan_kuesioner_varian_id_kuesioner_varian'), 'kuesioner_varian', ['kuesioner_varian_id'], ['id'])
    with op.batch_alter_table('submission', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kuesioner_versi_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_submission_kuesioner_versi_id'), ['kuesioner_versi_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_submission_kuesioner_versi_id_kuesioner_versi'), 'kuesioner_versi', ['kuesioner_versi_id'], ['id'])


def downgrade():
    # answers given under a variant stay, counted by item code (only the version link goes)
    with op.batch_alter_table('submission', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_submission_kuesioner_versi_id_kuesioner_versi'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_submission_kuesioner_versi_id'))
        batch_op.drop_column('kuesioner_versi_id')
    with op.batch_alter_table('layanan', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_layanan_kuesioner_varian_id_kuesioner_varian'), type_='foreignkey')
        batch_op.drop_column('kuesioner_varian_id')
    op.drop_table('jawaban_tambahan')
    with op.batch_alter_table('kuesioner_versi', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_kuesioner_versi_varian_id'))
    op.drop_table('kuesioner_versi')
    with op.batch_alter_table('kuesioner_varian', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_kuesioner_varian_unit_id'))
    op.drop_table('kuesioner_varian')
