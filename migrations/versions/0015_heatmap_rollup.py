"""the heatmap's daily rollup of element visits and its high-water mark

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-01 15:00:00

``element_visit_day``: per process, day, element, version and seconds bucket, the visits,
the instances' first passes and the seconds (engine.heat). ``element_visit_mark``: the last
visit folded in. Expand-only: two new tables, filled by the worker (an existing database's
visits are folded on its first rounds, or by the first heatmap read).
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "element_visit_day",
        sa.Column("process_id", sa.String(length=100), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("element_id", sa.String(length=100), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("bucket", sa.Integer(), nullable=False),
        sa.Column("visits", sa.Integer(), nullable=False),
        sa.Column("instances", sa.Integer(), nullable=False),
        sa.Column("seconds", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("process_id", "day", "element_id", "version_id", "bucket"),
    )
    op.create_table(
        "element_visit_mark",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("visit_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )


def downgrade():
    op.drop_table("element_visit_mark")
    op.drop_table("element_visit_day")
