"""A raw message (bytes, RFC 5322) -> what relance needs: who, threading ids, plain text, kind.

Kinds: a delivery status notification (RFC 3464 `multipart/report; report-type=delivery-status`
with a recipient whose `Action` is `failed`) is a bounce; an automatic reply is told by its
headers (RFC 3834 `Auto-Submitted` other than `no`, `X-Autoreply`, `X-Autorespond`,
`Precedence: auto_reply|bulk|junk|list`), by an out-of-office subject, or by out-of-office
wording opening the message; everything else is a person's reply.
"""

from __future__ import annotations

import email
import hashlib
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from email.message import EmailMessage, Message
from email.parser import BytesHeaderParser
from email.policy import compat32, default
from email.utils import getaddresses, parseaddr, parsedate_to_datetime

from assistant.replies.cleaning import html_to_text, normalise
from assistant.replies.extract import find_dates, fold
from assistant.replies.kinds import ReplyKind
from assistant.replies.suggestion import KEYWORDS

_IDS = re.compile(r"<[^<>\s]+>")
_OOO_SUBJECT = re.compile(
    r"r[ée]ponse automatique|^absen(?:t|te|ce)\b|out of (?:the )?office|automatic reply"
    r"|auto[- ]?reply|^auto:",
    re.I,
)
_OOO_TEXT = re.compile(
    r"^.{0,120}?(?:je suis (?:actuellement )?absente?|je serai absente?|absente? du bureau"
    r"|actuellement en cong[ée]s|en cong[ée]s? jusqu|i am (?:currently )?(?:out of|away)"
    r"|i'm (?:currently )?(?:out of|away)|i will be out of|out of (?:the )?office until"
    r"|currently on (?:leave|vacation|holiday))",
    re.I | re.S,
)
_RETURN = re.compile(
    r"jusqu'?(?:au|a)|de retour|retour (?:prevu )?(?:le|au)|serai la|reprendrai|until|back on"
    r"|back in the office|returning|return on|will return"
)


@dataclass(frozen=True)
class Bounce:
    recipient: str
    status: str  # 5.1.1
    diagnostic: str
    original_message_id: str | None


@dataclass
class ParsedMessage:
    dedupe_key: str
    message_id: str | None
    thread_ids: list[str]  # In-Reply-To then References (newest first), and a bounce's original
    from_address: str
    from_name: str
    to: list[str]
    subject: str
    sent_at: datetime | None
    body: str  # the whole message as plain text
    kind: ReplyKind = ReplyKind.REPLY
    bounce: Bounce | None = None
    extra: dict[str, str] = field(default_factory=dict)

    def received_at(self, fallback: datetime) -> datetime:
        return (self.sent_at or fallback).astimezone(UTC)


def _text_of(part: Message) -> str:
    try:
        content = part.get_content()  # type: ignore[attr-defined]
    except (LookupError, UnicodeError, KeyError):
        payload = part.get_payload(decode=True) or b""
        content = payload.decode("utf-8", errors="replace") if isinstance(payload, bytes) else ""
    return content if isinstance(content, str) else ""


def body_text(msg: EmailMessage) -> str:
    """The plain-text body; an HTML-only message is converted (html2text)."""
    part = msg.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    text = _text_of(part)
    if part.get_content_type() == "text/html":
        return html_to_text(text)
    return normalise(text)


def _header(msg: Message, name: str) -> str:
    try:
        value = msg.get(name)
    except (IndexError, ValueError, TypeError):  # a malformed header: read it raw
        value = msg.get_all(name, failobj=[""])[0] if name in msg else ""
    return " ".join(str(value or "").split())


def _ids(value: str) -> list[str]:
    return _IDS.findall(value)


