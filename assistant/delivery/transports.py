"""Where messages go: an SMTP server (STARTTLS / implicit TLS / plain relay), or the
embedded default, `.eml` files in `<home>/outbox/`; SMS go to a provider, by default a file.

Errors are classified so the send loop knows what to do:
- `TransientError`: retry later (4xx replies, connection refused or lost, timeout).
  `server_wide` means every message would fail now (server down, 421, busy at DATA):
  the batch stops after the retries instead of waiting on each remaining draft.
- `PermanentError`: this message can never go as is (5xx for a recipient or its content):
  the draft fails with the server's words.
- `SetupError`: the configuration is wrong (authentication, TLS, sender address refused):
  the batch stops at once and no draft is failed for it.
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

from assistant.i18n import tr


class TransientError(Exception):
    def __init__(self, message: str, *, server_wide: bool = False) -> None:
        super().__init__(message)
        self.server_wide = server_wide


class PermanentError(Exception):
    pass


class SetupError(Exception):
    pass


class EmailTransport(Protocol):
    def send(self, msg: EmailMessage) -> str | None:
        """Deliver `msg`; returns a note when it left but some recipients were refused."""
        ...

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

    def send(self, msg: EmailMessage) -> str | None:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            name = f"draft-{msg['X-Relance-Draft']}.eml"
            _atomic_write(self.folder / name, msg.as_bytes())
        except OSError as exc:
            raise TransientError(f"outbox: {exc}", server_wide=True) from exc
        return None

    def close(self) -> None:
        pass


def _reply(exc: smtplib.SMTPResponseException) -> str:
    text = exc.smtp_error
    if isinstance(text, bytes):
        text = text.decode(errors="replace")
    return f"{exc.smtp_code} {text}"


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
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        self.host, self.tls, self.user = host, tls, user
        self._password = password
        self.port = port or {"ssl": 465, "starttls": 587}.get(tls, 25)
        self.timeout_s = timeout_s
        # the system's CAs (SSL_CERT_FILE points to another bundle, e.g. a company CA)
        self.ssl_context = ssl_context
        self._conn: smtplib.SMTP | None = None

    def __repr__(self) -> str:  # never the password
        return f"SmtpTransport({self.host}:{self.port}, tls={self.tls}, user={self.user})"

    def _connect(self) -> smtplib.SMTP:
        if self._conn is not None:
            return self._conn
        where = f"{self.host}:{self.port}"
        conn: smtplib.SMTP | None = None
        try:
            context = self.ssl_context or ssl.create_default_context()
            if self.tls == "ssl":
                conn = smtplib.SMTP_SSL(
                    self.host, self.port, timeout=self.timeout_s, context=context
                )
            else:
                conn = smtplib.SMTP(self.host, self.port, timeout=self.timeout_s)
                if self.tls == "starttls":
                    conn.starttls(context=context)
            if self.user:
                self._login(conn)
        except smtplib.SMTPAuthenticationError as exc:
            self._drop(conn)
            raise SetupError(
                tr(
                    "SMTP {w} : authentification refusée pour {u} ({r})",
                    "SMTP {w}: authentication refused for {u} ({r})",
                    w=where,
                    u=self.user,
                    r=_reply(exc),
                )
            ) from exc
        except smtplib.SMTPNotSupportedError as exc:  # no STARTTLS / no AUTH offered
            self._drop(conn)
            raise SetupError(f"SMTP {where}: {exc}") from exc
        except ssl.SSLError as exc:  # certificate refused, or TLS mode not the server's
            self._drop(conn)
            raise SetupError(
                tr(
                    "SMTP {w} : échec TLS ({e}) ; vérifiez RELANCE_SMTP_TLS et le certificat",
                    "SMTP {w}: TLS failed ({e}); check RELANCE_SMTP_TLS and the certificate",
                    w=where,
                    e=exc,
                )
            ) from exc
        except smtplib.SMTPResponseException as exc:  # greeting / EHLO / STARTTLS refused
            self._drop(conn)
            if 400 <= exc.smtp_code < 500:
                raise TransientError(f"SMTP {where}: {_reply(exc)}", server_wide=True) from exc
            raise SetupError(f"SMTP {where}: {_reply(exc)}") from exc
        except (smtplib.SMTPException, OSError) as exc:  # refused, unreachable, timeout
            self._drop(conn)
            raise TransientError(
                f"SMTP {where}: {type(exc).__name__}: {exc}", server_wide=True
            ) from exc
        self._conn = conn
        return conn

    def _login(self, conn: smtplib.SMTP) -> None:
        try:
            conn.login(self.user or "", self._password or "")
        except smtplib.SMTPResponseException:
            raise
        except smtplib.SMTPException as exc:  # no AUTH offered, no common mechanism
            raise smtplib.SMTPNotSupportedError(str(exc)) from exc

    def send(self, msg: EmailMessage) -> str | None:
        conn = self._connect()
        try:
            refused = conn.send_message(msg)
        except smtplib.SMTPRecipientsRefused as exc:  # nobody got it
            self._reset()
            codes = [code for code, _ in exc.recipients.values()]
            text = "; ".join(
                f"{a}: {c} {m.decode(errors='replace') if isinstance(m, bytes) else m}"
                for a, (c, m) in exc.recipients.items()
            )
            if 421 in codes:
                raise TransientError(text, server_wide=True) from exc
            if all(400 <= c < 500 for c in codes):
                raise TransientError(text) from exc
            raise PermanentError(text) from exc
        except smtplib.SMTPSenderRefused as exc:
            self._reset()
            if 400 <= exc.smtp_code < 500:
                raise TransientError(_reply(exc), server_wide=True) from exc
            raise SetupError(
                tr(
                    "SMTP : expéditeur {s} refusé ({r}) ; vérifiez RELANCE_FROM",
                    "SMTP: sender {s} refused ({r}); check RELANCE_FROM",
                    s=exc.sender,
                    r=_reply(exc),
                )
            ) from exc
        except smtplib.SMTPNotSupportedError as exc:  # e.g. SMTPUTF8 needed for an address
            self._reset()
            raise PermanentError(f"SMTP: {exc}") from exc
        except smtplib.SMTPResponseException as exc:  # DATA refused
            self._reset()
            if 400 <= exc.smtp_code < 500:
                raise TransientError(_reply(exc), server_wide=exc.smtp_code == 421) from exc
            raise PermanentError(_reply(exc)) from exc
        except (smtplib.SMTPException, OSError) as exc:  # connection lost
            self._reset()
            raise TransientError(f"{type(exc).__name__}: {exc}", server_wide=True) from exc
        if not refused:
            return None
        # it left for the others: the draft is sent, the refusals are noted
        return tr("refusé par le serveur : ", "refused by the server: ") + "; ".join(
            f"{a}: {c} {m.decode(errors='replace') if isinstance(m, bytes) else m}"
            for a, (c, m) in refused.items()
        )

    @staticmethod
    def _drop(conn: smtplib.SMTP | None) -> None:
        if conn is not None:
            with contextlib.suppress(OSError):
                conn.close()

    def _reset(self) -> None:
        conn, self._conn = self._conn, None
        self._drop(conn)

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
            raise TransientError(f"sms outbox: {exc}", server_wide=True) from exc
