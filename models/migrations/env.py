"""Alembic environment for the register.  Run programmatically by models.db.init_db (which
passes its connection in `config.attributes["connection"]`), or by hand with the register's URL:
    alembic -c models/migrations/alembic.ini -x db=sqlite:///chidao.db upgrade head
"""
from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine
from sqlmodel import SQLModel

import models.tables  # noqa: F401  (fills SQLModel.metadata)
from models.db import database_url

config = context.config
target_metadata = SQLModel.metadata


def _url() -> str:
    """The URL init_db set, else `-x db=URL` on Alembic's command line."""
    return database_url(config.get_main_option("sqlalchemy.url") or context.get_x_argument(as_dictionary=True).get("db"))


def _configure(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite ALTERs go through table copies
        compare_type=True,
    )


def run_migrations_offline() -> None:
    context.configure(url=_url(),
                      target_metadata=target_metadata, literal_binds=True, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = create_engine(_url())
    with engine.begin() as conn:
        _configure(conn)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
