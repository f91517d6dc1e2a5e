"""Word lexicons (词库) and the one-pass matcher (R-50).

An entry is (word, category, severity, suggestion). Categories:

    sensitive    敏感词      a word that must not appear (default severity block)
    banned       禁用语      an expression official writing must not use (block)
    typo         错别字      a common misspelling; suggestion is the correct form (warn)
    nonstandard  不规范用语  a non-standard expression; suggestion is the preferred form (warn)

Import format (UTF-8 text, or the same columns in the first sheet of an .xlsx):

    word,category,severity,suggestion

one entry a line; category and severity may be given in English or Chinese
(敏感词/禁用语/错别字/不规范用语, 阻止/提示); severity and suggestion may be
left out (the category's default severity applies). Lines starting with ``#``
and blank lines are ignored; a header line is skipped. A bad line never fails
the import: it is reported with its line number in Chinese and skipped.

Matching is case-sensitive and exact (no normalisation), so offsets in the
findings are offsets into the text as given.
"""
from __future__ import annotations

import hashlib
import io
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Optional

import ahocorasick

from .findings import BLOCK, WARN, Finding

CATEGORIES = ("sensitive", "banned", "typo", "nonstandard")

CATEGORY_LABELS = {
    "sensitive": "敏感词",
    "banned": "禁用语",
    "typo": "错别字",
    "nonstandard": "不规范用语",
}
SEVERITY_LABELS = {BLOCK: "阻止", WARN: "提示"}

DEFAULT_SEVERITY = {
    "sensitive": BLOCK,
    "banned": BLOCK,
    "typo": WARN,
    "nonstandard": WARN,
}

# Every spelling an admin may type in an import file -> our code.
_CATEGORY_ALIASES = {
    "sensitive": "sensitive", "敏感词": "sensitive", "敏感": "sensitive",
    "banned": "banned", "禁用语": "banned", "禁用词": "banned", "禁用": "banned",
    "typo": "typo", "错别字": "typo", "错字": "typo",
    "nonstandard": "nonstandard", "non-standard": "nonstandard",
    "不规范用语": "nonstandard", "不规范表述": "nonstandard", "不规范": "nonstandard",
}
_SEVERITY_ALIASES = {
    "block": BLOCK, "阻止": BLOCK, "拦截": BLOCK, "禁止": BLOCK,
    "warn": WARN, "warning": WARN, "提示": WARN, "警告": WARN, "提醒": WARN,
}
_HEADER_WORDS = {"word", "词", "词语", "词条", "敏感词"}

MAX_WORD_LENGTH = 50

_STARTER_PATH = Path(__file__).with_name("data") / "starter_lexicon.txt"


@dataclass(frozen=True, slots=True)
class LexiconEntry:
    word: str
    category: str
    severity: str
    suggestion: Optional[str] = None


