"""Payment-plan options, computed by rules from the policy (policies/payment_plans.yaml).

Every option's instalments add up to the outstanding total to the cent (the remainder of the
division goes to the first instalments); dates fall on the customer's business days.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from dateutil.relativedelta import relativedelta
from pydantic import BaseModel, ConfigDict, Field, field_validator

from assistant.i18n import tr
from assistant.money import cents_to_str
from assistant.policyfile import ExactDecimal, MoneyCents, load_policy
from assistant.rules.calendar import BusinessCalendar, ClosingSpans

PLANS_FILE = "payment_plans.yaml"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RecoveryIndemnity(_Strict):
    enabled: bool = True
    amount_per_invoice: MoneyCents = 4000


class LateInterest(_Strict):
    enabled: bool = True
    # Obsolete, ignored: the rate now comes by half-year from statutory_rates.yaml (a
    # contractual rate goes in statutory.yaml). Still accepted so older policy files load.
    annual_rate_percent: ExactDecimal | None = None


class PaymentPlanPolicy(_Strict):
    pay_now_within_days: int = Field(default=8, ge=0, le=60)
    first_instalment_in_days: int = Field(default=7, ge=0, le=60)
    instalment_counts: list[int] = Field(default_factory=lambda: [2, 3, 4])
    max_duration_days: int = Field(default=120, ge=0, le=730)
    min_instalment: MoneyCents = 15000
    recovery_indemnity: RecoveryIndemnity = RecoveryIndemnity()
    late_interest: LateInterest = LateInterest()

    @field_validator("instalment_counts")
    @classmethod
    def _counts(cls, value: list[int]) -> list[int]:
        if any(n < 2 or n > 24 for n in value):
            raise ValueError(tr("de 2 à 24 échéances", "instalment counts go from 2 to 24"))
        return sorted(set(value))


def load_plan_policy(home: Path | None) -> PaymentPlanPolicy:
    return load_policy(home, PLANS_FILE, PaymentPlanPolicy)


@dataclass(frozen=True)
class Instalment:
    date: date
    amount_cents: int

    def as_json(self) -> dict[str, str]:
        return {"date": self.date.isoformat(), "amount": cents_to_str(self.amount_cents)}


@dataclass(frozen=True)
class PlanOption:
    id: str  # pay_now | instalments_2 | instalments_3 ...
    label: str
    instalments: tuple[Instalment, ...]

    def as_json(self) -> dict[str, object]:
        return {
            "id": self.id,
            "label": self.label,
            "instalments": [i.as_json() for i in self.instalments],
        }


def split_exact(total_cents: int, parts: int) -> list[int]:
    """Equal parts to the cent; the remainder cents go to the first parts. Sums to `total`."""
    base, remainder = divmod(total_cents, parts)
    return [base + (1 if i < remainder else 0) for i in range(parts)]


def plan_options(
    total_cents: int,
    as_of: date,
    policy: PaymentPlanPolicy,
    calendar: BusinessCalendar,
    country: str = "FR",
    closing: ClosingSpans = (),
) -> list[PlanOption]:
    """`pay_now` first, then the monthly plans that respect the minimum and the duration."""

    def business(day: date) -> date:
        return calendar.next_on_or_after(day, country, closing)

    if total_cents <= 0:
        return []
    options = [
        PlanOption(
            "pay_now",
            tr(
                "Paiement immédiat (sous {d} jours)",
                "Pay now (within {d} days)",
                d=policy.pay_now_within_days,
            ),
            (
                Instalment(
                    business(as_of + timedelta(days=policy.pay_now_within_days)), total_cents
                ),
            ),
        )
    ]
    first = _first_instalment_day(as_of, policy, calendar, country, closing)
    for count in policy.instalment_counts:
        amounts = split_exact(total_cents, count)
        dates = _monthly_dates(first, count, calendar, country, closing)
        if min(amounts) < policy.min_instalment or _span(dates) > policy.max_duration_days:
            continue
        options.append(_instalments_option(amounts, dates))
    return options


def recovery_indemnity_cents(invoice_count: int, policy: PaymentPlanPolicy) -> int:
    if not policy.recovery_indemnity.enabled:
        return 0
    return invoice_count * policy.recovery_indemnity.amount_per_invoice


def instalment_plan(
    total_cents: int,
    count: int,
    as_of: date,
    policy: PaymentPlanPolicy,
    calendar: BusinessCalendar,
    country: str = "FR",
    closing: ClosingSpans = (),
    *,
    first_day: date | None = None,
) -> PlanOption:
    """The `count`-instalment plan agreed on a call; refused if it breaks the policy.
    `first_day`: the first instalment agreed on the call (else the policy's first day)."""
    from assistant.errors import UserError

    if count < 1:
        raise UserError(tr("nombre d'échéances invalide", "invalid number of instalments"))
    if count == 1 and first_day is None:
        return plan_options(total_cents, as_of, policy, calendar, country, closing)[0]
    amounts = split_exact(total_cents, count)
    if min(amounts) < policy.min_instalment:
        raise UserError(
            tr("échéances inférieures au minimum de la politique ({m})",
               "instalments below the policy minimum ({m})", m=cents_to_str(policy.min_instalment))
        )  # fmt: skip
    if first_day is None:
        first = _first_instalment_day(as_of, policy, calendar, country, closing)
    else:
        first = calendar.next_on_or_after(first_day, country, closing)
    dates = _monthly_dates(first, count, calendar, country, closing)
    if _span(dates) > policy.max_duration_days:
        raise UserError(
            tr("plan trop long : {d} jours au-delà du maximum de {m}",
               "plan too long: {d} days beyond the maximum of {m}",
               d=_span(dates), m=policy.max_duration_days)
        )  # fmt: skip
    return _instalments_option(amounts, dates)


def _first_instalment_day(
    as_of: date,
    policy: PaymentPlanPolicy,
    calendar: BusinessCalendar,
    country: str,
    closing: ClosingSpans,
) -> date:
    day = as_of + timedelta(days=policy.first_instalment_in_days)
    return calendar.next_on_or_after(day, country, closing)


def _monthly_dates(
    first: date, count: int, calendar: BusinessCalendar, country: str, closing: ClosingSpans
) -> list[date]:
    """One date a month from `first`, each moved to the customer's next business day."""
    return [
        calendar.next_on_or_after(first + relativedelta(months=i), country, closing)
        for i in range(count)
    ]


def _span(dates: list[date]) -> int:
    return (dates[-1] - dates[0]).days


def _instalments_option(amounts: list[int], dates: list[date]) -> PlanOption:
    count = len(amounts)
    return PlanOption(
        f"instalments_{count}",
        tr("{n} mensualités", "{n} monthly instalments", n=count),
        tuple(Instalment(d, a) for d, a in zip(dates, amounts, strict=True)),
    )
