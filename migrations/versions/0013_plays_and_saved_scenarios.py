"""analysts' plays of a draft and the scenario tests saved from them

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-01 14:10:00

``process_play``: the steps of an analyst's run of a draft in the sandbox (issue 16.4), one
per process and analyst. ``process_scenario``: scenario tests saved from a play; they run
before every deploy of their process. Expand-only: two new tables.
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "process_play",
        sa.Column("process_id", sa.String(length=100), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("steps", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("process_id", "user_id"),
    )
    op.create_table(
        "process_scenario",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("process_id", sa.String(length=100), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("scenario", sa.JSON(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("process_id", "name", name="uq_process_scenario_name"),
    )
    op.create_index("ix_process_scenario_process_id", "process_scenario", ["process_id"])


def downgrade():
    op.drop_index("ix_process_scenario_process_id", table_name="process_scenario")
    op.drop_table("process_scenario")
    op.drop_table("process_play")
