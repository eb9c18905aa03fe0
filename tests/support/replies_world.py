"""A small portfolio whose reminders were sent (so relance knows their Message-IDs), and the
replies customers send back, for the inbox tests."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from assistant.config import Settings
from assistant.service import Service
from tests.conftest import write_company
from tests.support.mail import bounce, message
from tests.unit.rules_builders import add_customer, add_invoice

AS_OF = date(2026, 11, 24)
SENT_AT = datetime(2026, 11, 24, 9, 30, tzinfo=UTC)
REPLY_AT = datetime(2026, 11, 24, 14, 0, tzinfo=UTC)
OURS = "compta@atelier.example"
EMAILS = {
    "C1": "paul.martin@client-un.example",
    "C2": "marie@client-deux.example",
    "C3": "achats@client-trois.example",
    "C4": "ancien@client-quatre.example",
    "C5": "john@client-five.example",
}
INVOICES = {
    "C1": "FA-2026-0410",
    "C2": "FA-2026-0411",
    "C3": "FA-2026-0412",
    "C4": "FA-2026-0413",
    "C5": "FA-2026-0414",
}


def settings(home: Path, **env: str) -> Settings:
    return Settings(RELANCE_HOME=home, RELANCE_FROM=OURS, **env)  # type: ignore[arg-type]


def sent_world(home: Path, **env: str) -> tuple[Service, dict[str, str]]:
    """Five customers, each reminded once (reminder_1 sent to the `.eml` outbox on AS_OF);
    returns the service and each customer's reminder Message-ID."""
    write_company(home)  # real company facts: placeholders refuse every approval
    svc = Service.open(settings(home, **env), clock=lambda: SENT_AT)
    for cid, email in EMAILS.items():
        add_customer(svc.store, cid, language="en" if cid == "C5" else "fr")
        svc.store.conn.execute("UPDATE customers SET email = ? WHERE id = ?", (email, cid))
        add_invoice(svc.store, INVOICES[cid], AS_OF - timedelta(days=5), 125_000, cid=cid)
    svc.draft(AS_OF, offline=True)
    drafts = [d for d in svc.drafts("pending") if d.channel == "email"]
    svc.approve([d.id for d in drafts], on=AS_OF)
    report = svc.send()
    assert len(report.sent) == len(EMAILS), report.as_json()
    rows = svc.store.query("SELECT customer_id, message_id FROM drafts WHERE status = 'sent'")
    ids = {row["customer_id"]: row["message_id"] for row in rows}
    return svc, ids


def customer_replies(ids: dict[str, str]) -> dict[str, bytes]:
    """One message of each kind the issue lists."""
    at = REPLY_AT
    return {
        # threaded: In-Reply-To names our reminder; written by a colleague (another address)
        "threaded": message(
            sender="Sophie Durand <sophie.durand@client-un.example>",
            body="Bonjour,\n\nNous avons réglé la facture FA-2026-0410 le 20 novembre par"
            " virement.\n\nCordialement,\nSophie Durand\n\nLe mar. 24 nov. 2026 à 10:30, Atelier"
            f" <{OURS}> a écrit :\n> Bonjour,\n> Sauf erreur de notre part...\n",
            when=at,
            message_id="<reply-1@client-un.example>",
            in_reply_to=ids["C1"],
            references=ids["C1"],
        ),
        # matched by its sender's address only (a new message, no thread headers)
        "sender_only": message(
            sender="Marie Leroy <marie@client-deux.example>",
            subject="Facture FA-2026-0411",
            body="Bonjour,\nPeut-on régler cette facture en trois fois ?\nMerci,\nMarie\n",
            when=at + timedelta(minutes=5),
            message_id="<m-2@client-deux.example>",
        ),
        # out of office (RFC 3834), with a return date
        "out_of_office": message(
            sender=f"<{EMAILS['C3']}>",
            subject="Réponse automatique : Relance facture",
            body="Bonjour,\nJe suis absente du bureau jusqu'au 4 janvier 2027 inclus.\n"
            "Pour toute urgence : standard@client-trois.example.\n",
            when=at + timedelta(minutes=6),
            message_id="<ooo-3@client-trois.example>",
            in_reply_to=ids["C3"],
            headers={"Auto-Submitted": "auto-replied", "X-Autoreply": "yes"},
        ),
        # a delivery status notification for C4's reminder
        "bounce": bounce(
            failed=EMAILS["C4"],
            original_id=ids["C4"],
            when=at + timedelta(minutes=7),
            message_id="<dsn-4@mx.atelier.example>",
        ),
        # in English
        "english": message(
            sender="John Smith <john@client-five.example>",
            body="Hello,\n\nWe paid invoice FA-2026-0414 last Monday, the transfer should reach"
            " you this week.\n\nBest regards,\nJohn\n\nOn Tue, Nov 24, 2026 at 10:30 AM Atelier"
            f" <{OURS}> wrote:\n> Hello,\n> Unless we are mistaken...\n",
            when=at + timedelta(minutes=8),
            message_id="<en-5@client-five.example>",
            in_reply_to=ids["C5"],
        ),
        # nobody we know
        "unknown": message(
            sender="Jean Inconnu <jean@inconnu.example>",
            subject="Question",
            body="Bonjour, à qui dois-je adresser notre bon de commande ?\n",
            when=at + timedelta(minutes=9),
            message_id="<u-6@inconnu.example>",
        ),
    }
