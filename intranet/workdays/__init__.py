"""Chinese working days for deadlines (R-60, R-61, R-71)."""

from .calendar import DayInfo, Due, WorkdayCalendar, WorkdayCount, format_due_line

__all__ = ["DayInfo", "Due", "WorkdayCalendar", "WorkdayCount", "format_due_line"]
