"""Approved draft -> a standard e-mail (UTF-8 plain text, stable Message-ID, optional PDFs).

Every header value is normalised to one line (`safetext.one_line`) and every address checked
(`assistant.emails`) here, whatever path the text came by (template, LLM, a person's edit, an
old row). Anything that still prevents building the message is a `BuildError`: the send loop
fails that draft with the reason and goes on with the others.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import default
from email.utils import format_datetime

from assistant.drafting.queue import DraftView
from assistant.emails import AddressError, check_addresses, header_address
from assistant.i18n import tr
from assistant.safetext import one_line


class BuildError(Exception):
    """This draft cannot become a message; the text says why (shown on the failed draft)."""


def message_id(draft: DraftView, sender: str) -> str:
    """Stable per draft: a resend after a crash carries the same id (receivers can dedupe)."""
    domain = sender.rpartition("@")[2] or "relance.invalid"
    digest = hashlib.sha256(f"{draft.id}|{draft.created_at}".encode()).hexdigest()[:16]
    return f"<relance.{draft.id}.{digest}@{domain}>"


def _addresses(value: str | None, what: str) -> str:
    try:
        return ", ".join(header_address(a) for a in check_addresses(value or ""))
    except AddressError as exc:
        raise BuildError(f"{what} : {exc}") from None


# Lines up to RFC 5322's limit: folding at 78 makes CPython drop the space between two
# RFC 2047 encoded words (a subject that is not the one approved).
_POLICY = default.clone(max_line_length=998)


def _cte(text: str) -> str:
    """7bit for short ASCII lines, else quoted-printable (safe through any relay)."""
    short = all(len(line) <= 78 for line in text.splitlines())
    return "7bit" if text.isascii() and short else "quoted-printable"


def build_email(
    draft: DraftView,
    *,
    sender: str,
    sender_name: str,
    reply_to: str | None,
    now: datetime,
    attachments: list[tuple[str, bytes]] | None = None,
    html: str | None = None,
) -> EmailMessage:
    try:
        return _build(draft, sender, sender_name, reply_to, now, attachments or [], html)
    except BuildError:
        raise
    except Exception as exc:  # the email package's own refusal, whatever it is
        raise BuildError(
            tr(
                "message impossible à construire : {e}",
                "the message cannot be built: {e}",
                e=f"{type(exc).__name__}: {exc}",
            )
        ) from exc


def _build(
    draft: DraftView,
    sender: str,
    sender_name: str,
    reply_to: str | None,
    now: datetime,
    attachments: list[tuple[str, bytes]],
    html: str | None,
) -> EmailMessage:
    msg = EmailMessage(policy=_POLICY)  # headers RFC 2047-encoded (accented names, subjects)
    msg["From"] = Address(one_line(sender_name), addr_spec=sender)
    msg["To"] = _addresses(draft.recipient, tr("destinataire", "recipient"))
    if draft.cc:
        msg["Cc"] = _addresses(", ".join(draft.cc), "Cc")
    msg["Reply-To"] = reply_to or sender
    msg["Subject"] = one_line(draft.subject)
    msg["Date"] = format_datetime(now.astimezone())  # the machine's local offset
    msg["Message-ID"] = message_id(draft, sender)
    msg["X-Relance-Draft"] = str(draft.id)
    msg.set_content(draft.body, charset="utf-8", cte=_cte(draft.body))
    if html:
        msg.add_alternative(html, subtype="html", charset="utf-8", cte=_cte(html))
    for name, data in attachments:  # PDFs only, checked by delivery.attachments
        msg.add_attachment(data, maintype="application", subtype="pdf", filename=one_line(name))
    return msg
