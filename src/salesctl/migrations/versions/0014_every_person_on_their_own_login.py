"""the team server with every person on their own login: what the suite found under row-level security

Revision ID: 0014
Revises: 0013

PostgreSQL only (issue 15). Running the whole suite with one login per person showed
commands that worked for the administrator's connection and failed, or answered
differently than on SQLite, for a staff login. Rules (salesctl.rls.TABLES):

- `attachment_key`: every active staff login may read and add the key (append-only;
  every login reads it to encrypt and decrypt). Before, only a manager could, so a
  rep's first `attach add` on a fresh team server was refused.
- `attachment_blob`: the staff group keeps SELECT (scoped to the attachments it sees)
  and loses INSERT; content goes in through `salesctl_store_blob` (insert, or the id of
  the row with that keyed digest: the same file from another team is kept once).
- `installment` (a plan replaced before any payment) and `payment_allocation` (a void
  frees them) get the DELETE policy they lacked: without one, a DELETE under RLS
  silently removed nothing.
- `deal` and `visit`: the customer's owner sees every deal and visit of the customer,
  as on SQLite (a won deal keeps the rep who won it while the new owner records its
  payments; a handed-over follow-up is the new owner's); writes stay in one's own scope,
  and a visit's attachments stay its rep's scope's (`attachment`).
- `ownership_entry`: the claims of the people one sees (a manager decides their claim
  requests); `notify_log`: what a login sends up its chain and to the gm/director
  (`archive friday --send`, `summary --send`).

Functions (narrow SECURITY DEFINER, fixed search_path, staff logins only):

- `salesctl_row_exists` (re-created: existence only, so a record out of reach is
  refused as "permission denied", as on SQLite) answers for contacts, visits, contracts,
  attachments, leads, payments, leave and claims too; `salesctl_contract_numbered` the
  same by contract number. A downgrade keeps them: they reveal no more than existence.
- `salesctl_claim_target`: `claim add ID` on a customer out of reach tells what the
  first-reporter check tells by name (name, owner, first report time); asking for one
  the caller has no claim on is recorded in `db_audit` as a lookup.
- `salesctl_claimed_customers`: the customer name of claim requests by people one sees.
- `salesctl_action_held_at`: the date of the meeting an action of one's own came from.
- `salesctl_store_blob` (above) and `salesctl_merge_move`: `customer merge` by a
  manager moves DROP's grade history, profile sections and rows an earlier owner outside
  the team wrote.
"""
from alembic import op


revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

CHANGED = ("attachment_key", "attachment_blob", "installment", "payment_allocation", "deal", "visit", "attachment",
           "ownership_entry", "notify_log")


def upgrade() -> None:
    from salesctl import rls

    if not rls.is_postgres(op):
        return
    rls.install_functions(op)  # salesctl_row_exists and salesctl_contract_numbered
    rls.install_definers(op, rls.DEFINERS_0014)
    for table in CHANGED:
        rls.protect_table(op, table)


def downgrade() -> None:
    from salesctl import rls

    if not rls.is_postgres(op):
        return
    before = {
        "attachment_key": rls.Rule("directory", grants=rls.APPEND_ONLY),
        "attachment_blob": rls.Rule("child", "blob_id", "attachment", grants=rls.APPEND_ONLY),
        "installment": rls.Rule("via", "contract_id", "contract"),
        "deal": rls.Rule("staff", "owner_id"),
        "visit": rls.Rule("staff", "rep_id"),
        "ownership_entry": rls.Rule("via", "customer_id", "customer", also="staff_id", grants=rls.APPEND_ONLY),
        "notify_log": rls.Rule("staff", "staff_id", grants=rls.APPEND_ONLY),
    }
    for table, rule in before.items():
        rls.protect_table(op, table, rule)
    rls.drop_definers(op, rls.DEFINERS_0014)
