"""team server: staff logins, the DB audit trail, row-level security (PostgreSQL)

Revision ID: 0002
Revises: 0004
"""
from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('server_setting',
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('key')
    )
    op.create_table('db_audit',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('db_user', sa.String(length=63), nullable=False),
    sa.Column('client', sa.String(length=64), nullable=True),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('operation', sa.String(length=8), nullable=False),
    sa.Column('table_name', sa.String(length=64), nullable=False),
    sa.Column('row_id', sa.Integer(), nullable=True),
    sa.Column('before', sa.Text(), nullable=True),
    sa.Column('after', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['actor_id'], ['staff.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('db_audit', schema=None) as batch_op:
        batch_op.create_index('ix_db_audit_table_row', ['table_name', 'row_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_db_audit_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_db_audit_actor_id'), ['actor_id'], unique=False)
    with op.batch_alter_table('staff', schema=None) as batch_op:
        batch_op.add_column(sa.Column('login_role', sa.String(length=63), nullable=True))
        batch_op.create_unique_constraint('uq_staff_login_role', ['login_role'])
    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.add_column(sa.Column('db_user', sa.String(length=63), nullable=True))

    from salesctl.rls import install_all
    install_all(op)  # PostgreSQL only: functions, RLS policies, audit triggers, grants


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        from salesctl.rls import TABLES
        for table in TABLES:
            op.execute(f'ALTER TABLE IF EXISTS "{table}" DISABLE ROW LEVEL SECURITY')
            op.execute(f'DROP TRIGGER IF EXISTS salesctl_audit ON "{table}"')
        # the policies themselves: one of a table may read another (attachment → contract), which
        # would keep an earlier revision's downgrade from dropping that table
        policies = op.get_bind().execute(sa.text(
            "SELECT tablename, policyname FROM pg_policies "
            "WHERE schemaname = current_schema() AND policyname LIKE 'salesctl\\_%'")).fetchall()
        for table, name in policies:
            op.execute(f'DROP POLICY IF EXISTS "{name}" ON "{table}"')
    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.drop_column('db_user')
    with op.batch_alter_table('staff', schema=None) as batch_op:
        batch_op.drop_constraint('uq_staff_login_role', type_='unique')
        batch_op.drop_column('login_role')
    op.drop_table('db_audit')
    op.drop_table('server_setting')
