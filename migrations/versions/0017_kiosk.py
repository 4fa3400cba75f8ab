"""empty: slot 0017 landed empty on main; the kiosk's schema is revision 0021

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-30 07:00:00

"""


revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
