"""Accounts for the web page: users (hashed passwords, a role, an editor's units) and the
server-side sessions of their browsers.

Revision ID: 0009_accounts
Revises: 0007_unit_links

- users: name (and its folded key, unique), role viewer|editor|admin, units (JSON list),
  password_hash (argon2id), active, created_at.
- web_sessions: id = sha256 of the cookie's random value, user_id (null before logging in:
  such a session only carries the form token), csrf, created_at / expires_at (epoch s).
- The history's user is its `who` column, which the web now fills with the account's name.
"""
from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0009_accounts"
down_revision = "0007_unit_links"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("name", sqlmodel.AutoString(), nullable=False),
        sa.Column("name_key", sqlmodel.AutoString(), nullable=False),
        sa.Column("role", sqlmodel.AutoString(length=16), nullable=False),
        sa.Column("units", sa.JSON(), nullable=False),
        sa.Column("password_hash", sqlmodel.AutoString(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name_key", name="uq_users_name_key"),
    )
    op.create_table(
        "web_sessions",
        sa.Column("id", sqlmodel.AutoString(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("csrf", sqlmodel.AutoString(length=64), nullable=False),
        sa.Column("created_at", sa.Float(), nullable=False),
        sa.Column("expires_at", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_web_sessions_user_id", "web_sessions", ["user_id"])
    op.create_index("ix_web_sessions_expires_at", "web_sessions", ["expires_at"])


def downgrade() -> None:
    op.drop_index("ix_web_sessions_expires_at", table_name="web_sessions")
    op.drop_index("ix_web_sessions_user_id", table_name="web_sessions")
    op.drop_table("web_sessions")
    op.drop_table("users")
