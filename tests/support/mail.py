"""Messages as customers' mail programs write them, for the inbox tests (bytes, RFC 5322)."""

from __future__ import annotations

from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime


def message(
    *,
    sender: str,
    body: str = "",
    subject: str = "RE: Relance facture",
    to: str = "compta@atelier.example",
    when: datetime,
    message_id: str,
    in_reply_to: str | None = None,
    references: str | None = None,
    html: str | None = None,
    headers: dict[str, str] | None = None,
) -> bytes:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = format_datetime(when)
    msg["Message-ID"] = message_id
    if in_reply_to:
        msg["In-Reply-To"] = in_reply_to
    if references:
        msg["References"] = references
    for name, value in (headers or {}).items():
        msg[name] = value
    if body:
        msg.set_content(body)
        if html:
            msg.add_alternative(html, subtype="html")
    elif html:
        msg.set_content(html, subtype="html")
    return bytes(msg)


def bounce(*, failed: str, original_id: str, when: datetime, message_id: str) -> bytes:
    """A Postfix-style delivery status notification (RFC 3464) for `failed`."""
    stamp = format_datetime(when)
    return f"""Return-Path: <>
From: MAILER-DAEMON@mx.atelier.example (Mail Delivery System)
To: compta@atelier.example
Subject: Undelivered Mail Returned to Sender
Date: {stamp}
Message-ID: {message_id}
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status;
 boundary="B0UND"

--B0UND
Content-Description: Notification
Content-Type: text/plain; charset=us-ascii

This is the mail system at host mx.atelier.example.

I'm sorry to have to inform you that your message could not
be delivered to one or more recipients.

<{failed}>: host mx.client.example said: 550 5.1.1 <{failed}>:
    Recipient address rejected: User unknown in virtual mailbox table

--B0UND
Content-Description: Delivery report
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.atelier.example
Arrival-Date: {stamp}

Final-Recipient: rfc822; {failed}
Original-Recipient: rfc822;{failed}
Action: failed
Status: 5.1.1
Remote-MTA: dns; mx.client.example
Diagnostic-Code: smtp; 550 5.1.1 <{failed}>: Recipient address rejected: User
    unknown in virtual mailbox table

--B0UND
Content-Description: Undelivered Message Headers
Content-Type: text/rfc822-headers

From: Atelier <compta@atelier.example>
To: {failed}
Subject: Relance facture
Message-ID: {original_id}

--B0UND--
""".replace("\n", "\r\n").encode()
