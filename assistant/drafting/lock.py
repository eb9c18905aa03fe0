"""One `draft` run at a time per home: a second run waits for the first, then finds its work
done (drafting is idempotent) instead of failing on the same drafts."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

LOCK_FILE = ".draft.lock"


@contextmanager
def draft_lock(home: Path, on_wait: Callable[[], None] | None = None) -> Iterator[None]:
    """Hold `<home>/.draft.lock` (an advisory lock, released if the process dies); `on_wait`
    is called once when another run holds it, before waiting."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX: the unique index still protects
        yield
        return
    with (home / LOCK_FILE).open("a+") as handle:
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
