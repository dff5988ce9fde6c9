"""recovery links as single-use rows; API tokens expire

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 12:00:00

A recovery link was a signed payload checked against the password hash: eight parallel posts
of one link all passed the check and changed the password eight times. Now each link is a
``password_reset`` row that one conditional UPDATE marks used. Links emailed before this
migration stop working (ask for a new one).

API tokens get ``expires_at``. Tokens issued before it get 90 days from the upgrade, so no
integration stops at once; NULL means expired.
"""

import datetime as dt

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "password_reset",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("used_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["app_user.id"], name=op.f("fk_password_reset_user_id_app_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_password_reset")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_password_reset_token_hash")),
    )
    with op.batch_alter_table("password_reset", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_password_reset_user_id"), ["user_id"], unique=False)
    with op.batch_alter_table("api_token", schema=None) as batch_op:
        batch_op.add_column(sa.Column("expires_at", sa.DateTime(), nullable=True))
    tokens = sa.table("api_token", sa.column("expires_at", sa.DateTime()))
    in_90_days = dt.datetime.now(dt.UTC).replace(tzinfo=None) + dt.timedelta(days=90)
    op.execute(tokens.update().where(tokens.c.expires_at.is_(None)).values(expires_at=in_90_days))


def downgrade():
    with op.batch_alter_table("api_token", schema=None) as batch_op:
        batch_op.drop_column("expires_at")
    with op.batch_alter_table("password_reset", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_password_reset_user_id"))
    op.drop_table("password_reset")
