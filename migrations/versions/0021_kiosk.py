"""kiosk pairing and the kiosk channel (issue 21.3)

A kiosk is a browser paired with one layanan (a one-time code, then a device secret; only
their SHA-256 are kept). Its answers are the channel ``kiosk``: ``submission.kiosk_id`` names
the pairing and ``terlambat`` marks an answer kept on the device while offline and sent later.
A unit may show faces beside the labels on its kiosks (``unit.kiosk_wajah``). Answers the
server refused for good (too old, recorded before the pairing, a clock in the future) are
counted on the kiosk with the last reason, for staff to see (``kiosk.ditolak``).

This was slot 0017, which landed empty on main before the kiosk was merged: a database already
at 0018 would never run a filled 0017, so the kiosk's schema is this later revision.

Revision ID: 0021
Revises: 0020
Create Date: 2026-11-30 07:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None


def _channels(allowed):
    with op.batch_alter_table('submission', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_submission_source'), type_='check')
    with op.batch_alter_table('submission', schema=None) as batch_op:
        batch_op.create_check_constraint(op.f('ck_submission_source'), allowed)


def upgrade():
    op.create_table('kiosk',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('layanan_id', sa.Integer(), nullable=False),
    sa.Column('kode_hash', sa.String(length=64), nullable=True),
    sa.Column('kode_berlaku_sampai', sa.DateTime(timezone=True), nullable=False),
    sa.Column('rahasia_hash', sa.String(length=64), nullable=True),
    sa.Column('dibuat', sa.DateTime(timezone=True), nullable=False),
    sa.Column('dibuat_oleh', sa.Integer(), nullable=True),
    sa.Column('dipasang', sa.DateTime(timezone=True), nullable=True),
    sa.Column('dicabut', sa.DateTime(timezone=True), nullable=True),
    sa.Column('dicabut_oleh', sa.Integer(), nullable=True),
    sa.Column('ditolak', sa.Integer(), server_default='0', nullable=False),
    sa.Column('ditolak_terakhir', sa.DateTime(timezone=True), nullable=True),
    sa.Column('ditolak_alasan', sa.String(length=200), nullable=True),
    sa.CheckConstraint('kode_hash IS NULL OR rahasia_hash IS NULL', name=op.f('ck_kiosk_kode_atau_rahasia')),
    sa.ForeignKeyConstraint(['layanan_id'], ['layanan.id'], name=op.f('fk_kiosk_layanan_id_layanan')),
    sa.ForeignKeyConstraint(['dibuat_oleh'], ['pengguna.id'], name=op.f('fk_kiosk_dibuat_oleh_pengguna')),
    sa.ForeignKeyConstraint(['dicabut_oleh'], ['pengguna.id'], name=op.f('fk_kiosk_dicabut_oleh_pengguna')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kiosk')),
    sa.UniqueConstraint('kode_hash', name=op.f('uq_kiosk_kode_hash')),
    sa.UniqueConstraint('rahasia_hash', name=op.f('uq_kiosk_rahasia_hash'))
    )
    with op.batch_alter_table('kiosk', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_kiosk_layanan_id'), ['layanan_id'], unique=False)
    with op.batch_alter_table('unit', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kiosk_wajah', sa.Boolean(), server_default=sa.false(), nullable=False))
    with op.batch_alter_table('submission', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kiosk_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('terlambat', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('kiosk_dicatat', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f('ix_submission_kiosk_id'), ['kiosk_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_submission_kiosk_id_kiosk'), 'kiosk', ['kiosk_id'], ['id'])
    _channels("source IN ('form', 'unggahan', 'kiosk')")


def downgrade():
    # a kiosk's answers stay, counted, as answers of the form (nothing is deleted going back)
    with op.batch_alter_table('submission', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_submission_source'), type_='check')
    op.execute(sa.text("UPDATE submission SET source = 'form' WHERE source = 'kiosk'"))
    with op.batch_alter_table('submission', schema=None) as batch_op:
        batch_op.create_check_constraint(op.f('ck_submission_source'), "source IN ('form', 'unggahan')")
    with op.batch_alter_table('submission', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_submission_kiosk_id_kiosk'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_submission_kiosk_id'))
        batch_op.drop_column('kiosk_dicatat')
        batch_op.drop_column('terlambat')
        batch_op.drop_column('kiosk_id')
    with op.batch_alter_table('unit', schema=None) as batch_op:
        batch_op.drop_column('kiosk_wajah')
    with op.batch_alter_table('kiosk', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_kiosk_layanan_id'))
    op.drop_table('kiosk')
