"""phones re-normalised by phonenumbers; contacts whose phone no longer validates are flagged

Revision ID: 0007
Revises: 0001

Every stored phone (contact.phone, staff.phone) is parsed again with the phone
library and stored in its canonical form (0512-57719780, +85221234567); the
duplicate keys (contact.phone_norm, customer.phone_norm) follow. A phone the
library rejects (0512-5771978: a Suzhou number needs 8 digits) is kept as it was
and its contact flagged (contact.phone_invalid), so nothing is lost and
`customer show` names it; the count is written to stderr.
"""
import re
import sys

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0001"
branch_labels = None
depends_on = None


def _key(phone):
    return re.sub(r"\D", "", phone.split("x")[0]) or None if phone else None


def upgrade() -> None:
    from salesctl.phones import renormalize

    # a plain ADD COLUMN (SQLite does it in place; a batch copy would trip the foreign keys of visit.contact_id)
    op.add_column("contact", sa.Column("phone_invalid", sa.Boolean(), nullable=False, server_default=sa.false()))
    conn = op.get_bind()
    contact = sa.table("contact", sa.column("id", sa.Integer), sa.column("customer_id", sa.Integer),
                       sa.column("phone", sa.String), sa.column("phone_norm", sa.String),
                       sa.column("is_primary", sa.Boolean), sa.column("phone_invalid", sa.Boolean))
    customer = sa.table("customer", sa.column("id", sa.Integer), sa.column("phone_norm", sa.String))
    staff = sa.table("staff", sa.column("id", sa.Integer), sa.column("phone", sa.String))
    changed, invalid = [], []
    rows = conn.execute(sa.select(contact.c.id, contact.c.customer_id, contact.c.phone, contact.c.is_primary)
                        .where(contact.c.phone.is_not(None))).all()
    for cid, customer_id, phone, primary in rows:
        new, valid = renormalize(phone)
        if not valid:
            invalid.append({"cid": cid})
        elif new != phone:
            changed.append({"cid": cid, "customer_id": customer_id, "phone": new, "key": _key(new), "primary": primary})
    if changed:
        conn.execute(contact.update().where(contact.c.id == sa.bindparam("cid"))
                     .values(phone=sa.bindparam("phone"), phone_norm=sa.bindparam("key")), changed)
        primary = [{"cust": c["customer_id"], "key": c["key"]} for c in changed if c["primary"]]
        if primary:
            conn.execute(customer.update().where(customer.c.id == sa.bindparam("cust"))
                         .values(phone_norm=sa.bindparam("key")), primary)
    if invalid:
        conn.execute(contact.update().where(contact.c.id == sa.bindparam("cid")).values(phone_invalid=True), invalid)
    staff_invalid = 0
    for sid, phone in conn.execute(sa.select(staff.c.id, staff.c.phone).where(staff.c.phone.is_not(None))).all():
        new, valid = renormalize(phone)
        if not valid:
            staff_invalid += 1
        elif new != phone:
            conn.execute(staff.update().where(staff.c.id == sid).values(phone=new))
    if invalid or staff_invalid:
        sys.stderr.write(f"salesctl: {len(invalid)} contact phone(s) and {staff_invalid} staff phone(s) no longer "
                         "validate; kept as they were, contacts flagged (contact.phone_invalid)\n")


def downgrade() -> None:
    with op.batch_alter_table("contact") as batch:
        batch.drop_column("phone_invalid")
