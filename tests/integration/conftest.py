"""Servers started once per test session for the integration tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.imap import Dovecot, dovecot_binary, start_dovecot


@pytest.fixture(scope="session")
def dovecot() -> Iterator[Dovecot]:
    """A real IMAP server (Dovecot) on 127.0.0.1; skipped only if the binary is absent."""
    if dovecot_binary() is None:
        pytest.skip("dovecot absent: apt-get install dovecot-imapd (.ci/run installs it)")
    server = start_dovecot()
    yield server
    server.stop()
