"""layanan open spans and the unit's minimum rule (REGULATION §3) — filled in by issue 16

Each layanan gets the spans of months in which it was open, backfilled from what the database
already holds: it opened in the month of its creation (the audit entry "tambah") or of its first
answer, whichever is earlier (the month of this upgrade when neither exists); every audited
closing or reopening ends or starts a span in its month; a layanan closed without such an entry
ends in the month of its last answer. Months are read in the unit's own zone. Every unit gets the
minimum rule ``tetap`` (30/15) and, for ``sampel``, Krejcie-Morgan.

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-30 05:45:00

"""
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from alembic import op
import sqlalchemy as sa


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('unit', schema=None) as batch_op:
        batch_op.add_column(sa.Column('aturan_minimal', sa.String(length=10), server_default='tetap', nullable=False))
        batch_op.add_column(sa.Column('rumus_sampel', sa.String(length=20), server_default='krejcie_morgan', nullable=False))
        batch_op.create_check_constraint(batch_op.f('ck_unit_aturan_minimal'), "aturan_minimal IN ('tetap', 'sampel')")
        batch_op.create_check_constraint(batch_op.f('ck_unit_rumus_sampel'), "rumus_sampel IN ('krejcie_morgan', 'slovin')")
    op.create_table('layanan_masa',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('layanan_id', sa.Integer(), nullable=False),
    sa.Column('dari', sa.String(length=7), nullable=False),
    sa.Column('sampai', sa.String(length=7), nullable=True),
    sa.CheckConstraint("dari LIKE '____-__'", name=op.f('ck_layanan_masa_dari')),
    sa.CheckConstraint("sampai IS NULL OR (sampai LIKE '____-__' AND dari <= sampai)", name=op.f('ck_layanan_masa_sampai')),
    sa.ForeignKeyConstraint(['layanan_id'], ['layanan.id'], name=op.f('fk_layanan_masa_layanan_id_layanan')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_layanan_masa')),
    sa.UniqueConstraint('layanan_id', 'dari', name='uq_layanan_masa_layanan_dari')
    )
    with op.batch_alter_table('layanan_masa', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_layanan_masa_layanan_id'), ['layanan_id'], unique=False)
    _backfill(op.get_bind(), datetime.now(UTC))


def downgrade():
    with op.batch_alter_table('layanan_masa', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_layanan_masa_layanan_id'))
    op.drop_table('layanan_masa')
    with op.batch_alter_table('unit', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_unit_rumus_sampel'), type_='check')
        batch_op.drop_constraint(batch_op.f('ck_unit_aturan_minimal'), type_='check')
        batch_op.drop_column('rumus_sampel')
        batch_op.drop_column('aturan_minimal')


unit = sa.table('unit', sa.column('id', sa.Integer), sa.column('timezone', sa.String))
layanan = sa.table(
    'layanan', sa.column('id', sa.Integer), sa.column('unit_id', sa.Integer), sa.column('aktif', sa.Boolean)
)
submission = sa.table('submission', sa.column('layanan_id', sa.Integer), sa.column('period', sa.String))
audit = sa.table(
    'audit_log',
    sa.column('id', sa.Integer),
    sa.column('at', sa.DateTime(timezone=True)),
    sa.column('action', sa.String),
    sa.column('entity', sa.String),
    sa.column('entity_id', sa.String),
    sa.column('before', sa.JSON),
    sa.column('after', sa.JSON),
)
masa = sa.table(
    'layanan_masa', sa.column('layanan_id', sa.Integer), sa.column('dari', sa.String), sa.column('sampai', sa.String)
)


def _month(at, tz):
    at = at if at.tzinfo else at.replace(tzinfo=UTC)  # SQLite drops the zone of a UTC value
    return at.astimezone(ZoneInfo(tz)).strftime('%Y-%m')


def _backfill(connection, now):
    zones = dict(connection.execute(sa.select(unit.c.id, unit.c.timezone)).all())
    answered = {
        row[0]: (row[1], row[2])
        for row in connection.execute(
            sa.select(submission.c.layanan_id, sa.func.min(submission.c.period), sa.func.max(submission.c.period))
            .group_by(submission.c.layanan_id)
        )
    }
    events = {}
    rows = connection.execute(
        sa.select(audit.c.entity_id, audit.c.at, audit.c.action, audit.c.before, audit.c.after)
        .where(audit.c.entity == 'layanan', audit.c.action.in_(['tambah', 'ubah']))
        .order_by(audit.c.at, audit.c.id)
    )
    for entity_id, at, action, before, after in rows:
        events.setdefault(entity_id, []).append((at, action, before or {}, after or {}))
    spans = []
    for layanan_id, unit_id, aktif in connection.execute(sa.select(layanan.c.id, layanan.c.unit_id, layanan.c.aktif)):
        tz = zones.get(unit_id) or 'Asia/Jakarta'
        spans += [
            {'layanan_id': layanan_id, 'dari': dari, 'sampai': sampai}
            for dari, sampai in _spans(events.get(str(layanan_id), []), answered.get(layanan_id), bool(aktif), tz, now)
        ]
    if spans:
        connection.execute(masa.insert(), spans)


def _spans(events, answers, aktif, tz, now):
    """The spans of one layanan from its audited creation, closings and reopenings, and the
    months of its first and last answers."""
    created = [_month(at, tz) for at, action, _, _ in events if action == 'tambah']
    first = min(created[:1] + ([answers[0]] if answers else [])) if created or answers else _month(now, tz)
    spans = [[first, None]]
    for at, action, before, after in events:
        if action != 'ubah' or before.get('aktif') == after.get('aktif') or 'aktif' not in after:
            continue
        month = max(_month(at, tz), first)
        last = spans[-1]
        if not after['aktif'] and last[1] is None:
            last[1] = max(month, last[0])
        elif after['aktif'] and last[1] is not None:
            if month <= last[1]:
                last[1] = None  # closed and opened again within the month: one span
            else:
                spans.append([month, None])
    last = spans[-1]
    if not aktif and last[1] is None:
        last[1] = max(answers[1] if answers else last[0], last[0])
    elif aktif and last[1] is not None:
        month = _month(now, tz)
        if month <= last[1]:
            last[1] = None
        else:
            spans.append([month, None])
    return [tuple(span) for span in spans]
