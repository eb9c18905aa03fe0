"""KPIs over the store. Money is integer cents; every figure is computed for a given `as_of`.

The portfolio snapshot used by `relance demo` and `relance stats` (open and overdue amounts,
overdue by age bucket, disputes, pending promises). Money is summed per currency, never across
currencies: the summary's money fields are in its `currency` (the main one: EUR when the store has
EUR invoices), `by_currency` holds every currency's amounts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from assistant.storage import kpis_repo
from assistant.storage.db import Store

AGE_BUCKETS = ("0-30", "31-60", "61-90", "90+")
# Invoices still owed: open, or disputed (a dispute suspends reminders, not the debt).
OWED_STATUSES = ("open", "disputed")


def age_bucket(days_late: int) -> str:
    """The age bucket of an overdue invoice (`days_late` >= 1): 1-30 days is "0-30"."""
    if days_late <= 30:
        return "0-30"
    if days_late <= 60:
        return "31-60"
    if days_late <= 90:
        return "61-90"
    return "90+"


def _owed_rows(store: Store, as_of: date) -> list[dict]:
    """Invoices owed on `as_of`: issued by then, with what was outstanding that day (today's
    outstanding plus the payments dated after `as_of`, so a past date ignores later payments)."""
    return kpis_repo.owed_invoices(store, as_of, OWED_STATUSES)


def main_currency(store: Store) -> str:
    """The currency a single figure is given in: EUR when some invoice is in EUR (or the store is
    empty), else the currency of the most invoices (ties: alphabetical)."""
    counts = kpis_repo.invoice_counts_by_currency(store)
    if not counts or "EUR" in counts:
        return "EUR"
    return min(counts, key=lambda c: (-counts[c], c))


def overdue_by_age(store: Store, as_of: date) -> dict[str, int]:
    """Outstanding cents of invoices past their due date on `as_of`, by age bucket."""
    return portfolio_summary(store, as_of).overdue_by_age


@dataclass
class CurrencyAmounts:
    """The summary's money in one currency (cents)."""

    currency: str
    outstanding_cents: int = 0
    overdue_cents: int = 0
    overdue_by_age: dict[str, int] = field(default_factory=lambda: dict.fromkeys(AGE_BUCKETS, 0))
    due_soon_cents: int = 0
    disputed_cents: int = 0
    promises_pending_cents: int = 0


@dataclass(frozen=True)
class PortfolioSummary:
    """Receivables on `as_of`. Amounts in cents of `currency` (counts are over every currency);
    "open" includes disputed invoices. `by_currency` has each currency's amounts."""

    as_of: date
    customers: int
    open_invoices: int
    outstanding_cents: int
    overdue_invoices: int
    overdue_cents: int
    overdue_by_age: dict[str, int] = field(default_factory=dict)
    overdue_count_by_age: dict[str, int] = field(default_factory=dict)
    due_soon_invoices: int = 0  # due within `due_soon_days` from `as_of` (inclusive)
    due_soon_cents: int = 0
    disputed_invoices: int = 0
    disputed_cents: int = 0
    promises_pending: int = 0  # invoices with a promised date not passed, still owed
    promises_pending_cents: int = 0
    currency: str = "EUR"
    by_currency: dict[str, CurrencyAmounts] = field(default_factory=dict)


def portfolio_summary(store: Store, as_of: date, due_soon_days: int = 7) -> PortfolioSummary:
    """Open, overdue (by age bucket), due-soon, disputed amounts and pending promises."""
    count_by_age = dict.fromkeys(AGE_BUCKETS, 0)
    rows = _owed_rows(store, as_of)
    soon_limit = as_of + timedelta(days=due_soon_days)
    soon_n = disputed_n = 0
    sums: dict[str, CurrencyAmounts] = {}
    for row in rows:
        due = date.fromisoformat(row["due_date"])
        cents = row["outstanding_cents"]
        money = sums.setdefault(row["currency"], CurrencyAmounts(row["currency"]))
        money.outstanding_cents += cents
        if due < as_of:
            bucket = age_bucket((as_of - due).days)
            money.overdue_by_age[bucket] += cents
            money.overdue_cents += cents
            count_by_age[bucket] += 1
        elif due <= soon_limit:
            soon_n += 1
            money.due_soon_cents += cents
        if row["status"] == "disputed":
            disputed_n += 1
            money.disputed_cents += cents
    promises = kpis_repo.promised_invoices(store, as_of)
    for p in promises:
        money = sums.setdefault(p["currency"], CurrencyAmounts(p["currency"]))
        money.promises_pending_cents += p["outstanding_cents"]
    currency = main_currency(store)
    main = sums.get(currency, CurrencyAmounts(currency))
    return PortfolioSummary(
        as_of=as_of,
        customers=kpis_repo.customer_count(store),
        open_invoices=len(rows),
        outstanding_cents=main.outstanding_cents,
        overdue_invoices=sum(count_by_age.values()),
        overdue_cents=main.overdue_cents,
        overdue_by_age=dict(main.overdue_by_age),
        overdue_count_by_age=count_by_age,
        due_soon_invoices=soon_n,
        due_soon_cents=main.due_soon_cents,
        disputed_invoices=disputed_n,
        disputed_cents=main.disputed_cents,
        promises_pending=len(promises),
        promises_pending_cents=main.promises_pending_cents,
        currency=currency,
        by_currency={c: sums[c] for c in sorted(sums, key=lambda c: (c != currency, c))},
    )