def _date(msg: Message) -> datetime | None:
    raw = _header(msg, "Date")
    if not raw:
        return None
    try:
        when = parsedate_to_datetime(raw)
    except (TypeError, ValueError, IndexError):
        return None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def _bounce(msg: EmailMessage) -> Bounce | None:
    """RFC 3464: the first recipient whose delivery failed, and the original Message-ID."""
    if msg.get_content_type() != "multipart/report":
        return None
    if msg.get_param("report-type", "").lower() != "delivery-status":
        return None
    failed: Bounce | None = None
    original: str | None = None
    for part in msg.walk():
        kind = part.get_content_type()
        if kind == "message/delivery-status":
            for block in part.get_payload():
                if not isinstance(block, Message) or failed is not None:
                    continue
                if str(block.get("Action", "")).strip().lower() != "failed":
                    continue
                recipient = str(block.get("Final-Recipient") or block.get("Original-Recipient"))
                failed = Bounce(
                    recipient=recipient.rpartition(";")[2].strip().strip("<>").lower(),
                    status=str(block.get("Status", "")).strip(),
                    diagnostic=" ".join(str(block.get("Diagnostic-Code", "")).split()),
                    original_message_id=None,
                )
        elif kind in ("message/rfc822", "text/rfc822-headers") and original is None:
            inner = part.get_payload()
            if isinstance(inner, list) and inner:
                inner = inner[0]
            if isinstance(inner, str):
                inner = email.message_from_string(inner, policy=default)
            if isinstance(inner, Message):
                found = _ids(_header(inner, "Message-ID"))
                original = found[0] if found else None
    if failed is None:
        return None
    return Bounce(failed.recipient, failed.status, failed.diagnostic, original)


def is_automatic(msg: Message, subject: str, text: str) -> bool:
    auto = _header(msg, "Auto-Submitted").lower()
    if auto and auto != "no":
        return True
    if any(msg.get(h) for h in ("X-Autoreply", "X-Autorespond", "X-Autoresponder")):
        return True
    if _header(msg, "Precedence").lower() in ("auto_reply", "bulk", "junk", "list"):
        return True
    if _OOO_SUBJECT.search(subject):
        return True
    folded = fold(text)
    # out-of-office wording opening the message, unless the person also says something that
    # matters ("absente demain, mais nous avons réglé hier")
    return bool(_OOO_TEXT.search(folded)) and not any(p.search(folded) for p in KEYWORDS.values())


def return_date(text: str, received: date) -> date | None:
    """The return date an out-of-office message states ("de retour le 4 janvier")."""
    low = fold(text)
    for m in _RETURN.finditer(low):
        for found in find_dates(text[m.end() : m.end() + 80], received):
            later = [d for d in found.values if isinstance(d, date) and d >= received]
            if later:
                return later[0]
    return None


def dedupe_key(raw: bytes) -> str:
    """The message's identity: its Message-ID, else a hash of its bytes. Read from the header
    block only (cheap: a message already stored is skipped before any full parse)."""
    head = BytesHeaderParser(policy=compat32).parsebytes(raw, headersonly=True)
    found = _ids(str(head.get("Message-ID") or ""))
    return found[0] if found else f"sha256:{hashlib.sha256(raw).hexdigest()}"


def parse_message(raw: bytes) -> ParsedMessage:
    """Parse one message; never raises on a malformed one (headers read as far as possible)."""
    msg = email.message_from_bytes(raw, policy=default)
    assert isinstance(msg, EmailMessage)
    message_id = next(iter(_ids(_header(msg, "Message-ID"))), None)
    name, address = parseaddr(_header(msg, "From"))
    thread = _ids(_header(msg, "In-Reply-To")) + list(reversed(_ids(_header(msg, "References"))))
    bounce = _bounce(msg)
    if bounce is not None and bounce.original_message_id:
        thread.insert(0, bounce.original_message_id)
    subject = _header(msg, "Subject")
    body = body_text(msg)
    if bounce is not None:
        kind = ReplyKind.BOUNCE
    elif msg.get_content_type() == "multipart/report" or is_automatic(msg, subject, body):
        kind = ReplyKind.AUTO_REPLY  # a delivery delay or receipt notice is automatic too
    else:
        kind = ReplyKind.REPLY
    return ParsedMessage(
        dedupe_key=dedupe_key(raw),
        message_id=message_id,
        thread_ids=list(dict.fromkeys(thread)),
        from_address=address.lower(),
        from_name=name,
        to=[a.lower() for _, a in getaddresses([_header(msg, "To"), _header(msg, "Cc")]) if a],
        subject=subject,
        sent_at=_date(msg),
        body=body,
        kind=kind,
        bounce=bounce,
    )
