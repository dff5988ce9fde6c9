"""process versions are unique by number, not by content; drop the unused parent_instance_id

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 13:00:00

Re-uploading an earlier diagram is how an analyst rolls back a bad version: deploy now
compares a set with the newest version only, so version 3 may hold version 1's content.
The unique (process_id, content_hash) constraint forbade exactly that; versions are unique
by (process_id, number) instead, which also makes two deploys racing for one number collide
instead of both writing it. process_instance.parent_instance_id was never written or read.

Downgrading recreates the (process_id, content_hash) constraint: it fails while a process
has two versions with the same content (a rollback by re-upload); delete one first.
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("process_version", schema=None) as batch_op:
        batch_op.drop_constraint("uq_process_version_process_id", type_="unique")
        batch_op.create_unique_constraint("uq_process_version_number", ["process_id", "number"])
    with op.batch_alter_table("process_instance", schema=None) as batch_op:
        batch_op.drop_column("parent_instance_id")


def downgrade():
    with op.batch_alter_table("process_instance", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "parent_instance_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
            )
        )
    with op.batch_alter_table("process_version", schema=None) as batch_op:
        batch_op.drop_constraint("uq_process_version_number", type_="unique")
        batch_op.create_unique_constraint("uq_process_version_process_id", ["process_id", "content_hash"])
