"""Payment matching: which invoices a credit pays, with what evidence, and what is applied
without a person (only what is certain)."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from schwifty import IBAN

from assistant.bank.matching import Credit, InvoiceIndex, Matcher, OpenInvoice
from assistant.bank.policy import MatchingPolicy
from assistant.service import Service
from tests.support.examples import examples
from tests.unit.bank_builders import statement
from tests.unit.rules_builders import add_customer, add_invoice

DAY = date(2026, 11, 20)
DUE = date(2026, 11, 1)


def codes(candidate) -> set[str]:  # type: ignore[no-untyped-def]
    return {e["code"] for e in candidate.evidence}


def portfolio(service: Service) -> None:
    store = service.store
    add_customer(store, "C1", name="Dupont & Fils SARL")
    add_customer(store, "C2", name="Martin Bâtiment SAS")
    add_customer(store, "C3", name="Éts Bernard")
    add_invoice(store, "FA-2026-0410", DUE, 1_250_00, cid="C1")
    add_invoice(store, "FA-2026-0411", DUE + timedelta(days=3), 500_00, cid="C1")
    add_invoice(store, "FA-2026-0500", DUE, 800_00, cid="C2")
    add_invoice(store, "FA-2026-0501", DUE, 800_00, cid="C3")


def run(service: Service, tmp_path: Path, *rows: tuple[str, str, str]) -> list:  # type: ignore[type-arg]
    path = statement(tmp_path / "releve.csv", [(DAY, a, p, t) for a, p, t in rows])
    service.import_bank(path)
    return service.matches()


def test_exact_number_and_amount_is_applied_by_policy(service: Service, tmp_path: Path) -> None:
    portfolio(service)
    (m,) = run(service, tmp_path, ("1 250,00", "DUPONT ET FILS", "FACT FA-2026-0410"))
    assert m.status.value == "applied" and m.auto
    assert codes(m.shown) >= {"invoice_number", "amount_exact", "payer_name"}
    invoice = service.invoice("FA-2026-0410")
    assert invoice.status.value == "paid" and invoice.paid_date == DAY
    payment = service.store.query_one("SELECT source, import_key FROM payments")
    assert payment == {"source": "bank", "import_key": f"bank:{m.line_key}:FA-2026-0410"}


def test_one_transfer_paying_two_invoices(service: Service, tmp_path: Path) -> None:
    portfolio(service)
    (m,) = run(service, tmp_path, ("1 750,00", "DUPONT", "FA 2026 0410 + FA-2026-0411"))
    assert m.status.value == "applied"
    assert m.shown.allocations == [("FA-2026-0410", 1_250_00), ("FA-2026-0411", 500_00)]
    assert "amount_sum" in codes(m.shown)
    assert {service.invoice(n).status.value for n in ("FA-2026-0410", "FA-2026-0411")} == {"paid"}


def test_several_invoices_found_by_amount_for_a_known_payer(
    service: Service, tmp_path: Path
) -> None:
    portfolio(service)
    (m,) = run(service, tmp_path, ("1 750,00", "DUPONT ET FILS", "reglement novembre"))
    assert m.status.value == "proposed"  # no invoice named: a person confirms
    assert [n for n, _ in m.shown.allocations] == ["FA-2026-0410", "FA-2026-0411"]
    assert codes(m.shown) == {"payer_name", "amount_sum"}


def test_partial_payment_waits_for_a_person_and_holds_the_invoice(
    service: Service, tmp_path: Path
) -> None:
    portfolio(service)
    (m,) = run(service, tmp_path, ("400,00", "DUPONT", "acompte FA-2026-0410"))
    assert m.status.value == "proposed"
    assert m.shown.allocations == [("FA-2026-0410", 400_00)]
    partial = next(e for e in m.shown.evidence if e["code"] == "partial")
    assert partial["left_cents"] == 850_00
    assert service.invoice("FA-2026-0410").outstanding_cents == 1_250_00  # nothing applied
    service.apply_match(m.id)
    assert service.invoice("FA-2026-0410").outstanding_cents == 850_00


def test_fee_shortfall_within_tolerance_is_flagged_never_written_off(
    service: Service, tmp_path: Path
) -> None:
    portfolio(service)
    (m,) = run(service, tmp_path, ("1 246,50", "DUPONT", "FA-2026-0410"))
    assert m.status.value == "proposed"
    shortfall = next(e for e in m.shown.evidence if e["code"] == "shortfall")
    assert shortfall["gap_cents"] == 3_50
    service.apply_match(m.id)
    invoice = service.invoice("FA-2026-0410")
    assert invoice.outstanding_cents == 3_50 and invoice.status.value == "open"


def test_name_only_is_proposed_for_a_person(service: Service, tmp_path: Path) -> None:
    portfolio(service)
    (m,) = run(service, tmp_path, ("600,00", "MARTIN BATIMENT", "virement"))
    assert m.status.value == "proposed" and m.shown.customer_id == "C2"
    assert codes(m.shown) == {"payer_name", "partial"}


def test_two_customers_with_the_same_amount_are_never_auto_applied(
    service: Service, tmp_path: Path
) -> None:
    portfolio(service)
    (m,) = run(service, tmp_path, ("800,00", "X", "paiement"))
    assert m.status.value == "proposed" and not m.auto
    assert {c.customer_id for c in m.candidates} == {"C2", "C3"}
    assert all("ambiguous" in codes(c) for c in m.candidates)
    assert service.store.scalar("SELECT count(*) FROM payments") == 0
    held = {a.invoices for a in service.plan(DAY + timedelta(days=4)).actions
            if a.step == "payment_match"}  # fmt: skip
    assert held == {("FA-2026-0500",), ("FA-2026-0501",)}  # both held until a person decides


def test_an_unrelated_credit_is_unmatched_and_holds_nothing(
    service: Service, tmp_path: Path
) -> None:
    portfolio(service)
    (m,) = run(service, tmp_path, ("187,43", "AXA FRANCE", "REMBOURSEMENT SINISTRE"))
    assert m.status.value == "unmatched" and m.candidates == []
    assert not [a for a in service.plan(DAY).actions if a.step == "payment_match"]


def test_a_number_named_for_another_customer_than_the_known_iban_is_not_certain(
    service: Service, tmp_path: Path
) -> None:
    portfolio(service)
    iban = IBAN.generate("FR", bank_code="3000400821", account_code="00000000001").compact
    service.store.conn.execute(
        "INSERT INTO customer_bank_accounts VALUES (?, 'C2', 'manual', '2026-01-01')", (iban,)
    )
    path = statement(tmp_path / "r.csv", [(DAY, "1 250,00", "QUELQU'UN", "FA-2026-0410")],
                     iban=iban)  # fmt: skip
    service.import_bank(path)
    (m,) = service.matches()
    assert m.status.value == "proposed" and len(m.candidates) == 2


# -- the property: what is applied without a person never over-pays -------------------------
amounts = st.integers(min_value=1, max_value=5_000_00)


@settings(max_examples=examples(60), deadline=None)
@given(
    owed=st.lists(st.tuples(st.integers(0, 3), amounts), min_size=1, max_size=12),
    credits=st.lists(
        st.tuples(amounts, st.lists(st.integers(0, 11), max_size=3), st.integers(0, 3)),
        min_size=1,
        max_size=15,
    ),
)
def test_auto_applied_matches_never_overpay_an_invoice_nor_exceed_the_credit(
    owed: list[tuple[int, int]], credits: list[tuple[int, list[int], int]]
) -> None:
    invoices = [
        OpenInvoice(
            f"FA-{i:04d}",
            f"C{c}",
            cents,
            "EUR",
            (DAY - timedelta(days=40)).isoformat(),
            DUE.isoformat(),
        )
        for i, (c, cents) in enumerate(owed)
    ]
    left = {i.number: i.outstanding for i in invoices}
    names = {f"C{c}": f"Client {c}" for c in range(4)}
    index = InvoiceIndex.build(invoices, names)
    matcher = Matcher(index, MatchingPolicy())
    for cents, named, payer in credits:
        text = " ".join(f"FA-{n:04d}" for n in named if n < len(invoices))
        proposal = matcher.propose(Credit(cents, "EUR", DAY, text, f"Client {payer}"))
        for candidate in proposal.candidates:
            assert candidate.allocated <= cents
            assert all(0 < share <= left[number] for number, share in candidate.allocations)
        if proposal.auto:
            best = proposal.candidates[0]
            assert best.allocated == cents  # certain: exactly what they owe, nothing left over
            for number, share in best.allocations:
                left[number] -= share
                index.pay(number, share)
                assert left[number] >= 0


def test_a_payment_applied_during_an_import_moves_the_invoice_in_the_amount_table() -> None:
    def owed(number: str, cents: int, currency: str = "EUR") -> OpenInvoice:
        return OpenInvoice(number, "C1", cents, currency, "2026-10-01", DUE.isoformat())

    index = InvoiceIndex.build(
        [owed("FA-1", 100_000), owed("FA-2", 100_000), owed("FA-3", 100_000, "USD")], {}
    )
    assert [i.number for i in index.same_amount("EUR", 100_000)] == ["FA-1", "FA-2"]
    index.pay("FA-1", 30_000)  # FA-1 now owes 700 €: it leaves the 1 000 € row
    assert index.number("FA1").outstanding == 70_000  # type: ignore[union-attr]
    assert [i.number for i in index.same_amount("EUR", 100_000)] == ["FA-2"]
    assert [i.number for i in index.same_amount("EUR", 70_000)] == ["FA-1"]
    assert [i.number for i in index.same_amount("USD", 100_000)] == ["FA-3"]
    index.pay("FA-2", 100_000)  # paid in full: owes nothing, in no row
    assert index.same_amount("EUR", 100_000) == [] and index.same_amount("EUR", 0) == []
    index.pay("FA-2", 100)  # a second payment on an invoice settled already: in no row either
    assert index.same_amount("EUR", -100) == [] and index.same_amount("EUR", 100_000) == []
    index.pay("FA-9", 5_000)  # an invoice the index does not hold: nothing happens
    assert [i.number for i in index.same_amount("EUR", 70_000)] == ["FA-1"]
    assert [i.number for i in index.open_of("C1", "EUR")] == ["FA-1"]
    index.pay("FA-1", 69_999)  # one cent left: still owed, in the 0,01 € row
    assert [i.number for i in index.same_amount("EUR", 1)] == ["FA-1"]
