"""Database errors a domain module may catch, named here so that only the storage layer imports
the driver (`sqlite3`): the domain writes `except IntegrityError` from this module."""

from __future__ import annotations

from sqlite3 import IntegrityError  # a unique key or a money guard (trigger) refused a write

__all__ = ["IntegrityError"]
