"""Results that close the loop (`relance stats`): DSO, overdue by age, days late, payment
after each step (by tone, segment and policy version), promises, drafts, time saved.

Money stays integer cents; JSON money is a decimal string. Figures use the store's current
state (outstanding amounts as they are now) and the dated history up to `as_of`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from assistant.i18n import language, tr
from assistant.money import cents_to_str, format_money
from assistant.rules.promises import load_promises
from assistant.stats import AGE_BUCKETS, OWED_STATUSES, portfolio_summary
from assistant.storage.db import Store

DSO_WINDOW_DAYS = 90
DSO_METHOD = (
    "standard: receivables owed / sales invoiced over the last 90 days x 90 "
    "(receivables = open and disputed invoices issued up to as_of)"
)
# Time-saved assumptions (minutes per customer message), stated in the output.
MINUTES_BY_HAND = 12  # find the invoices, write, check amounts, send
MINUTES_REVIEW_UNCHANGED = 1
MINUTES_REVIEW_EDITED = 4


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

    def as_json(self) -> dict[str, Any]:
        """DESIGN.md §5 `stats --json` keys first, then our extensions."""
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
                "assumption": (
                    f"{MINUTES_BY_HAND} min per message written by hand, "
                    f"{MINUTES_REVIEW_UNCHANGED} min per draft approved unchanged, "
                    f"{MINUTES_REVIEW_EDITED} min per draft edited"
                ),
            },
        }


def _dso(store: Store, as_of: date) -> tuple[int | None, int, int]:
    marks = ",".join("?" * len(OWED_STATUSES))
    receivables = store.scalar(
        "SELECT COALESCE(SUM(outstanding_cents), 0) FROM invoices"
        f" WHERE status IN ({marks}) AND issue_date <= ?",
        (*OWED_STATUSES, as_of.isoformat()),
    )
    start = as_of - timedelta(days=DSO_WINDOW_DAYS)
    sales = store.scalar(
        "SELECT COALESCE(SUM(amount_cents), 0) FROM invoices WHERE issue_date > ?"
        " AND issue_date <= ? AND status != 'cancelled'",
        (start.isoformat(), as_of.isoformat()),
    )
    if not sales:
        return None, int(receivables), 0
    return round(receivables * DSO_WINDOW_DAYS / sales), int(receivables), int(sales)


def _avg_days_late(store: Store, as_of: date) -> tuple[float | None, int]:
    row = store.query_one(
        "SELECT COUNT(*) AS n, AVG(MAX(julianday(paid_date) - julianday(due_date), 0)) AS late"
        " FROM invoices WHERE status = 'paid' AND paid_date IS NOT NULL AND paid_date <= ?",
        (as_of.isoformat(),),
    )
    if not row or not row["n"]:
        return None, 0
    return round(float(row["late"]), 1), int(row["n"])


def _step_rows(store: Store, as_of: date) -> list[dict[str, Any]]:
    """One row per invoice and step done (not rejected) up to as_of, with what followed."""
    return store.query(
        "SELECT s.step, s.done_on, i.paid_date, d.tone, d.segment, d.policy_version"
        " FROM invoice_steps s JOIN invoices i ON i.number = s.invoice_number"
        " LEFT JOIN drafts d ON d.id = s.draft_id"
        " WHERE s.source != 'rejected' AND s.done_on <= ?",
        (as_of.isoformat(),),
    )


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


def _by_dimension(rows: list[dict[str, Any]], as_of: date) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for dimension in ("tone", "segment", "policy_version"):
        groups: dict[str, list[dict[str, Any]]] = {}
        for r in rows:
            groups.setdefault(r[dimension] or "-", []).append(r)
        out[dimension] = [
            {dimension: key, **rate.as_json()}
            for key, group in sorted(groups.items())
            for rate in _rates(group, as_of).values()
        ]
    return out


def _drafts(store: Store) -> dict[str, int]:
    row = store.query_one(
        "SELECT"
        " SUM(status IN ('approved', 'sending', 'sent') AND edited = 0) AS unchanged,"
        " SUM(status IN ('approved', 'sending', 'sent') AND edited = 1) AS edited,"
        " SUM(status = 'rejected') AS rejected"
        " FROM drafts WHERE channel != 'internal'"
    )
    row = row or {}
    return {
        "approved_unchanged": int(row.get("unchanged") or 0),
        "approved_edited": int(row.get("edited") or 0),
        "rejected": int(row.get("rejected") or 0),
    }


def compute_kpis(store: Store, as_of: date, promise_grace_days: int) -> Kpis:
    dso, receivables, sales = _dso(store, as_of)
    summary = portfolio_summary(store, as_of)
    late, paid = _avg_days_late(store, as_of)
    rows = _step_rows(store, as_of)
    order = {s: i for i, s in enumerate(("pre_due", "reminder_1", "reminder_2", "call"))}
    steps = sorted(_rates(rows, as_of).values(), key=lambda r: (order.get(r.step, 9), r.step))
    promises = {"made": 0, "kept": 0, "broken": 0, "open": 0}
    for p in load_promises(store, promise_grace_days):
        if p.made_on <= as_of:
            promises["made"] += 1
            promises[p.status(as_of, promise_grace_days)] += 1
    drafts = _drafts(store)
    saved = drafts["approved_unchanged"] * (MINUTES_BY_HAND - MINUTES_REVIEW_UNCHANGED) + drafts[
        "approved_edited"
    ] * (MINUTES_BY_HAND - MINUTES_REVIEW_EDITED)
    return Kpis(
        as_of=as_of,
        dso_days=dso,
        receivables_cents=receivables,
        sales_90d_cents=sales,
        overdue_cents=summary.overdue_cents,
        overdue_by_age={b: summary.overdue_by_age.get(b, 0) for b in AGE_BUCKETS},
        avg_days_late_paid=late,
        paid_invoices=paid,
        after_step=steps,
        by_dimension=_by_dimension(rows, as_of),
        promises=promises,
        drafts=drafts,
        time_saved_minutes=saved,
    )


def kpi_lines(k: Kpis) -> list[str]:
    """A readable report (French first)."""
    data = k.as_json()
    loc = "en_GB" if language() == "en" else "fr_FR"
    lines = [
        tr("Indicateurs au {d}", "Results as of {d}", d=data["as_of"]),
        tr(
            "  DSO : {v} jours (encours / ventes des 90 derniers jours × 90)",
            "  DSO: {v} days (receivables / sales of the last 90 days × 90)",
            v=k.dso_days if k.dso_days is not None else "—",
        ),
        tr("  En retard : {v}", "  Overdue: {v}", v=format_money(k.overdue_cents, "EUR", loc)),
    ]
    lines += [f"    {b:>6} : {format_money(v, 'EUR', loc)}" for b, v in k.overdue_by_age.items()]
    lines.append(
        tr(
            "  Retard moyen des factures payées : {v} j ({n} factures)",
            "  Average days late of paid invoices: {v} d ({n} invoices)",
            v=k.avg_days_late_paid if k.avg_days_late_paid is not None else "—",
            n=k.paid_invoices,
        )
    )
    lines.append(tr("  Paiement après relance :", "  Payment after reminder:"))
    for s in k.after_step:
        lines.append(
            tr(
                "    {s:<12} {n:>5} envoyées · payées sous 7 j : {a} · sous 14 j : {b}",
                "    {s:<12} {n:>5} sent · paid within 7 d: {a} · within 14 d: {b}",
                s=s.step,
                n=s.sent,
                a=s.paid_within_7d,
                b=s.paid_within_14d,
            )
        )
    p = k.promises
    lines.append(
        tr(
            "  Promesses : {m} faites, {k} tenues, {b} non tenues, {o} en cours",
            "  Promises: {m} made, {k} kept, {b} broken, {o} open",
            m=p["made"],
            k=p["kept"],
            b=p["broken"],
            o=p["open"],
        )
    )
    d = k.drafts
    lines.append(
        tr(
            "  Brouillons : {u} approuvés sans retouche, {e} retouchés, {r} rejetés",
            "  Drafts: {u} approved unchanged, {e} edited, {r} rejected",
            u=d["approved_unchanged"],
            e=d["approved_edited"],
            r=d["rejected"],
        )
    )
    lines.append(
        tr(
            "  Temps gagné estimé : {h} h ({a})",
            "  Estimated time saved: {h} h ({a})",
            h=round(k.time_saved_minutes / 60, 1),
            a=data["time_saved"]["assumption"],
        )
    )
    return lines
