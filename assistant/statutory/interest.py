"""Late-payment interest (C. com. L441-10 II), pure: no store, no clock.

Simple interest, per day, base 365, on the sum actually unpaid that day, from the day after the
due date up to and including the day of payment for the part paid (up to and including `as_of`
for the rest). The rate is fixed per half-year (1 January - 30 June, 1 July - 31 December), so a
delay crossing a half-year is split. Each half-year's amount is computed exactly (Decimal) and
rounded half-up to the cent; an invoice's interest is the sum of its half-years.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from assistant.statutory.rates import AppliedRate, HalfYear, RateBook, halves_between

DAYS_A_YEAR = Decimal(365)


@dataclass(frozen=True, slots=True)
class InterestLine:
    """The interest of one invoice over one half-year."""

    half: HalfYear
    first_day: date
    last_day: date
    days: int
    cents_days: int  # the sum, over the days, of the cents unpaid that day
    rate: AppliedRate
    amount_cents: int

    @property
    def average_balance_cents(self) -> int:
        return self.cents_days // self.days if self.days else 0

    def as_json(self) -> dict[str, object]:
        from assistant.money import cents_to_str

        return {
            "half_year": self.half.key,
            "from": self.first_day.isoformat(),
            "to": self.last_day.isoformat(),
            "days": self.days,
            "rate": str(self.rate.rate),
            "rate_basis": self.rate.basis,
            "rate_estimated": self.rate.estimated,
            "unpaid_cents_days": self.cents_days,
            "amount": cents_to_str(self.amount_cents),
        }


def round_cents(value: Decimal) -> int:
    """Half-up to the cent (3.645 € -> 3.65 €)."""
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def interest_amount(cents_days: int, annual_rate_percent: Decimal) -> int:
    """cents x days x rate / 100 / 365, rounded half-up to the cent."""
    return round_cents(Decimal(cents_days) * annual_rate_percent / Decimal(100) / DAYS_A_YEAR)


def late_interest(
    due: date,
    as_of: date,
    unpaid_after_cents: int,
    payments: Sequence[tuple[date, int]],
    book: RateBook,
) -> list[InterestLine]:
    """Interest of one invoice up to `as_of`, by half-year.

    `unpaid_after_cents` is what was still unpaid at the end of `as_of`; `payments` are the
    invoice's payments (date, cents). The sum unpaid on a day d after the due date is what stayed
    unpaid after `as_of` plus the payments dated from d to `as_of`: a payment made on d still
    bears interest on d."""
    first = due + timedelta(days=1)
    if as_of < first:
        return []
    paid = [(d, c) for d, c in payments if first <= d <= as_of and c > 0]
    lines: list[InterestLine] = []
    for half, start, end in halves_between(first, as_of):
        days = (end - start).days + 1
        cents_days = max(unpaid_after_cents, 0) * days
        for day, cents in paid:
            if day >= start:  # unpaid from `start` up to its payment day (capped at `end`)
                cents_days += cents * ((min(day, end) - start).days + 1)
        if cents_days <= 0:
            continue
        rate = book.for_half(half)
        lines.append(
            InterestLine(
                half, start, end, days, cents_days, rate, interest_amount(cents_days, rate.rate)
            )
        )
    return lines
