"""R-24, R-50, R-51 together: one call over an item body, titles, the CLI."""
import json
from datetime import date

import pytest

from intranet.checks.findings import Finding
from intranet.checks.lexicon import LexiconMatcher
from intranet.checks.runner import (
    check_text,
    check_title,
    cli_check,
    has_blocking,
    plain_text,
    summarize,
)

TODAY = date(2025, 6, 1)

BODY_HTML = (
    "<h1>内部资料 注意保存</h1>"
    "<p>各街道：截止至5月底，我区做为试点单位已完成&nbsp;<b>按装</b>工作。</p>"
    "<p>联系人：张三，手机<span>13812345678</span>，身份证11010519491231002X。</p>"
    "<script>var a = '做为';</script>"
)


@pytest.fixture(scope="module")
def matcher():
    return LexiconMatcher.starter()


def test_r50_r51_r24_check_text_runs_every_text_check_on_html_in_order(matcher):
    findings = check_text(BODY_HTML, matcher, today=TODAY)
    text = plain_text(BODY_HTML)
    got = [(f.kind, f.category, text[f.start:f.end]) for f in findings]
    assert got == [
        ("classified", "marking", "内部资料 注意保存"),
        ("lexicon", "nonstandard", "截止至"),
        ("lexicon", "typo", "做为"),
        ("lexicon", "typo", "按装"),
        ("personal_data", "mobile", "13812345678"),
        ("personal_data", "id_card", "11010519491231002X"),
    ]
    # every finding's text is exactly what its offsets point at
    assert all(text[f.start:f.end] == f.text for f in findings)
    assert [f.start for f in findings] == sorted(f.start for f in findings)


def test_r50_plain_text_of_html_has_one_line_per_block_and_no_script():
    text = plain_text(BODY_HTML)
    assert text.splitlines()[0] == "内部资料 注意保存"
    assert text.splitlines()[1].startswith("各街道：截止至5月底")
    assert "\xa0按装" in text         # entity decoded, kept in place
    assert "var a" not in text
    assert plain_text("纯文本 <不是标签") == "纯文本 <不是标签"


def test_r50_check_text_on_plain_text_and_without_lexicon(matcher):
    text = "我们做为联系人，手机13812345678。"
    assert [f.category for f in check_text(text, matcher, today=TODAY)] == ["typo", "mobile"]
    assert [f.category for f in check_text(text, None, today=TODAY)] == ["mobile"]
    # is_html=False keeps tags as text: offsets then index the raw string
    raw = "<p>做为</p>"
    assert [(f.start, f.end) for f in check_text(raw, matcher, is_html=False)] == [(3, 5)]


def test_r50_check_title_finds_typos_and_markings(matcher):
    found = check_title("【内部】关于做为试点单位的\n通知", matcher)
    assert [(f.kind, f.text, f.start) for f in found] == [
        ("classified", "【内部】", 0), ("lexicon", "做为", 6)]


def test_r50_summarize_counts_by_severity_and_kind(matcher):
    findings = check_text(BODY_HTML, matcher, today=TODAY)
    assert summarize(findings) == {
        "total": 6, "block": 2, "warn": 4,
        "by_kind": {"classified": 1, "lexicon": 3, "personal_data": 2}}
    assert summarize([]) == {"total": 0, "block": 0, "warn": 0, "by_kind": {}}
    assert has_blocking(findings) and not has_blocking(
        [f for f in findings if f.severity == "warn"])


def test_r50_finding_to_dict_has_every_field():
    f = Finding("lexicon", "typo", "warn", 1, 3, "做为", "作为", "“做为”疑为错别字，应为“作为”。")
    assert f.to_dict() == {
        "kind": "lexicon", "category": "typo", "severity": "warn", "start": 1, "end": 3,
        "text": "做为", "suggestion": "作为", "message": "“做为”疑为错别字，应为“作为”。"}


def test_r50_cli_check_prints_one_json_object_per_finding_then_a_summary(tmp_path, matcher):
    path = tmp_path / "item.html"
    path.write_text(BODY_HTML, encoding="utf-8")
    lines, code = cli_check(path, matcher, today=TODAY)
    assert code == 1  # a marking and an ID number block
    objects = [json.loads(line) for line in lines]
    assert all(set(o) == {"kind", "category", "severity", "start", "end", "text", "suggestion"}
               for o in objects[:-1])
    assert objects[0] == {"kind": "classified", "category": "marking", "severity": "block",
                          "start": 0, "end": 9, "text": "内部资料 注意保存", "suggestion": None}
    assert "截止至" in lines[1]            # ensure_ascii=False: Chinese as it is
    assert objects[-1] == {"summary": {"total": 6, "block": 2, "warn": 4,
                                       "by_kind": {"classified": 1, "lexicon": 3,
                                                   "personal_data": 2}}}


def test_r50_cli_check_exit_codes_for_clean_and_unreadable_files(tmp_path, matcher):
    clean = tmp_path / "clean.txt"
    clean.write_text("\ufeff作为试点单位，我们即使困难也要完成任务。", encoding="utf-8")
    assert cli_check(clean, matcher) == (
        [json.dumps({"summary": {"total": 0, "block": 0, "warn": 0, "by_kind": {}}})], 0)
    warn_only = tmp_path / "warn.txt"
    warn_only.write_text("做为试点单位", encoding="utf-8")
    assert cli_check(warn_only, matcher)[1] == 0
    gbk = tmp_path / "gbk.txt"
    gbk.write_bytes("做为试点单位".encode("gbk"))
    lines, code = cli_check(gbk, matcher)
    assert code == 2 and "UTF-8" in lines[0]
    lines, code = cli_check(tmp_path / "missing.txt", matcher)
    assert code == 2 and "无法读取" in json.loads(lines[0])["error"]


def test_r50_typical_item_with_a_large_lexicon_is_checked_fast():
    import random
    import time

    from intranet.checks.lexicon import LexiconEntry

    rng = random.Random(7)
    chars = [chr(c) for c in range(0x4E00, 0x4E00 + 3000)]
    entries = {"".join(rng.choices(chars, k=rng.choice((2, 3, 4)))) for _ in range(50_000)}
    matcher = LexiconMatcher(LexiconEntry(w, "sensitive", "block") for w in entries)
    body = "".join(f"<p>{''.join(rng.choices(chars, k=250))}</p>" for _ in range(20))
    assert len(plain_text(body)) >= 5000
    t0 = time.perf_counter()
    check_text(body, matcher)
    assert time.perf_counter() - t0 < 0.5   # "well under a second"
