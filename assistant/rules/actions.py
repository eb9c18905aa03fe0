"""What the planner produces: actions due, things skipped and why, the plan itself. Plain data,
below the engine, so the modules that build parts of a plan (instalments) need not import it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from assistant.money import cents_to_str
from assistant.reasons import Reason, code_of, render


@dataclass(frozen=True, slots=True)
class Action:
    customer_id: str
    step: str
    channel: str
    invoices: tuple[str, ...]
    scheduled_for: date
    requires_human: bool
    reason: Reason | str  # a code with parameters (str: a draft's reason stored before codes)
    segment: str
    tone: str | None = None
    template: str | None = None
    also_sms: bool = False
    notify_salesperson: bool = False
    instalment_id: int | None = None
    amount_cents: int | None = None  # net amount asked (rules/balance.py); 0 for a task
    currency: str = "EUR"
    by_currency: tuple[tuple[str, int], ...] = ()  # when the invoices named mix currencies
    # a task recurring every day (follow-up after the last step) rather than a step to do once
    standing: bool = False

    def as_json(self) -> dict[str, Any]:
        """`plan --json` keys (docs/contracts.md), then our extensions."""
        return {
            "customer_id": self.customer_id,
            "step": self.step,
            "channel": self.channel,
            "invoices": list(self.invoices),
            "scheduled_for": self.scheduled_for.isoformat(),
            "requires_human": self.requires_human,
            "reason": render(self.reason),
            "segment": self.segment,
            "tone": self.tone,
            "template": self.template,
            "also_sms": self.also_sms,
            "notify_salesperson": self.notify_salesperson,
            "instalment_id": self.instalment_id,
            "amount": None if self.amount_cents is None else cents_to_str(self.amount_cents),
            "currency": self.currency,
            **(
                {"by_currency": {c: cents_to_str(v) for c, v in self.by_currency}}
                if self.by_currency
                else {}
            ),
            "standing": self.standing,
            "reason_code": code_of(self.reason),
        }


@dataclass(frozen=True, slots=True)
class Skip:
    """Why a customer or invoice gets nothing today (shown by `plan --explain` and the TUI)."""

    customer_id: str
    invoice_number: str | None
    # do_not_contact | promise | payment_plan | min_gap | held_by_human_task | a hold's code
    code: str
    reason: Reason


@dataclass(slots=True)
class Plan:
    as_of: date
    actions: list[Action] = field(default_factory=list)
    skipped: list[Skip] = field(default_factory=list)
    # things a person should know that stop nothing (e.g. a limitation date coming): Skip-shaped
    warnings: list[Skip] = field(default_factory=list)
