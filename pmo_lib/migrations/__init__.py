"""Alembic migrations of the history database (:mod:`pmo_lib.store`).

Run them with :func:`pmo_lib.store.upgrade`; the scripts in ``versions/`` are frozen: a change
to :data:`pmo_lib.model.SCHEMAS` needs a new revision, never an edit of an old one.
"""
