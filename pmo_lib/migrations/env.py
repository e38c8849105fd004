"""Alembic environment of :mod:`pmo_lib.store`: migrations run on the connection the store
hands over (``config.attributes["connection"]``), inside the store's write transaction."""

from __future__ import annotations

from alembic import context


def _run() -> None:
    try:
        config = context.config
    except (AttributeError, NameError):  # imported outside Alembic (pytest doctests)
        return
    connection = config.attributes["connection"]
    context.configure(connection=connection, target_metadata=None,
                      transaction_per_migration=False)
    context.run_migrations()


_run()
