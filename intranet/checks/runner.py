"""One call for every text check of an item (R-24, R-50, R-51).

Offsets: ``check_text`` works on plain text. For an HTML body it first
extracts the plain text (``plain_text``; see ``htmltext`` for the rules: text
nodes in order, entities decoded, a newline per block element, no script or
style). Every finding's ``start``/``end`` index that plain text, so the editor
highlights ``plain_text(body)[f.start:f.end]``; ``personal.apply_masking``
maps masks back into the HTML itself.

Links (R-52) and uploads (R-53) have their own entry points in ``links`` and
``uploads``: a link check needs the allow-list and the network, an upload
check needs bytes.
"""
from __future__ import annotations

import json
import os
from operator import attrgetter
from datetime import date
from typing import Iterable, Optional

from .findings import BLOCK, WARN, Finding
from .htmltext import html_to_text, looks_like_html
from .lexicon import LexiconMatcher
from .markings import find_markings
from .personal import find_personal_data

CLI_KEYS = ("kind", "category", "severity", "start", "end", "text", "suggestion")


def plain_text(text_or_html: str, *, is_html: Optional[bool] = None) -> str:
    """The text that finding offsets refer to."""
    if is_html is None:
        is_html = looks_like_html(text_or_html)
    return html_to_text(text_or_html) if is_html else text_or_html


# by position; sort() is stable, so hits at the same span keep the order
# lexicon, personal data, markings
_sort_key = attrgetter("start", "end")


def check_plain(text: str, matcher: Optional[LexiconMatcher], *,
                today: Optional[date] = None) -> list[Finding]:
    """Lexicon, personal data and markings over plain text, by position."""
    findings: list[Finding] = []
    if matcher is not None:
        findings.extend(matcher.find(text))
    findings.extend(find_personal_data(text, today=today))
    findings.extend(find_markings(text))
    findings.sort(key=_sort_key)
    return findings


def check_text(text_or_html: str, matcher: Optional[LexiconMatcher], *,
               is_html: Optional[bool] = None, today: Optional[date] = None) -> list[Finding]:
    """Every text check over an item body (plain text or HTML).

    ``is_html`` None means: HTML if it contains a tag. ``matcher`` None skips
    the lexicon. Offsets index ``plain_text(text_or_html)``."""
    return check_plain(plain_text(text_or_html, is_html=is_html), matcher, today=today)


def check_title(title: str, matcher: Optional[LexiconMatcher] = None, *,
                today: Optional[date] = None) -> list[Finding]:
    """Text checks of a title; it is one line, so a marking at its start
    (内部：…, 【机密】…) is caught. Offsets index the title."""
    one_line = title.replace("\r", " ").replace("\n", " ")  # same length
    return check_plain(one_line, matcher, today=today)


def check_filenames(names: Iterable[str], matcher: Optional[LexiconMatcher] = None
                    ) -> dict[str, list[Finding]]:
    """Markings (and lexicon words, with a matcher) in attachment names, each
    checked as one line. Returns only the names that have findings; offsets
    index the name."""
    result = {}
    for name in names:
        found = find_markings(name)
        if matcher is not None:
            found = sorted(found + matcher.find(name), key=_sort_key)
        if found:
            result[name] = found
    return result


def summarize(findings: Iterable[Finding]) -> dict:
    """{'total': n, 'block': n, 'warn': n, 'by_kind': {kind: n}}"""
    summary = {"total": 0, BLOCK: 0, WARN: 0, "by_kind": {}}
    for f in findings:
        summary["total"] += 1
        summary[f.severity] = summary.get(f.severity, 0) + 1
        summary["by_kind"][f.kind] = summary["by_kind"].get(f.kind, 0) + 1
    return summary


def has_blocking(findings: Iterable[Finding]) -> bool:
    return any(f.severity == BLOCK for f in findings)


def cli_check(path, matcher: Optional[LexiconMatcher], *,
              today: Optional[date] = None) -> tuple[list[str], int]:
    """What ``flask --app wsgi check FILE`` prints: one JSON object per finding
    (keys kind, category, severity, start, end, text, suggestion) per line,
    then a summary line ``{"summary": {...}}``.

    Exit code: 0 no blocking finding, 1 at least one, 2 the file could not be
    read as UTF-8 (the only line then says why)."""
    try:
        with open(os.fspath(path), "rb") as fh:
            content = fh.read().decode("utf-8-sig")
    except OSError as exc:
        return [json.dumps({"error": f"无法读取文件：{exc.strerror or exc}"}, ensure_ascii=False)], 2
    except UnicodeDecodeError:
        return [json.dumps({"error": "文件不是UTF-8编码"}, ensure_ascii=False)], 2
    findings = check_text(content, matcher, today=today)
    lines = [json.dumps({k: getattr(f, k) for k in CLI_KEYS}, ensure_ascii=False)
             for f in findings]
    summary = summarize(findings)
    lines.append(json.dumps({"summary": summary}, ensure_ascii=False))
    return lines, 1 if summary[BLOCK] else 0
