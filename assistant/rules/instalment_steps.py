"""The plan's instalment steps: a reminder before the first unpaid instalment of a payment plan,
a call when it is missed (the plans themselves are loaded by `rules/instalments.py`)."""

from __future__ import annotations

from datetime import date

from assistant.reasons import Code, Reason
from assistant.rules.actions import Action, Plan
from assistant.rules.calendar import BusinessCalendar
from assistant.rules.instalments import MISSED_STEP, REMINDER_OFFSET, REMINDER_STEP
from assistant.rules.snapshot import Snapshot


def plan_instalments(cal: BusinessCalendar, grace: int, snap: Snapshot, result: Plan) -> None:
    """Append instalment actions to `result` (one per plan at most)."""
    as_of = snap.as_of.toordinal()
    busy = {a.customer_id for a in result.actions if not a.requires_human}
    for plan in snap.plans:
        customer = snap.customers.get(plan.customer_id)
        item = plan.first_unpaid()
        if customer is None or item is None or customer.do_not_contact:
            continue
        if snap.holds.for_customer(plan.customer_id) or any(
            snap.holds.for_invoice(n) for n in plan.invoices
        ):
            continue  # a hold stops the plan's reminders too; its task is in the plan
        country, closing = customer.country, customer.closing
        due = item.due.toordinal()
        today = cal.next_business_day(as_of, country, closing)
        label = f"{item.seq}/{item.count}"
        missed_on = cal.next_business_day(due + grace + 1, country, closing)
        if missed_on <= as_of and (item.id, MISSED_STEP) not in plan.done:
            result.actions.append(
                Action(
                    customer_id=plan.customer_id,
                    step=MISSED_STEP,
                    channel="phone",
                    invoices=plan.invoices,
                    scheduled_for=date.fromordinal(today),
                    requires_human=True,
                    segment="payment_plan",
                    instalment_id=item.id,
                    notify_salesperson=True,
                    reason=Reason.of(Code.INSTALMENT_MISSED, l=label, d=item.due.isoformat()),
                )
            )
            continue
        remind_on = cal.previous_business_day(due + REMINDER_OFFSET, country, closing)
        if (
            remind_on <= as_of < due
            and today < due
            and (item.id, REMINDER_STEP) not in plan.done
            and plan.customer_id not in busy
        ):
            result.actions.append(
                Action(
                    customer_id=plan.customer_id,
                    step=REMINDER_STEP,
                    channel="email",
                    invoices=plan.invoices,
                    scheduled_for=date.fromordinal(today),
                    requires_human=False,
                    segment="payment_plan",
                    tone="courteous",
                    template=REMINDER_STEP,
                    instalment_id=item.id,
                    reason=Reason.of(Code.INSTALMENT_DUE, l=label, d=item.due.isoformat()),
                )
            )
