"""The result type shared by every content check (R-24, R-50..R-53).

A finding is one hit of one check. ``start``/``end`` are character offsets
(Python ``str`` indices, not bytes) into the plain text that was checked; for an
HTML body that is the text returned by ``runner.plain_text`` (see there for how
it is extracted).
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Optional

KINDS = ("lexicon", "personal_data", "classified", "link", "upload")
SEVERITIES = ("block", "warn")

BLOCK = "block"
WARN = "warn"


# Not frozen: a frozen dataclass's __init__ costs twice as much, and a long
# text with many hits builds tens of thousands of these (see bench/checks.py).
@dataclass(slots=True)
class Finding:
    kind: str          # one of KINDS
    category: str      # e.g. 'typo', 'id_card', 'marking', 'hidden_link'
    severity: str      # 'block' stops submission/publishing, 'warn' is shown
    start: int         # offset of the first character in the checked text
    end: int           # offset one past the last character
    text: str          # the text found, text[start:end] of the checked text
    suggestion: Optional[str]  # correction or masked form, None if none
    message: str       # one Simplified Chinese sentence for the user

    def to_dict(self) -> dict:
        return asdict(self)