@dataclass
class ParseResult:
    entries: list[LexiconEntry] = field(default_factory=list)
    # (line number, Chinese message); line numbers start at 1
    errors: list[tuple[int, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def _clean(cell) -> str:
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        cell = int(cell)
    return str(cell).strip().strip("\ufeff").strip()


def _parse_row(cells: list, lineno: int, default_category: str):
    """Return (entry, None) or (None, message) for one row of cells."""
    cells = [_clean(c) for c in cells]
    while cells and not cells[-1]:
        cells.pop()
    if len(cells) > 4:
        return None, f"第{lineno}行：列数过多（应为 词语,类别,级别,建议 四列），请检查是否多了逗号"
    word = cells[0] if cells else ""
    if not word:
        return None, f"第{lineno}行：词语为空"
    if len(word) > MAX_WORD_LENGTH:
        return None, f"第{lineno}行：词语“{word[:10]}…”过长（不超过{MAX_WORD_LENGTH}个字）"
    raw_cat = cells[1] if len(cells) > 1 and cells[1] else default_category
    category = _CATEGORY_ALIASES.get(raw_cat.lower())
    if category is None:
        return None, (f"第{lineno}行：类别“{raw_cat}”无法识别"
                      "（可用：敏感词、禁用语、错别字、不规范用语）")
    raw_sev = cells[2] if len(cells) > 2 else ""
    if raw_sev:
        severity = _SEVERITY_ALIASES.get(raw_sev.lower())
        if severity is None:
            return None, f"第{lineno}行：级别“{raw_sev}”无法识别（可用：阻止、提示）"
    else:
        severity = DEFAULT_SEVERITY[category]
    suggestion = (cells[3] if len(cells) > 3 else "") or None
    if category in ("typo", "nonstandard") and not suggestion:
        return None, f"第{lineno}行：{CATEGORY_LABELS[category]}“{word}”须给出正确写法（第四列）"
    if suggestion == word:
        return None, f"第{lineno}行：建议写法与词语“{word}”相同"
    return LexiconEntry(word, category, severity, suggestion), None


def _is_header(cells: list) -> bool:
    return bool(cells) and _clean(cells[0]).lower() in _HEADER_WORDS and (
        len(cells) < 2 or _clean(cells[1]).lower() in {"category", "类别", "分类"})


def _collect(rows: Iterable[tuple[int, list]], default_category: str) -> ParseResult:
    result = ParseResult()
    seen: dict[str, int] = {}
    first = True
    for lineno, cells in rows:
        if first:
            first = False
            if _is_header(cells):
                continue
        entry, error = _parse_row(cells, lineno, default_category)
        if error:
            result.errors.append((lineno, error))
            continue
        if entry.word in seen:
            result.errors.append(
                (lineno, f"第{lineno}行：词语“{entry.word}”与第{seen[entry.word]}行重复，已忽略"))
            continue
        seen[entry.word] = lineno
        result.entries.append(entry)
    return result


def _split_line(line: str) -> list[str]:
    # Admins type Chinese commas and paste tab-separated cells from Excel.
    for sep in ("\t", "，"):
        line = line.replace(sep, ",")
    return line.split(",")


def parse_lexicon_text(text: str, *, default_category: str = "sensitive") -> ParseResult:
    """Parse the text import format. Never raises on bad lines."""
    text = text.lstrip("\ufeff")

    def rows():
        for lineno, line in enumerate(text.splitlines(), start=1):
            stripped = line.strip()
            if not stripped or stripped.startswith("#"):
                continue
            yield lineno, _split_line(stripped)

    return _collect(rows(), default_category)


def parse_lexicon_xlsx(data, *, default_category: str = "sensitive") -> ParseResult:
    """Parse the first sheet of an .xlsx (bytes, path or binary file object).

    Row numbers in the errors are the Excel row numbers."""
    from openpyxl import load_workbook

    if isinstance(data, (bytes, bytearray)):
        data = io.BytesIO(data)
    try:
        wb = load_workbook(data, read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a non-xlsx file
        return ParseResult(errors=[(0, "文件无法作为Excel（.xlsx）读取，请检查文件格式")])
    try:
        ws = wb.worksheets[0]

        def rows():
            for rowno, values in enumerate(ws.iter_rows(values_only=True), start=1):
                cells = list(values[:5]) if values else []
                if not any(_clean(c) for c in cells):
                    continue
                if _clean(cells[0]).startswith("#"):
                    continue
                yield rowno, cells

        return _collect(rows(), default_category)
    finally:
        wb.close()


def parse_lexicon_file(path, *, default_category: str = "sensitive") -> ParseResult:
    """Parse a .txt/.csv (UTF-8) or .xlsx file chosen by its extension."""
    path = os.fspath(path)
    if path.lower().endswith(".xlsx"):
        return parse_lexicon_xlsx(path, default_category=default_category)
    with open(path, "rb") as fh:
        raw = fh.read()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return ParseResult(errors=[(0, "文件不是UTF-8编码，请另存为UTF-8后再导入")])
    return parse_lexicon_text(text, default_category=default_category)


def export_lexicon_text(entries: Iterable[LexiconEntry]) -> str:
    """Text export that the importer reads back unchanged (Chinese labels)."""
    lines = ["# 词语,类别,级别,建议写法"]
    for e in entries:
        lines.append(",".join([e.word, CATEGORY_LABELS[e.category],
                               SEVERITY_LABELS[e.severity], e.suggestion or ""]).rstrip(","))
    return "\n".join(lines) + "\n"


def export_lexicon_xlsx(entries: Iterable[LexiconEntry]) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "词库"
    ws.append(["词语", "类别", "级别", "建议写法"])
    for e in entries:
        ws.append([e.word, CATEGORY_LABELS[e.category], SEVERITY_LABELS[e.severity],
                   e.suggestion or ""])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def load_starter_lexicon() -> list[LexiconEntry]:
    """The small lexicon we ship so a new install checks something on day one."""
    result = parse_lexicon_file(_STARTER_PATH)
    if result.errors:  # our own file: fail loudly in tests rather than silently
        raise ValueError(f"starter lexicon has errors: {result.errors}")
    return result.entries


def _message(entry: LexiconEntry) -> str:
    if entry.category == "typo":
        return f"“{entry.word}”疑为错别字，应为“{entry.suggestion}”。"
    if entry.category == "nonstandard":
        return f"“{entry.word}”为不规范用语，建议改为“{entry.suggestion}”。"
    label = CATEGORY_LABELS[entry.category]
    tail = f"，建议改为“{entry.suggestion}”" if entry.suggestion else ""
    if entry.severity == BLOCK:
        return f"含有{label}“{entry.word}”{tail}，须修改后才能提交。"
    return f"含有{label}“{entry.word}”{tail}，请确认。"


class LexiconMatcher:
    """All entries compiled once into one Aho-Corasick automaton.

    Build it once per lexicon version and reuse it (it is read-only after
    construction and safe to share between threads). ``fingerprint`` changes
    whenever the entries change, so an app can tell that a cached matcher is
    stale (e.g. compare it with a version stored in the database).

    If the same word appears several times, the strictest entry wins
    (block before warn).
    """

    def __init__(self, entries: Iterable[LexiconEntry]):
        chosen: dict[str, LexiconEntry] = {}
        for e in entries:
            if not e.word:
                continue
            old = chosen.get(e.word)
            if old is None or (old.severity == WARN and e.severity == BLOCK):
                chosen[e.word] = e
        self.entries: tuple[LexiconEntry, ...] = tuple(chosen.values())
        self.fingerprint = hashlib.sha256(
            "\n".join(f"{e.word}\t{e.category}\t{e.severity}\t{e.suggestion or ''}"
                      for e in sorted(self.entries, key=lambda e: e.word)).encode()
        ).hexdigest()[:16]
        self._automaton = None
        if self.entries:
            automaton = ahocorasick.Automaton()
            for e in self.entries:
                # The value carries what the hot loop needs without a lookup:
                # (length, is_block, entry, message).
                automaton.add_word(e.word, (len(e.word), e.severity == BLOCK, e, _message(e)))
            automaton.make_automaton()
            self._automaton = automaton

    def __len__(self) -> int:
        return len(self.entries)

    @classmethod
    def starter(cls) -> "LexiconMatcher":
        return cls(load_starter_lexicon())

    def find(self, text: str) -> list[Finding]:
        """All lexicon hits in ``text`` in one pass, ordered by end offset.

        Overlaps: the automaton reports every occurrence, including words that
        lie inside longer words. A hit fully inside a longer hit is dropped
        (the longer word is the more specific one: 截止至 rather than 截止)
        unless it is a block-level hit inside a warn-level one, which is kept so
        a warning can never hide a word that must block. Partly overlapping
        hits are all kept.
        """
        if self._automaton is None or not text:
            return []
        kept: list = []  # (start, end, is_block, entry, message), sorted by end
        for end_index, (length, is_block, entry, message) in self._automaton.iter(text):
            end = end_index + 1
            start = end - length
            # kept[j:] are the earlier hits that overlap this one (kept is
            # sorted by end, so we stop at the first that ends before start).
            j = len(kept)
            while j and kept[j - 1][1] > start:
                j -= 1
            if j < len(kept):
                # Inside a longer hit already kept? (The automaton yields the
                # longest word first at one end position.)
                if any(k[0] <= start and k[1] >= end and (k[2] or not is_block)
                       for k in kept[j:]):
                    continue
                # Drop earlier hits that lie inside this one.
                kept[j:] = [k for k in kept[j:] if k[0] < start or (k[2] and not is_block)]
            kept.append((start, end, is_block, entry, message))
        return [
            Finding("lexicon", entry.category, entry.severity, start, end, entry.word,
                    entry.suggestion, message)
            for start, end, _b, entry, message in kept
        ]
