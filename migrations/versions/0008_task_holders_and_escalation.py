"""who holds a task since when, who named them, when its lateness was escalated

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 09:00:00

``claimed_at`` says since when a task's holder has it; ``assigned_by`` the supervisor who
named that holder (who may then work the task without the lane's role); ``escalated_at``
when the worker told the queue's supervisors the task was overdue. Two indexes: the tasks a
supervisor named someone to, and the worker's round of overdue tasks. Expand-only.
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

INDEXES = {
    "ix_human_task_queue_claimed": ["status", "claimed_by", "created_at"],
    "ix_human_task_due": ["status", "escalated_at", "due_at"],
}


def upgrade():
    with op.batch_alter_table("human_task", schema=None) as batch_op:
        batch_op.add_column(sa.Column("claimed_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("assigned_by", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("escalated_at", sa.DateTime(), nullable=True))
        for name, columns in INDEXES.items():
            batch_op.create_index(name, columns, unique=False)


def downgrade():
    with op.batch_alter_table("human_task", schema=None) as batch_op:
        for name in INDEXES:
            batch_op.drop_index(name)
        batch_op.drop_column("escalated_at")
        batch_op.drop_column("assigned_by")
        batch_op.drop_column("claimed_at")
