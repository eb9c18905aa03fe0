"""Where messages come from: an IMAP folder (IMAPClient), or `.eml` files and Maildirs.

IMAP: the folder is opened read-only and messages are fetched with `BODY.PEEK[]` (no flag
changes on the server). Each message is stored and the folder's last UID saved in one
transaction, so a crash loses nothing (the message not committed is fetched again) and a
rerun fetches nothing twice (UIDs above the last one only; a changed UIDVALIDITY starts over
and the Message-ID dedupe keeps what was already read). The password comes from the
environment, is given to the server and nowhere else.
"""

from __future__ import annotations

import mailbox
import ssl
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

from assistant.config import Settings
from assistant.errors import UserError
from assistant.i18n import tr

LOOPBACK = ("localhost", "127.0.0.1", "::1")
BATCH = 25  # messages per FETCH command


def _is_maildir(path: Path) -> bool:
    return all((path / sub).is_dir() for sub in ("cur", "new", "tmp"))


def read_path(path: Path) -> Iterator[tuple[str, bytes]]:
    """(label, raw message) for an `.eml` file, a folder of them (recursively) or a Maildir."""
    if not path.exists():
        raise UserError(tr("{p} : introuvable", "{p}: not found", p=path))
    if path.is_file():
        yield str(path), path.read_bytes()
    elif _is_maildir(path):
        box = mailbox.Maildir(path, factory=None, create=False)
        for key in sorted(box.iterkeys()):
            yield f"{path}/{key}", box.get_bytes(key)
    else:
        for file in sorted(p for p in path.rglob("*.eml") if p.is_file()):
            yield str(file), file.read_bytes()


def looks_like_mail(raw: bytes) -> bool:
    """A message has a header block with a From (or a Return-Path for a bounce)."""
    head = raw[:65536].split(b"\n\n", 1)[0].split(b"\r\n\r\n", 1)[0].lower()
    return head.startswith((b"from:", b"return-path:", b"received:", b"delivered-to:")) or (
        b"\nfrom:" in head
    )


StoreOne = Callable[
    [bytes, str, datetime, int, int], None
]  # raw, source, arrived, uidvalidity, uid


def mailbox_name(settings: Settings) -> str:
    return f"{settings.imap_user}@{settings.imap_host}/{settings.imap_folder}"


def _context() -> ssl.SSLContext:
    return ssl.create_default_context()  # honours SSL_CERT_FILE (a company CA)


def _check(settings: Settings) -> str:
    if not settings.imap_host:
        raise UserError(
            tr(
                "RELANCE_IMAP_HOST n'est pas défini (ou : relance inbox import DOSSIER)",
                "RELANCE_IMAP_HOST is not set (or: relance inbox import FOLDER)",
            )
        )
    if not settings.imap_user or settings.imap_password is None:
        raise UserError(
            tr(
                "RELANCE_IMAP_USER et RELANCE_IMAP_PASSWORD sont nécessaires",
                "RELANCE_IMAP_USER and RELANCE_IMAP_PASSWORD are required",
            )
        )
    if settings.imap_tls == "none" and settings.imap_host not in LOOPBACK:
        raise UserError(
            tr(
                "mot de passe IMAP en clair refusé : RELANCE_IMAP_TLS=ssl ou starttls",
                "IMAP password in clear refused: set RELANCE_IMAP_TLS=ssl or starttls",
            )
        )
    return settings.imap_password.get_secret_value()  # type: ignore[union-attr]


def _failure(settings: Settings, exc: BaseException) -> UserError:
    """One line naming the server and what failed, never the password."""
    from imapclient.exceptions import LoginError

    if isinstance(exc, LoginError):
        what = tr("identifiants refusés", "login refused")
    elif isinstance(exc, ssl.SSLError):
        what = tr("TLS : {e}", "TLS: {e}", e=getattr(exc, "reason", None) or type(exc).__name__)
    elif isinstance(exc, OSError):
        what = exc.strerror or type(exc).__name__
    else:
        what = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
    return UserError(
        tr(
            "IMAP {h}:{p} ({t}) : {w}",
            "IMAP {h}:{p} ({t}): {w}",
            h=settings.imap_host,
            p=settings.imap_port or ("993" if settings.imap_tls == "ssl" else "143"),
            t=settings.imap_tls,
            w=what,
        )
    )


def fetch_imap(
    settings: Settings,
    state: tuple[int, int] | None,
    store_one: StoreOne,
    *,
    timeout_s: float = 30.0,
) -> int:
    """Fetch the messages above the saved UID and hand each to `store_one` (which commits
    it with the new state). Returns how many were handed over."""
    from imapclient import IMAPClient
    from imapclient.exceptions import IMAPClientError

    password = _check(settings)
    port = settings.imap_port or (993 if settings.imap_tls == "ssl" else 143)
    handed = 0
    try:
        client = IMAPClient(
            settings.imap_host,
            port=port,
            ssl=settings.imap_tls == "ssl",
            ssl_context=_context(),
            timeout=timeout_s,
        )
    except (OSError, IMAPClientError) as exc:
        raise _failure(settings, exc) from None
    try:
        if settings.imap_tls == "starttls":
            client.starttls(_context())
        client.login(settings.imap_user, password)
        info = client.select_folder(settings.imap_folder, readonly=True)
        uidvalidity = int(info[b"UIDVALIDITY"])
        last = state[1] if state is not None and state[0] == uidvalidity else 0
        uids = sorted(u for u in client.search(["UID", f"{last + 1}:*"]) if u > last)
        for start in range(0, len(uids), BATCH):
            chunk = uids[start : start + BATCH]
            fetched = client.fetch(chunk, ["BODY.PEEK[]", "INTERNALDATE"])
            for uid in chunk:
                item = fetched.get(uid)
                if item is None:  # expunged meanwhile
                    continue
                arrived = item.get(b"INTERNALDATE") or datetime.now(UTC)
                if arrived.tzinfo is None:
                    arrived = arrived.astimezone()  # IMAPClient gives local naive times
                source = uid_source(settings, uidvalidity, uid)
                store_one(item[b"BODY[]"], source, arrived, uidvalidity, uid)
                handed += 1
    except (TimeoutError, OSError, IMAPClientError) as exc:
        raise _failure(settings, exc) from None
    finally:
        try:
            client.logout()
        except (OSError, IMAPClientError):
            client.shutdown()
    return handed


def uid_source(settings: Settings, uidvalidity: int, uid: int) -> str:
    return f"imap:{mailbox_name(settings)}:{uidvalidity}:{uid}"
