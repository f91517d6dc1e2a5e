"""Working-day deadlines (R-60, R-61, R-71) over the real 2026 calendar.

2026 per the State Council notice (国办发明电, 2025-11-04), as shipped in
chinesecalendar 1.11.0:
  元旦   01-01..01-03 off, Sun 01-04 worked
  春节   02-15..02-23 off, Sat 02-14 and Sat 02-28 worked
  清明   04-04..04-06 off
  劳动节 05-01..05-05 off, Sat 05-09 worked
  端午   06-19..06-21 off
  中秋   Fri 09-25..09-27 off
  国庆   10-01..10-07 off, Sun 09-20 and Sat 10-10 worked
The library has no data after 2026 (nor before 2004).
"""

import datetime as dt

import pytest

from intranet.workdays import (
    DayInfo,
    Due,
    WorkdayCalendar,
    WorkdayCount,
    format_due_line,
)

D = dt.date


@pytest.fixture
def cal():
    return WorkdayCalendar()


# -- the calendar itself -------------------------------------------


@pytest.mark.parametrize(
    "day, is_workday",
    [
        (D(2026, 1, 1), False),  # Thu, New Year
        (D(2026, 1, 4), True),  # Sun, make-up day
        (D(2026, 2, 14), True),  # Sat, make-up day
        (D(2026, 2, 16), False),  # Mon, Spring Festival
        (D(2026, 2, 23), False),  # Mon, last Spring Festival day
        (D(2026, 2, 28), True),  # Sat, make-up day
        (D(2026, 5, 9), True),  # Sat, make-up day
        (D(2026, 9, 20), True),  # Sun, make-up day
        (D(2026, 9, 25), False),  # Fri, Mid-Autumn
        (D(2026, 10, 5), False),  # Mon, National Day
        (D(2026, 10, 10), True),  # Sat, make-up day
        (D(2026, 10, 11), False),  # Sun, ordinary weekend
        (D(2026, 10, 12), True),  # Mon, ordinary working day
    ],
)
def test_r61_2026_holidays_and_makeup_days_come_from_library(cal, day, is_workday):
    assert cal.day_info(day) == DayInfo(is_workday, False, "library")


def test_r61_unknown_year_falls_back_to_monday_to_friday_provisional(cal):
    # 2030-01-01 is a Tuesday: the real calendar will call it a holiday, the
    # fallback cannot know that.
    assert cal.day_info(D(2030, 1, 1)) == DayInfo(True, True, "fallback")
    assert cal.day_info(D(2030, 1, 4)) == DayInfo(True, True, "fallback")  # Fri
    assert cal.day_info(D(2030, 1, 5)) == DayInfo(False, True, "fallback")  # Sat
    assert cal.day_info(D(2030, 1, 6)) == DayInfo(False, True, "fallback")  # Sun


@pytest.mark.parametrize(
    "day", [D(2003, 12, 31), D(2027, 1, 1), D(1, 1, 1), D(9999, 12, 31)]
)
def test_r61_day_info_never_raises_outside_library_range(cal, day):
    info = cal.day_info(day)
    assert info.source == "fallback"
    assert info.provisional is True
    assert info.is_workday is (day.weekday() < 5)


def test_r61_fallback_deadline_in_2030_is_monday_to_friday_and_provisional(cal):
    # Fri 2030-01-04 + 1 skips the weekend.
    assert cal.add_workdays(D(2030, 1, 4), 1) == Due(D(2030, 1, 7), True)
    # Tue 2030-01-01 + 5: Jan 2, 3, 4, 7, 8.
    assert cal.add_workdays(D(2030, 1, 1), 5) == Due(D(2030, 1, 8), True)
    assert cal.workdays_between(D(2030, 1, 1), D(2030, 1, 8)) == WorkdayCount(5, True)


def test_r61_span_from_known_into_unknown_year_is_provisional_only_when_it_gets_there(cal):
    # Wed 2026-12-30: day 1 is Thu 12-31 (library), day 2 is Fri 2027-01-01
    # (fallback: really New Year's Day, but the library does not know 2027).
    assert cal.add_workdays(D(2026, 12, 30), 1) == Due(D(2026, 12, 31), False)
    assert cal.add_workdays(D(2026, 12, 30), 2) == Due(D(2027, 1, 1), True)
    assert cal.workdays_between(D(2026, 12, 30), D(2026, 12, 31)) == WorkdayCount(1, False)
    assert cal.workdays_between(D(2026, 12, 30), D(2027, 1, 4)) == WorkdayCount(3, True)


