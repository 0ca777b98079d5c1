"""the matcher's candidates under row-level security: one narrow SECURITY DEFINER function

Revision ID: 0012
Revises: 0011

PostgreSQL only (SQLite has no row-level security). A staff login sees only the
customers its role allows, so the 查重 matcher (`customer add/lookup`, `claim add`,
`lead add`, imports) asks `salesctl_match_candidates` for the rows of the whole archive
that share a stored match key (normal form, trade name, its first or last two
characters, phone, email, credit code) and gets back only name, owner and first-report
time, as a duplicate refusal shows them.
"""
from alembic import op


revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    from salesctl import rls

    rls.install_match_function(op)


def downgrade() -> None:
    from salesctl import rls

    rls.drop_match_function(op)
