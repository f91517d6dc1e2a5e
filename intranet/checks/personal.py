"""Personal data in text (R-51): ID numbers, phone numbers, bank cards, e-mail.

Each finding carries the masked form as its suggestion. Masks keep the length
and the separators of what they hide (so offsets stay valid and a mask can be
applied inside HTML text nodes), except e-mail, which becomes
first character + ``***`` + ``@domain``:

    mobile     13812345678          -> 138****5678
    ID         11010519491231002X   -> 11*************02X   (first 2 + last 3)
    bank card  6222021234567890123  -> 6222***********0123  (first 4 + last 4)
    landline   0571-88776655        -> 0571-****6655        (area code + last 4)
    e-mail     zhangsan@example.cn  -> z***@example.cn

(SPEC R-51 writes the ID example as 35**************123, 19 characters; an
18-digit number keeps its length here, so 13 stars.)

False positives are kept low on purpose: an 18-digit number is an ID only if
its check digit is right, its first two digits are a province code and its
birth date is a real date not in the future; a 15-digit old-form ID needs the
province and date; a bank card must pass the Luhn check and not be an ID.
Number runs glued to letters or other digits (hashes, serial codes) are not
looked at.
"""
from __future__ import annotations

import re
from datetime import date
from typing import Iterable, Optional

from .findings import BLOCK, WARN, Finding

# ID numbers and bank card numbers published unmasked are serious leaks, and
# our checks make them rare false positives: block. Phone numbers and e-mail
# addresses are often an office's published contact: warn.
DEFAULT_SEVERITIES = {
    "id_card": BLOCK,
    "bank_card": BLOCK,
    "mobile": WARN,
    "landline": WARN,
    "email": WARN,
}

LABELS = {
    "id_card": "身份证号码",
    "bank_card": "银行卡号",
    "mobile": "手机号码",
    "landline": "固定电话号码",
    "email": "电子邮箱地址",
}

# First two digits of a resident ID: provinces, plus 71/81/82/83 (Taiwan,
# Hong Kong, Macao residence permits) and 91 (foreigners' permanent residence).
PROVINCE_CODES = frozenset(
    {11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44,
     45, 46, 50, 51, 52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82, 83, 91})

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"

# Every pattern starts with a character class so that the regex engine can
# skip quickly to candidate characters (a leading look-behind would make it
# try every position); the "not glued to a longer number or code" look-behind
# therefore comes right after the first character and looks two back.
_B = r"(?<![0-9A-Za-z].)"
_E = r"(?![0-9A-Za-z])"
_AREA = r"(?:10|2[0-9]|[3-9][0-9]{2})"   # area code after its leading 0

# Long digit runs: 15/18-digit IDs and 16-19-digit cards are told apart in
# Python. One pattern so the text is scanned once for all of them.
_LONG_RUN = re.compile(r"[0-9]" + _B + r"[0-9]{14,18}(?:(?<=[0-9]{17})[Xx])?" + _E)
# Cards written in groups of four: 6222 0212 3456 7890 123
_GROUPED_CARD = re.compile(
    r"[0-9]" + _B + r"[0-9]{3}([ -])[0-9]{4}(?:\1[0-9]{4}){2}(?:\1[0-9]{1,3})?" + _E)
# 13812345678, 138-1234-5678, 138 1234 5678, +86 138..., 0086138...
_MOBILE = re.compile(
    r"[+01]" + _B + r"(?:(?<=\+)86[- ]?1|(?<=0)086[- ]?1|(?<=1))"
    r"[3-9][0-9](?:([- ])[0-9]{4}\1[0-9]{4}|[0-9]{8})" + _E)
# Area code 010, 02x or 0[3-9]xx, optionally in brackets, then a 7-8 digit
# local number not starting with 0, then an optional extension.
_LANDLINE = re.compile(
    r"[0(（]" + _B + r"(?:(?<=[(（])0" + _AREA + r"[)）][- ]?|(?<=0)" + _AREA + r"[- ]?)"
    r"[1-9][0-9]{6,7}(?:(?:-|转)[0-9]{1,5})?" + _E)
_EMAIL = re.compile(
    r"[A-Za-z0-9](?<![A-Za-z0-9._%+-].)[A-Za-z0-9._%+-]{0,63}@"
    r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,24}(?![A-Za-z0-9-])")

_DIGITS_ONLY = re.compile(r"[^0-9Xx]")


def _valid_date(y: int, m: int, d: int, today: date) -> bool:
    try:
        born = date(y, m, d)
    except ValueError:
        return False
    return date(1900, 1, 1) <= born <= today


def is_valid_id18(number: str, today: Optional[date] = None) -> bool:
    """18-digit resident ID: province, birth date and check digit (GB 11643)."""
    if len(number) != 18 or not number[:17].isdigit():
        return False
    if int(number[:2]) not in PROVINCE_CODES:
        return False
    if not _valid_date(int(number[6:10]), int(number[10:12]), int(number[12:14]),
                       today or date.today()):
        return False
    total = sum(int(c) * w for c, w in zip(number[:17], _ID_WEIGHTS))
    return _ID_CHECK[total % 11] == number[17].upper()


def id18_check_digit(first17: str) -> str:
    """The check character for the first 17 digits (used by tests and tools)."""
    return _ID_CHECK[sum(int(c) * w for c, w in zip(first17, _ID_WEIGHTS)) % 11]


