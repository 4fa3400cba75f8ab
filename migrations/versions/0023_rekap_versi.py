"""settled months' versions and an index of saran: dashboards at 500 units (issue 20.4)

One row per month whose rollup changed after the month ended (a late kiosk answer, an upload,
an exclusion, a rebuild): a new random number each time. Dashboards keep the sums of a whole
unit's subtree for a settled month in memory and use them only while this number is unchanged.

An index of the submissions that carry a saran (layanan, month): the dashboard's newest saran
read those rows only.

Revision ID: 0023
Revises: 0022
Create Date: 2026-11-30 17:20:00

"""

from alembic import op
import sqlalchemy as sa


revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "rekap_versi",
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("versi", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("period LIKE '____-__'", name=op.f("ck_rekap_versi_period")),
        sa.PrimaryKeyConstraint("period", name=op.f("pk_rekap_versi")),
    )
    op.create_index(
        "ix_submission_saran",
        "submission",
        ["layanan_id", "period"],
        postgresql_where=sa.text("saran IS NOT NULL"),
        sqlite_where=sa.text("saran IS NOT NULL"),
    )


def downgrade():
    op.drop_index("ix_submission_saran", table_name="submission")
    op.drop_table("rekap_versi")
