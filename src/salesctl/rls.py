"""The team server's database-side rules (PostgreSQL only): logins, row-level security, the DB audit trail.

Size: about 1,000 lines: the table registry, the policy SQL and the SECURITY DEFINER functions
belong together, since each policy reads the functions defined beside it.

ONE registry, `TABLES`, says for every table how PostgreSQL guards it; the
migrations (`protect_table`) and `db security-check` (`security_report`) both read
it. The row rules are the org chart's rules of `permissions.py`, written in SQL:

- `salesctl_me()`            the staff id whose login role is `session_user`;
- `salesctl_visible_staff()` whose records that person sees (rep: self; manager and
  regional manager: self and team; assistant: their manager's team; director/gm: all);
- `salesctl_pay_staff()`     whose pay they see (self, and the team below a manager).

They are STABLE and SECURITY DEFINER, read the org chart on each statement (a
role change takes effect on the next statement) and are used through an
initplan `= ANY((SELECT …))`, never a recursive query per row.

Adding a table in a migration (the hook other features call):

    TABLES["contract"] = Rule("staff", "owner_id")           # one entry here
    ...
    from salesctl.rls import protect_table; protect_table(op, "contract")   # one call in the migration

`protect_table` does nothing on SQLite.

Role names: every database records a role prefix at `init` (`server_setting`
key `role_prefix`, from the database name), so databases on one cluster never
share roles: the group is `<prefix>_users`, a login is `<prefix>.<handle>`.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from sqlalchemy import text

# --------------------------------------------------------------------------- the registry
MUTABLE = ("SELECT", "INSERT", "UPDATE")
APPEND_ONLY = ("SELECT", "INSERT")
READ_ONLY = ("SELECT",)
NONE: tuple[str, ...] = ()


@dataclass(frozen=True)
class Rule:
    """How one table is guarded.

    kind: customer (owner/pool rule), staff (a staff-id column in the visible set),
    attachment (the record it hangs on must be visible), child (a visible `parent` row points at it),
    via (its parent row must be visible: `column` → `parent`), pay (a staff-id column
    in the pay set), meeting, complaint, own (the row's staff is the session user),
    audit (actor in the visible set), directory (every staff login reads it),
    key (every staff login reads it and may add one: the attachment key, 0014), system (no row data),
    message (staff, and a login also logs what it sends up its chain and to the gm/director, 0014).
    """

    kind: str
    column: str | None = None
    parent: str | None = None
    also: str | None = None  # via: a staff column that also makes the row visible (own claim requests);
    # staff: a customer column: its owner's scope sees the row too (customer show lists every visit), writes stay by `column`
    team: bool = False  # via: `also` in the visible set (a manager's claim list), not only the session user (0014)
    grants: tuple[str, ...] = MUTABLE
    public_read: bool = False  # every role may SELECT it (the schema version: checked before knowing who connects)

    @property
    def rls(self) -> bool:
        return self.kind != "system"


TABLES: dict[str, Rule] = {
    # org chart
    "staff": Rule("directory"),
    "leave": Rule("staff", "staff_id"),
    # customers
    "customer": Rule("customer"),
    "contact": Rule("via", "customer_id", "customer"),
    "profile_section": Rule("via", "customer_id", "customer"),
    "grade_change": Rule("via", "customer_id", "customer", grants=APPEND_ONLY),
    "ownership_entry": Rule("via", "customer_id", "customer", also="staff_id", team=True, grants=APPEND_ONLY),
    "lead": Rule("via", "customer_id", "customer", also="found_by_id"),
    "missed_sale": Rule("directory"),
    "missed_sale_share": Rule("staff", "staff_id"),
    # visits, deals
    "visit": Rule("staff", "rep_id", also="customer_id"),  # 0014: the customer's owner sees every visit to it
    "deal": Rule("staff", "owner_id", also="customer_id"),  # 0014: the customer's owner records a won deal's payments
    "deal_stage_change": Rule("via", "deal_id", "deal", grants=APPEND_ONLY),
    "payment": Rule("via", "deal_id", "deal"),
    # reports
    "report": Rule("staff", "rep_id"),
    "report_version": Rule("via", "report_id", "report", grants=APPEND_ONLY),
    "report_review": Rule("via", "report_id", "report"),
    # meetings, complaints
    "meeting": Rule("meeting", "team_manager_id"),
    "action_item": Rule("via", "meeting_id", "meeting", also="owner_id"),
    "complaint": Rule("complaint"),
    "complaint_event": Rule("via", "complaint_id", "complaint", grants=APPEND_ONLY),
    "complaint_escalation": Rule("via", "complaint_id", "complaint", also="staff_id", grants=APPEND_ONLY),
    # pay
    "target": Rule("pay", "staff_id"),
    "commission_adjustment": Rule("pay", "staff_id"),
    "commission_settlement": Rule("pay", "staff_id", grants=APPEND_ONLY),
    "commission_line": Rule("via", "settlement_id", "commission_settlement", grants=APPEND_ONLY),
    # security, audit
    "archive_password": Rule("secret", "staff_id", grants=APPEND_ONLY),  # 0011: managers reset their team's
    "audit_entry": Rule("audit", "actor_id", grants=APPEND_ONLY),
    "db_audit": Rule("audit", "actor_id", grants=READ_ONLY),
    "server_setting": Rule("system", grants=READ_ONLY),
    "alembic_version": Rule("system", grants=READ_ONLY, public_read=True),
    # handovers, contracts, receivables, attachments
    "deal_owner_change": Rule("via", "deal_id", "deal", grants=APPEND_ONLY),
    "contract": Rule("via", "deal_id", "deal"),
    "installment": Rule("via", "contract_id", "contract", grants=MUTABLE + ("DELETE",)),  # 0014: a plan is replaced
    "payment_allocation": Rule("via", "payment_id", "payment", grants=MUTABLE + ("DELETE",)),  # a void frees them
    "attachment": Rule("attachment"),
    # 0014: a login stores content only through salesctl_store_blob (insert or reuse by digest)
    "attachment_blob": Rule("child", "blob_id", "attachment", grants=READ_ONLY),
    "attachment_key": Rule("key", grants=APPEND_ONLY),  # every login needs the key (a rep's first file makes it)
    # the inbox and notifications
    "inbox_dismissal": Rule("own", "staff_id", grants=APPEND_ONLY),
    "notify_channel": Rule("staff", "staff_id"),
    "notify_delivery": Rule("staff", "staff_id"),
    "notify_log": Rule("message", "staff_id", grants=APPEND_ONLY),  # 0014: hand-offs up the chain are logged
}

# what an attachment may hang on, and the table whose row-level security then decides
ATTACHABLE = ("customer", "visit", "deal", "contract", "complaint")

# tables the row trigger does not record (the trails themselves and bookkeeping)
NOT_AUDITED = ("audit_entry", "db_audit", "alembic_version", "server_setting")
SECRET_COLUMNS = ("hash", "salt", "password", "key")
POLICY_PREFIX = "salesctl_"
STAFF_WRITE_ROLES = "('rep', 'assistant', 'regional_manager')"


# --------------------------------------------------------------------------- role names
def role_prefix(database: str) -> str:
    base = re.sub(r"[^a-z0-9_]", "_", database.lower()) or "salesctl"
    if len(base) > 28:
        base = base[:20] + "_" + hashlib.sha256(database.encode()).hexdigest()[:7]
    return base


def group_role(prefix: str) -> str:
    return f"{prefix}_users"


def login_role(prefix: str, handle: str) -> str:
    name = f"{prefix}.{handle.lower()}"
    if len(name) > 63:
        name = name[:54] + "~" + hashlib.sha256(handle.encode()).hexdigest()[:8]
    return name


def ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


# --------------------------------------------------------------------------- SQL pieces
ALL = "(SELECT salesctl_sees_all())"
VISIBLE = "(SELECT salesctl_visible_staff())::integer[]"  # an initplan: once per statement
PAY = "(SELECT salesctl_pay_staff())::integer[]"
ME = "(SELECT salesctl_me())"
ROLE = "(SELECT salesctl_my_role())"


def _staff_scope(column: str) -> str:
    """A staff-id column in the visible set (no constant sees-all arm, so the column's index serves it, 0015)."""
    return f"{column} = ANY({VISIBLE}) OR ({column} IS NULL AND {ALL})"


def row_rule(table: str, rule: Rule) -> str:
    """The boolean SQL a row of `table` must satisfy for the session's staff login."""
    if rule.kind == "customer":
        # the pool is open to everyone but reps; a rep also sees a pool customer they reported (first-reporter rule)
        # (0015: no sees-all arm: the director's and gm's visible set is every staff id, and an OR with a
        # constant arm kept the planner from the owner index)
        return f"owner_id = ANY({VISIBLE}) OR (owner_id IS NULL AND ({ROLE} <> 'rep' OR reported_by_id = {ME}))"
    if rule.kind in ("staff", "message"):
        clause = _staff_scope(rule.column)
        if rule.also:  # asked only of rows outside one's own scope, so a probe by primary key per such row
            # (OFFSET 0 keeps PostgreSQL from hashing every visible customer first, which it chose because
            # it cannot size the visible set: 12,000 customers hashed to check a dozen deals, 0015)
            clause += (f" OR EXISTS (SELECT 1 FROM customer c WHERE c.id = {ident(table)}.{rule.also} "
                       f"AND c.owner_id = ANY({VISIBLE}) OFFSET 0)")
        return clause
    if rule.kind == "pay":
        return f"{ALL} OR {rule.column} = ANY({PAY})"
    if rule.kind == "via":
        # a correlated EXISTS (0015): the planner chooses per statement between a hashed subplan and an
        # index probe of the parent per row (an IN subquery always hashed every visible parent row)
        clause = f"EXISTS (SELECT 1 FROM {ident(rule.parent)} p WHERE p.id = {ident(table)}.{rule.column})"
        if rule.also:
            clause += f" OR {rule.also} = ANY({VISIBLE})" if rule.team else f" OR {rule.also} = {ME}"
        return clause
    if rule.kind == "meeting":
        return (f"{ALL} OR {rule.column} = ANY((SELECT salesctl_chain_up())::integer[]) "
                f"OR ({ROLE} <> 'rep' AND {rule.column} = ANY({VISIBLE}))")
    if rule.kind == "complaint":
        return (f"{ALL} OR reporter_id = {ME} "
                f"OR id IN (SELECT complaint_id FROM salesctl_complaint_targets()) "
                f"OR customer_id IN (SELECT id FROM customer WHERE owner_id = ANY({VISIBLE}))")
    if rule.kind == "own":
        return f"{rule.column} = {ME}"
    if rule.kind == "secret":  # one's own, and a manager's team (a manager resets a forgotten archive password)
        return (f"{ALL} OR {rule.column} = {ME} "
                f"OR ({ROLE} NOT IN ('rep', 'assistant') AND {rule.column} = ANY({VISIBLE}))")
    if rule.kind == "audit":
        return (f"{ALL} OR {rule.column} = {ME} "
                f"OR ({ROLE} NOT IN ('rep', 'assistant') AND {rule.column} = ANY({VISIBLE}))")
    if rule.kind in ("directory", "key"):
        return "true"
    if rule.kind == "attachment":  # the scope of the record it hangs on; a visit's is its rep's (`attach list`),
        narrower = {"visit": f" WHERE rep_id = ANY({VISIBLE})"}  # not its customer owner's (0014)
        return " OR ".join(f"(entity = {literal(kind)} AND entity_id IN "
                           f"(SELECT id FROM {ident(kind)}{narrower.get(kind, '')}))" for kind in ATTACHABLE)
    if rule.kind == "child":  # visible when a visible row of `parent` points at it
        return f"id IN (SELECT {rule.column} FROM {ident(rule.parent)})"
    raise ValueError(f"{table}: unknown rule kind {rule.kind}")


def write_rule(table: str, rule: Rule) -> str:
    """What a staff login may insert or update to (WITH CHECK)."""
    if rule.kind == "directory":
        if table == "staff":  # managers add and edit people inside their team; nobody promotes to gm/director
            return (f"{ALL} OR ({ROLE} IN ('manager', 'regional_manager') AND manager_id = ANY({VISIBLE}) "
                    f"AND role IN {STAFF_WRITE_ROLES}) OR id = {ME}")
        return f"{ALL} OR {ROLE} IN ('manager', 'regional_manager')"
    if rule.kind == "audit":
        return f"{rule.column} = {ME}"
    if rule.kind == "key":
        return f"{ME} IS NOT NULL"
    if rule.kind == "child":  # written before the row that points at it; alone it reveals nothing
        return "true"
    if rule.kind == "staff" and rule.also:  # read through the customer's owner, written only in one's scope
        return _staff_scope(rule.column)
    if rule.kind == "message":  # a hand-off goes up the chain and to the gm/director (archive friday, summary --send)
        return (f"{row_rule(table, rule)} OR {rule.column} = ANY((SELECT salesctl_chain_up())::integer[]) "
                f"OR ({ME} IS NOT NULL AND {rule.column} IN (SELECT id FROM staff WHERE role IN ('gm', 'director')))")
    return row_rule(table, rule)


FUNCTIONS = """
CREATE OR REPLACE FUNCTION salesctl_me() RETURNS integer
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = {schema}, pg_temp AS $$
  SELECT id FROM staff WHERE login_role = session_user AND active
$$;
CREATE OR REPLACE FUNCTION salesctl_my_role() RETURNS text
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = {schema}, pg_temp AS $$
  SELECT role FROM staff WHERE login_role = session_user AND active
$$;
CREATE OR REPLACE FUNCTION salesctl_sees_all() RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = {schema}, pg_temp AS $$
  SELECT coalesce((SELECT role IN ('gm', 'director') FROM staff WHERE login_role = session_user AND active), false)
$$;
CREATE OR REPLACE FUNCTION salesctl_team(root integer) RETURNS integer[]
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = {schema}, pg_temp AS $$
  WITH RECURSIVE team(id) AS (
    SELECT root WHERE root IS NOT NULL
    UNION SELECT s.id FROM staff s JOIN team ON s.manager_id = team.id
  ) SELECT coalesce(array_agg(id), '{{}}') FROM team
$$;
CREATE OR REPLACE FUNCTION salesctl_chain_up() RETURNS integer[]
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = {schema}, pg_temp AS $$
  WITH RECURSIVE up(id, manager_id, depth) AS (
    SELECT id, manager_id, 0 FROM staff WHERE login_role = session_user AND active
    UNION ALL SELECT s.id, s.manager_id, up.depth + 1 FROM staff s JOIN up ON s.id = up.manager_id WHERE up.depth < 64
  ) SELECT coalesce(array_agg(id), '{{}}') FROM up
$$;
CREATE OR REPLACE FUNCTION salesctl_visible_staff() RETURNS integer[]
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = {schema}, pg_temp AS $$
DECLARE me staff%ROWTYPE; boss integer;
BEGIN
  SELECT * INTO me FROM staff WHERE login_role = session_user AND active;
  IF NOT FOUND THEN RETURN '{{}}'; END IF;
  IF me.role IN ('gm', 'director') THEN RETURN (SELECT array_agg(id) FROM staff); END IF;
  IF me.role = 'rep' THEN RETURN ARRAY[me.id]; END IF;
  IF me.role IN ('manager', 'regional_manager') THEN RETURN salesctl_team(me.id); END IF;
  -- assistant: the team of the nearest manager or regional manager up the chain
  WITH RECURSIVE up(id, manager_id, role, depth) AS (
    SELECT s.id, s.manager_id, s.role, 1 FROM staff s WHERE s.id = me.manager_id
    UNION ALL SELECT s.id, s.manager_id, s.role, up.depth + 1 FROM staff s JOIN up ON s.id = up.manager_id WHERE up.depth < 64
  ) SELECT id INTO boss FROM up WHERE role IN ('manager', 'regional_manager') ORDER BY depth LIMIT 1;
  RETURN salesctl_team(coalesce(boss, me.id));
END $$;
CREATE OR REPLACE FUNCTION salesctl_pay_staff() RETURNS integer[]
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = {schema}, pg_temp AS $$
  SELECT CASE WHEN salesctl_my_role() IN ('manager', 'regional_manager') THEN salesctl_team(salesctl_me())
              WHEN salesctl_me() IS NULL THEN '{{}}'::integer[]
              ELSE ARRAY[salesctl_me()] END
$$;
CREATE OR REPLACE FUNCTION salesctl_complaint_targets() RETURNS TABLE(complaint_id integer)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = {schema}, pg_temp AS $$
  SELECT complaint_id FROM complaint_escalation WHERE staff_id = salesctl_me()
$$;
CREATE OR REPLACE FUNCTION salesctl_audit_row() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = {schema}, pg_temp AS $$
DECLARE old_row jsonb; new_row jsonb;
BEGIN
  IF TG_OP <> 'INSERT' THEN old_row := to_jsonb(OLD) - ARRAY['hash', 'salt', 'password', 'key']; END IF;
  IF TG_OP <> 'DELETE' THEN new_row := to_jsonb(NEW) - ARRAY['hash', 'salt', 'password', 'key']; END IF;
  INSERT INTO db_audit (at, db_user, client, actor_id, operation, table_name, row_id, before, after)
  VALUES (now() AT TIME ZONE 'UTC', session_user, left(current_setting('application_name', true), 64), salesctl_me(), lower(TG_OP), TG_TABLE_NAME,
          (coalesce(new_row, old_row) ->> 'id')::bigint, old_row::text, new_row::text);
  RETURN NULL;
END $$;
CREATE OR REPLACE FUNCTION salesctl_disable_login(person integer) RETURNS boolean
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = {schema}, pg_temp AS $$
DECLARE name text;
BEGIN
  -- narrow: only the login of someone already deactivated, by a login that may manage them (their row is theirs to update)
  SELECT login_role INTO name FROM staff WHERE id = person AND NOT active AND login_role IS NOT NULL;
  IF name IS NULL OR salesctl_me() IS NULL THEN RETURN false; END IF;
  IF NOT (salesctl_sees_all() OR person = ANY(salesctl_visible_staff())) THEN RETURN false; END IF;
  EXECUTE format('ALTER ROLE %I NOLOGIN', name);
  RETURN true;
END $$;
CREATE OR REPLACE FUNCTION salesctl_row_exists(tbl text, row_id bigint) RETURNS boolean
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = {schema}, pg_temp AS $$
DECLARE found boolean;
BEGIN
  -- existence only (so a refusal is "permission denied", as without RLS), of the records a command names by id
  IF salesctl_me() IS NULL OR tbl NOT IN ('customer', 'deal', 'report', 'complaint', 'meeting', 'action_item',
                                          'contact', 'visit', 'contract', 'attachment', 'lead', 'payment',
                                          'leave', 'ownership_entry') THEN
    RETURN false;
  END IF;
  EXECUTE format('SELECT EXISTS (SELECT 1 FROM %I WHERE id = $1)', tbl) INTO found USING row_id;
  RETURN found;
END $$;
CREATE OR REPLACE FUNCTION salesctl_customer_named(exact text, norm text) RETURNS integer
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = {schema}, pg_temp AS $$
  SELECT id FROM customer WHERE salesctl_me() IS NOT NULL AND (name = exact OR name_norm = norm) ORDER BY id LIMIT 1
$$;
CREATE OR REPLACE FUNCTION salesctl_contract_numbered(num text) RETURNS integer
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = {schema}, pg_temp AS $$
  SELECT id FROM contract WHERE salesctl_me() IS NOT NULL AND number = num ORDER BY id LIMIT 1
$$;
CREATE OR REPLACE FUNCTION salesctl_find_duplicate(norm text, keys text[])
RETURNS TABLE(customer_id integer, customer_name text, owner text, first_reported_at timestamp, matched_on text)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = {schema}, pg_temp AS $$
DECLARE c integer; how text := 'name';
BEGIN
  -- the duplicate / first-reporter check (SPEC 1.6): name, owner and first report time; never contacts
  IF salesctl_me() IS NULL THEN RETURN; END IF;
  IF norm IS NOT NULL AND norm <> '' THEN
    SELECT cu.id INTO c FROM customer cu WHERE cu.name_norm = norm LIMIT 1;
  END IF;
  IF c IS NULL AND cardinality(keys) > 0 THEN
    how := 'phone';
    SELECT cu.id INTO c FROM customer cu WHERE cu.phone_norm = ANY(keys) LIMIT 1;
    IF c IS NULL THEN SELECT ct.customer_id INTO c FROM contact ct WHERE ct.phone_norm = ANY(keys) LIMIT 1; END IF;
  END IF;
  IF c IS NULL THEN RETURN; END IF;
  RETURN QUERY SELECT cu.id, cu.name::text, s.handle::text, cu.reported_at, how
    FROM customer cu LEFT JOIN staff s ON s.id = cu.owner_id WHERE cu.id = c;
END $$;
CREATE OR REPLACE FUNCTION salesctl_stamp_audit() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  NEW.db_user := session_user;
  RETURN NEW;
END $$;
CREATE OR REPLACE FUNCTION salesctl_staff_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF salesctl_me() IS NULL THEN RETURN NEW; END IF;  -- the administrator
  IF NEW.login_role IS DISTINCT FROM OLD.login_role THEN
    RAISE EXCEPTION 'only the administrator changes logins' USING ERRCODE = '42501';
  END IF;
  IF NEW.id = salesctl_me() AND NOT salesctl_sees_all()
     AND (NEW.role, NEW.manager_id, NEW.active) IS DISTINCT FROM (OLD.role, OLD.manager_id, OLD.active) THEN
    RAISE EXCEPTION 'nobody changes their own role or manager' USING ERRCODE = '42501';
  END IF;
  RETURN NEW;
END $$;
"""


# The matcher's candidates for a staff login (migration 0012): rows of the whole archive
# that share a stored match key with what is asked, revealing only what `customer lookup`
# and a duplicate refusal may show (SPEC 1.6: name, owner, first report time; never contacts).
# Arrays, so an import asks for a whole batch of rows in one call.
MATCH_FUNCTION = """
CREATE OR REPLACE FUNCTION salesctl_match_candidates(norms text[], trades text[], heads text[], tails text[],
    phones text[], emails text[], credits text[], exclude integer, lim integer)
RETURNS TABLE(how text, customer_id integer, customer_name text, name_norm text, owner text,
              first_reported_at timestamp, part text)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = {schema}, pg_temp AS $$
BEGIN
  IF salesctl_me() IS NULL THEN RETURN; END IF;
  lim := least(greatest(coalesce(lim, 200), 1), 5000);
  RETURN QUERY
  WITH hits(how, id, part) AS (
    SELECT 'credit_code', c.id, c.credit_code::text FROM customer c
      WHERE cardinality(credits) > 0 AND c.credit_code = ANY(credits)
    UNION ALL (SELECT 'phone', c.id, c.phone_norm::text FROM customer c
      WHERE cardinality(phones) > 0 AND c.phone_norm = ANY(phones) LIMIT lim)
    UNION ALL (SELECT 'phone', ct.customer_id, ct.phone_norm::text FROM contact ct
      WHERE cardinality(phones) > 0 AND ct.phone_norm = ANY(phones) LIMIT lim)
    UNION ALL (SELECT 'email', c.id, c.email::text FROM customer c
      WHERE cardinality(emails) > 0 AND c.email = ANY(emails) LIMIT lim)
    UNION ALL (SELECT 'email', ct.customer_id, ct.email::text FROM contact ct
      WHERE cardinality(emails) > 0 AND ct.email = ANY(emails) LIMIT lim)
    UNION ALL (SELECT 'name', c.id, '' FROM customer c
      WHERE (c.name_norm = ANY(norms) OR c.trade_key = ANY(trades) OR c.trade_head = ANY(heads)
             OR c.trade_tail = ANY(tails)) AND c.id IS DISTINCT FROM exclude LIMIT lim)
  )
  SELECT h.how, live.id, live.name::text, live.name_norm::text, s.handle::text, live.reported_at, h.part
    FROM hits h
    JOIN customer c0 ON c0.id = h.id
    LEFT JOIN customer c1 ON c1.id = c0.merged_into_id
    LEFT JOIN customer c2 ON c2.id = c1.merged_into_id
    JOIN customer live ON live.id = coalesce(c2.id, c1.id, c0.id)
    LEFT JOIN staff s ON s.id = live.owner_id;
END $$;
"""

# The account moves with its owner (services.customers.account): when a customer gets a new
# owner, its open deals and open meeting actions go to that owner, even those of a rep in a
# team the approver cannot see. Narrow: only this customer's rows, only to its current
# owner, only for a login that sees the customer now; it returns what it moved.
MOVE_FUNCTION = """
CREATE OR REPLACE FUNCTION salesctl_move_account(cust integer, why text, entry integer, moved_at timestamp)
RETURNS TABLE(kind text, row_id integer, from_owner integer)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = {schema}, pg_temp AS $$
DECLARE owner integer;
BEGIN
  IF salesctl_me() IS NULL THEN RETURN; END IF;
  SELECT c.owner_id INTO owner FROM customer c WHERE c.id = cust;
  IF owner IS NULL OR NOT (salesctl_sees_all() OR owner = ANY(salesctl_visible_staff())) THEN RETURN; END IF;
  RETURN QUERY
  WITH moved AS (
    UPDATE deal d SET owner_id = owner, updated_at = moved_at
      FROM deal old WHERE old.id = d.id AND d.customer_id = cust AND d.status = 'open' AND d.owner_id <> owner
      RETURNING d.id, old.owner_id AS was
  ), history AS (
    INSERT INTO deal_owner_change (deal_id, from_owner_id, to_owner_id, by_id, at, reason, entry_id)
      SELECT m.id, m.was, owner, salesctl_me(), moved_at, why, entry FROM moved m RETURNING deal_id
  )
  SELECT 'deal', m.id, m.was FROM moved m;
  RETURN QUERY
  WITH moved AS (
    UPDATE action_item a SET owner_id = owner
      FROM action_item old WHERE old.id = a.id AND a.customer_id = cust AND a.done_at IS NULL
       AND a.cancelled_at IS NULL AND a.owner_id <> owner
       AND NOT EXISTS (SELECT 1 FROM action_item s WHERE s.carried_from_id = a.id)
      RETURNING a.id, old.owner_id AS was
  )
  SELECT 'action', m.id, m.was FROM moved m;
END $$;
"""

# A pool customer is hidden from a rep (permissions.may_see_customer), yet `claim add` grants it
# at once when it fits (SQLite does): the facts the claim decides on, and the take itself, for
# an unowned, unmerged customer only; the take never passes an open lead.
POOL_FUNCTION = """
CREATE OR REPLACE FUNCTION salesctl_pool_customer(cust integer, take boolean)
RETURNS TABLE(industry text, open_lead boolean, taken boolean)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = {schema}, pg_temp AS $$
DECLARE has_lead boolean; done integer := 0;
BEGIN
  IF salesctl_me() IS NULL THEN RETURN; END IF;
  IF NOT EXISTS (SELECT 1 FROM customer c WHERE c.id = cust AND c.owner_id IS NULL AND c.merged_into_id IS NULL) THEN
    RETURN;
  END IF;
  has_lead := EXISTS (SELECT 1 FROM lead l WHERE l.customer_id = cust AND l.status = 'open');
  IF take AND NOT has_lead THEN
    UPDATE customer c SET owner_id = salesctl_me() WHERE c.id = cust AND c.owner_id IS NULL;
    GET DIAGNOSTICS done = ROW_COUNT;
  END IF;
  RETURN QUERY SELECT c.industry::text, has_lead, done > 0 FROM customer c WHERE c.id = cust;
END $$;
"""


def pool_customer(session, customer_id: int, *, take: bool = False) -> tuple[str | None, bool, bool] | None:
    """(industry, has an open lead, taken) of a pool customer, for a staff login; None when not in the pool."""
    row = session.execute(text("SELECT * FROM salesctl_pool_customer(:c, :t)"),
                          {"c": customer_id, "t": take}).first()
    return tuple(row) if row is not None else None


# A claim request names its customer (migration 0014): the requester's manager decides a claim on a
# customer another team holds (SQLite's inbox and claim list name it), yet cannot read that customer.
# Narrow: the name of the live customer of each given pending-or-decided request lodged by someone
# the login sees (the requests it reads already); nothing else of the customer.
CLAIMED_FUNCTION = """
CREATE OR REPLACE FUNCTION salesctl_claimed_customers(entries integer[])
RETURNS TABLE(entry_id integer, customer_name text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = {schema}, pg_temp AS $$
  SELECT e.id, c.name::text FROM ownership_entry e JOIN customer c ON c.id = e.customer_id
   WHERE e.id = ANY(entries) AND e.kind = 'request' AND c.merged_into_id IS NULL
     AND (salesctl_sees_all() OR e.staff_id = ANY(salesctl_visible_staff()))
$$;
"""


def claimed_customers(session, entry_ids) -> dict[int, str]:
    """{request id: customer name} of claim requests by people a staff login sees, live customers only."""
    rows = session.execute(text("SELECT * FROM salesctl_claimed_customers(CAST(:e AS integer[]))"),
                           {"e": [int(i) for i in entry_ids]}).all()
    return {int(eid): name for eid, name in rows}


# `claim add ID` on a customer out of the claimant's reach (migration 0014): what the first-reporter
# check tells of it by name (SPEC 1.6: name, owner, first report time; never contacts), by id, so the
# claim is the same request (or pool grant) as on SQLite. Only for the roles that claim; a merged
# record stands for the one it was merged into.
CLAIM_FUNCTION = """
CREATE OR REPLACE FUNCTION salesctl_claim_target(cust integer)
RETURNS TABLE(customer_id integer, customer_name text, owner text, first_reported_at timestamp)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = {schema}, pg_temp AS $$
DECLARE c integer := cust; nxt integer; hops integer := 0;
BEGIN
  IF salesctl_me() IS NULL OR salesctl_my_role() NOT IN ('rep', 'manager', 'regional_manager') THEN RETURN; END IF;
  LOOP
    SELECT cu.merged_into_id INTO nxt FROM customer cu WHERE cu.id = c;
    IF NOT FOUND THEN RETURN; END IF;
    EXIT WHEN nxt IS NULL OR hops >= 10;
    c := nxt;
    hops := hops + 1;
  END LOOP;
  -- asking by id for a customer one has no claim on is recorded, so counting through the ids
  -- (the archive's names, one by one) shows in `salesctl audit` as db.lookup
  IF NOT EXISTS (SELECT 1 FROM ownership_entry e WHERE e.customer_id IN (c, cust)
                 AND (e.staff_id = salesctl_me() OR e.staff_id = ANY(salesctl_visible_staff()))) THEN
    INSERT INTO db_audit (at, db_user, client, actor_id, operation, table_name, row_id, before, after)
    VALUES (now() AT TIME ZONE 'UTC', session_user, left(current_setting('application_name', true), 64),
            salesctl_me(), 'lookup', 'customer', c, NULL, NULL);
  END IF;
  RETURN QUERY SELECT cu.id, cu.name::text, s.handle::text, cu.reported_at
    FROM customer cu LEFT JOIN staff s ON s.id = cu.owner_id WHERE cu.id = c;
END $$;
"""


# A meeting action follows its customer's owner (issue 16), into another team (migration 0014): its
# new owner lists and closes it, as on SQLite, yet cannot read that team's meeting. Narrow: the date
# of the meeting an action of the caller's own came from; nothing else of the meeting.
ACTION_FUNCTION = """
CREATE OR REPLACE FUNCTION salesctl_action_held_at(item integer) RETURNS timestamp
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = {schema}, pg_temp AS $$
  SELECT m.held_at FROM action_item a JOIN meeting m ON m.id = a.meeting_id
   WHERE a.id = item AND salesctl_me() IS NOT NULL AND a.owner_id = salesctl_me()
$$;
"""


def action_held_at(session, action_id: int):
    """The held_at (aware, UTC) of the hidden meeting an action of the staff login's own came from, or None."""
    from datetime import timezone

    if not is_staff_login(session):
        return None
    when = session.execute(text("SELECT salesctl_action_held_at(:a)"), {"a": action_id}).scalar()
    return when.replace(tzinfo=timezone.utc) if when is not None else None


def claim_target(session, customer_id: int) -> tuple[int, str, str | None, object] | None:
    """(id, name, owner handle, first report time (aware, UTC)) of a customer a staff login cannot read, for
    `claim add ID`; None off the team server, for a role that does not claim, or when there is no such customer."""
    from datetime import timezone

    if not is_staff_login(session):
        return None
    row = session.execute(text("SELECT * FROM salesctl_claim_target(:c)"), {"c": customer_id}).first()
    if row is None:
        return None
    cid, name, owner, when = row
    return cid, name, owner, when.replace(tzinfo=timezone.utc) if when is not None else None


# An attachment's content (migration 0014): one row per distinct content, shared by every record
# that holds the same file. A login cannot see a blob before an attachment points at it, nor one
# that only another team's records hold, so it stores content through this function: insert, or
# the id of the row with that keyed digest. It tells a login only that content it already holds
# is stored; the staff group holds no INSERT on the table, so this is the one way in.
BLOB_FUNCTION = """
CREATE OR REPLACE FUNCTION salesctl_store_blob(dig text, kid text, iv bytea, body bytea, bytes integer,
    made timestamp)
RETURNS TABLE(blob_id integer, existed boolean)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = {schema}, pg_temp AS $$
DECLARE found integer;
BEGIN
  IF salesctl_me() IS NULL THEN RETURN; END IF;
  INSERT INTO attachment_blob (digest, key_id, nonce, ciphertext, size, created_at)
    VALUES (dig, kid, iv, body, bytes, made) ON CONFLICT (digest) DO NOTHING RETURNING id INTO found;
  IF found IS NOT NULL THEN RETURN QUERY SELECT found, false; RETURN; END IF;
  RETURN QUERY SELECT b.id, true FROM attachment_blob b WHERE b.digest = dig;
END $$;
"""


# `customer merge` (migration 0014): DROP's rows move onto KEEP. A manager's login may not
# UPDATE the append-only grade history, DELETE a profile section, or reach a row of DROP that
# an earlier owner outside the team wrote, so the move itself runs here: only for a manager
# (or director/gm) who may merge both customers, only along foreign keys to `customer` (the
# caller names them; each is checked against the catalog), and nothing is returned.
MERGE_FUNCTION = """
CREATE OR REPLACE FUNCTION salesctl_merge_move(keep integer, dropped integer, header text, moved_at timestamp,
    refs text[])
RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = {schema}, pg_temp AS $$
DECLARE k customer%ROWTYPE; d customer%ROWTYPE; ref text; tbl text; col text;
BEGIN
  SELECT * INTO k FROM customer WHERE id = keep;
  SELECT * INTO d FROM customer WHERE id = dropped;
  IF salesctl_me() IS NULL OR k.id IS NULL OR d.id IS NULL OR k.id = d.id
     OR k.merged_into_id IS NOT NULL OR d.merged_into_id IS NOT NULL
     OR NOT (salesctl_sees_all() OR (salesctl_my_role() IN ('manager', 'regional_manager')
             AND (k.owner_id IS NULL OR k.owner_id = ANY(salesctl_visible_staff()))
             AND (d.owner_id IS NULL OR d.owner_id = ANY(salesctl_visible_staff())))) THEN
    RAISE EXCEPTION 'merge: not allowed' USING ERRCODE = '42501';
  END IF;
  -- one profile section per (customer, section): DROP's text is appended to KEEP's
  UPDATE profile_section p SET text = p.text || E'\\n\\n' || header || E':\\n' || x.text, updated_at = moved_at
    FROM profile_section x WHERE p.customer_id = keep AND x.customer_id = dropped AND x.section = p.section;
  DELETE FROM profile_section x WHERE x.customer_id = dropped
    AND EXISTS (SELECT 1 FROM profile_section p WHERE p.customer_id = keep AND p.section = x.section);
  -- one primary contact per customer: KEEP's stays primary
  IF EXISTS (SELECT 1 FROM contact c WHERE c.customer_id = keep AND c.is_primary) THEN
    UPDATE contact c SET is_primary = false WHERE c.customer_id = dropped;
  END IF;
  FOREACH ref IN ARRAY refs LOOP
    tbl := split_part(ref, '.', 1);
    col := split_part(ref, '.', 2);
    IF tbl IN ('customer', 'ownership_entry') OR NOT EXISTS (
        SELECT 1 FROM pg_constraint con JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = ANY(con.conkey)
        WHERE con.contype = 'f' AND con.confrelid = 'customer'::regclass AND con.conrelid = to_regclass(tbl)
          AND a.attname = col) THEN
      RAISE EXCEPTION 'merge: % is not a reference to a customer', ref USING ERRCODE = '22023';
    END IF;
    EXECUTE format('UPDATE %I SET %I = $1 WHERE %I = $2', tbl, col, col) USING keep, dropped;
  END LOOP;
END $$;
"""


def merge_move(session, keep: int, drop: int, *, header: str, at, refs: list[tuple[str, str]]) -> None:
    """Move DROP's rows onto KEEP through the SECURITY DEFINER function, for a staff login (RLS)."""
    naive = _naive_utc(at)
    session.execute(text("SELECT salesctl_merge_move(:k, :d, :h, :at, CAST(:r AS text[]))"),
                    {"k": keep, "d": drop, "h": header, "at": naive, "r": [f"{t}.{c}" for t, c in refs]})


# the SECURITY DEFINER functions migration 0014 adds: signature → body
DEFINERS_0014 = {
    "salesctl_claimed_customers(integer[])": CLAIMED_FUNCTION,
    "salesctl_claim_target(integer)": CLAIM_FUNCTION,
    "salesctl_action_held_at(integer)": ACTION_FUNCTION,
    "salesctl_store_blob(text, text, bytea, bytea, integer, timestamp)": BLOB_FUNCTION,
    "salesctl_merge_move(integer, integer, text, timestamp, text[])": MERGE_FUNCTION,
}


def install_definers(target, definers: dict[str, str]) -> None:
    """Create (or replace) a migration's functions in the current schema; PostgreSQL only."""
    if is_postgres(target):
        schema = _bind(target).execute(text("SELECT current_schema()")).scalar()
        for sql in definers.values():
            _execute(target, sql.format(schema=ident(schema)).strip().rstrip(";"))


def drop_definers(target, definers: dict[str, str]) -> None:
    if is_postgres(target):
        for signature in definers:
            _execute(target, f"DROP FUNCTION IF EXISTS {signature}")


def store_blob(session, *, digest: str, key_id: str, nonce: bytes, ciphertext: bytes, size: int,
               at) -> tuple[int, bool]:
    """(blob id, already stored) through the SECURITY DEFINER function, for a staff login (RLS)."""
    naive = _naive_utc(at)
    row = session.execute(text("SELECT * FROM salesctl_store_blob(:d, :k, :n, :c, :s, :at)"),
                          {"d": digest, "k": key_id, "n": nonce, "c": ciphertext, "s": size, "at": naive}).first()
    return int(row[0]), bool(row[1])


def install_match_function(target) -> None:
    if is_postgres(target):
        schema = _bind(target).execute(text("SELECT current_schema()")).scalar()
        for sql in (MATCH_FUNCTION, MOVE_FUNCTION, POOL_FUNCTION):
            _execute(target, sql.format(schema=ident(schema)).strip().rstrip(";"))


def drop_match_function(target) -> None:
    if is_postgres(target):
        _execute(target, "DROP FUNCTION IF EXISTS salesctl_match_candidates(text[], text[], text[], text[], text[], "
                         "text[], text[], integer, integer)")
        _execute(target, "DROP FUNCTION IF EXISTS salesctl_move_account(integer, text, integer, timestamp)")
        _execute(target, "DROP FUNCTION IF EXISTS salesctl_pool_customer(integer, boolean)")


def move_account(session, customer_id: int, *, reason: str, entry_id: int | None, at) -> list[tuple[str, int, int]]:
    """The account's open deals and actions to the customer's current owner, for a staff login (RLS):
    (kind 'deal' | 'action', id, previous owner id) of each row moved."""
    naive = _naive_utc(at)
    return [tuple(r) for r in session.execute(
        text("SELECT * FROM salesctl_move_account(:c, :r, :e, :at)"),
        {"c": customer_id, "r": reason, "e": entry_id, "at": naive}).all()]


def match_candidates(session, *, norms=(), trades=(), heads=(), tails=(), phones=(), emails=(), credits=(),
                     exclude: int | None = None, limit: int = 200) -> list[tuple]:
    """The matcher's candidate rows through the SECURITY DEFINER function (a staff login under RLS):
    (how, id, name, name_norm, owner handle, first report time (aware, UTC), part)."""
    from datetime import timezone

    rows = session.execute(text(
        "SELECT * FROM salesctl_match_candidates(CAST(:n AS text[]), CAST(:t AS text[]), CAST(:h AS text[]), "
        "CAST(:tl AS text[]), CAST(:p AS text[]), CAST(:e AS text[]), CAST(:c AS text[]), :x, :lim)"),
        {"n": list(norms), "t": list(trades), "h": list(heads), "tl": list(tails), "p": list(phones),
         "e": list(emails), "c": list(credits), "x": exclude, "lim": limit}).all()
    return [(how, cid, name, norm, owner, when.replace(tzinfo=timezone.utc) if when is not None else None, part)
            for how, cid, name, norm, owner, when, part in rows]


def _naive_utc(at):
    """A stored time: UTC without an offset (the schema's timestamps)."""
    from datetime import timezone

    return at.astimezone(timezone.utc).replace(tzinfo=None) if at.tzinfo else at


def _execute(target, sql: str) -> None:
    """Run SQL on an Alembic `op` or a SQLAlchemy connection."""
    if hasattr(target, "get_bind"):
        target.execute(text(sql))
    else:
        target.execute(text(sql))


def _bind(target):
    return target.get_bind() if hasattr(target, "get_bind") else target


def is_postgres(target) -> bool:
    return _bind(target).dialect.name == "postgresql"


def install_functions(target) -> None:
    if not is_postgres(target):
        return
    schema = _bind(target).execute(text("SELECT current_schema()")).scalar()
    for statement in _split(FUNCTIONS.format(schema=ident(schema))):
        _execute(target, statement)
    for fn in ("salesctl_audit_row()", "salesctl_stamp_audit()", "salesctl_staff_guard()", "salesctl_team(integer)"):
        _execute(target, f"REVOKE ALL ON FUNCTION {fn} FROM PUBLIC")


def _split(sql: str) -> list[str]:
    """Split at the semicolons that end a statement (not inside $$ bodies)."""
    parts, current, inside = [], [], False
    for line in sql.splitlines():
        current.append(line)
        if line.count("$$") % 2 == 1:
            inside = not inside
        if not inside and line.rstrip().endswith(";"):
            parts.append("\n".join(current).strip().rstrip(";"))
            current = []
    return [p for p in parts if p]


def protect_table(target, table: str, rule: Rule | None = None) -> None:
    """Enable RLS, (re)create the policies, the audit trigger and the group's grants for one table.

    Call it from the migration that creates or changes the table (after `TABLES[table]` exists);
    a downgrade passes the rule the table had before. On SQLite it does nothing.
    """
    if not is_postgres(target):
        return
    rule = rule or TABLES[table]
    q = ident(table)
    _execute(target, f"REVOKE ALL ON {q} FROM PUBLIC")
    if rule.public_read:
        _execute(target, f"GRANT SELECT ON {q} TO PUBLIC")
    if rule.rls:
        _execute(target, f"ALTER TABLE {q} ENABLE ROW LEVEL SECURITY")
        existing = _bind(target).execute(text(
            "SELECT policyname FROM pg_policies WHERE tablename = :t AND schemaname = current_schema()"), {"t": table}).scalars()
        for name in list(existing):
            _execute(target, f"DROP POLICY {ident(name)} ON {q}")
        using, check = row_rule(table, rule), write_rule(table, rule)
        _execute(target, f"CREATE POLICY {POLICY_PREFIX}select ON {q} FOR SELECT USING ({using})")
        _execute(target, f"CREATE POLICY {POLICY_PREFIX}insert ON {q} FOR INSERT WITH CHECK ({check})")
        _execute(target, f"CREATE POLICY {POLICY_PREFIX}update ON {q} FOR UPDATE USING ({using}) WITH CHECK ({check})")
        if "DELETE" in rule.grants:  # without a policy a DELETE under RLS silently removes nothing
            _execute(target, f"CREATE POLICY {POLICY_PREFIX}delete ON {q} FOR DELETE USING ({using})")
    if table not in NOT_AUDITED:
        _execute(target, f"DROP TRIGGER IF EXISTS salesctl_audit ON {q}")
        _execute(target, f"CREATE TRIGGER salesctl_audit AFTER INSERT OR UPDATE OR DELETE ON {q} "
                         "FOR EACH ROW EXECUTE FUNCTION salesctl_audit_row()")
    group = recorded_group(target)
    if group:
        grant_table(target, table, group, rule)


def grant_table(target, table: str, group: str, rule: Rule | None = None) -> None:
    rule = rule or TABLES[table]
    q = ident(table)
    _execute(target, f"REVOKE ALL ON {q} FROM {ident(group)}")
    if rule.grants:
        _execute(target, f"GRANT {', '.join(rule.grants)} ON {q} TO {ident(group)}")


def recorded_group(target) -> str | None:
    bind = _bind(target)
    exists = bind.execute(text("SELECT to_regclass('server_setting') IS NOT NULL")).scalar()
    if not exists:
        return None
    prefix = bind.execute(text("SELECT value FROM server_setting WHERE key = 'role_prefix'")).scalar()
    return group_role(prefix) if prefix else None


def protect_present(target) -> None:
    """`protect_table` for every registered table that exists (a migration that rewrites every rule)."""
    present = set(_bind(target).execute(text(
        "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")).scalars())
    for table in TABLES:
        if table in present:
            protect_table(target, table)


def install_all(target) -> None:
    """Functions, then every registered table that exists (the migration that introduces RLS)."""
    if not is_postgres(target):
        return
    install_functions(target)
    protect_present(target)
    _execute(target, "DROP TRIGGER IF EXISTS salesctl_stamp ON audit_entry")
    _execute(target, "CREATE TRIGGER salesctl_stamp BEFORE INSERT ON audit_entry FOR EACH ROW "
                     "EXECUTE FUNCTION salesctl_stamp_audit()")
    _execute(target, "DROP TRIGGER IF EXISTS salesctl_guard ON staff")
    _execute(target, "CREATE TRIGGER salesctl_guard BEFORE UPDATE ON staff FOR EACH ROW "
                     "EXECUTE FUNCTION salesctl_staff_guard()")


# --------------------------------------------------------------------------- who is connected
@dataclass(frozen=True)
class Identity:
    """The connected PostgreSQL role: a staff login, the administrator (schema owner or superuser), or neither."""

    role: str
    staff_id: int | None
    admin: bool
    administrator: str | None  # the schema owner's role name (whom to ask)

    @property
    def is_login(self) -> bool:
        return self.staff_id is not None and not self.admin


def identity(session) -> Identity:
    row = session.execute(text(
        "SELECT session_user, salesctl_me(), "
        "       pg_has_role(session_user, c.relowner, 'MEMBER') OR r.rolsuper, pg_get_userbyid(c.relowner) "
        "FROM pg_class c, pg_roles r "
        "WHERE c.oid = to_regclass('alembic_version') AND r.rolname = session_user")).first()
    if row is None:
        return Identity("?", None, False, None)
    return Identity(row[0], row[1], bool(row[2]), row[3])


def record_prefix(conn) -> str:
    """The role prefix of this database (recorded the first time; a copy of the database keeps its own)."""
    prefix = conn.execute(text("SELECT value FROM server_setting WHERE key = 'role_prefix'")).scalar()
    if prefix:
        return prefix
    prefix = role_prefix(conn.execute(text("SELECT current_database()")).scalar())
    conn.execute(text("INSERT INTO server_setting (key, value) VALUES ('role_prefix', :p)"), {"p": prefix})
    return prefix


def ensure_group(conn) -> str:
    """Create the salesctl group role of this database (NOLOGIN) and grant it every registered table."""
    group = group_role(record_prefix(conn))
    exists = conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": group}).first()
    if not exists:
        conn.execute(text(f"CREATE ROLE {ident(group)} NOLOGIN"))
    schema = conn.execute(text("SELECT current_schema()")).scalar()
    conn.execute(text(f"GRANT USAGE ON SCHEMA {ident(schema)} TO {ident(group)}"))
    present = set(conn.execute(text("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")).scalars())
    for table in TABLES:
        if table in present:
            grant_table(conn, table, group)
    conn.execute(text(f"GRANT USAGE ON ALL SEQUENCES IN SCHEMA {ident(schema)} TO {ident(group)}"))
    return group


def may_create_roles(conn) -> bool:
    return bool(conn.execute(text(
        "SELECT rolcreaterole OR rolsuper FROM pg_roles WHERE rolname = current_user")).scalar())


def is_staff_login(session) -> bool:
    """Is this session a staff login on the team server (RLS applies)? Set by the command's identity check."""
    who = session.info.get("salesctl_identity")
    return who is not None and who.is_login


def exists_hidden(session, table: str, row_id: int | None) -> bool:
    """Does a record the staff login cannot read exist (existence only)? False off the team server."""
    if row_id is None or not is_staff_login(session):
        return False
    return bool(session.execute(text("SELECT salesctl_row_exists(:t, :i)"), {"t": table, "i": int(row_id)}).scalar())


def deny_if_hidden(session, table: str, row_id: int | None, what: str) -> None:
    """Under RLS a record outside one's reach reads as absent: refuse it as permission denied, as SQLite does."""
    if exists_hidden(session, table, row_id):
        from salesctl.errors import PermissionDenied
        from salesctl.messages import t

        raise PermissionDenied(t("err.denied", what=what))


def hidden_customer_named(session, exact: str, norm: str | None) -> int | None:
    if not is_staff_login(session):
        return None
    return session.execute(text("SELECT salesctl_customer_named(:e, :n)"), {"e": exact, "n": norm or exact}).scalar()


def hidden_contract_numbered(session, number: str) -> int | None:
    """The id of a contract by its number, for a staff login that cannot read it (0014)."""
    if not is_staff_login(session):
        return None
    return session.execute(text("SELECT salesctl_contract_numbered(:n)"), {"n": number}).scalar()


# --------------------------------------------------------------------------- db security-check
FORBIDDEN = ("DELETE", "TRUNCATE", "REFERENCES", "TRIGGER")
PRIVILEGES = ("SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE", "REFERENCES", "TRIGGER")


def security_report(conn) -> dict:
    """Every table with its RLS state, policies and the group's privileges; problems make it fail."""
    group = recorded_group(conn)
    if group and not conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": group}).first():
        group = None
    tables = conn.execute(text(
        "SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity FROM pg_class c "
        "JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') ORDER BY c.relname")).all()
    policies: dict[str, list[str]] = {}
    for table, name in conn.execute(text(
            "SELECT tablename, policyname FROM pg_policies WHERE schemaname = current_schema() ORDER BY policyname")):
        policies.setdefault(table, []).append(name)
    rows, problems = [], []
    for name, rls_on, forced in tables:
        rule = TABLES.get(name)
        held: list[str] = []
        if group:
            held = [p for p in PRIVILEGES if conn.execute(text(
                "SELECT has_table_privilege(:g, c.oid, :p) FROM pg_class c WHERE c.oid = to_regclass(:t)"),
                {"g": group, "p": p, "t": ident(name)}).scalar()]
        public = [p for p in PRIVILEGES if conn.execute(text(
            "SELECT coalesce(bool_or(a.privilege_type = :p), false) FROM pg_class c, "
            "aclexplode(coalesce(c.relacl, acldefault('r', c.relowner))) a "
            "WHERE c.oid = to_regclass(:t) AND a.grantee = 0"), {"p": p, "t": ident(name)}).scalar()]
        issues = []
        if rule is None:
            issues.append("not classified in salesctl.rls.TABLES")
        else:
            if rule.rls and not rls_on:
                issues.append("row-level security is off")
            if rule.rls and len(policies.get(name, [])) < 3:
                issues.append("policies missing")
            extra = [p for p in held if p not in rule.grants]
            if extra:
                issues.append("staff may " + ", ".join(extra))
        if rule is not None and rule.public_read:
            public = [p for p in public if p != "SELECT"]
        if public:
            issues.append("PUBLIC may " + ", ".join(public))
        rows.append({"table": name, "kind": rule.kind if rule else None, "rls": bool(rls_on), "forced": bool(forced),
                     "policies": policies.get(name, []), "privileges": held, "problems": issues})
        problems += [f"{name}: {i}" for i in issues]
    if group:
        schema_create = conn.execute(text("SELECT has_schema_privilege(:g, current_schema(), 'CREATE')"), {"g": group}).scalar()
        if schema_create:
            problems.append(f"{group}: may create objects in the schema")
        for login, flags in conn.execute(text(
                "SELECT m.rolname, m.rolsuper OR m.rolcreaterole OR m.rolcreatedb OR m.rolbypassrls "
                "FROM pg_roles m JOIN pg_auth_members a ON a.member = m.oid JOIN pg_roles g ON g.oid = a.roleid "
                "WHERE g.rolname = :g"), {"g": group}):
            if flags:
                problems.append(f"{login}: a staff login with extra role attributes")
    return {"group": group, "tables": rows, "problems": problems, "ok": not problems}
