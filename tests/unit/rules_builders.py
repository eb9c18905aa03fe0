"""Hand-built portfolios for rules-engine tests: customers and invoices written through the repo."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from assistant.models import ClosingPeriod, Customer, Invoice, InvoiceStatus
from assistant.rules import Plan, Planner, load_scenario, load_snapshot
from assistant.storage import repo
from assistant.storage.db import Store


def add_customer(store: Store, cid: str = "C1", **fields: object) -> Customer:
    periods = fields.pop("closing", None)
    customer = Customer(
        id=cid,
        name=fields.pop("name", f"Client {cid}"),  # type: ignore[arg-type]
        email=f"{cid.lower()}@example.com",
        closing_periods=[ClosingPeriod(start=s, end=e) for s, e in periods] if periods else None,
        **fields,  # type: ignore[arg-type]
    )
    with store.transaction():
        repo.upsert_customers(store, [customer], actor="test")
    return customer


def add_invoice(
    store: Store,
    number: str,
    due: date,
    cents: int = 100_000,
    cid: str = "C1",
    status: InvoiceStatus = InvoiceStatus.OPEN,
    outstanding: int | None = None,
    **fields: object,
) -> Invoice:
    """Issued 30 days before `due`; `fields`: any other Invoice field (currency, reference…)."""
    invoice = Invoice(
        number=number, customer_id=cid, issue_date=due - timedelta(days=30), due_date=due,
        amount_cents=cents, outstanding_cents=cents if outstanding is None else outstanding,
        status=status, **fields,  # type: ignore[arg-type]
    )  # fmt: skip
    with store.transaction():
        repo.upsert_invoices(store, [invoice], actor="test")
    return invoice


def plan_on(store: Store, as_of: date, home: Path | None = None) -> Plan:
    policy = load_scenario(home)
    return Planner(policy).plan(load_snapshot(store, policy, as_of))


def mark(store: Store, numbers: list[str] | tuple[str, ...], step: str, on: date) -> None:
    with store.transaction():
        repo.mark_steps_done(store, list(numbers), step, on, source="test", actor="test")


def simulate(store: Store, start: date, end: date, home: Path | None = None) -> list[tuple]:
    """Plan every day from start to end, marking each proposed action done that day."""
    seen = []
    day = start
    while day <= end:
        for action in plan_on(store, day, home).actions:
            seen.append((day, action))
            mark(store, action.invoices, action.step, day)
        day += timedelta(days=1)
    return seen
