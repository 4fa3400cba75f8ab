"""administration in the web: unit details, petugas loket, sign-in throttling, session versions,
password-reset links

Units gain city, address, head of unit with NIP (report signatures) and an open/closed flag.
Accounts gain an optional e-mail, a session version (bumped to end every session of a user), the
creation and last sign-in times, and the role ``petugas``. The per-account lock (gagal_masuk,
terkunci_sampai) gives way to throttling counted per typed username and per source in
``percobaan_masuk``. Reset links keep only the hash of their token.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30 03:10:00

"""

from alembic import op
import sqlalchemy as sa


revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("unit", schema=None) as batch_op:
        batch_op.add_column(sa.Column("kota", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("alamat", sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column("kepala", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("nip_kepala", sa.String(length=18), nullable=True))
        batch_op.add_column(
            sa.Column("aktif", sa.Boolean(), server_default=sa.true(), nullable=False)
        )

    with op.batch_alter_table("pengguna", schema=None) as batch_op:
        batch_op.add_column(sa.Column("email", sa.String(length=254), nullable=True))
        batch_op.add_column(
            sa.Column("sesi_versi", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.add_column(sa.Column("dibuat", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("terakhir_masuk", sa.DateTime(timezone=True), nullable=True))
        batch_op.drop_column("terkunci_sampai")
        batch_op.drop_column("gagal_masuk")
        batch_op.drop_constraint(op.f("ck_pengguna_role"), type_="check")
        batch_op.create_check_constraint(
            op.f("ck_pengguna_role"), "role IN ('admin', 'unit_admin', 'viewer', 'petugas')"
        )

    op.create_table(
        "percobaan_masuk",
        sa.Column("kunci", sa.String(length=80), nullable=False),
        sa.Column("gagal", sa.Integer(), nullable=False),
        sa.Column("terakhir", sa.DateTime(timezone=True), nullable=False),
        sa.Column("tunggu_sampai", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("gagal >= 0", name=op.f("ck_percobaan_masuk_gagal")),
        sa.PrimaryKeyConstraint("kunci", name=op.f("pk_percobaan_masuk")),
    )
    op.create_table(
        "reset_sandi",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("pengguna_id", sa.Integer(), nullable=False),
        sa.Column("dibuat", sa.DateTime(timezone=True), nullable=False),
        sa.Column("berlaku_sampai", sa.DateTime(timezone=True), nullable=False),
        sa.Column("dipakai", sa.DateTime(timezone=True), nullable=True),
        sa.Column("pembuat_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["pembuat_id"], ["pengguna.id"], name=op.f("fk_reset_sandi_pembuat_id_pengguna")
        ),
        sa.ForeignKeyConstraint(
            ["pengguna_id"], ["pengguna.id"], name=op.f("fk_reset_sandi_pengguna_id_pengguna")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reset_sandi")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_reset_sandi_token_hash")),
    )
    with op.batch_alter_table("reset_sandi", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_reset_sandi_pengguna_id"), ["pengguna_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("reset_sandi", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reset_sandi_pengguna_id"))
    op.drop_table("reset_sandi")
    op.drop_table("percobaan_masuk")
    op.execute("DELETE FROM pengguna WHERE role = 'petugas'")
    with op.batch_alter_table("pengguna", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_pengguna_role"), type_="check")
        batch_op.create_check_constraint(
            op.f("ck_pengguna_role"), "role IN ('admin', 'unit_admin', 'viewer')"
        )
        batch_op.add_column(
            sa.Column("gagal_masuk", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.add_column(sa.Column("terkunci_sampai", sa.DateTime(timezone=True), nullable=True))
        batch_op.drop_column("terakhir_masuk")
        batch_op.drop_column("dibuat")
        batch_op.drop_column("sesi_versi")
        batch_op.drop_column("email")
    with op.batch_alter_table("unit", schema=None) as batch_op:
        batch_op.drop_column("aktif")
        batch_op.drop_column("nip_kepala")
        batch_op.drop_column("kepala")
        batch_op.drop_column("alamat")
        batch_op.drop_column("kota")
