"""Alembic environment: the app's models are the target; SQLite and PostgreSQL alike.

Called by app.db.migrate() with an open connection, or by the `alembic` command line (alembic.ini at
the repository root), which uses SPARRING_DATABASE_URL / SPARRING_DATA_DIR like the server does.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection
from sqlmodel import SQLModel

from app import models  # noqa: F401  (registers the tables)
from app.config import get_settings


def run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=SQLModel.metadata,
        render_as_batch=True,  # ALTERs that SQLite can do too (it rebuilds the table)
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


given: Connection | None = context.config.attributes.get("connection")
if given is not None:
    run(given)
else:
    from app.db import connect

    with connect(get_settings()).connect() as connection:
        run(connection)
        connection.commit()