def test_r61_provisional_is_set_by_a_fallback_weekend_too(cal):
    # Thu 2026-12-31 + 1: Fri 2027-01-01 is the first day examined -> fallback.
    assert cal.add_workdays(D(2026, 12, 31), 1) == Due(D(2027, 1, 1), True)
    # Fri 2027-01-01 itself is the start and is not examined, but the weekend
    # and Monday after it are.
    assert cal.add_workdays(D(2027, 1, 1), 1) == Due(D(2027, 1, 4), True)


def test_r61_override_makes_a_library_holiday_a_working_day():
    cal = WorkdayCalendar({D(2026, 10, 5): True})
    assert cal.day_info(D(2026, 10, 5)) == DayInfo(True, False, "override")
    # Wed 09-30 + 1: 10-01..10-04 off, Mon 10-05 now worked (was 10-08).
    assert cal.add_workdays(D(2026, 9, 30), 1) == Due(D(2026, 10, 5), False)
    assert cal.add_workdays(D(2026, 9, 30), 2) == Due(D(2026, 10, 8), False)


def test_r61_override_makes_a_library_working_day_a_holiday():
    cal = WorkdayCalendar({D(2026, 10, 8): False, D(2026, 10, 10): False})
    assert cal.day_info(D(2026, 10, 8)) == DayInfo(False, False, "override")
    # Tue 09-29 + 2: Wed 09-30, then 10-08 is off now -> Fri 10-09.
    assert cal.add_workdays(D(2026, 9, 29), 2) == Due(D(2026, 10, 9), False)
    # Wed 09-30 + 3 would land on the make-up Saturday 10-10; both that and
    # 10-08 are overridden off: 10-09, 10-12, 10-13.
    assert cal.add_workdays(D(2026, 9, 30), 3) == Due(D(2026, 10, 13), False)


def test_r61_override_in_unknown_year_is_not_provisional_but_its_neighbours_are():
    cal = WorkdayCalendar({D(2030, 1, 1): False, D(2030, 1, 5): True})
    assert cal.day_info(D(2030, 1, 1)) == DayInfo(False, False, "override")
    assert cal.day_info(D(2030, 1, 5)) == DayInfo(True, False, "override")  # Sat
    assert cal.day_info(D(2030, 1, 2)) == DayInfo(True, True, "fallback")
    # Mon 2029-12-31 + 2: 01-01 off (override), 01-02 (1), 01-03 (2).
    assert cal.add_workdays(D(2029, 12, 31), 2) == Due(D(2030, 1, 3), True)
    # Fri 01-04 + 1: Sat 01-05 is the admin's make-up day, nothing provisional
    # was examined.
    assert cal.add_workdays(D(2030, 1, 4), 1) == Due(D(2030, 1, 5), False)


def test_r61_overrides_accept_datetime_keys_and_are_copied():
    table = {dt.datetime(2026, 10, 5, 9, 30): True}
    cal = WorkdayCalendar(table)
    table[dt.datetime(2026, 10, 6)] = True  # later edits do not leak in
    assert cal.day_info(D(2026, 10, 5)).source == "override"
    assert cal.day_info(D(2026, 10, 6)) == DayInfo(False, False, "library")


def test_r61_fallback_years_lists_years_without_data():
    cal = WorkdayCalendar({D(2028, 1, 1): False})
    assert cal.fallback_years(2025, 2029) == [2027, 2028, 2029]
    assert cal.fallback_years(D(2026, 3, 1), dt.datetime(2027, 2, 1, 8)) == [2027]
    assert cal.fallback_years(2004, 2026) == []
    assert cal.fallback_years(2002, 2004) == [2002, 2003]


def test_r61_complete_year_entered_by_admin_is_no_longer_provisional():
    # The admin entered a (hypothetical) 2027 notice and marked 2027 complete.
    cal = WorkdayCalendar(
        {D(2027, 1, 1): False, D(2027, 1, 2): False, D(2027, 1, 3): False},
        complete_years=[2027],
    )
    assert cal.fallback_years(2026, 2028) == [2028]
    assert cal.day_info(D(2027, 1, 4)) == DayInfo(True, False, "confirmed")
    assert cal.day_info(D(2027, 1, 9)) == DayInfo(False, False, "confirmed")  # Sat
    assert cal.day_info(D(2028, 1, 3)) == DayInfo(True, True, "fallback")
    # Wed 2026-12-30 + 2: Thu 12-31, (01-01..01-03 off), Mon 2027-01-04.
    assert cal.add_workdays(D(2026, 12, 30), 2) == Due(D(2027, 1, 4), False)


