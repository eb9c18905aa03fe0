"""A real SMTP server for tests (aiosmtpd on 127.0.0.1) that records what arrives and can
answer chosen SMTP codes, with optional STARTTLS / implicit TLS and AUTH."""

from __future__ import annotations

import asyncio
import email
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from email.message import Message
from email.policy import default
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


class Inbox:
    """The handler: messages received, with their envelope and whether TLS / AUTH were on."""

    def __init__(self) -> None:
        self.messages: list[Message] = []
        self.envelopes: list[list[str]] = []
        self.tls: list[bool] = []
        self.authenticated: list[bool] = []
        self.reject: dict[str, str] = {}  # address -> full reply at RCPT ("550 ...")
        self.mail_reply: str | None = None  # reply at MAIL FROM instead of 250
        self.data_reply: str | None = None  # reply at DATA instead of 250
        self.fail_after: int | None = None  # 451 at DATA once this many messages arrived
        # The first message's DATA waits (at most `hold_s`) until `release` is set and until
        # `clients_before_data` sessions have sent MAIL: two senders made to overlap.
        self.release: threading.Event | None = None
        self.clients_before_data = 0
        self.hold_s = 20.0
        self.clients: set[int] = set()
        self._held = False

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        if self.mail_reply:
            return self.mail_reply
        envelope.mail_from = address
        self.clients.add(id(session))
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.reject:
            return self.reject[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if not self._held:
            self._held = True
            deadline = time.monotonic() + self.hold_s
            while time.monotonic() < deadline and (
                (self.release is not None and not self.release.is_set())
                or len(self.clients) < self.clients_before_data
            ):
                await asyncio.sleep(0.05)  # the other sessions go on meanwhile
        if self.data_reply:
            return self.data_reply
        if self.fail_after is not None and len(self.messages) >= self.fail_after:
            return "451 4.3.0 service temporairement indisponible"
        self.messages.append(email.message_from_bytes(envelope.content, policy=default))
        self.envelopes.append(list(envelope.rcpt_tos))
        self.tls.append(server.transport.get_extra_info("ssl_object") is not None)
        self.authenticated.append(bool(session.authenticated))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def password_check(user: str, password: str):  # type: ignore[no-untyped-def]
    """An aiosmtpd authenticator accepting exactly this user and password."""

    def check(server, session, envelope, mechanism, auth_data) -> AuthResult:  # type: ignore[no-untyped-def]
        ok = (
            isinstance(auth_data, LoginPassword)
            and auth_data.login == user.encode()
            and auth_data.password == password.encode()
        )
        return AuthResult(success=ok, handled=False)

    return check


@contextmanager
def smtp_server(inbox: Inbox | None = None, **options: Any) -> Iterator[tuple[Inbox, int]]:
    """Serve on 127.0.0.1:<free port> for the `with` block. `options` go to aiosmtpd
    (tls_context= for STARTTLS, ssl_context= for implicit TLS, authenticator=...)."""
    inbox, port = inbox or Inbox(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port, **options)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()
