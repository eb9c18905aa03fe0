"""Business days: sending weekdays, public holidays per country (`holidays`), closing periods.

Dates are handled as proleptic ordinals (`date.toordinal()`) in the hot path: the planner
calls these functions millions of times.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from functools import lru_cache

import holidays

ClosingSpans = tuple[tuple[int, int], ...]  # (start, end) ordinals, inclusive


@lru_cache(maxsize=256)
def _holiday_ordinals(country: str, year: int) -> frozenset[int]:
    try:
        days = holidays.country_holidays(country, years=year)
    except NotImplementedError:
        days = holidays.country_holidays("FR", years=year)
    return frozenset(d.toordinal() for d in days)


class BusinessCalendar:
    """Which days a message may go out, for a country and optional customer closing periods."""

    __slots__ = ("_cache", "_next", "weekdays")

    def __init__(self, weekdays: Iterable[int] = (0, 1, 2, 3, 4)) -> None:
        self.weekdays = frozenset(weekdays)
        if not self.weekdays:
            raise ValueError("at least one sending weekday is needed")
        self._cache: dict[tuple[str, int], bool] = {}
        self._next: dict[tuple[str, int], int] = {}  # next business day, no closing period

    def is_holiday(self, day: int, country: str) -> bool:
        return day in _holiday_ordinals(country, date.fromordinal(day).year)

    def _open(self, day: int, country: str) -> bool:
        key = (country, day)
        hit = self._cache.get(key)  # pragma: no mutate (a memo: a miss works the day out again)
        if hit is None:
            hit = (day + 6) % 7 in self.weekdays and not self.is_holiday(day, country)
            self._cache[key] = hit  # pragma: no mutate (a memo: a miss works the day out again)
        return hit

    def is_business_day(self, day: int, country: str, closing: ClosingSpans = ()) -> bool:
        if not self._open(day, country):
            return False
        return not any(start <= day <= end for start, end in closing)

    def next_business_day(self, day: int, country: str, closing: ClosingSpans = ()) -> int:
        """`day` itself if it is a business day, else the first one after it."""
        if not closing:
            key = (country, day)
            hit = self._next.get(key)  # pragma: no mutate (a memo: a miss works the day out again)
            if hit is None:
                hit = self._next[key] = self._scan_forward(day, country, ())
            return hit
        return self._scan_forward(day, country, closing)

    def _scan_forward(self, day: int, country: str, closing: ClosingSpans) -> int:
        for _ in range(800):
            if self.is_business_day(day, country, closing):
                return day
            day += 1
        raise ValueError("no business day within 800 days (check sending days / closing periods)")

    def previous_business_day(self, day: int, country: str, closing: ClosingSpans = ()) -> int:
        """`day` itself if it is a business day, else the last one before it."""
        for _ in range(800):
            if self.is_business_day(day, country, closing):
                return day
            day -= 1
        raise ValueError("no business day within 800 days (check sending days / closing periods)")

    # date-typed conveniences for callers outside the hot path
    def next_on_or_after(
        self,
        day: date,
        country: str = "FR",  # pragma: no mutate (any other spelling falls back to France)
        closing: ClosingSpans = (),
    ) -> date:
        return date.fromordinal(self.next_business_day(day.toordinal(), country, closing))

    def previous_on_or_before(
        self,
        day: date,
        country: str = "FR",  # pragma: no mutate (any other spelling falls back to France)
        closing: ClosingSpans = (),
    ) -> date:
        return date.fromordinal(self.previous_business_day(day.toordinal(), country, closing))


def closing_spans(periods: Sequence[tuple[date, date]]) -> ClosingSpans:
    return tuple(sorted((s.toordinal(), e.toordinal()) for s, e in periods))
