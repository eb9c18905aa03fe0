"""Why each open invoice has no action today (`plan --explain`).

The planner explains what it holds back (promises, holds, the minimum gap...). This module
accounts for every other open invoice, so that none is ever silently absent from the plan:
disputed ones are listed as disputed, the others with the next step and its day.
"""

from __future__ import annotations

from datetime import date

from assistant.reasons import Code, Reason
from assistant.rules.engine import Plan, Planner, Skip
from assistant.rules.snapshot import Snapshot
from assistant.storage import review
from assistant.storage.db import Store


def explain(store: Store, planner: Planner, snap: Snapshot, plan: Plan) -> list[Skip]:
    """A `Skip` for each open or disputed invoice the plan does not mention yet."""
    steps = planner.steps
    index = {s.id: i for i, s in enumerate(steps)}
    named = {n for a in plan.actions for n in a.invoices}
    named |= {s.invoice_number for s in plan.skipped if s.invoice_number}
    whole = {s.customer_id for s in plan.skipped if s.invoice_number is None}
    rows = [
        r
        for r in review.open_invoices_with_last_step(store, [s.id for s in steps])
        if r.number not in named and (r.customer_id not in whole or r.status == "disputed")
    ]
    disputes = review.dispute_reasons(store, [r.number for r in rows if r.status == "disputed"])
    as_of = snap.as_of.toordinal()
    out: list[Skip] = []
    for r in rows:
        if r.status == "disputed":
            since = disputes.get(r.number)
            text = (
                Reason.of(Code.DISPUTED_SINCE, d=since[0].isoformat(), w=since[1])
                if since
                else Reason.of(Code.DISPUTED)
            )
            out.append(Skip(r.customer_id, r.number, "disputed", text))
            continue
        if r.number in snap.in_plan:
            text = Reason.of(Code.PAYMENT_PLAN)
            out.append(Skip(r.customer_id, r.number, "payment_plan", text))
            continue
        customer = snap.customers.get(r.customer_id)
        if customer is None:
            continue
        segment = planner.segment_for(customer, snap.as_of)
        large = (
            planner.policy.large_amount is not None
            and customer.outstanding_cents >= planner.policy.large_amount.threshold
        )
        offsets = planner._offsets(segment, large)
        last = index.get(r.last_step, -1) if r.last_step else -1
        due = r.due.toordinal()
        cal, country, closing = planner.calendar, customer.country, customer.closing
        text: Reason | None = None
        for idx in range(last + 1, len(steps)):
            raw = due + offsets[idx]
            if offsets[idx] < 0:
                if as_of >= due:
                    continue  # a pre-due step cannot come any more
                when = cal.previous_business_day(raw, country, closing)
            else:
                when = cal.next_business_day(raw, country, closing)
            if when > as_of:
                d = date.fromordinal(when).isoformat()
                text = Reason.of(Code.NEXT_STEP, s_step=steps[idx].id, d=d)
                break
        if text is None:
            text = Reason.of(Code.NO_STEP_TODAY)
        if r.last_step and r.last_done:
            d = r.last_done.isoformat()
            text += Reason.of(Code.LAST_STEP_DONE, s_step=r.last_step, d=d)
        out.append(Skip(r.customer_id, r.number, "next_step", text))
    return out
