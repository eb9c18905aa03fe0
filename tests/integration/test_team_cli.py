"""People write as themselves, through the real CLI (subprocesses) and a real SMTP server:
owners and "my calls", a person's signature at the end of the e-mail (literal), contacts
routed by the policy, and the addresses the message really went to."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from assistant import people
from assistant.config import Settings
from assistant.service import Service
from tests.conftest import FIXED_NOW, run_cli, write_company
from tests.support.smtp import smtp_server
from tests.unit.rules_builders import add_customer, add_invoice, mark

AS_OF = date(2026, 11, 24)
ENV = {"RELANCE_TODAY": AS_OF.isoformat(), "RELANCE_LLM": "off"}


def build(home: Path) -> None:
    """C1 is due its second reminder, C2 and C3 a call; a team of four."""
    write_company(home)
    svc = Service.open(Settings(RELANCE_HOME=home), clock=lambda: FIXED_NOW)
    try:
        add_customer(svc.store, "C1", salesperson_email="vendeur@acme.example")
        add_invoice(svc.store, "F1", AS_OF - timedelta(days=12), cid="C1")
        mark(svc.store, ["F1"], "reminder_1", AS_OF - timedelta(days=6))
        for cid in ("C2", "C3"):
            add_customer(svc.store, cid)
            add_invoice(svc.store, f"F-{cid}", AS_OF - timedelta(days=21), cid=cid)
            for step, days in (("pre_due", 24), ("reminder_1", 18), ("reminder_2", 11)):
                mark(svc.store, [f"F-{cid}"], step, AS_OF - timedelta(days=days))
        for name, role in (("boss", "admin"), ("mia", "manager"), ("bob", "collector")):
            people.add_user(svc.store, name, role, None, "test")
        people.add_user(svc.store, "carol", "accountant", None, "test")
    finally:
        svc.close()


def cli(home: Path, person: str, *args: str, env: dict[str, str] | None = None) -> str:
    done = run_cli(*args, home=home, env=ENV | {"RELANCE_USER": person} | (env or {}))
    assert done.returncode == 0, done.stderr
    return done.stdout


def refused(home: Path, person: str, *args: str) -> str:
    done = run_cli(*args, home=home, env=ENV | {"RELANCE_USER": person})
    assert done.returncode == 1 and len(done.stderr.strip().splitlines()) == 1, done.stderr
    return done.stderr


def test_owner_signature_and_contacts_from_the_command_line_to_the_smtp_server(
    tmp_path: Path,
) -> None:
    home = tmp_path / "h"
    build(home)
    # owners: the manager gives customers; an unknown person is refused
    assert "C3 : suivi par bob." in cli(home, "mia", "customer", "owner", "C3", "bob")
    assert "zed" in refused(home, "mia", "customer", "owner", "C1", "zed")
    cli(home, "mia", "customer", "owner", "C1", "bob")
    # my calls: bob's customer first, --mine only his
    calls = json.loads(cli(home, "bob", "calls", "--json"))
    assert [(c["customer_id"], c["mine"], c["owner"]) for c in calls] == [
        ("C3", True, "bob"),
        ("C2", False, None),
    ]
    mine = json.loads(cli(home, "bob", "calls", "--mine", "--json"))
    assert [c["customer_id"] for c in mine] == ["C3"]
    # bob signs; the text is data: {{ 7*7 }} stays as typed
    cli(home, "bob", "user", "signature", "bob", "--text", "Bob Martin\\nRecouvrement {{ 7*7 }}")
    assert "sa propre signature" in refused(home, "carol", "user", "signature", "bob", "--clear")
    # contacts of C1: the accountant adds them; the policy routes reminder_2 to accounting, cc
    # purchasing (the salesperson stays in copy)
    cli(
        home, "carol", "customer", "contact", "C1", "--role", "compta", "--email", "anne@c1.example"
    )
    cli(
        home, "carol", "customer", "contact", "C1", "--role", "achats", "--email", "paul@c1.example"
    )
    assert "invalide" in refused(
        home, "carol", "customer", "contact", "C1", "--role", "achats", "--email", "x"
    )
    shown = json.loads(cli(home, "bob", "customer", "show", "C1", "--json"))
    assert shown["owner"] == "bob"
    assert [(c["role"], c["email"]) for c in shown["contacts"]] == [
        ("accounting", "anne@c1.example"),
        ("purchasing", "paul@c1.example"),
    ]
    status = json.loads(cli(home, "bob", "export", "status", "--json"))
    assert {r["customer_id"]: r["owner"] for r in status} == {"C1": "bob", "C2": None, "C3": "bob"}

    made = json.loads(cli(home, "carol", "draft", "--offline", "--json"))
    (draft_id,) = made["draft_ids"]
    draft = json.loads(cli(home, "carol", "show", str(draft_id), "--json"))
    assert draft["recipient"] == "anne@c1.example"
    assert draft["cc"] == ["paul@c1.example", "vendeur@acme.example"]
    assert draft["body"].rstrip().endswith("Bob Martin\nRecouvrement {{ 7*7 }}")
    assert "À : anne@c1.example" in cli(home, "carol", "show", str(draft_id))
    cli(home, "carol", "approve", str(draft_id))
    inbox = send_as_carol(home)
    (msg,) = inbox.messages
    assert msg["To"] == "anne@c1.example"
    assert msg["Cc"] == "paul@c1.example, vendeur@acme.example"
    assert sorted(inbox.envelopes[0]) == [
        "anne@c1.example",
        "paul@c1.example",
        "vendeur@acme.example",
    ]
    body = msg.get_content().replace("\r\n", "\n")
    assert body.rstrip().endswith("Bob Martin\nRecouvrement {{ 7*7 }}")


def send_as_carol(home: Path) -> Any:
    """`relance send` by carol to a real SMTP server on 127.0.0.1: what it received."""
    with smtp_server() as (inbox, port):
        smtp = {"RELANCE_SMTP_HOST": "127.0.0.1", "RELANCE_SMTP_PORT": str(port)}
        smtp |= {"RELANCE_SMTP_TLS": "none", "RELANCE_FROM": "relances@acme.example"}
        cli(home, "carol", "send", env=smtp)
    return inbox


def test_the_salespeople_digest_is_drafted_approved_and_sent(tmp_path: Path) -> None:
    home = tmp_path / "h"
    build(home)
    made = json.loads(cli(home, "carol", "digest", "--json"))
    assert made["salespeople"] == ["vendeur@acme.example"] and made["created"] == 1
    (draft_id,) = made["draft_ids"]
    assert json.loads(cli(home, "carol", "digest", "--json"))["already_drafted"] == 1
    assert "demande le rôle" in refused(home, "bob", "digest")
    shown = json.loads(cli(home, "carol", "show", str(draft_id), "--json"))
    assert (shown["step"], shown["channel"], shown["recipient"]) == (
        "salesperson_digest",
        "internal",
        "vendeur@acme.example",
    )
    cli(home, "carol", "approve", str(draft_id))
    inbox = send_as_carol(home)
    (msg,) = inbox.messages
    assert msg["To"] == "vendeur@acme.example"
    body = msg.get_content().replace("\r\n", "\n").replace("\u202f", " ").replace("\xa0", " ")
    assert "■ Client C1 (C1)" in body and "F1 : 1 000,00 €, 12 j de retard" in body
    assert "Prochaine étape : Relance 2" in body
