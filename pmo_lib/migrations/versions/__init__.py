"""Revisions of the history database schema, oldest first (``v0001``, ``v0002``, ...)."""
