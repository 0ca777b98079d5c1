"""row-level security the planner can serve from indexes: the same rules, written so RLS stays cheap

Revision ID: 0015
Revises: 0014

PostgreSQL only (issue 15, item 8). The org-chart rules of salesctl.rls are
unchanged; three of their SQL forms are rewritten so that a staff login's
statements cost about what the administrator's do (benchmarks/bench_rls.py):

- `customer` and the staff-column tables: no `salesctl_sees_all() OR …` arm.
  The director's and gm's visible set is every staff id, so the rule means the
  same, but an OR with a constant arm kept PostgreSQL from the owner index: a rep's
  `customer list` read every customer and every contact.
- tables read through their parent (`contact`, `grade_change`, `payment`, …):
  `EXISTS (SELECT 1 FROM parent WHERE id = column)` instead of
  `column IN (SELECT id FROM parent)`, so the planner chooses between hashing the
  visible parents and probing the parent's primary key per row.
- `visit` and `deal` read by the customer's owner: a primary-key probe for the rows
  outside one's own scope (the IN subquery hashed every customer of a manager's team
  to check a dozen deals).

Every registered table's policies are re-created. A downgrade leaves these forms in
place: they are the rules of 0014, so nothing 0014 expects changes.
"""
from alembic import op


revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    from salesctl import rls

    if not rls.is_postgres(op):
        return
    rls.protect_present(op)


def downgrade() -> None:
    """Nothing to undo: the rewritten policies mean what 0014's meant (see the docstring)."""
