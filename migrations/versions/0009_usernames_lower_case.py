"""usernames are compared ignoring case: existing ones lower-cased

Sign-in and account creation now look a username up in lower case (ADMIN is admin). Names that
are already lower case are unchanged; a name whose lower case another account already holds is
left as it is (it can still sign in by its exact lower-case spelling after an admin renames it).

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30 01:05:00

"""
from alembic import op


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    op.execute(
        "UPDATE pengguna SET username = lower(username) "
        "WHERE username <> lower(username) AND lower(username) NOT IN "
        "(SELECT lower(username) FROM (SELECT username FROM pengguna) AS taken "
        "GROUP BY lower(username) HAVING count(*) > 1)"
    )


def downgrade():
    pass  # the original case is not kept; lower-case names sign in either way
