"""inbox queue indexes: one per kind of queue, ending in created_at

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 00:10:00

An inbox now reads each of the actor's queues in created_at order and stops at its limit;
these indexes make each read a range scan instead of a sort of every open task.
"""

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

NEW = {
    "ix_human_task_queue_role": ["status", "lane_kind", "role", "created_at"],
    "ix_human_task_queue_account": ["status", "account_id", "role", "created_at"],
    "ix_human_task_queue_owner": ["status", "owner_user_id", "created_at"],
    "ix_human_task_queue_anonymous": ["status", "anonymous_token_hash", "created_at"],
}
OLD = {
    "ix_human_task_open_role": ["status", "role", "account_id"],
    "ix_human_task_open_owner": ["status", "owner_user_id"],
}


def upgrade():
    with op.batch_alter_table("human_task", schema=None) as batch_op:
        for name in OLD:
            batch_op.drop_index(name)
        for name, columns in NEW.items():
            batch_op.create_index(name, columns, unique=False)


def downgrade():
    with op.batch_alter_table("human_task", schema=None) as batch_op:
        for name in NEW:
            batch_op.drop_index(name)
        for name, columns in OLD.items():
            batch_op.create_index(name, columns, unique=False)
