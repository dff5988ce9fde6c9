"""what a task is about, as its inbox shows it

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01 12:00:00

``human_task.subject``: the user task's ``inboxSubject`` (docs/diagrams.md) filled from the
task data when the task became ready, e.g. the entity's name on a Mesa de Servicio task.
Expand-only: tasks made before it have none.
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("human_task", schema=None) as batch_op:
        batch_op.add_column(sa.Column("subject", sa.String(length=200), nullable=True))


def downgrade():
    with op.batch_alter_table("human_task", schema=None) as batch_op:
        batch_op.drop_column("subject")
