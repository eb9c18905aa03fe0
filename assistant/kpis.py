"""Results that close the loop (`relance stats`): DSO, overdue by age, days late, payment
after each step (by tone, segment and policy version), promises, drafts, time saved.

Money stays integer cents; JSON money is a decimal string. Every figure is as it stood on
`as_of`: outstanding amounts add back the payments dated later, steps and payments count up to
that day, promises are judged on the payments made by then, drafts planned by then count.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from assistant.i18n import tr
from assistant.money import cents_to_str
from assistant.results import monthly_trend, policy_names, top_debtors
from assistant.rules.promises import load_promises
from assistant.stats import AGE_BUCKETS, portfolio_summary
from assistant.storage import kpis_repo
from assistant.storage.db import Store

DSO_WINDOW_DAYS = 90
DSO_METHOD = (
    "standard (count-back free): receivables on as_of / sales invoiced over the 90 days up to"
    " as_of x 90; receivables = outstanding of open and disputed invoices issued up to as_of,"
    " sales = invoices issued in the window, credited and cancelled ones excluded"
)
# Time-saved assumptions (minutes per customer message), stated in the output.
MINUTES_BY_HAND = 12  # find the invoices, write, check amounts, send
MINUTES_REVIEW_UNCHANGED = 1
MINUTES_REVIEW_EDITED = 4


TIME_SAVED_ASSUMPTION = (
    f"{MINUTES_BY_HAND} min per message written by hand, {MINUTES_REVIEW_UNCHANGED} min per"
    f" draft approved unchanged, {MINUTES_REVIEW_EDITED} min per draft edited"
)


def time_saved_assumption() -> str:
    """The assumption in one short line (the text report)."""
    return tr(
        "par message : {h} min à la main, {u} min approuvé tel quel, {e} min retouché",
        "per message: {h} min by hand, {u} min approved as is, {e} min edited",
        h=MINUTES_BY_HAND,
        u=MINUTES_REVIEW_UNCHANGED,
        e=MINUTES_REVIEW_EDITED,
    )


@dataclass
class StepRate:
    step: str
    sent: int = 0
    paid_within_7d: int = 0
    paid_within_14d: int = 0

    def as_json(self) -> dict[str, Any]:
        return {
            "step": self.step,
            "sent": self.sent,
            "paid_within_7d": self.paid_within_7d,
            "paid_within_14d": self.paid_within_14d,
        }


@dataclass
class CurrencyKpis:
    """The money KPIs in one currency (cents): never summed with another currency."""

    currency: str
    dso_days: int | None
    receivables_cents: int
    sales_90d_cents: int
    overdue_cents: int
    overdue_by_age: dict[str, int]
    top_debtors: list[Any] = field(default_factory=list)  # results.Debtor in this currency

    def as_json(self) -> dict[str, Any]:
        return {
            "dso_days": self.dso_days,
            "receivables": cents_to_str(self.receivables_cents),
            "sales_last_90_days": cents_to_str(self.sales_90d_cents),
            "overdue": cents_to_str(self.overdue_cents),
            "overdue_by_age": {k: cents_to_str(v) for k, v in self.overdue_by_age.items()},
            "top_debtors": [d.as_json() for d in self.top_debtors],
        }


@dataclass
class Kpis:
    as_of: date
    dso_days: int | None
    receivables_cents: int
    sales_90d_cents: int
    overdue_cents: int
    overdue_by_age: dict[str, int]
    avg_days_late_paid: float | None
    paid_invoices: int
    after_step: list[StepRate]
    by_dimension: dict[str, list[dict[str, Any]]]
    promises: dict[str, int]
    drafts: dict[str, int]
    time_saved_minutes: int
    notes: list[str] = field(default_factory=list)
    trend: list[dict[str, Any]] = field(default_factory=list)  # by month: DSO, after each step
    top_debtors: list[Any] = field(default_factory=list)  # results.Debtor, main currency
    policy_names: dict[str, str] = field(default_factory=dict)  # version hash -> words
    currency: str = "EUR"  # the currency of the money fields and of dso_days (the main one)
    by_currency: dict[str, CurrencyKpis] = field(default_factory=dict)  # main currency first

    def as_json(self) -> dict[str, Any]:
        """`stats --json` (docs/contracts.md): the contract's keys first, then our extensions."""
        kept, broken = self.promises["kept"], self.promises["broken"]
        return {
            "dso_days": self.dso_days,
            "dso_method": DSO_METHOD,
            "overdue_by_age": {k: cents_to_str(v) for k, v in self.overdue_by_age.items()},
            "avg_days_late_paid": self.avg_days_late_paid,
            "after_step": [s.as_json() for s in self.after_step],
            "promises": self.promises,
            "drafts": self.drafts,
            "as_of": self.as_of.isoformat(),
            "receivables": cents_to_str(self.receivables_cents),
            "sales_last_90_days": cents_to_str(self.sales_90d_cents),
            "overdue": cents_to_str(self.overdue_cents),
            "paid_invoices": self.paid_invoices,
            "promises_kept_rate": round(kept / (kept + broken), 3) if kept + broken else None,
            "after_step_by": self.by_dimension,
            "time_saved": {
                "minutes": self.time_saved_minutes,
                "assumption": TIME_SAVED_ASSUMPTION,  # JSON text stays English, like dso_method
            },
            "trend": self.trend,
            "top_debtors": [d.as_json() for d in self.top_debtors],
            "policy_versions": self.policy_names,
            "currency": self.currency,
            "by_currency": {c: m.as_json() for c, m in self.by_currency.items()},
        }