def is_valid_id15(number: str, today: Optional[date] = None) -> bool:
    """Old 15-digit ID (issued before 1999): province and 19yy birth date."""
    if len(number) != 15 or not number.isdigit():
        return False
    if int(number[:2]) not in PROVINCE_CODES:
        return False
    return _valid_date(1900 + int(number[6:8]), int(number[8:10]), int(number[10:12]),
                       today or date.today())


def luhn_ok(number: str) -> bool:
    total = 0
    for i, c in enumerate(reversed(number)):
        n = ord(c) - 48
        if i % 2:
            n *= 2
            if n > 9:
                n -= 9
        total += n
    return total % 10 == 0


def _mask_digits(span: str, keep_head: int, keep_tail: int) -> str:
    """Replace the digits of span with '*' except the first/last few,
    keeping separators and the length."""
    positions = [i for i, c in enumerate(span) if c.isdigit() or c in "Xx"]
    hide = set(positions[keep_head:len(positions) - keep_tail])
    return "".join("*" if i in hide else c for i, c in enumerate(span))


def mask_email(address: str) -> str:
    local, _, domain = address.partition("@")
    return f"{local[:1]}***@{domain}"


def _mask_mobile(span: str) -> str:
    # Leave a +86/0086 prefix alone; mask digits 4-7 of the 11-digit number.
    m = re.match(r"(?:\+|00)86[- ]?", span)
    head = m.group(0) if m else ""
    return head + _mask_digits(span[len(head):], 3, 4)


def _mask_landline(span: str) -> str:
    m = re.match(r"[(（]?0[0-9]{2,3}[)）]?[- ]?", span)
    area = m.group(0)
    local, sep, ext = span[len(area):], "", ""
    for mark in ("-", "转"):
        if mark in local:
            local, sep, ext = local.partition(mark)
            break
    return area + _mask_digits(local, 0, 4) + sep + ext


def _finding(category: str, start: int, end: int, text: str, masked: str,
             severities: dict) -> Finding:
    label = LABELS[category]
    return Finding("personal_data", category, severities[category], start, end, text, masked,
                   f"疑似{label}“{text}”，公开发布前应脱敏为“{masked}”。")


def find_personal_data(text: str, *, today: Optional[date] = None,
                       severities: Optional[dict] = None) -> list[Finding]:
    """All personal data in text, sorted by position, never overlapping."""
    sev = {**DEFAULT_SEVERITIES, **(severities or {})}
    today = today or date.today()
    found: list[Finding] = []
    # A quick test per family keeps a text without digits (or without '@')
    # from being scanned by every pattern.
    if any(c in text for c in "0123456789"):
        for m in _LONG_RUN.finditer(text):
            s = m.group(0)
            if len(s) == 18 and is_valid_id18(s, today):
                found.append(_finding("id_card", m.start(), m.end(), s, _mask_digits(s, 2, 3), sev))
            elif len(s) == 15 and is_valid_id15(s, today):
                found.append(_finding("id_card", m.start(), m.end(), s, _mask_digits(s, 2, 3), sev))
            elif len(s) >= 16 and s.isdigit() and luhn_ok(s):
                found.append(_finding("bank_card", m.start(), m.end(), s, _mask_digits(s, 4, 4), sev))
        for m in _GROUPED_CARD.finditer(text):
            s = m.group(0)
            digits = _DIGITS_ONLY.sub("", s)
            if 16 <= len(digits) <= 19 and luhn_ok(digits) and not is_valid_id18(digits, today):
                found.append(_finding("bank_card", m.start(), m.end(), s, _mask_digits(s, 4, 4), sev))
        for m in _MOBILE.finditer(text):
            s = m.group(0)
            found.append(_finding("mobile", m.start(), m.end(), s, _mask_mobile(s), sev))
        for m in _LANDLINE.finditer(text):
            s = m.group(0)
            found.append(_finding("landline", m.start(), m.end(), s, _mask_landline(s), sev))
    if "@" in text:
        for m in _EMAIL.finditer(text):
            s = m.group(0)
            found.append(_finding("email", m.start(), m.end(), s, mask_email(s), sev))
    if len(found) < 2:
        return found
    found.sort(key=lambda f: (f.start, -f.end))
    result = [found[0]]
    for f in found[1:]:
        if f.start >= result[-1].end:  # drop a hit overlapping an earlier one
            result.append(f)
    return result


def apply_masking(text_or_html: str, findings: Iterable[Finding], *,
                  is_html: Optional[bool] = None) -> str:
    """Replace every personal-data finding's span with its masked form.

    ``findings`` must come from checking this same text (for HTML: offsets into
    its extracted plain text, as ``runner.check_text`` returns them). In HTML
    only text nodes are edited; tags and attributes stay as they are, so an
    address inside an attribute (``href="mailto:..."``, ``title="..."``) is
    not masked: the checks only see text. Findings of other kinds are ignored.
    """
    from .htmltext import extract, looks_like_html, replace_spans

    edits = sorted(
        (f.start, f.end, f.suggestion) for f in findings
        if f.kind == "personal_data" and f.suggestion is not None)
    if not edits:
        return text_or_html
    if is_html is None:
        is_html = looks_like_html(text_or_html)
    if is_html:
        return replace_spans(text_or_html, extract(text_or_html), edits)
    out, last = [], 0
    for start, end, masked in edits:
        if start < last:  # overlapping edits: keep the first
            continue
        out.append(text_or_html[last:start])
        out.append(masked)
        last = end
    out.append(text_or_html[last:])
    return "".join(out)
