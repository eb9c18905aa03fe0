"""PostgreSQL: the schema derived from the SQLite migrations, connections, and `relance
migrate` (copying a SQLite home into an empty PostgreSQL database). psycopg and sqlglot are
imported only when a postgresql:// URL is used."""
