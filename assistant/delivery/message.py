"""Approved draft -> a standard e-mail (UTF-8 plain text, stable Message-ID, optional PDFs)."""

from __future__ import annotations

import hashlib
import mimetypes
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

from assistant.drafting.queue import DraftView


def message_id(draft: DraftView, sender: str) -> str:
    """Stable per draft: a resend after a crash carries the same id (receivers can dedupe)."""
    domain = sender.rpartition("@")[2] or "relance.invalid"
    digest = hashlib.sha256(f"{draft.id}|{draft.created_at}".encode()).hexdigest()[:16]
    return f"<relance.{draft.id}.{digest}@{domain}>"


def build_email(
    draft: DraftView,
    *,
    sender: str,
    sender_name: str,
    reply_to: str | None,
    now: datetime,
    attachments: list[Path] | None = None,
    html: str | None = None,
) -> EmailMessage:
    msg = EmailMessage()  # headers are RFC 2047-encoded (accented names and subjects)
    msg["From"] = Address(sender_name, addr_spec=sender)
    msg["To"] = draft.recipient or ""  # one address, or several as `a@x.fr, b@y.fr`
    if draft.cc:
        msg["Cc"] = ", ".join(draft.cc)
    msg["Reply-To"] = reply_to or sender
    msg["Subject"] = draft.subject
    msg["Date"] = format_datetime(now.astimezone())  # the machine's local offset
    msg["Message-ID"] = message_id(draft, sender)
    msg["X-Relance-Draft"] = str(draft.id)
    msg.set_content(draft.body, charset="utf-8")
    if html:
        msg.add_alternative(html, subtype="html", charset="utf-8")
    for path in attachments or []:
        kind, _ = mimetypes.guess_type(path.name)
        maintype, subtype = (kind or "application/octet-stream").split("/", 1)
        msg.add_attachment(
            path.read_bytes(), maintype=maintype, subtype=subtype, filename=path.name
        )
    return msg
