"""Dates and amounts typed by a person (CLI options, TUI fields): one parser and one set of
range checks, used by every command (docs/hostile-input.md).

- Dates: ISO `AAAA-MM-JJ` or French `jj/mm/aaaa` (also `jj-mm-aaaa`, `jj.mm.aaaa`).
- `--as-of`: from AS_OF_PAST_YEARS years before today to AS_OF_FUTURE_YEARS years after (a demo
  may be built a few years ahead); outside is a typo (`0001-01-01`, `2100-01-01`).
- A past event (a call, the day a promise was made, a payment announced) is not in the future.
- A promise is due from its day to the policy's horizon (`promise_horizon_months`, 6 by default).
- An amount is written with ASCII digits, is above zero and at most what is owed.
"today" is the store's clock, never the machine's directly.
"""

from __future__ import annotations

from datetime import date

from dateutil.relativedelta import relativedelta

from assistant.dates import DateError, parse_date
from assistant.errors import UserError
from assistant.i18n import tr
from assistant.money import AmountError, cents_to_str, parse_amount

AS_OF_PAST_YEARS = 20
AS_OF_FUTURE_YEARS = 5


def parse_day(text: str, option: str) -> date:
    """A date typed by a person, or a one-line UserError naming the option."""
    try:
        return parse_date(text)
    except DateError:
        raise UserError(
            tr(
                "{o} : date invalide {v!r} (attendu AAAA-MM-JJ ou jj/mm/aaaa)",
                "{o}: invalid date {v!r} (expected YYYY-MM-DD or dd/mm/yyyy)",
                o=option,
                v=text,
            )
        ) from None


def parse_money(text: str, option: str) -> int:
    """An amount typed by a person, in cents: ASCII digits, above zero."""
    try:
        cents = parse_amount(text)
    except AmountError:
        raise UserError(
            tr(
                "{o} : montant invalide {v!r} (ex. 1234,56 ou 1234.56)",
                "{o}: invalid amount {v!r} (e.g. 1234.56 or 1234,56)",
                o=option,
                v=text,
            )
        ) from None
    if cents <= 0:
        raise UserError(
            tr(
                "{o} : le montant doit être supérieur à zéro ({v})",
                "{o}: the amount must be above zero ({v})",
                o=option,
                v=text,
            )
        )
    return cents


def check_as_of(day: date, today: date, option: str = "--as-of") -> date:
    low = today - relativedelta(years=AS_OF_PAST_YEARS)
    high = today + relativedelta(years=AS_OF_FUTURE_YEARS)
    if not low <= day <= high:
        raise UserError(
            tr(
                "{o} {d} : hors de la plage acceptée ({a} à {b})",
                "{o} {d}: outside the accepted range ({a} to {b})",
                o=option,
                d=day.isoformat(),
                a=low.isoformat(),
                b=high.isoformat(),
            )
        )
    return day


def check_past(day: date, today: date, option: str) -> date:
    """A day something already happened: not after today."""
    if day > today:
        raise UserError(
            tr(
                "{o} {d} : date future pour un fait passé (aujourd'hui : {t})",
                "{o} {d}: a future date for something that happened (today: {t})",
                o=option,
                d=day.isoformat(),
                t=today.isoformat(),
            )
        )
    return check_as_of(day, today, option)


def check_horizon(day: date, start: date, months: int, option: str) -> date:
    """A date to come (a promise, a plan's first instalment): from `start` to the horizon."""
    end = start + relativedelta(months=months)
    if day < start:
        raise UserError(
            tr(
                "{o} {d} : date passée (au plus tôt le {s})",
                "{o} {d}: in the past (at the earliest {s})",
                o=option,
                d=day.isoformat(),
                s=start.isoformat(),
            )
        )
    if day > end:
        raise UserError(
            tr(
                "{o} {d} : au-delà de l'horizon de {m} mois de la politique (au plus tard le {e}"
                " ; promise_horizon_months dans scenario.yaml)",
                "{o} {d}: beyond the policy's {m}-month horizon (at the latest {e};"
                " promise_horizon_months in scenario.yaml)",
                o=option,
                d=day.isoformat(),
                m=months,
                e=end.isoformat(),
            )
        )
    return day


def check_amount(cents: int, ceiling: int, option: str) -> int:
    """Above zero and at most what is owed (`ceiling`)."""
    if cents <= 0:
        raise UserError(
            tr("{o} : le montant doit être supérieur à zéro", "{o}: the amount must be above zero",
               o=option)
        )  # fmt: skip
    if cents > ceiling:
        raise UserError(
            tr(
                "{o} {a} : plus que le reste dû ({c})",
                "{o} {a}: more than what is owed ({c})",
                o=option,
                a=cents_to_str(cents),
                c=cents_to_str(ceiling),
            )
        )
    return cents
