"""查重: match keys (trade name, region), the unified social credit code, merged records, email indexes

Revision ID: 0005
Revises: 0003

Existing customers get their keys computed from their names by salesctl.companynames,
and `name_norm` is recomputed with the new normal form (English legal forms are cut
only at word boundaries now, traditional characters are folded). Where two old rows
fold to the same normal form, the later one keeps a `~<id>` suffix so the unique index
holds; `customer duplicates` shows such pairs for a manager to merge.
"""
from alembic import op
import sqlalchemy as sa


revision = "0005"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("customer", schema=None) as batch_op:
        batch_op.add_column(sa.Column("trade_key", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("trade_head", sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column("trade_tail", sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column("region_key", sa.String(length=12), nullable=True))
        batch_op.add_column(sa.Column("credit_code", sa.String(length=18), nullable=True))
        batch_op.add_column(sa.Column("merged_into_id", sa.Integer(), nullable=True))
    _fill_keys()
    with op.batch_alter_table("customer", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_customer_trade_key"), ["trade_key"], unique=False)
        batch_op.create_index(batch_op.f("ix_customer_trade_head"), ["trade_head"], unique=False)
        batch_op.create_index(batch_op.f("ix_customer_trade_tail"), ["trade_tail"], unique=False)
        batch_op.create_index(batch_op.f("ix_customer_credit_code"), ["credit_code"], unique=True)
        batch_op.create_index(batch_op.f("ix_customer_merged_into_id"), ["merged_into_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_customer_email"), ["email"], unique=False)
    with op.batch_alter_table("contact", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_contact_email"), ["email"], unique=False)


def _fill_keys() -> None:
    from salesctl.companynames import keys, normal_form

    conn = op.get_bind()
    customer = sa.table("customer", sa.column("id", sa.Integer), sa.column("name", sa.String),
                        sa.column("name_norm", sa.String), sa.column("trade_key", sa.String),
                        sa.column("trade_head", sa.String), sa.column("trade_tail", sa.String),
                        sa.column("region_key", sa.String))
    rows = conn.execute(sa.select(customer.c.id, customer.c.name, customer.c.name_norm).order_by(customer.c.id)).all()
    taken: set[str] = set()
    updates = []
    for cid, name, old_norm in rows:
        norm = (normal_form(name or "") or old_norm or f"~{cid}")[:290]
        if norm in taken:
            norm = f"{norm[:280]}~{cid}"
        taken.add(norm)
        updates.append({"b_id": cid, "b_norm": norm, **{f"b_{k}": v for k, v in keys(name or "").items()}})
    # two passes so that a row may take a normal form another row is giving up
    stmt = customer.update().where(customer.c.id == sa.bindparam("b_id"))
    for start in range(0, len(updates), 1000):
        chunk = updates[start:start + 1000]
        conn.execute(stmt.values(name_norm=sa.bindparam("b_tmp")),
                     [{"b_id": u["b_id"], "b_tmp": f"~tmp~{u['b_id']}"} for u in chunk])
    for start in range(0, len(updates), 1000):
        conn.execute(stmt.values(name_norm=sa.bindparam("b_norm"), trade_key=sa.bindparam("b_trade_key"),
                                 trade_head=sa.bindparam("b_trade_head"), trade_tail=sa.bindparam("b_trade_tail"),
                                 region_key=sa.bindparam("b_region_key")),
                     updates[start:start + 1000])


def downgrade() -> None:
    with op.batch_alter_table("contact", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contact_email"))
    with op.batch_alter_table("customer", schema=None) as batch_op:
        for name in ("email", "merged_into_id", "credit_code", "trade_tail", "trade_head", "trade_key"):
            batch_op.drop_index(batch_op.f(f"ix_customer_{name}"))
        for name in ("merged_into_id", "credit_code", "region_key", "trade_tail", "trade_head", "trade_key"):
            batch_op.drop_column(name)
