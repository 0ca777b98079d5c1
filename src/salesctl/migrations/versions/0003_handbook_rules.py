"""handbook rules: staff start dates, leave approval, deal owner history, voided missed sales, cancelled actions

Revision ID: 0003
Revises: 0007
"""
from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('staff', schema=None) as batch_op:
        batch_op.add_column(sa.Column('start_date', sa.Date(), nullable=True))

    # leave recorded before approval existed was recorded by the person or their manager: approved
    with op.batch_alter_table('leave', schema=None) as batch_op:
        batch_op.add_column(sa.Column('status', sa.String(length=16), server_default='approved', nullable=False))
        batch_op.add_column(sa.Column('decided_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('decided_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('decision_note', sa.Text(), nullable=True))
        batch_op.create_index(batch_op.f('ix_leave_status'), ['status'], unique=False)
        batch_op.create_foreign_key('fk_leave_decided_by_id_staff', 'staff', ['decided_by_id'], ['id'])

    with op.batch_alter_table('missed_sale', schema=None) as batch_op:
        batch_op.add_column(sa.Column('voided_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('voided_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('void_reason', sa.Text(), nullable=True))
        batch_op.create_foreign_key('fk_missed_sale_voided_by_id_staff', 'staff', ['voided_by_id'], ['id'])

    with op.batch_alter_table('action_item', schema=None) as batch_op:
        batch_op.add_column(sa.Column('cancelled_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('cancel_reason', sa.Text(), nullable=True))

    op.create_table('deal_owner_change',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('deal_id', sa.Integer(), nullable=False),
    sa.Column('from_owner_id', sa.Integer(), nullable=True),
    sa.Column('to_owner_id', sa.Integer(), nullable=False),
    sa.Column('by_id', sa.Integer(), nullable=True),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('entry_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['by_id'], ['staff.id'], ),
    sa.ForeignKeyConstraint(['deal_id'], ['deal.id'], ),
    sa.ForeignKeyConstraint(['entry_id'], ['ownership_entry.id'], ),
    sa.ForeignKeyConstraint(['from_owner_id'], ['staff.id'], ),
    sa.ForeignKeyConstraint(['to_owner_id'], ['staff.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('deal_owner_change', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_deal_owner_change_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_deal_owner_change_deal_id'), ['deal_id'], unique=False)

    # open deals follow their customer's owner (the handbook's file is per customer): deals left
    # with a previous owner by 0.1 move now, each with a history row
    conn = op.get_bind()
    rows = conn.execute(sa.text(
        "SELECT deal.id, deal.owner_id, customer.owner_id FROM deal JOIN customer ON customer.id = deal.customer_id "
        "WHERE deal.status = 'open' AND customer.owner_id IS NOT NULL AND customer.owner_id <> deal.owner_id"
    )).all()
    if rows:
        now = conn.execute(sa.text("SELECT CURRENT_TIMESTAMP")).scalar()
        for deal_id, old, new in rows:
            conn.execute(sa.text("UPDATE deal SET owner_id = :new WHERE id = :id"), {"new": new, "id": deal_id})
            conn.execute(sa.text(
                "INSERT INTO deal_owner_change (deal_id, from_owner_id, to_owner_id, by_id, at, reason, entry_id) "
                "VALUES (:d, :o, :n, NULL, :at, :r, NULL)"),
                {"d": deal_id, "o": old, "n": new, "at": now, "r": "upgrade 0003: open deals follow the customer's owner"})


def downgrade() -> None:
    with op.batch_alter_table('deal_owner_change', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_deal_owner_change_deal_id'))
        batch_op.drop_index(batch_op.f('ix_deal_owner_change_at'))
    op.drop_table('deal_owner_change')
    with op.batch_alter_table('action_item', schema=None) as batch_op:
        batch_op.drop_column('cancel_reason')
        batch_op.drop_column('cancelled_at')
    with op.batch_alter_table('missed_sale', schema=None) as batch_op:
        batch_op.drop_constraint('fk_missed_sale_voided_by_id_staff', type_='foreignkey')
        batch_op.drop_column('void_reason')
        batch_op.drop_column('voided_by_id')
        batch_op.drop_column('voided_at')
    with op.batch_alter_table('leave', schema=None) as batch_op:
        batch_op.drop_constraint('fk_leave_decided_by_id_staff', type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_leave_status'))
        batch_op.drop_column('decision_note')
        batch_op.drop_column('decided_at')
        batch_op.drop_column('decided_by_id')
        batch_op.drop_column('status')
    with op.batch_alter_table('staff', schema=None) as batch_op:
        batch_op.drop_column('start_date')
