"""Results in words: one rounding with the counts, policy versions by date, a monthly trend,
the top debtors (issue 19, results)."""

from __future__ import annotations

from datetime import date

from assistant.results import month_ends, percent, share
from assistant.service import Service
from tests.unit.test_kpis import AS_OF, history


def test_one_rounding_with_counts() -> None:
    assert share(0, 1) == "0\u00a0% (0/1)"
    assert percent(1, 8) == 13 and percent(1, 6) == 17 and percent(5, 200) == 3  # halves up
    assert share(3, 0) == "—"


def test_month_ends_up_to_the_day() -> None:
    assert month_ends(date(2026, 3, 10), 3) == [
        date(2026, 1, 31),
        date(2026, 2, 28),
        date(2026, 3, 10),
    ]


def test_stats_name_policies_by_date_and_list_trend_and_debtors(service: Service) -> None:
    history(service)
    data = service.stats(AS_OF).as_json()
    assert [m["month"] for m in data["trend"]][-1] == AS_OF.strftime("%Y-%m")
    assert data["trend"][-1]["dso_days"] == data["dso_days"]
    top = data["top_debtors"]
    assert top and top == sorted(top, key=lambda d: -float(d["overdue"]))
    assert all(set(d) == {"customer_id", "name", "overdue", "invoices", "max_days_late"}
               for d in top)  # fmt: skip
    assert all(label.startswith("v") and " du " in label
               for label in data["policy_versions"].values())  # fmt: skip
