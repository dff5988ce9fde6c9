"""instance list index: status, then created_at

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 02:05:00

The operators' instance list filters by status and shows the newest first. With this index
a page is read in index order and stops after 50 rows (filtered by a waiting role through
EXISTS on the task index), instead of sorting every running instance.
"""

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("process_instance", schema=None) as batch_op:
        batch_op.create_index("ix_process_instance_status_created", ["status", "created_at"], unique=False)


def downgrade():
    with op.batch_alter_table("process_instance", schema=None) as batch_op:
        batch_op.drop_index("ix_process_instance_status_created")
