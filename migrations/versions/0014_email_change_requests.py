"""the pending email change of each user, so an older confirmation link never applies again

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-01 15:00:00

A link to confirm a new email was a signed payload checked against the current email: after
A→B→A the first link (for B) matched again. Now each link carries a nonce whose hash is the
user's one ``email_change_request`` row; a new request replaces it, a confirmation deletes it.
Links emailed before this migration stop working (save the new email again). Expand-only.
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "email_change_request",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("nonce_hash", sa.String(length=64), nullable=False),
        sa.Column("new_email", sa.String(length=254), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["app_user.id"], name=op.f("fk_email_change_request_user_id_app_user")
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_email_change_request")),
    )


def downgrade():
    op.drop_table("email_change_request")
