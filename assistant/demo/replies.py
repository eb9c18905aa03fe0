"""The demo's customer replies: bundled `.eml` files (`demo/replies/`), dated for the demo's
day and read with `inbox import`, as a user would import saved messages.

They show each kind: a payment announced, a plan asked for, a question in English, an
out-of-office, an unknown sender to assign, and a bounce that marks an address invalid.
"""

from __future__ import annotations

import email
from datetime import date, timedelta
from email.policy import default
from email.utils import format_datetime, parsedate_to_datetime
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from assistant.replies.ingest import IngestReport
    from assistant.service import Service

WRITTEN_FOR = date(2026, 11, 24)  # the day the bundled files are dated for
BUNDLED = Path(__file__).resolve().parent / "replies"


def dated_copies(target: Path, as_of: date) -> Path:
    """The bundled messages, their Date moved by as much as the demo's day is."""
    shift = timedelta(days=(as_of - WRITTEN_FOR).days)
    target.mkdir(parents=True, exist_ok=True)
    for path in sorted(BUNDLED.glob("*.eml")):
        msg = email.message_from_bytes(path.read_bytes(), policy=default)
        msg.replace_header("Date", format_datetime(parsedate_to_datetime(msg["Date"]) + shift))
        (target / path.name).write_bytes(msg.as_bytes())
    return target


def add_demo_replies(service: Service, as_of: date) -> IngestReport:
    inbox = dated_copies(service.home / "demo-inbox", as_of)
    return service.import_replies(inbox, suggest=False)