# -- normative documents online within 2 working days ----------------


def test_r60_issued_on_mid_autumn_friday_due_next_tuesday(cal):
    # Fri 2026-09-25 is itself a holiday (中秋); 09-26/27 weekend; the two
    # working days are Mon 09-28 and Tue 09-29. National Day starts later.
    assert cal.add_workdays(D(2026, 9, 25), 2) == Due(D(2026, 9, 29), False)


def test_r60_two_working_days_across_national_day(cal):
    # Tue 09-29: Wed 09-30 (1), 10-01..10-07 off, Thu 10-08 (2).
    assert cal.add_workdays(D(2026, 9, 29), 2) == Due(D(2026, 10, 8), False)
    # Wed 09-30: Thu 10-08 (1), Fri 10-09 (2).
    assert cal.add_workdays(D(2026, 9, 30), 2) == Due(D(2026, 10, 9), False)


def test_r60_due_on_a_makeup_sunday(cal):
    # Fri 09-18 + 1: Sat 09-19 off, Sun 09-20 is a 调休 working day.
    assert cal.add_workdays(D(2026, 9, 18), 1) == Due(D(2026, 9, 20), False)
    # Thu 2025-12-31 + 1: 01-01..01-03 off, Sun 2026-01-04 worked.
    assert cal.add_workdays(D(2025, 12, 31), 1) == Due(D(2026, 1, 4), False)


def test_r60_two_working_days_around_spring_festival(cal):
    # Thu 02-12: Fri 02-13 (1), Sat 02-14 make-up (2).
    assert cal.add_workdays(D(2026, 2, 12), 2) == Due(D(2026, 2, 14), False)
    # Sat 02-14: 02-15..02-23 off, Tue 02-24 (1), Wed 02-25 (2).
    assert cal.add_workdays(D(2026, 2, 14), 2) == Due(D(2026, 2, 25), False)


def test_r60_start_day_never_counts_even_if_it_is_a_working_day(cal):
    # Mon 2026-03-02 is an ordinary working day; +1 is Tuesday.
    assert cal.add_workdays(D(2026, 3, 2), 1) == Due(D(2026, 3, 3), False)
    assert cal.add_workdays(D(2026, 3, 2), 2) == Due(D(2026, 3, 4), False)


def test_r60_n_zero_is_the_start_day_itself_never_provisional(cal):
    assert cal.add_workdays(D(2026, 3, 2), 0) == Due(D(2026, 3, 2), False)
    # Even on a holiday, and even in a year without data.
    assert cal.add_workdays(D(2026, 10, 1), 0) == Due(D(2026, 10, 1), False)
    assert cal.add_workdays(D(2030, 1, 5), 0) == Due(D(2030, 1, 5), False)
    assert cal.workdays_between(D(2026, 3, 2), D(2026, 3, 2)) == WorkdayCount(0, False)


def test_r60_negative_n_is_refused(cal):
    with pytest.raises(ValueError):
        cal.add_workdays(D(2026, 3, 2), -1)


def test_r60_datetime_input_ignores_time_of_day(cal):
    early = dt.datetime(2026, 9, 30, 0, 0, 0)
    late = dt.datetime(2026, 9, 30, 23, 59, 59)
    assert cal.add_workdays(early, 2) == Due(D(2026, 10, 9), False)
    assert cal.add_workdays(late, 2) == Due(D(2026, 10, 9), False)
    assert cal.day_info(dt.datetime(2026, 10, 10, 8)) == DayInfo(True, False, "library")


def test_r60_aware_datetime_is_refused_not_misread(cal):
    utc = dt.timezone.utc
    with pytest.raises(ValueError):
        cal.add_workdays(dt.datetime(2026, 9, 29, 17, 0, tzinfo=utc), 2)


def test_r60_due_end_is_the_last_second_of_the_due_day(cal):
    assert cal.due_end(D(2026, 9, 29), 2) == dt.datetime(2026, 10, 8, 23, 59, 59)
    assert cal.due_end(dt.datetime(2026, 9, 29, 15, 30), 2) == dt.datetime(
        2026, 10, 8, 23, 59, 59
    )
    assert cal.add_workdays(D(2026, 9, 29), 2).end == dt.datetime(2026, 10, 8, 23, 59, 59)


