"""Benchmark of the content checks (issue 6, R-50).

    /work/main/.venv/bin/python bench/checks.py [--mb 10] [--words 50000]

Builds, deterministically from a seeded RNG, a lexicon of --words entries
(2-4 common CJK characters each, plus our starter lexicon) and --mb MB
(UTF-8) of Chinese text made of common characters with punctuation, line
breaks, lexicon words (about one per 150 characters), dates and amounts, and
now and then a phone number. Then prints side by side, in one run:

* full   -- runner.check_text(text, matcher): lexicon + personal data +
            classified markings, findings built and sorted;
* floor  -- a bare pyahocorasick scan of the same lexicon over the same text
            (iterating every match, doing nothing with it);
* naive  -- ``for word in words: if word in text`` (on a slice: it is far too
            slow for the whole text; its MB/s is measured on the slice);
* item   -- check_text on a typical 5,000-character HTML item.

The last line is ``checks_vs_floor=<full time / floor time>`` (target <= 1.5).
Times are the best of --repeat runs.
"""
from __future__ import annotations

import argparse
import os
import random
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

import ahocorasick  # noqa: E402

from intranet.checks.lexicon import LexiconEntry, LexiconMatcher, load_starter_lexicon  # noqa: E402
from intranet.checks.runner import check_text  # noqa: E402


def common_chars() -> list[str]:
    """The 3,755 level-1 characters of GB 2312 (the most common ones)."""
    chars = []
    for hi in range(0xB0, 0xD8):
        for lo in range(0xA1, 0xFF):
            try:
                chars.append(bytes((hi, lo)).decode("gb2312"))
            except UnicodeDecodeError:
                pass
    return chars


def build_lexicon(rng: random.Random, chars: list[str], n: int) -> list[LexiconEntry]:
    entries = list(load_starter_lexicon())
    seen = {e.word for e in entries}
    categories = [("sensitive", "block"), ("banned", "block"), ("typo", "warn"),
                  ("nonstandard", "warn")]
    while len(entries) < n:
        word = "".join(rng.choice(chars) for _ in range(rng.choice((2, 3, 3, 4, 4))))
        if word in seen:
            continue
        seen.add(word)
        category, severity = categories[len(entries) % 4]
        suggestion = word[::-1] if category in ("typo", "nonstandard") else None
        entries.append(LexiconEntry(word, category, severity, suggestion))
    return entries


def build_text(rng: random.Random, chars: list[str], words: list[str], mb: float) -> str:
    target = int(mb * 1024 * 1024)
    parts: list[str] = []
    size = 0
    punct = "，，，。、；："
    while size < target:
        para = []
        for _ in range(rng.randint(8, 20)):            # sentences
            sentence = []
            for _ in range(rng.randint(2, 5)):         # clauses
                clause = "".join(rng.choices(chars, k=rng.randint(4, 14)))
                roll = rng.random()
                if roll < 0.15:
                    clause += rng.choice(words)
                elif roll < 0.20:
                    clause += f"{rng.randint(2000, 2025)}年{rng.randint(1, 12)}月"
                elif roll < 0.23:
                    clause += f"{rng.randint(1, 9999)}.{rng.randint(0, 99)}万元"
                elif roll < 0.232:
                    clause += f"电话1{rng.choice('3589')}{rng.randint(100000000, 999999999)}"
                sentence.append(clause)
            para.append(rng.choice(punct[:3]).join(sentence) + "。")
        paragraph = "".join(para) + "\n"
        parts.append(paragraph)
        size += len(paragraph.encode("utf-8"))
    return "".join(parts)


def best_of(repeat: int, fn):
    best = float("inf")
    result = None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - t0)
    return best, result


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mb", type=float, default=10.0, help="MB of UTF-8 text (default 10)")
    ap.add_argument("--words", type=int, default=50_000, help="lexicon entries (default 50000)")
    ap.add_argument("--repeat", type=int, default=3, help="runs per measurement, best kept")
    ap.add_argument("--naive-kb", type=int, default=256, help="slice for the naive loop (KB)")
    ap.add_argument("--seed", type=int, default=20240601)
    args = ap.parse_args(argv)

    rng = random.Random(args.seed)
    chars = common_chars()
    t0 = time.perf_counter()
    entries = build_lexicon(rng, chars, args.words)
    words = [e.word for e in entries]
    text = build_text(rng, chars, words, args.mb)
    text_mb = len(text.encode("utf-8")) / 1024 / 1024
    gen_s = time.perf_counter() - t0

    t0 = time.perf_counter()
    matcher = LexiconMatcher(entries)
    build_s = time.perf_counter() - t0

    automaton = ahocorasick.Automaton()
    for i, w in enumerate(words):
        automaton.add_word(w, i)
    automaton.make_automaton()

    def floor():
        n = 0
        for _end, _value in automaton.iter(text):
            n += 1
        return n

    def full():
        return check_text(text, matcher, is_html=None)

    naive_text = text[: args.naive_kb * 1024 // 3]      # ~3 bytes a character
    naive_mb = len(naive_text.encode("utf-8")) / 1024 / 1024

    def naive():
        return sum(1 for w in words if w in naive_text)

    # alternate the runs so both see the same machine state
    floor_s, floor_n = best_of(args.repeat, floor)
    full_s, findings = best_of(args.repeat, full)
    floor_s2, _ = best_of(args.repeat, floor)
    floor_s = min(floor_s, floor_s2)
    naive_s, naive_n = best_of(1, naive)

    item_html = "".join(f"<p>{line}</p>" for line in text[:5200].splitlines())
    item_html = item_html[: item_html.rfind("</p>") + 4]
    item_chars = len(check_text.__globals__["plain_text"](item_html))
    item_s, _ = best_of(max(args.repeat, 5), lambda: check_text(item_html, matcher))

    print(f"lexicon entries        {len(entries):>12,}   (automaton build {build_s:.2f} s)")
    print(f"text                   {text_mb:>12.2f} MB  ({len(text):,} characters; generated in {gen_s:.1f} s)")
    print(f"{'':22} {'seconds':>12} {'MB/s':>10}  result")
    print(f"{'full check_text':22} {full_s:>12.3f} {text_mb / full_s:>10.1f}  {len(findings):,} findings")
    print(f"{'bare pyahocorasick':22} {floor_s:>12.3f} {text_mb / floor_s:>10.1f}  {floor_n:,} raw matches")
    print(f"{'naive word in text':22} {naive_s:>12.3f} {naive_mb / naive_s:>10.3f}  "
          f"{naive_n:,} words present (on a {naive_mb * 1024:.0f} KB slice: too slow for the whole text)")
    print(f"{'item (5,000 chars HTML)':22} {item_s * 1000:>11.2f}ms {'':>10}  {item_chars:,} plain characters")
    print(f"checks_vs_floor={full_s / floor_s:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
