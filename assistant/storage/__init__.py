"""SQLite store: connection, migrations, repositories."""

from assistant.storage.db import Store, open_store

__all__ = ["Store", "open_store"]
