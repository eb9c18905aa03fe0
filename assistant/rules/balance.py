"""The account balance is the ceiling: never ask a customer for more than its account owes.

A customer's balance (per currency) is its open and disputed invoices minus its unallocated
credits (payments on account and credit notes that nobody lettered to an invoice). Two hold
sources and one pass over the plan enforce it:

- `unallocated_credit_holds`: a customer whose balance is zero or in credit is held (no
  reminder, call, escalation or instalment reminder); the plan lists a task for the accountant
  ("crédit non affecté de 1 058,88 € à lettrer").
- `collective_holds`: a collective customer account (several companies under one code) is
  never reminded as one customer; a person splits or letters it.
- `apply_balances`: every action gets the net `amount` it asks: the invoices it names minus the
  customer's unallocated credits, never more than the balance. An action left asking nothing
  becomes the accountant's task instead.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import date
from typing import TYPE_CHECKING

from assistant.money import Money
from assistant.reasons import Code, Reason
from assistant.rules.holds import Hold
from assistant.storage import balances as accounts
from assistant.storage.db import Store
from assistant.storage.scope import CustomerIds

if TYPE_CHECKING:
    from assistant.rules.actions import Action, Plan
    from assistant.rules.snapshot import Snapshot

CREDIT_HOLD = "unallocated_credit"
COLLECTIVE_HOLD = "collective_account"


def credit_reason(credit: Money, balance: Money) -> Reason:
    return Reason.of(
        Code.UNALLOCATED_CREDIT,
        c_cents=credit.cents,
        b_cents=balance.cents,
        currency=credit.currency,
    )


def unallocated_credit_holds(
    store: Store, as_of: date, customer_ids: CustomerIds = None
) -> Iterable[Hold]:
    """Customers whose account is at zero or in credit, in a currency they hold credits in."""
    for cid, account in sorted(accounts.balances(store, customer_ids).items()):
        for currency, credit in sorted(account.credit.items()):
            net = account.net(currency)
            if net.cents <= 0:
                yield Hold(
                    CREDIT_HOLD,
                    cid,
                    credit_reason(Money(credit, currency), net),
                    amount_cents=credit,
                )
                break


def collective_holds(store: Store, as_of: date, customer_ids: CustomerIds = None) -> Iterable[Hold]:
    for cid, why in sorted(accounts.collective_accounts(store, customer_ids).items()):
        yield Hold(
            COLLECTIVE_HOLD,
            cid,
            Reason.of(Code.COLLECTIVE_ACCOUNT, w=why),
        )


def apply_balances(snap: Snapshot, plan: Plan) -> None:
    """Give every action its net amount; an action asking nothing becomes a task."""
    wanted = {n for a in plan.actions for n in a.invoices}
    outstanding = {row[0]: row[3] for row in snap.invoices if row[0] in wanted}
    outstanding.update({n: c for n, c in snap.extra_outstanding.items() if n in wanted})
    kept: list[Action] = []
    tasks: set[str] = {a.customer_id for a in plan.actions if a.step == CREDIT_HOLD}
    hold_codes = {h.code for hs in snap.holds.customer.values() for h in hs}
    hold_codes |= {h.code for hs in snap.holds.invoice.values() for h in hs}
    for action in plan.actions:
        if action.channel == "task" and action.step in hold_codes:
            kept.append(replace(action, amount_cents=0))  # a person's task: nothing asked
            continue
        named: dict[str, int] = {}
        for number in action.invoices:
            cur = snap.currency_of.get(number, "EUR")
            named[cur] = named.get(cur, 0) + outstanding.get(number, 0)
        currency = _currency(snap, action.invoices)
        if action.instalment_id is not None:
            instalment = snap.instalment_amounts.get(action.instalment_id)
            if instalment is not None:
                named[currency] = min(named.get(currency, 0), instalment)
        credits = snap.credits.get(action.customer_id, {})
        account = snap.balances.get(action.customer_id)
        nets: dict[str, int] = {}
        for cur, cents in named.items():
            net = cents - credits.get(cur, 0)
            if account is not None:
                net = min(net, account.net(cur).cents)
            nets[cur] = max(net, 0)
        credit = sum(credits.get(cur, 0) for cur in named)
        if any(nets.values()) or not credit:
            kept.append(
                replace(
                    action,
                    amount_cents=nets.get(currency, 0),
                    currency=currency,
                    by_currency=tuple(sorted(nets.items())) if len(nets) > 1 else (),
                )
            )
            continue
        if action.customer_id in tasks:
            continue
        tasks.add(action.customer_id)
        kept.append(
            replace(
                action,
                step=CREDIT_HOLD,
                channel="task",
                requires_human=True,
                amount_cents=0,
                currency=currency,
                also_sms=False,
                notify_salesperson=False,
                instalment_id=None,
                template=None,
                tone=None,
                reason=Reason.of(
                    Code.CREDIT_COVERS,
                    c_cents=credits.get(currency, 0),
                    n_cents=named.get(currency, 0),
                    currency=currency,
                ),
            )
        )
    plan.actions[:] = kept


def _currency(snap: Snapshot, numbers: Iterable[str]) -> str:
    for number in numbers:
        return snap.currency_of.get(number, "EUR")
    return "EUR"
