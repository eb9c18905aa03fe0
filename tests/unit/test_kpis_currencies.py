"""A store with EUR and CHF invoices: the portfolio summary, the KPIs, `stats --json` and the text
report give each currency its own sums and never add a franc to a euro."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from assistant.i18n import set_language
from assistant.kpis_text import kpi_lines
from assistant.models import Invoice, InvoiceStatus
from assistant.money import CurrencyMismatch, Money
from assistant.service import Service
from assistant.stats import main_currency, portfolio_summary
from assistant.storage import repo
from assistant.storage.db import Store
from tests.unit.rules_builders import add_customer

AS_OF = date(2026, 11, 30)


def invoice(
    store: Store,
    number: str,
    due: date,
    cents: int,
    currency: str,
    cid: str = "C1",
    status: InvoiceStatus = InvoiceStatus.OPEN,
) -> None:
    inv = Invoice(
        number=number, customer_id=cid, issue_date=due - timedelta(days=30), due_date=due,
        amount_cents=cents, outstanding_cents=cents, status=status, currency=currency,
    )  # fmt: skip
    with store.transaction():
        repo.upsert_invoices(store, [inv], actor="test")


def two_currencies(service: Service) -> None:
    """EUR: E1 1000.00 due 11-10 (20 days late), E2 500.00 due 12-20 (not due).
    CHF: F1 300.00 due 08-01 (121 days late, customer C2), F2 200.00 due 11-20 disputed
    (10 days late, C1)."""
    store = service.store
    add_customer(store, "C1")
    add_customer(store, "C2")
    invoice(store, "E1", date(2026, 11, 10), 100_000, "EUR")
    invoice(store, "E2", date(2026, 12, 20), 50_000, "EUR")
    invoice(store, "F1", date(2026, 8, 1), 30_000, "CHF", cid="C2")
    invoice(store, "F2", date(2026, 11, 20), 20_000, "CHF", status=InvoiceStatus.DISPUTED)


def test_money_refuses_to_add_two_currencies() -> None:
    with pytest.raises(CurrencyMismatch):
        _ = Money(100, "EUR") + Money(100, "CHF")


def test_the_summary_keeps_each_currency_apart(service: Service) -> None:
    two_currencies(service)
    s = portfolio_summary(service.store, AS_OF)
    assert s.currency == "EUR"
    # the single figures are the euros only (1500.00 owed, 1000.00 overdue), not 2000.00 / 1500.00
    assert (s.outstanding_cents, s.overdue_cents, s.disputed_cents) == (150_000, 100_000, 0)
    assert s.overdue_by_age == {"0-30": 100_000, "31-60": 0, "61-90": 0, "90+": 0}
    chf = s.by_currency["CHF"]
    assert (chf.outstanding_cents, chf.overdue_cents, chf.disputed_cents) == (
        50_000,
        50_000,
        20_000,
    )
    assert chf.overdue_by_age == {"0-30": 20_000, "31-60": 0, "61-90": 0, "90+": 30_000}
    assert list(s.by_currency) == ["EUR", "CHF"]  # the main currency first
    # counts are not money: every invoice counts
    assert (s.open_invoices, s.overdue_invoices, s.disputed_invoices) == (4, 3, 1)


def test_stats_json_gives_each_currency_its_dso_and_debtors(service: Service) -> None:
    two_currencies(service)
    data = service.stats(AS_OF).as_json()
    assert data["currency"] == "EUR"
    assert (data["receivables"], data["overdue"]) == ("1500.00", "1000.00")
    eur, chf = data["by_currency"]["EUR"], data["by_currency"]["CHF"]
    assert list(data["by_currency"]) == ["EUR", "CHF"]
    assert (eur["receivables"], eur["overdue"], eur["sales_last_90_days"]) == (
        "1500.00",
        "1000.00",
        "1500.00",  # E1 issued 10-11 and E2 issued 11-20, both in the 90 days
    )
    # CHF sales in the window: F2 (issued 10-21); F1 was issued 07-02, before the window
    assert (chf["receivables"], chf["overdue"], chf["sales_last_90_days"]) == (
        "500.00",
        "500.00",
        "200.00",
    )
    assert eur["dso_days"] == data["dso_days"] == 90  # 1500 / 1500 x 90
    assert chf["dso_days"] == 225  # 500 / 200 x 90: never (1500 + 500) / (1500 + 200)
    assert chf["overdue_by_age"] == {"0-30": "200.00", "31-60": "0.00", "61-90": "0.00",
                                     "90+": "300.00"}  # fmt: skip
    # top debtors per currency: C1 owes 1000.00 EUR and 200.00 CHF, never "1200.00"
    assert [(d["customer_id"], d["overdue"]) for d in data["top_debtors"]] == [("C1", "1000.00")]
    assert [(d["customer_id"], d["overdue"]) for d in chf["top_debtors"]] == [
        ("C2", "300.00"),
        ("C1", "200.00"),
    ]
    month = data["trend"][-1]
    assert month["dso_by_currency"] == {"EUR": 90, "CHF": 225}
    assert month["dso_days"] == 90


def test_a_store_without_euros_reports_in_its_own_currency(service: Service) -> None:
    add_customer(service.store, "C1")
    invoice(service.store, "F1", date(2026, 11, 20), 20_000, "CHF")
    assert main_currency(service.store) == "CHF"
    data = service.stats(AS_OF).as_json()
    assert data["currency"] == "CHF" and list(data["by_currency"]) == ["CHF"]
    assert data["overdue"] == "200.00"
    # the trend's DSO is in francs too (200 / 200 x 90), not in euros there are none of
    assert data["trend"][-1]["dso_days"] == data["dso_days"] == 90


def test_a_single_currency_store_has_one_entry_equal_to_the_single_figures(
    service: Service,
) -> None:
    add_customer(service.store, "C1")
    invoice(service.store, "E1", date(2026, 11, 10), 100_000, "EUR")
    data = service.stats(AS_OF).as_json()
    assert list(data["by_currency"]) == ["EUR"]
    eur = data["by_currency"]["EUR"]
    for key in ("dso_days", "receivables", "sales_last_90_days", "overdue", "overdue_by_age",
                "top_debtors"):  # fmt: skip
        assert eur[key] == data[key], key


def test_the_text_report_gives_one_block_per_currency(service: Service) -> None:
    two_currencies(service)
    set_language("fr")
    text = "\n".join(kpi_lines(service.stats(AS_OF)))
    assert "  En EUR :" in text and "  En CHF :" in text
    assert "En retard : 1\u202f000,00\u00a0€" in text
    assert "En retard : 500,00\u00a0CHF" in text
    assert "2\u202f000,00" not in text and "1\u202f500,00\u00a0CHF" not in text
    assert "C1 (C1) : 200,00\u00a0CHF sur 1 facture(s)" in text


def test_a_currency_only_owed_or_only_sold_still_has_its_figures(service: Service) -> None:
    """USD: owed from an invoice issued before the 90 days (no sales in the window); GBP: sold
    in the window and paid (nothing owed). Each keeps its own entry."""
    store = service.store
    add_customer(store, "C1")
    invoice(store, "E1", date(2026, 11, 10), 100_000, "EUR")
    invoice(store, "U1", date(2026, 7, 1), 40_000, "USD")  # issued 06-01, 152 days late
    invoice(store, "G1", date(2026, 11, 1), 25_000, "GBP", status=InvoiceStatus.PAID)
    data = service.stats(AS_OF).as_json()
    assert list(data["by_currency"]) == ["EUR", "GBP", "USD"]
    usd, gbp = data["by_currency"]["USD"], data["by_currency"]["GBP"]
    assert (usd["receivables"], usd["sales_last_90_days"], usd["dso_days"]) == (
        "400.00", "0.00", None
    )  # fmt: skip
    assert usd["overdue_by_age"]["90+"] == "400.00"
    assert [d["customer_id"] for d in usd["top_debtors"]] == ["C1"]
    assert (gbp["receivables"], gbp["sales_last_90_days"], gbp["dso_days"]) == (
        "0.00", "250.00", 0
    )  # fmt: skip
    assert gbp["top_debtors"] == []
