"""uploaded rows' fingerprint and channel (issue 18)

Rows of a responses file are their own channel, ``unggahan`` (they were ``import``). Rows
without an ``id`` are stored under their fingerprint (``sidik:<sha256>`` in the existing
``idempotency_key``, UNIQUE), so nothing else of the schema changes.

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-30 05:45:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def _channels(old, new, allowed):
    with op.batch_alter_table("submission", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_submission_source"), type_="check")
    op.execute(sa.text("UPDATE submission SET source = :new WHERE source = :old").bindparams(
        old=old, new=new
    ))
    with op.batch_alter_table("submission", schema=None) as batch_op:
        batch_op.create_check_constraint(op.f("ck_submission_source"), allowed)


def upgrade():
    _channels("import", "unggahan", "source IN ('form', 'unggahan')")


def downgrade():
    _channels("unggahan", "import", "source IN ('form', 'import')")
