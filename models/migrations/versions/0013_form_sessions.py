"""Form sessions: a browser that has not logged in gets a server-side session too, which only
carries its form (CSRF) token (app/web/deps.py); `logged_in` tells it from a login.

Revision ID: 0013_form_sessions
Revises: 0012_reminders

- web_sessions.logged_in: boolean, true for every session made before (they were all logins).
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013_form_sessions"
down_revision = "0012_reminders"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("web_sessions") as batch:
        batch.add_column(sa.Column("logged_in", sa.Boolean(), nullable=False, server_default=sa.true()))


def downgrade() -> None:
    op.execute("DELETE FROM web_sessions WHERE NOT logged_in")     # a form-only session would become a login
    with op.batch_alter_table("web_sessions") as batch:
        batch.drop_column("logged_in")
