"""Limitation between merchants (Code de commerce L110-4): 5 years from the due date. The plan
warns from 6 months before (both in statutory.yaml); nothing is stopped."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from dateutil.relativedelta import relativedelta

from assistant.reasons import Code, Reason
from assistant.rules.actions import Skip
from assistant.statutory.rates import load_statutory_policy
from assistant.storage import statutory as db
from assistant.storage.db import Store
from assistant.storage.scope import CustomerIds

CODE = "limitation"


def limitation_warnings(
    store: Store, home: Path | None, as_of: date, customer_ids: CustomerIds = None
) -> list[Skip]:
    policy = load_statutory_policy(home)
    span = relativedelta(years=policy.limitation_years, months=-policy.limitation_warning_months)
    out = []
    for row in db.limitation_candidates(store, as_of - span, customer_ids):
        due = date.fromisoformat(row["due_date"])
        ends = due + relativedelta(years=policy.limitation_years)
        if ends < as_of:
            text = Reason.of(Code.TIME_BARRED, n=row["number"], d=ends.isoformat())
        else:
            text = Reason.of(Code.TIME_BAR_COMING, n=row["number"], d=ends.isoformat())
        out.append(Skip(row["customer_id"], row["number"], CODE, text))
    return out
