"""usernames and emails unique in any letter case

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 11:00:00

"Entrar" and recovery compare ``lower(username)`` and ``lower(email)``; the plain UNIQUE
constraints let "Ana" and "ana" both exist (two concurrent username changes made them, and
one person then logged into the other's account). Functional unique indexes close it on
SQLite and PostgreSQL. Refuses to run while case-duplicates exist: resolve them first
(``SELECT lower(username), count(*) FROM app_user GROUP BY 1 HAVING count(*) > 1``).
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

INDEXES = {"uq_app_user_username_lower": "username", "uq_app_user_email_lower": "email"}


def upgrade():
    for name, column in INDEXES.items():
        op.create_index(name, "app_user", [sa.text(f"lower({column})")], unique=True)


def downgrade():
    for name in INDEXES:
        op.drop_index(name, table_name="app_user")
