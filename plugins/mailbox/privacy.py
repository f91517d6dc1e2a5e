"""Privacy masking of a message before it is shown on the public site (R-72,
R-51): the sender's name, ID numbers, mobile and landline numbers, bank card
numbers and e-mail addresses; and the sender's own name and contact wherever
they appear in the text.

Small and self-contained on purpose; the content-checks work
(intranet.checks.personal) finds the same data with stricter validation and
can replace `mask_text` when it lands."""
import re

_ID18 = re.compile(r"(?<![0-9A-Za-z])(\d{6})(\d{8})(\d{3}[\dXx])(?![0-9A-Za-z])")
_CARD = re.compile(r"(?<![0-9A-Za-z])\d(?:[ -]?\d){15,18}(?![0-9A-Za-z])")
_MOBILE = re.compile(r"(?<!\d)(?:\+?86[ -]?)?(1[3-9]\d)[ -]?(\d{4})[ -]?(\d{4})(?!\d)")
_LANDLINE = re.compile(r"(?<!\d)(0\d{2,3})[ -]?(\d{3,4})(\d{4})(?!\d)")
_EMAIL = re.compile(r"([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*(@[A-Za-z0-9.-]+\.[A-Za-z]{2,})")


def mask_name(name):
    """张三 -> 张*, 欧阳娜娜 -> 欧***; empty -> 匿名."""
    name = (name or "").strip()
    if not name:
        return "匿名"
    return name[0] + "*" * max(1, len(name) - 1)


def _keep_digits(span, head, tail):
    """Star every digit of span except the first `head` and last `tail` ones."""
    total = sum(ch.isdigit() for ch in span)
    out, seen = [], 0
    for ch in span:
        if ch.isdigit():
            seen += 1
            out.append(ch if seen <= head or seen > total - tail else "*")
        else:
            out.append(ch)
    return "".join(out)


def mask_text(text, extra=()):
    """The text with personal data masked; `extra` are strings (the sender's
    name and contact) replaced wherever they occur."""
    out = text or ""
    for value in sorted((v.strip() for v in extra if v and len(v.strip()) >= 2), key=len, reverse=True):
        if any(ch.isdigit() or ch == "@" for ch in value):
            out = out.replace(value, _mask_contact(value))
        else:
            out = out.replace(value, mask_name(value))
    out = _ID18.sub(lambda m: m.group(1)[:2] + "*" * 13 + m.group(3)[-3:], out)
    out = _CARD.sub(lambda m: _keep_digits(m.group(0), 4, 4), out)
    out = _MOBILE.sub(lambda m: f"{m.group(1)}****{m.group(3)}", out)
    out = _LANDLINE.sub(lambda m: f"{m.group(1)}-****{m.group(3)}", out)
    out = _EMAIL.sub(lambda m: f"{m.group(1)}***{m.group(2)}", out)
    return out


def _mask_contact(value):
    masked = mask_text(value)
    if masked != value:
        return masked
    return value[:1] + "*" * (len(value) - 1)
