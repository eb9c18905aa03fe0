"""One `draft` run at a time per home and company: a second run waits for the first, then finds
its work done (drafting is idempotent) instead of failing on the same drafts. Two companies of
one database (docs/companies.md) never wait for each other."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

LOCK_FILE = ".draft.lock"


@contextmanager
def draft_lock(
    home: Path, on_wait: Callable[[], None] | None = None, company: str | None = None
) -> Iterator[None]:
    """Hold `<home>/.draft.lock` (`.draft-<company>.lock` for a --company; an advisory lock,
    released if the process dies); `on_wait` is called once when another run holds it."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX: the unique index still protects
        yield
        return
    name = LOCK_FILE if company is None else f".draft-{company}.lock"
    with (home / name).open("a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if on_wait is not None:
                on_wait()
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
