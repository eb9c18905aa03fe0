"""Cancelling slow work that ends in a write: either the write commits or the cancel wins,
never both (a person told "cancelled" never finds the new version stored)."""

from __future__ import annotations

import threading


class Cancelled(Exception):
    """The work was cancelled before its write committed: nothing was stored."""


class Cancellation:
    """Shared by the thread that asks to cancel and the worker that writes. The worker calls
    `commit_point()` inside its transaction, just before the commit, under the same lock as
    `cancel()`: whichever comes first wins."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._cancelled = False
        self._committing = False

    def cancel(self) -> bool:
        """Ask the work to stop. False when it is too late: its write is already committing."""
        with self._lock:
            if not self._committing:
                self._cancelled = True
            return self._cancelled

    @property
    def cancelled(self) -> bool:
        with self._lock:
            return self._cancelled

    def check(self) -> None:
        """Raise `Cancelled` if cancelled (a cheap early stop, e.g. before a model call)."""
        if self.cancelled:
            raise Cancelled

    def commit_point(self) -> None:
        """Call inside the write's transaction, after its statements: raises `Cancelled` (the
        transaction rolls back) or makes every later `cancel()` too late."""
        with self._lock:
            if self._cancelled:
                raise Cancelled
            self._committing = True
