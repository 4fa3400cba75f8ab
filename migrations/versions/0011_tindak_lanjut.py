"""the follow-up register (tindak lanjut) with evidence files, and why a respondent scored low

REGULATION §8: a unit's register of follow-up entries per period, each with its evidence files
(a re-encoded image or a PDF, kept in the database like the logo); what a respondent who
answered 1 or 2 said should improve, per answer; and the unit's setting that asks it (on).

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30 04:05:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('unit', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('tanya_alasan', sa.Boolean(), server_default=sa.true(), nullable=False)
        )
    op.create_table('alasan_jawaban',
    sa.Column('submission_id', sa.Integer(), nullable=False),
    sa.Column('item_code', sa.String(length=8), nullable=False),
    sa.Column('teks', sa.String(length=300), nullable=False),
    sa.ForeignKeyConstraint(['submission_id', 'item_code'], ['answer.submission_id', 'answer.item_code'], name='fk_alasan_jawaban_answer'),
    sa.PrimaryKeyConstraint('submission_id', 'item_code', name=op.f('pk_alasan_jawaban'))
    )
    op.create_table('tindak_lanjut',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('dari', sa.String(length=7), nullable=False),
    sa.Column('sampai', sa.String(length=7), nullable=False),
    sa.Column('instrument_id', sa.String(length=32), nullable=False),
    sa.Column('unsur', sa.String(length=8), nullable=False),
    sa.Column('program', sa.String(length=500), nullable=False),
    sa.Column('waktu', sa.String(length=10), nullable=False),
    sa.Column('penanggung_jawab', sa.String(length=200), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('hasil', sa.Text(), nullable=True),
    sa.Column('dibuat', sa.DateTime(timezone=True), nullable=False),
    sa.Column('diubah', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('rencana', 'berjalan', 'selesai')", name=op.f('ck_tindak_lanjut_status')),
    sa.CheckConstraint('dari <= sampai', name=op.f('ck_tindak_lanjut_periode')),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_tindak_lanjut_unit_id_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tindak_lanjut'))
    )
    with op.batch_alter_table('tindak_lanjut', schema=None) as batch_op:
        batch_op.create_index('ix_tindak_lanjut_unit_periode', ['unit_id', 'dari', 'sampai'], unique=False)
    op.create_table('bukti_tindak_lanjut',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('tindak_lanjut_id', sa.Integer(), nullable=False),
    sa.Column('nama', sa.String(length=200), nullable=False),
    sa.Column('jenis', sa.String(length=40), nullable=False),
    sa.Column('ukuran', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('isi', sa.LargeBinary(), nullable=False),
    sa.Column('dibuat', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('ukuran > 0', name=op.f('ck_bukti_tindak_lanjut_ukuran')),
    sa.ForeignKeyConstraint(['tindak_lanjut_id'], ['tindak_lanjut.id'], name=op.f('fk_bukti_tindak_lanjut_tindak_lanjut_id_tindak_lanjut')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bukti_tindak_lanjut'))
    )
    with op.batch_alter_table('bukti_tindak_lanjut', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_bukti_tindak_lanjut_tindak_lanjut_id'), ['tindak_lanjut_id'], unique=False)


def downgrade():
    with op.batch_alter_table('bukti_tindak_lanjut', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_bukti_tindak_lanjut_tindak_lanjut_id'))
    op.drop_table('bukti_tindak_lanjut')
    with op.batch_alter_table('tindak_lanjut', schema=None) as batch_op:
        batch_op.drop_index('ix_tindak_lanjut_unit_periode')
    op.drop_table('tindak_lanjut')
    op.drop_table('alasan_jawaban')
    with op.batch_alter_table('unit', schema=None) as batch_op:
        batch_op.drop_column('tanya_alasan')
