"""Reading the State Council's yearly holiday notice (国务院办公厅关于某年部分节假日
安排的通知) into days, so an admin can paste it instead of typing every date.

Two forms are understood, mixed freely, one statement per line or sentence:

1. The notice's own sentences, for a given year::

       一、元旦：1月1日（周四）至3日（周六）放假调休，共3天。1月4日（周日）上班。
       二、春节：2月15日（农历腊月二十八、周日）至23日（农历正月初七、周一）放假调休，共9天。2月14日（周六）、2月28日（周六）上班。

   "放假" ranges become holidays (every day of the range); the dates before
   "上班" become make-up working days. The festival name is kept as the note.

2. Plain lines, one day or range each, with 休/放假/holiday/off or
   班/上班/workday/work and an optional note::

       2027-01-01 休 元旦
       2027-02-06~2027-02-12 休 春节
       2027-02-14 班 春节调休

`parse_notice(text, year)` returns `(days, errors)`: `days` maps a date to
`(is_workday, note)`; `errors` lists the lines it could not read (Chinese)."""
import re
from datetime import date, timedelta

_ISO = r"(\d{4})-(\d{1,2})-(\d{1,2})"
_PLAIN = re.compile(
    rf"^\s*{_ISO}\s*(?:(?:~|～|至|到|\.\.|—|–|-)\s*{_ISO})?\s*[,，:：]?\s*"
    r"(休|放假|假|holiday|off|上班|班|workday|work)\s*[,，:：]?\s*(.*)$",
    re.IGNORECASE)
_OFF_WORDS = {"休", "放假", "假", "holiday", "off"}

# 1月1日（周四）至3日（周六）放假 / 12月31日至1月2日放假 / 10月1日至7日放假调休
_PAREN = r"(?:[（(][^）)]*[）)])?"
_HOLIDAY = re.compile(
    rf"(\d{{1,2}})月(\d{{1,2}})日{_PAREN}\s*(?:(?:至|到|—|-|～|~)\s*(?:(\d{{1,2}})月)?(\d{{1,2}})日{_PAREN})?\s*放假")
_DAY = re.compile(rf"(\d{{1,2}})月(\d{{1,2}})日{_PAREN}")
_FESTIVAL = re.compile(r"^\s*(?:[一二三四五六七八九十]+、)?\s*([^：:，,。\d]{1,8})[：:]")


def _day(year, month, day_no, errors, source):
    try:
        return date(year, month, day_no)
    except ValueError:
        errors.append(f"日期不存在：{source.strip()}")
        return None


def _span(first, last):
    out, d = [], first
    while d <= last:
        out.append(d)
        d += timedelta(days=1)
    return out


def parse_notice(text, year):
    days, errors = {}, []
    for raw_line in (text or "").splitlines():
        line = raw_line.strip()
        if not line:
            continue
        plain = _PLAIN.match(line)
        if plain:
            y1, m1, d1, y2, m2, d2, word, note = plain.groups()
            first = _day(int(y1), int(m1), int(d1), errors, line)
            last = _day(int(y2), int(m2), int(d2), errors, line) if y2 else first
            if first is None or last is None:
                continue
            if last < first:
                errors.append(f"结束日期早于开始日期：{line}")
                continue
            is_workday = word.lower() not in _OFF_WORDS
            for d in _span(first, last):
                days[d] = (is_workday, note.strip()[:200])
            continue
        found = _parse_notice_sentence(line, year, days, errors)
        if not found:
            errors.append(f"无法识别：{line}")
    return days, errors


def _parse_notice_sentence(line, year, days, errors):
    festival = _FESTIVAL.match(line)
    note = festival.group(1).strip() if festival else ""
    found = False
    rest = line
    for m in _HOLIDAY.finditer(line):
        found = True
        m1, d1, m2, d2 = m.group(1), m.group(2), m.group(3), m.group(4)
        first = _day(year, int(m1), int(d1), errors, line)
        if first is None:
            continue
        if d2 is None:
            last = first
        else:
            end_month = int(m2) if m2 else int(m1)
            end_year = year + 1 if end_month < int(m1) else year  # 12月31日至1月2日
            last = _day(end_year, end_month, int(d2), errors, line)
            if last is None:
                continue
        for d in _span(first, last):
            days[d] = (False, note)
        rest = rest.replace(m.group(0), " ")
    # Make-up working days: the dates in each clause that ends with 上班.
    for clause in re.split(r"[。；;]", rest):
        if "上班" not in clause:
            continue
        for m in _DAY.finditer(clause.split("上班")[0]):
            d = _day(year, int(m.group(1)), int(m.group(2)), errors, line)
            if d is not None:
                days[d] = (True, f"{note}调休上班" if note else "调休上班")
                found = True
    return found
