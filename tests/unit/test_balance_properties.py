"""The account ceiling over random ledgers with unallocated credits (hypothesis): no plan action
ever asks more than the customer's balance, and none acts on a customer at zero or in credit."""

from __future__ import annotations

import tempfile
from datetime import date, timedelta
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assistant.models import InvoiceStatus
from assistant.money import Money
from assistant.storage import balances
from assistant.storage.db import open_store
from tests.support.examples import examples
from tests.unit.rules_builders import add_customer, add_invoice, plan_on

BASE = date(2026, 11, 2)

invoice_st = st.fixed_dictionaries(
    {
        "customer": st.integers(0, 3),
        "due": st.integers(-70, 20),
        "cents": st.integers(100, 5_000_000),
        "paid_share": st.sampled_from([0, 0, 0, 25, 50]),
        "status": st.sampled_from([InvoiceStatus.OPEN] * 4 + [InvoiceStatus.DISPUTED]),
        "currency": st.sampled_from(["EUR", "EUR", "EUR", "USD"]),
    }
)
credit_st = st.fixed_dictionaries(
    {
        "customer": st.integers(0, 3),
        "cents": st.integers(1, 6_000_000),
        "currency": st.sampled_from(["EUR", "EUR", "USD"]),
    }
)
ledger_st = st.tuples(
    st.lists(invoice_st, min_size=1, max_size=10),
    st.lists(credit_st, max_size=5),
    st.integers(0, 60),
)


@settings(max_examples=examples(40), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ledger_st)
def test_no_action_asks_more_than_the_balance(ledger: tuple[list, list, int]) -> None:
    invoices, credits, offset = ledger
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(Path(tmp) / "p.db")
        try:
            for i in range(4):
                add_customer(store, f"C{i}", phone="+33600000000", sms_opt_in=True)
            for n, inv in enumerate(invoices):
                cents = inv["cents"]
                invoice = add_invoice(
                    store,
                    f"F{n:03d}",
                    BASE + timedelta(days=inv["due"]),
                    cents,
                    cid=f"C{inv['customer']}",
                    status=inv["status"],
                    outstanding=cents - cents * inv["paid_share"] // 100,
                )
                if inv["currency"] != "EUR":
                    store.conn.execute(
                        "UPDATE invoices SET currency = ? WHERE number = ?",
                        (inv["currency"], invoice.number),
                    )
            stored = [
                balances.StoredCredit(
                    f"C{c['customer']}", "fec", f"R{k}", BASE - timedelta(days=1),
                    Money(c["cents"], c["currency"]),
                )
                for k, c in enumerate(credits)
            ]  # fmt: skip
            with store.transaction():
                balances.replace_credits(store, "fec", [f"C{i}" for i in range(4)], stored)
            plan = plan_on(store, BASE + timedelta(days=offset))
            accounts = balances.balances(store, [f"C{i}" for i in range(4)])
            held = {
                cid
                for cid, account in accounts.items()
                if any(account.net(cur).cents <= 0 for cur in account.credit)
            }
            for action in plan.actions:
                data = action.as_json()
                asked = action.amount_cents
                assert asked is not None and asked >= 0, data
                account = accounts[action.customer_id]
                net = account.net(action.currency).cents
                assert asked <= max(net, 0), data
                named = store.scalar(
                    "SELECT COALESCE(SUM(outstanding_cents), 0) FROM invoices WHERE number IN"
                    f" ({','.join('?' * len(action.invoices))}) AND currency = ?",
                    (*action.invoices, action.currency),
                )
                assert asked <= named, data
                for currency, cents in action.by_currency:  # every currency under its ceiling
                    assert cents <= max(account.net(currency).cents, 0), data
                if action.customer_id in held or net <= 0:
                    assert action.channel == "task" and asked == 0, data
                    assert action.step in ("unallocated_credit",), data
            for cid in held:
                steps = [a.step for a in plan.actions if a.customer_id == cid]
                assert set(steps) <= {"unallocated_credit"}
        finally:
            store.close()
