"""meeting week: one meeting per team per ISO week, kept by the database

Revision ID: 0004
Revises: 0008
"""
from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = "0008"
branch_labels = None
depends_on = None


def _local_week(held_at) -> str:
    from datetime import timezone

    from salesctl.periods import local_tz

    if isinstance(held_at, str):
        from datetime import datetime

        held_at = datetime.fromisoformat(held_at)
    day = held_at.replace(tzinfo=timezone.utc).astimezone(local_tz()).date()
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def upgrade() -> None:
    with op.batch_alter_table('meeting', schema=None) as batch_op:
        batch_op.add_column(sa.Column('week', sa.String(length=8), nullable=True))
    # existing meetings get their ISO week; a second meeting of a team in one week
    # (made before the constraint) keeps week NULL and stays readable
    conn = op.get_bind()
    taken: set[tuple] = set()
    rows = conn.execute(sa.text("SELECT id, team_manager_id, held_at FROM meeting ORDER BY held_at, id")).all()
    for meeting_id, team_id, held_at in rows:
        key = (team_id, _local_week(held_at))
        if key in taken:
            continue
        taken.add(key)
        conn.execute(sa.text("UPDATE meeting SET week = :week WHERE id = :id"), {"week": key[1], "id": meeting_id})
    with op.batch_alter_table('meeting', schema=None) as batch_op:
        batch_op.create_index('ux_meeting_team_week', ['team_manager_id', 'week'], unique=True)


def downgrade() -> None:
    with op.batch_alter_table('meeting', schema=None) as batch_op:
        batch_op.drop_index('ux_meeting_team_week')
        batch_op.drop_column('week')
