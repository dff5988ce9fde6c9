"""incidents: an automatic step that failed and stopped its instance

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 11:00:00

A failing script, service task, condition, timer or message used to roll the whole step
back (the person's submission with it) and leave only an instance in status ``error``. Now
what came before the failure is kept and the instance stops at the failing element with an
``incident`` row: what failed, in words and in detail, when, how many times, and how it was
resolved (engine.incidents). Expand-only.
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade():
    op.create_table(
        "incident",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("instance_id", BIG_ID, nullable=False),
        sa.Column("process_id", sa.String(length=100), nullable=False),
        sa.Column("element_id", sa.String(length=100), nullable=True),
        sa.Column("element_name", sa.String(length=200), nullable=True),
        sa.Column("step", sa.String(length=30), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("data_keys", sa.JSON(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("opened_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("resolved_at", sa.DateTime(), nullable=True),
        sa.Column("resolved_by", sa.Integer(), nullable=True),
        sa.Column("resolution", sa.String(length=30), nullable=True),
        sa.ForeignKeyConstraint(
            ["instance_id"], ["process_instance.id"], name=op.f("fk_incident_instance_id_process_instance")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incident")),
    )
    with op.batch_alter_table("incident", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_incident_instance_id"), ["instance_id"], unique=False)
        batch_op.create_index("ix_incident_status_opened", ["status", "opened_at"], unique=False)


def downgrade():
    with op.batch_alter_table("incident", schema=None) as batch_op:
        batch_op.drop_index("ix_incident_status_opened")
        batch_op.drop_index(batch_op.f("ix_incident_instance_id"))
    op.drop_table("incident")
