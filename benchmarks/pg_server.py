"""The PostgreSQL server of a benchmark: the one named by `--to` (or RELANCE_DATABASE_URL),
else a throwaway cluster made like the tests' (tests/support/postgres.py), stopped after."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager


@contextmanager
def databases() -> Iterator[Callable[[], str]]:
    """`new()` -> the URL of a fresh empty database on a throwaway cluster."""
    from tests.support.postgres import postgres_bin_dir, start_cluster

    bin_dir = postgres_bin_dir()
    if bin_dir is None:
        sys.exit("no PostgreSQL: give --to postgresql://… or install postgresql")
    cluster = start_cluster(bin_dir)
    try:
        yield lambda: cluster.url(cluster.new_database("template0"))
    finally:
        cluster.stop()


@contextmanager
def database(given: str | None) -> Iterator[str]:
    """`given`, else an empty database on a throwaway cluster."""
    if given:
        yield given
        return
    with databases() as new:
        yield new()
