"""Classified markings (密级标志) in titles, text and attachment names (R-24).

Every hit blocks publishing. The hard part is not to cry wolf: government
sites publish a lot *about* secrecy work ("保守国家秘密", "机要局", "内部控制",
"请注意保存好票据"), so a bare word is not a marking. We report a word only
where a marking is actually written:

1. the star form of GB/T 9704: 秘密★1年, 机密★10年, 绝密★长期, ★机密, 秘密★
   (anywhere: nobody writes ★ after 机密 by accident);
2. in brackets: 【内部】, （内部资料）, [机密], 〔秘密〕, 「注意保存」;
3. a label: 密级：秘密, 密级: 机密;
4. at the start of a line (a title, a heading, a paragraph, an attachment
   name), followed by the end of the line, a space, punctuation, ★, or
   资料/文件/材料/刊物/件/级: "内部资料 注意保存", "机密\\n", "内部-工作安排.docx"
   (but not "内部控制制度" or "机要局工作总结");
5. 内部资料 next to 注意保存 anywhere ("内部资料，注意保存").

The words are 秘密, 机密, 绝密 (also written with a space, 机 密), 内部, 注意保存,
机要. A marking in the middle of a sentence without any of these shapes is not
reported; that is the price of not blocking every article about 保密工作.
"""
from __future__ import annotations

import re
from typing import Iterable

from .findings import BLOCK, Finding

_S = r"[ \u3000]{0,2}"                      # spaces inside 机 密
_LEVEL = rf"(?:绝{_S}密|机{_S}密|秘{_S}密)"
_WORD = rf"(?:{_LEVEL}|内{_S}部|注意保存|机要)"
_SUFFIX = r"(?:资料|文件|材料|刊物|件|级)"
_DURATION = r"(?:[0-9０-９一二三四五六七八九十]{1,3}[ \u3000]?(?:年|个月|月)|长期)"
# what may follow a word at the start of a line for it to be a marking
_AFTER = r"(?=$|[\s★☆:：,，.。、;；!！\-—_（(【\[〔「『]|" + _SUFFIX + ")"

MARKING_RE = re.compile(
    "|".join([
        # 1. star forms
        rf"{_LEVEL}{_S}[★☆]{_S}{_DURATION}?",
        rf"[★☆]{_S}{_LEVEL}",
        # 2. in brackets, possibly two words: 【内部资料 注意保存】
        rf"[【\[（(〔「『]{_S}{_WORD}{_SUFFIX}?(?:[ \u3000,，、·]{{0,2}}{_WORD}{_SUFFIX}?)?{_S}[】\]）)〕」』]",
        # 3. a 密级 label
        rf"密{_S}级{_S}[:：]?{_S}{_LEVEL}",
        # 5. 内部资料 + 注意保存
        rf"内部资料[ \u3000,，、]{{0,3}}注意保存",
        # 4. a word at the start of a line
        rf"(?m:^)[ \t\u3000]*{_WORD}{_SUFFIX}?{_AFTER}",
    ]))

# Every marking contains one of these. Finding them with str.find (C speed)
# and running MARKING_RE only over the lines that have one keeps a long text
# from being walked position by position by a regex with no literal prefix.
_TRIGGERS = ("密", "内部", "内 ", "内\u3000", "机要", "注意保存")


def _candidate_lines(text: str) -> list[tuple[int, int]]:
    starts = set()
    for trigger in _TRIGGERS:
        i = text.find(trigger)
        while i != -1:
            starts.add(text.rfind("\n", 0, i) + 1)
            nl = text.find("\n", i)
            if nl == -1:
                break
            i = text.find(trigger, nl + 1)
    lines = []
    for start in sorted(starts):
        end = text.find("\n", start)
        lines.append((start, len(text) if end == -1 else end))
    return lines


def find_markings(text: str) -> list[Finding]:
    """Every classified marking in text (lines separated by newlines)."""
    findings = []
    for line_start, line_end in _candidate_lines(text):
        # with pos/endpos, ^ and $ (multi-line) match at the line's ends
        for m in MARKING_RE.finditer(text, line_start, line_end):
            start, end = m.span()
            raw = m.group(0)
            # the start-of-line form may have matched leading indentation
            stripped = raw.lstrip(" \t\u3000")
            start += len(raw) - len(stripped)
            findings.append(Finding(
                "classified", "marking", BLOCK, start, end, stripped, None,
                f"检测到密级标志“{stripped}”，涉密或内部信息不得在网站公开发布。"))
    return findings


def find_markings_in_names(names: Iterable[str]) -> dict[str, list[Finding]]:
    """Markings in attachment file names; each name is checked as one line.
    Returns only the names with findings (offsets are into the name)."""
    result = {}
    for name in names:
        found = find_markings(name)
        if found:
            result[name] = found
    return result
