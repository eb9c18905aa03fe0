"""The weekly salespeople digest (docs/team.md): one internal draft per salesperson with their
customers' overdue invoices, promises, disputes, plans and next step; once per salesperson
while queued; never re-rendered as a plan action; through a customer's holds at send time."""

from __future__ import annotations

from datetime import date, timedelta

from assistant.paths import bundled_dir
from assistant.service import Service
from assistant.team import DIGEST_STEP
from tests.unit.rules_builders import add_customer, add_invoice, mark

AS_OF = date(2026, 11, 24)


def portfolio(service: Service) -> None:
    """Nadia has C1 (overdue, a promise), C2 (a dispute, a plan); Paul has C3; C4 has none."""
    store = service.store
    add_customer(store, "C1", name="Alpha", salesperson_name="Nadia",
                 salesperson_email="nadia@acme.example")  # fmt: skip
    add_customer(store, "C2", name="Beta", salesperson_email="nadia@acme.example")
    add_customer(store, "C3", name="Gamma", salesperson_email="paul@acme.example")
    add_customer(store, "C4", name="Delta")
    add_invoice(store, "F1", AS_OF - timedelta(days=5), cents=120_000, cid="C1")
    add_invoice(store, "F1B", AS_OF + timedelta(days=9), cents=30_000, cid="C1")
    add_invoice(store, "F2", AS_OF - timedelta(days=40), cents=50_000, cid="C2")
    add_invoice(store, "F2B", AS_OF - timedelta(days=35), cents=90_000, cid="C2")
    add_invoice(store, "F3", AS_OF - timedelta(days=2), cents=10_000, cid="C3")
    add_invoice(store, "F4", AS_OF - timedelta(days=20), cents=10_000, cid="C4")
    service.record_promise("F1", AS_OF + timedelta(days=6), 120_000, made_on=AS_OF)
    service.open_dispute("F2", "livraison incomplète")
    for step, days in (("pre_due", 38), ("reminder_1", 32), ("reminder_2", 25)):
        mark(store, ["F2B"], step, AS_OF - timedelta(days=days))
    service.log_call("C2", "plan", on=AS_OF, instalments=3)


def digests(service: Service) -> dict[str, str]:
    return {
        d.recipient or "": d.body
        for d in service.drafts("pending")
        if d.step == DIGEST_STEP and d.channel == "internal"
    }


def test_one_digest_per_salesperson_with_their_customers_facts(service: Service) -> None:
    portfolio(service)
    report = service.salesperson_digests(AS_OF)
    assert report.salespeople == ["nadia@acme.example", "paul@acme.example"]
    found = digests(service)
    assert set(found) == {"nadia@acme.example", "paul@acme.example"}
    nadia = found["nadia@acme.example"].replace("\u202f", " ").replace("\xa0", " ")
    assert nadia.startswith("Bonjour Nadia,")
    assert "■ Alpha (C1)" in nadia and "■ Beta (C2)" in nadia and "Gamma" not in nadia
    assert "Delta" not in nadia  # no salesperson: in nobody's digest
    assert "F1 : 1 200,00 €, 5 j de retard" in nadia
    assert "F1B : 300,00 €, échéance le 3 décembre 2026" in nadia
    assert "Promesse de paiement : 1 200,00 € le 30 novembre 2026" in nadia
    assert "F2 : 500,00 €, en litige" in nadia
    assert "Plan de paiement : 3 échéances, 900,00 €" in nadia and "(prochaine : " in nadia
    assert "Total échu : 2 100,00 €" in nadia  # F1 + F2B (the disputed F2 is not counted)
    (draft,) = [d for d in service.drafts("pending") if d.recipient == "nadia@acme.example"]
    assert draft.customer_id == "C1" and draft.invoices == [] and draft.cc == []
    assert draft.total_cents == 210_000
    assert "{{" not in draft.body and draft.body == draft.template_body


def test_the_overdue_total_is_one_per_currency(service: Service) -> None:
    """A salesperson whose customers owe in two currencies reads two totals, never a sum."""
    portfolio(service)
    add_invoice(service.store, "F5", AS_OF - timedelta(days=12), cents=70_000, cid="C3")
    service.store.conn.execute("UPDATE invoices SET currency = 'CHF' WHERE number = 'F5'")
    service.salesperson_digests(AS_OF)
    paul = digests(service)["paul@acme.example"].replace("\u202f", " ").replace("\xa0", " ")
    assert "Total échu : 700,00 CHF + 100,00 €" in paul
    (draft,) = [d for d in service.drafts("pending") if d.recipient == "paul@acme.example"]
    assert (draft.total_cents, draft.currency) == (70_000, "CHF")


def test_a_queued_digest_is_not_drafted_twice(service: Service) -> None:
    portfolio(service)
    first = service.salesperson_digests(AS_OF)
    again = service.salesperson_digests(AS_OF)
    assert len(first.created) == 2 and again.created == [] and again.unchanged == 2
    service.reject(first.created[:1], "à refaire")
    third = service.salesperson_digests(AS_OF)
    assert len(third.created) == 1


def test_a_policy_change_does_not_rerender_a_digest(service: Service) -> None:
    portfolio(service)
    (draft_id, _) = service.salesperson_digests(AS_OF).created
    before = service.get_draft(draft_id)
    shipped = (bundled_dir("policies") / "scenario.yaml").read_text(encoding="utf-8")
    (service.home / "policies" / "scenario.yaml").write_text(shipped + "\n# changed\n")
    refreshed = service.refresh_drafts()
    assert refreshed.problems == [] and refreshed.checked == 0
    after = service.get_draft(draft_id)
    assert (after.status, after.body) == ("pending", before.body)


def test_a_digest_is_sent_through_its_anchor_customers_stops(service: Service) -> None:
    portfolio(service)
    (draft_id, _) = service.salesperson_digests(AS_OF).created
    service.approve([draft_id], on=AS_OF)
    assert service.get_draft(draft_id).customer_id == "C1"
    # C1 (the digest is filed under it) is handed off to litigation: a hold on the customer
    # stops its messages, not the salesperson's digest about all their customers
    service.escalate("C1", "handoff", on=AS_OF)
    report = service.sender(backoff_s=0).run()
    assert draft_id in report.sent, report.reasons
