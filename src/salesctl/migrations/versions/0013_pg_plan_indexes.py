"""PostgreSQL plans: the planner learns that open follow-ups are few (issue 23)

Revision ID: 0013
Revises: 0012

A visit's follow-up is marked done soon after its date, so "not done and due before
today" is a small set (about 12,000 of 1,000,000 visits on the scale set), but PostgreSQL
multiplies the two columns' selectivities as if they were independent and expects twenty
times as many (255,000). With that guess the summary's and `visit due`'s overdue
follow-ups hash every customer (spilling to disk) instead of probing the few they need.

Extended statistics on (follow_up_done, follow_up) give the planner the columns' joint
distribution: a most-common-values list of the pairs, 1,000 entries long (the default 100
covers too few dates to help; 1,000 brings the estimate within 1.5× of the true count for
the scale set's three years). PostgreSQL only: SQLite has no such statistics and its
plans already use `ix_visit_open_follow_up` (tests/test_query_plans.py). No index changes:
the indexes the queries need exist since 0001; the query shapes that let PostgreSQL use
them are in the services (an `= false` the index can serve, a probe per open follow-up).
The ANALYZE fills the new statistics now rather than at the next autovacuum.
"""
from alembic import op


revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

STATISTICS = "st_visit_open_follow_up"


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(f"CREATE STATISTICS IF NOT EXISTS {STATISTICS} (mcv) ON follow_up_done, follow_up FROM visit")
    op.execute(f"ALTER STATISTICS {STATISTICS} SET STATISTICS 1000")
    op.execute("ANALYZE visit")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(f"DROP STATISTICS IF EXISTS {STATISTICS}")
