"""Results in words for people: percentages with their counts (one rounding for the CLI and
the TUI), policy versions by date, a monthly trend of DSO and of payment after each step, and
the top debtors. Figures are as they stood on `as_of` (see `kpis.py`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from assistant.dates import format_date
from assistant.i18n import language, tr
from assistant.labels import segment_label, step_label, tone_label
from assistant.money import cents_to_str
from assistant.stats import _owed_rows
from assistant.storage import kpis_repo, review
from assistant.storage.db import Store


def percent(n: int, total: int) -> int:
    """n / total in whole percent, halves rounded up (never banker's rounding)."""
    return (200 * n + total) // (2 * total) if total else 0


def share(n: int, total: int) -> str:
    """`42 % (21/50)`: the percentage with its counts (`—` when there is nothing to count)."""
    if not total:
        return "—"
    sign = "\u00a0%" if language() == "fr" else "%"
    return f"{percent(n, total)}{sign} ({n}/{total})"


def policy_names(store: Store) -> dict[str, str]:
    """Policy version hash -> `v2 du 12 nov. 2026`: numbered in the order first used."""
    loc = "en_GB" if language() == "en" else "fr_FR"
    out = {}
    for i, (version, first) in enumerate(review.policy_versions_in_use(store), start=1):
        out[version] = tr("v{n} du {d}", "v{n} of {d}", n=i, d=format_date(first, loc, "medium"))
    return out


def dimension_label(dimension: str, value: str, names: dict[str, str]) -> str:
    """A tone, segment or policy version in words."""
    if value in ("-", ""):
        return tr("(non renseigné)", "(not recorded)")
    if dimension == "tone":
        return tone_label(value)
    if dimension == "segment":
        return segment_label(value)
    return names.get(value, value[:7])


def month_ends(as_of: date, months: int) -> list[date]:
    """The last day of each of the `months` months up to as_of's (as_of itself last)."""
    ends = [as_of]
    first = as_of.replace(day=1)
    for _ in range(months - 1):
        first = (first - timedelta(days=1)).replace(day=1)
        ends.append(min(as_of, (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)))
    return sorted(set(ends))


def monthly_trend(
    store: Store, as_of: date, months: int = 6, currency: str = "EUR"
) -> list[dict[str, Any]]:
    """DSO at each month's end (`dso_days` in `currency`, `dso_by_currency` for each currency
    owed or sold), and payment within 14 days after each step sent that month."""
    from assistant.kpis import DSO_WINDOW_DAYS, _sales, _step_rows, dso_of

    rows = _step_rows(store, as_of)
    out = []
    for end in month_ends(as_of, months):
        owed: dict[str, int] = {}
        for r in _owed_rows(store, end):
            owed[r["currency"]] = owed.get(r["currency"], 0) + r["outstanding_cents"]
        sales = _sales(store, end)
        dso = {
            c: dso_of(owed.get(c, 0), sales.get(c, 0))
            for c in sorted(set(owed) | set(sales) | {currency}, key=lambda c: (c != currency, c))
        }
        month = end.strftime("%Y-%m")
        steps: dict[str, list[int]] = {}
        for r in rows:
            if not r["done_on"].startswith(month):
                continue
            sent_on = date.fromisoformat(r["done_on"])
            counts = steps.setdefault(r["step"], [0, 0])
            counts[0] += 1
            if r["paid_date"] and 0 <= (date.fromisoformat(r["paid_date"]) - sent_on).days <= 14:
                counts[1] += date.fromisoformat(r["paid_date"]) <= as_of
        out.append(
            {
                "month": month,
                "dso_days": dso[currency],
                "dso_by_currency": dso,
                "dso_window_days": DSO_WINDOW_DAYS,
                "after_step": [
                    {"step": step, "sent": n, "paid_within_14d": paid}
                    for step, (n, paid) in sorted(steps.items())
                ],
            }
        )
    return out


@dataclass(frozen=True)
class Debtor:
    customer_id: str
    name: str
    overdue_cents: int
    invoices: int
    max_days_late: int
    currency: str = "EUR"

    def as_json(self) -> dict[str, Any]:
        return {
            "customer_id": self.customer_id,
            "name": self.name,
            "overdue": cents_to_str(self.overdue_cents),
            "invoices": self.invoices,
            "max_days_late": self.max_days_late,
        }


def top_debtors(store: Store, as_of: date, n: int = 5, main_currency: str = "EUR") -> list[Debtor]:
    """The customers owing the most overdue money on as_of (disputes included: still owed): the
    top `n` in each currency (amounts never added across currencies), the main currency first."""
    names = kpis_repo.customer_names(store)
    totals: dict[tuple[str, str], list[int]] = {}
    for row in _owed_rows(store, as_of):
        late = (as_of - date.fromisoformat(row["due_date"])).days
        if late <= 0:
            continue
        t = totals.setdefault((row["currency"], row["customer_id"]), [0, 0, 0])
        t[0] += row["outstanding_cents"]
        t[1] += 1
        t[2] = max(t[2], late)
    out: list[Debtor] = []
    for currency in sorted({c for c, _ in totals}, key=lambda c: (c != main_currency, c)):
        mine = [(cid, t) for (c, cid), t in totals.items() if c == currency]
        ranked = sorted(mine, key=lambda kv: (-kv[1][0], kv[0]))[:n]
        out += [Debtor(cid, names.get(cid, cid), c, k, d, currency) for cid, (c, k, d) in ranked]
    return out


def step_word(step: str) -> str:
    return step_label(step)