def test_r60_is_late_only_after_the_due_day_ends(cal):
    issued = dt.datetime(2026, 9, 29, 10, 0)
    assert not cal.is_late(issued, dt.datetime(2026, 10, 8, 23, 59, 59), 2)
    assert cal.is_late(issued, dt.datetime(2026, 10, 9, 0, 0, 0), 2)
    # Published during the holiday, before the due day: on time.
    assert not cal.is_late(issued, dt.datetime(2026, 10, 3, 12, 0), 2)
    # Dates without time.
    assert not cal.is_late(D(2026, 9, 29), D(2026, 10, 8), 2)
    assert cal.is_late(D(2026, 9, 29), D(2026, 10, 9), 2)


def test_r60_is_late_on_the_weekend_right_after_the_due_friday(cal):
    # Thu 03-05 + 1 is due Fri 03-06; publishing on Sat 03-07 is late even
    # though only one working day has passed since issue.
    issued, published = D(2026, 3, 5), dt.datetime(2026, 3, 7, 10, 0)
    assert cal.add_workdays(issued, 1) == Due(D(2026, 3, 6), False)
    assert cal.workdays_between(issued, published).count == 1
    assert cal.is_late(issued, published, 1)


def test_r60_format_due_line(cal):
    assert format_due_line(cal.add_workdays(D(2026, 9, 29), 2)) == "2026-10-08"
    assert format_due_line(cal.add_workdays(D(2026, 12, 30), 2)) == "2027-01-01 provisional"


# -- messages answered within 5, transferred within 3 working days ---


def test_r71_reply_within_five_working_days_across_national_day(cal):
    # Tue 09-29: 09-30, 10-08, 10-09, Sat 10-10 (make-up), Mon 10-12.
    assert cal.add_workdays(D(2026, 9, 29), 5) == Due(D(2026, 10, 12), False)


def test_r71_transfer_within_three_working_days_due_on_makeup_saturday(cal):
    # Wed 09-30: 10-08, 10-09, Sat 10-10.
    assert cal.add_workdays(D(2026, 9, 30), 3) == Due(D(2026, 10, 10), False)


def test_r71_reply_and_transfer_across_spring_festival(cal):
    # Fri 02-13: Sat 02-14 (1), 02-15..02-23 off, 02-24 (2), 02-25 (3),
    # 02-26 (4), 02-27 (5).
    assert cal.add_workdays(D(2026, 2, 13), 3) == Due(D(2026, 2, 25), False)
    assert cal.add_workdays(D(2026, 2, 13), 5) == Due(D(2026, 2, 27), False)


def test_r71_reply_across_labour_day(cal):
    # Thu 04-30: 05-01..05-05 off, 05-06, 05-07, 05-08, Sat 05-09, Mon 05-11.
    assert cal.add_workdays(D(2026, 4, 30), 5) == Due(D(2026, 5, 11), False)


def test_r71_waited_working_days(cal):
    received = dt.datetime(2026, 9, 29, 16, 0)
    # Nothing counts on the day of receipt, nor during the holiday.
    assert cal.workdays_between(received, dt.datetime(2026, 9, 29, 23, 0)) == WorkdayCount(0, False)
    assert cal.workdays_between(received, D(2026, 9, 30)) == WorkdayCount(1, False)
    assert cal.workdays_between(received, D(2026, 10, 7)) == WorkdayCount(1, False)
    assert cal.workdays_between(received, D(2026, 10, 11)) == WorkdayCount(4, False)
    assert cal.workdays_between(received, D(2026, 10, 12)) == WorkdayCount(5, False)
    # A clock that runs backwards gives 0, not a negative age.
    assert cal.workdays_between(D(2026, 10, 12), received) == WorkdayCount(0, False)


def test_r71_waited_count_agrees_with_due_date_over_all_2026(cal):
    for offset in range(365):
        start = D(2026, 1, 1) + dt.timedelta(days=offset)
        for n in (1, 2, 3, 5):
            due = cal.add_workdays(start, n)
            assert cal.is_workday(due.date), (start, n)
            assert cal.workdays_between(start, due.date).count == n, (start, n)
            day_before = due.date - dt.timedelta(days=1)
            assert cal.workdays_between(start, day_before).count == n - 1, (start, n)