def _sales(store: Store, as_of: date) -> dict[str, int]:
    """Invoiced over the DSO window up to as_of, in cents by currency."""
    start = as_of - timedelta(days=DSO_WINDOW_DAYS)
    return kpis_repo.sales_by_currency(store, start, as_of)


def dso_of(receivables: int, sales: int) -> int | None:
    """Days of sales outstanding, rounded to the day (None without sales in the window)."""
    if sales <= 0:
        return None
    return round(receivables * DSO_WINDOW_DAYS / sales)


def _avg_days_late(store: Store, as_of: date) -> tuple[float | None, int]:
    paid, late = kpis_repo.paid_lateness(store, as_of)
    if not paid:
        return None, 0
    return round(float(late or 0), 1), paid


def _step_rows(store: Store, as_of: date) -> list[dict[str, Any]]:
    """One row per invoice and step done up to as_of, with what followed. A step done by a
    message counts from the day it was sent; one approved but not sent yet does not count,
    nor one rejected."""
    return kpis_repo.steps_done(store, as_of)


def _rates(rows: list[dict[str, Any]], as_of: date) -> dict[str, StepRate]:
    rates: dict[str, StepRate] = {}
    for r in rows:
        rate = rates.setdefault(r["step"], StepRate(r["step"]))
        rate.sent += 1
        if r["paid_date"] is None:
            continue
        delay = (date.fromisoformat(r["paid_date"]) - date.fromisoformat(r["done_on"])).days
        if date.fromisoformat(r["paid_date"]) > as_of or delay < 0:
            continue
        rate.paid_within_7d += delay <= 7
        rate.paid_within_14d += delay <= 14
    return rates


STEP_ORDER = ("pre_due", "reminder_1", "reminder_2", "instalment_reminder", "call", "escalation")


def _in_step_order(rates: Iterable[StepRate]) -> list[StepRate]:
    order = {s: i for i, s in enumerate(STEP_ORDER)}
    return sorted(rates, key=lambda r: (order.get(r.step, len(order)), r.step))


def _by_dimension(rows: list[dict[str, Any]], as_of: date) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for dimension in ("tone", "segment", "policy_version"):
        groups: dict[str, list[dict[str, Any]]] = {}
        for r in rows:
            groups.setdefault(r[dimension] or "-", []).append(r)
        out[dimension] = [
            {dimension: key, **rate.as_json()}
            for key, group in sorted(groups.items())
            for rate in _in_step_order(_rates(group, as_of).values())
        ]
    return out


def _drafts(store: Store, as_of: date) -> dict[str, int]:
    """Customer drafts planned up to as_of (their `draft --as-of` day), by review outcome
    (their status today)."""
    counts = kpis_repo.draft_review_counts(store, as_of)
    return {
        "approved_unchanged": counts["unchanged"],
        "approved_edited": counts["edited"],
        "rejected": counts["rejected"],
    }


def compute_kpis(store: Store, as_of: date, promise_grace_days: int) -> Kpis:
    summary = portfolio_summary(store, as_of)
    sales = _sales(store, as_of)
    debtors = top_debtors(store, as_of, main_currency=summary.currency)
    by_currency: dict[str, CurrencyKpis] = {}
    order = sorted(set(summary.by_currency) | set(sales) | {summary.currency})
    for currency in sorted(order, key=lambda c: (c != summary.currency, c)):
        owed = summary.by_currency.get(currency)
        receivables = owed.outstanding_cents if owed else 0
        by_currency[currency] = CurrencyKpis(
            currency=currency,
            dso_days=dso_of(receivables, sales.get(currency, 0)),
            receivables_cents=receivables,
            sales_90d_cents=sales.get(currency, 0),
            overdue_cents=owed.overdue_cents if owed else 0,
            overdue_by_age={b: owed.overdue_by_age[b] if owed else 0 for b in AGE_BUCKETS},
            top_debtors=[d for d in debtors if d.currency == currency],
        )
    main = by_currency[summary.currency]
    late, paid = _avg_days_late(store, as_of)
    rows = _step_rows(store, as_of)
    steps = _in_step_order(_rates(rows, as_of).values())
    promises = {"made": 0, "kept": 0, "broken": 0, "open": 0}
    for p in load_promises(store, promise_grace_days, as_of):
        if p.made_on <= as_of:
            promises["made"] += 1
            promises[p.status(as_of, promise_grace_days)] += 1
    drafts = _drafts(store, as_of)
    saved = drafts["approved_unchanged"] * (MINUTES_BY_HAND - MINUTES_REVIEW_UNCHANGED) + drafts[
        "approved_edited"
    ] * (MINUTES_BY_HAND - MINUTES_REVIEW_EDITED)
    return Kpis(
        as_of=as_of,
        dso_days=main.dso_days,
        receivables_cents=main.receivables_cents,
        sales_90d_cents=main.sales_90d_cents,
        overdue_cents=main.overdue_cents,
        overdue_by_age=dict(main.overdue_by_age),
        avg_days_late_paid=late,
        paid_invoices=paid,
        after_step=steps,
        by_dimension=_by_dimension(rows, as_of),
        promises=promises,
        drafts=drafts,
        time_saved_minutes=saved,
        trend=monthly_trend(store, as_of, currency=summary.currency),
        top_debtors=main.top_debtors,
        policy_names=policy_names(store),
        currency=summary.currency,
        by_currency=by_currency,
    )
