"""Business days: sending weekdays, public holidays by country, customer closing periods."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from assistant.rules.calendar import BusinessCalendar, closing_spans

FRI, SAT, SUN, MON = date(2026, 3, 13), date(2026, 3, 14), date(2026, 3, 15), date(2026, 3, 16)
CHRISTMAS = date(2026, 12, 25)  # a Friday


def test_weekends_move_forward_to_monday_and_back_to_friday() -> None:
    cal = BusinessCalendar()
    for day in (SAT, SUN):
        assert cal.next_on_or_after(day) == MON
        assert cal.previous_on_or_before(day) == FRI
    assert cal.next_on_or_after(FRI) == cal.previous_on_or_before(FRI) == FRI
    assert cal.is_business_day(MON.toordinal(), "FR")
    assert not cal.is_business_day(SAT.toordinal(), "FR")


def test_holidays_follow_the_country() -> None:
    cal = BusinessCalendar()
    assert cal.previous_on_or_before(CHRISTMAS, "FR") == date(2026, 12, 24)
    # Boxing Day is a holiday in the UK, not in France: the UK moves on to Tuesday 29
    assert cal.next_on_or_after(CHRISTMAS, "FR") == date(2026, 12, 28)
    assert cal.next_on_or_after(CHRISTMAS, "GB") == date(2026, 12, 29)
    assert cal.is_holiday(date(2026, 5, 8).toordinal(), "FR")
    assert not cal.is_holiday(date(2026, 5, 8).toordinal(), "GB")
    # a country the holidays package does not know falls back to the French holidays
    assert cal.is_holiday(date(2026, 7, 14).toordinal(), "ZZ")


def test_a_closing_period_is_skipped_both_ways() -> None:
    cal = BusinessCalendar()
    closing = closing_spans([(date(2026, 8, 3), date(2026, 8, 21))])
    assert closing == ((date(2026, 8, 3).toordinal(), date(2026, 8, 21).toordinal()),)
    inside = date(2026, 8, 12)
    assert cal.next_on_or_after(inside, "FR", closing) == date(2026, 8, 24)
    assert cal.previous_on_or_before(inside, "FR", closing) == date(2026, 7, 31)
    assert cal.next_on_or_after(inside, "FR") == inside  # without it, an ordinary Wednesday
    assert cal.is_business_day(date(2026, 8, 24).toordinal(), "FR", closing)
    assert not cal.is_business_day(date(2026, 8, 21).toordinal(), "FR", closing)  # inclusive
    assert not cal.is_business_day(date(2026, 8, 3).toordinal(), "FR", closing)


def test_sending_days_are_configurable_and_cannot_be_empty() -> None:
    tuesdays = BusinessCalendar(weekdays=[1])
    assert tuesdays.next_on_or_after(date(2026, 3, 11)) == date(2026, 3, 17)
    assert tuesdays.previous_on_or_before(date(2026, 3, 11)) == date(2026, 3, 10)
    with pytest.raises(ValueError, match=r"^at least one sending weekday is needed$"):
        BusinessCalendar(weekdays=[])


NO_DAY = r"^no business day within 800 days \(check sending days / closing periods\)$"


def test_no_business_day_in_sight_is_an_error_not_a_hang() -> None:
    cal = BusinessCalendar()
    closed = closing_spans([(date(2026, 1, 1), date(2029, 1, 1))])
    with pytest.raises(ValueError, match=NO_DAY):
        cal.next_on_or_after(date(2026, 6, 1), "FR", closed)
    with pytest.raises(ValueError, match=NO_DAY):
        cal.previous_on_or_before(date(2028, 6, 1), "FR", closed)


def test_the_search_looks_800_days_ahead_or_back_and_no_further() -> None:
    cal = BusinessCalendar()
    day = date(2026, 6, 3)  # 800 days later and earlier, and 799, are ordinary working days
    for step in (1, -1):
        last = day + timedelta(days=step * 799)
        within = closing_spans([tuple(sorted((day, last - timedelta(days=step))))])
        beyond = closing_spans([tuple(sorted((day, last)))])
        scan = cal.next_on_or_after if step == 1 else cal.previous_on_or_before
        assert scan(day, "FR", within) == last  # the 800th day looked at
        with pytest.raises(ValueError, match=NO_DAY):
            scan(day, "FR", beyond)  # the first business day is the 801st
