"""Where messages go: an SMTP server (STARTTLS / implicit TLS / plain relay), or the
embedded default, `.eml` files in `<home>/outbox/`; SMS go to a provider, by default a file.

Errors are classified: `TransientError` (retry later: 4xx, connection lost, timeout) or
`PermanentError` (5xx such as an unknown address: the draft fails with the server's words).
"""

from __future__ import annotations

import contextlib
import json
import os
import smtplib
import ssl
from email.message import EmailMessage
from pathlib import Path
from typing import Protocol


class TransientError(Exception):
    pass


class PermanentError(Exception):
    pass


class EmailTransport(Protocol):
    def send(self, msg: EmailMessage) -> None: ...
    def close(self) -> None: ...


class SmsProvider(Protocol):
    def send(self, to: str, text: str, ref: str) -> None: ...


def _atomic_write(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


class EmlOutbox:
    """One `.eml` per message, written atomically; any mail client opens them."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def send(self, msg: EmailMessage) -> None:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            name = f"draft-{msg['X-Relance-Draft']}.eml"
            _atomic_write(self.folder / name, msg.as_bytes())
        except OSError as exc:
            raise TransientError(f"outbox: {exc}") from exc

    def close(self) -> None:
        pass


class SmtpTransport:
    """One connection per batch, opened lazily, reopened after a transient failure."""

    def __init__(
        self,
        host: str,
        port: int | None,
        *,
        tls: str = "starttls",
        user: str | None = None,
        password: str | None = None,
        timeout_s: float = 30.0,
    ) -> None:
        self.host, self.tls, self.user, self.password = host, tls, user, password
        self.port = port or {"ssl": 465, "starttls": 587}.get(tls, 25)
        self.timeout_s = timeout_s
        self._conn: smtplib.SMTP | None = None

    def _connect(self) -> smtplib.SMTP:
        if self._conn is None:
            context = ssl.create_default_context()
            if self.tls == "ssl":
                conn: smtplib.SMTP = smtplib.SMTP_SSL(
                    self.host, self.port, timeout=self.timeout_s, context=context
                )
            else:
                conn = smtplib.SMTP(self.host, self.port, timeout=self.timeout_s)
                if self.tls == "starttls":
                    conn.starttls(context=context)
            if self.user and self.password:
                conn.login(self.user, self.password)
            self._conn = conn
        return self._conn

    def send(self, msg: EmailMessage) -> None:
        try:
            refused = self._connect().send_message(msg)
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            text = "; ".join(
                f"{a}: {c} {m.decode(errors='replace')}" for a, (c, m) in exc.recipients.items()
            )
            self._reset()
            if all(400 <= c < 500 for c in codes):
                raise TransientError(text) from exc
            raise PermanentError(text) from exc
        except smtplib.SMTPResponseException as exc:
            text = f"{exc.smtp_code} {exc.smtp_error.decode(errors='replace')}"
            self._reset()
            if 400 <= exc.smtp_code < 500:
                raise TransientError(text) from exc
            raise PermanentError(text) from exc
        except (smtplib.SMTPException, OSError) as exc:
            self._reset()
            raise TransientError(f"{type(exc).__name__}: {exc}") from exc
        if refused:
            raise PermanentError("; ".join(f"{a}: {c}" for a, c in refused.items()))

    def _reset(self) -> None:
        if self._conn is not None:
            try:
                self._conn.close()
            finally:
                self._conn = None

    def close(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(smtplib.SMTPException, OSError):
                self._conn.quit()
            self._conn = None


class FileSmsOutbox:
    """Default SMS provider: one JSON line per message in `<home>/sms-outbox/outbox.jsonl`."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def send(self, to: str, text: str, ref: str) -> None:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            line = json.dumps({"to": to, "text": text, "ref": ref}, ensure_ascii=False)
            with (self.folder / "outbox.jsonl").open("a", encoding="utf-8") as out:
                out.write(line + "\n")
        except OSError as exc:
            raise TransientError(f"sms outbox: {exc}") from exc
