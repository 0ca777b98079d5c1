"""archive password reset: a manager may set (and see the date of) their team's archive passwords

Revision ID: 0011
Revises: 0010

Only PostgreSQL's row-level security changes (SQLite has none): the archive_password
rows were each person's own; now a manager's team's too, so `archive password reset`
and `archive password status --team` work for a staff login as they do on SQLite.
"""
from alembic import op


revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    from salesctl import rls

    rls.protect_table(op, "archive_password")


def downgrade() -> None:
    from salesctl import rls

    rls.protect_table(op, "archive_password", rls.Rule("own", "staff_id", grants=rls.APPEND_ONLY))
