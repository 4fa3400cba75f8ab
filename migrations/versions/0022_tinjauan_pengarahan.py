"""review reason pengarahan

A review decision may give "pengarahan" as its reason (issue 22: the flag of a respondent who
says an officer steered the answers).

Revision ID: 0022
Revises: 0021
Create Date: 2026-11-30 14:45:00

"""
from alembic import op


revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None

BEFORE = "'beruntun', 'identik', 'cepat', 'luar_jam', 'seragam', 'lainnya'"
AFTER = "'beruntun', 'identik', 'cepat', 'luar_jam', 'seragam', 'pengarahan', 'lainnya'"


def _reasons(allowed):
    with op.batch_alter_table('tinjauan') as batch:
        batch.drop_constraint(op.f('ck_tinjauan_alasan'), type_='check')
        batch.create_check_constraint(op.f('ck_tinjauan_alasan'), f"alasan IN ({allowed})")


def upgrade():
    _reasons(AFTER)


def downgrade():
    op.execute("UPDATE tinjauan SET alasan = 'lainnya' WHERE alasan = 'pengarahan'")
    _reasons(BEFORE)
