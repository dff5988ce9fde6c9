"""where a process version came from and why; analysts' drafts

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 11:00:00

``process_version.origin`` (repository, browser, api, restore) lets ``flask deploy-diagrams``
refuse to replace a version made in the browser; ``comment`` records why a version was
deployed. ``process_draft`` holds one unpublished change per process, with the revision a save
must start from. Expand-only: existing versions are marked as coming from the repository.
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("process_version", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("origin", sa.String(length=20), nullable=False, server_default="repository")
        )
        batch_op.add_column(sa.Column("comment", sa.Text(), nullable=True))
    op.create_table(
        "process_draft",
        sa.Column("process_id", sa.String(length=100), nullable=False),
        sa.Column("base_version_id", sa.Integer(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("files", sa.JSON(), nullable=False),
        sa.Column("updated_by", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["base_version_id"],
            ["process_version.id"],
            name=op.f("fk_process_draft_base_version_id_process_version"),
        ),
        sa.PrimaryKeyConstraint("process_id", name=op.f("pk_process_draft")),
    )


def downgrade():
    op.drop_table("process_draft")
    with op.batch_alter_table("process_version", schema=None) as batch_op:
        batch_op.drop_column("comment")
        batch_op.drop_column("origin")
