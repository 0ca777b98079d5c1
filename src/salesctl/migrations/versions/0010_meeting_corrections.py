"""meeting corrections: a meeting can be cancelled; an action item may be about a customer

Revision ID: 0010
Revises: 0002

`meeting cancel ID --reason` keeps the row (cancelled_at, cancelled_by_id, cancel_reason);
`action_item.customer_id` links an action to the customer it is about, so that an owner
change moves the open action with the account (issue 16). The action_item row rule is
unchanged (its meeting's team, or its owner), so no policy is re-created.
"""
from alembic import op
import sqlalchemy as sa


revision = "0010"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("meeting", schema=None) as batch_op:
        batch_op.add_column(sa.Column("cancelled_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("cancelled_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("cancel_reason", sa.Text(), nullable=True))
        batch_op.create_foreign_key("fk_meeting_cancelled_by_id_staff", "staff", ["cancelled_by_id"], ["id"])
    with op.batch_alter_table("action_item", schema=None) as batch_op:
        batch_op.add_column(sa.Column("customer_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_action_item_customer_id"), ["customer_id"], unique=False)
        batch_op.create_foreign_key("fk_action_item_customer_id_customer", "customer", ["customer_id"], ["id"])


def downgrade() -> None:
    with op.batch_alter_table("action_item", schema=None) as batch_op:
        batch_op.drop_constraint("fk_action_item_customer_id_customer", type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_action_item_customer_id"))
        batch_op.drop_column("customer_id")
    with op.batch_alter_table("meeting", schema=None) as batch_op:
        batch_op.drop_constraint("fk_meeting_cancelled_by_id_staff", type_="foreignkey")
        batch_op.drop_column("cancel_reason")
        batch_op.drop_column("cancelled_by_id")
        batch_op.drop_column("cancelled_at")
