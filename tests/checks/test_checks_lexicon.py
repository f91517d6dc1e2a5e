"""R-50: lexicons (import, export, matching) and the starter lexicon."""
import io

import pytest
from openpyxl import Workbook

from intranet.checks.lexicon import (
    LexiconEntry,
    LexiconMatcher,
    export_lexicon_text,
    export_lexicon_xlsx,
    load_starter_lexicon,
    parse_lexicon_file,
    parse_lexicon_text,
    parse_lexicon_xlsx,
)


@pytest.fixture(scope="module")
def starter():
    return LexiconMatcher.starter()


def hits(matcher, text):
    return [(f.text, f.category, f.severity, f.suggestion) for f in matcher.find(text)]


# --- real sentences, one per category ------------------------------------------

def test_r50_typo_in_a_real_sentence_is_found_with_its_correction(starter):
    text = "我局做为全市营商环境牵头单位，将再接再励，一股作气完成年度任务。"
    found = starter.find(text)
    assert [(f.text, f.suggestion) for f in found] == [
        ("做为", "作为"), ("再接再励", "再接再厉"), ("一股作气", "一鼓作气")]
    assert all(f.category == "typo" and f.severity == "warn" for f in found)
    # offsets are character offsets into the text
    assert [text[f.start:f.end] for f in found] == ["做为", "再接再励", "一股作气"]
    assert found[0].start == 2
    assert "作为" in found[0].message


def test_r50_nonstandard_expression_is_found_with_preferred_form(starter):
    text = "截止至2024年6月底，全区已为群众开通帐号3.2万个。"
    assert hits(starter, text) == [
        ("截止至", "nonstandard", "warn", "截至"),
        ("帐号", "nonstandard", "warn", "账号"),
    ]


def test_r50_correct_text_has_no_lexicon_finding(starter):
    text = "截至2024年6月底，作为牵头单位，我局即使任务繁重也将再接再厉，为群众开通账号。"
    assert starter.find(text) == []


def test_r50_banned_expression_blocks(starter):
    found = starter.find("社区志愿者定期上门看望辖区内的瞎子和聋子。")
    assert [(f.text, f.category, f.severity, f.suggestion) for f in found] == [
        ("瞎子", "banned", "block", "盲人"), ("聋子", "banned", "block", "聋人")]
    assert "须修改后才能提交" in found[0].message


def test_r50_sensitive_word_from_an_admin_lexicon_blocks():
    matcher = LexiconMatcher([LexiconEntry("网络博彩", "sensitive", "block")])
    found = matcher.find("近日，有群众反映某网站存在网络博彩广告。")
    assert [(f.text, f.category, f.severity, f.start) for f in found] == [
        ("网络博彩", "sensitive", "block", 13)]


def test_r50_template_placeholder_left_in_a_draft_blocks(starter):
    found = starter.find("会议由（此处填写主持人）主持。")
    assert [(f.text, f.severity) for f in found] == [("此处填写", "block")]


def test_r50_starter_lexicon_is_our_own_and_large_enough():
    entries = load_starter_lexicon()
    assert len(entries) >= 60
    words = {e.word: e for e in entries}
    assert words["帐号"].suggestion == "账号"
    assert words["既使"].suggestion == "即使"
    assert words["按装"].suggestion == "安装"
    assert {e.category for e in entries} == {"sensitive", "banned", "typo", "nonstandard"}
    for e in entries:
        if e.category in ("typo", "nonstandard"):
            assert e.suggestion and e.suggestion != e.word


# --- overlaps ------------------------------------------------------------------

def test_r50_a_word_inside_a_longer_word_is_reported_once_as_the_longer():
    matcher = LexiconMatcher([
        LexiconEntry("截止", "nonstandard", "warn", "截至"),
        LexiconEntry("截止至", "nonstandard", "warn", "截至"),
        LexiconEntry("止至", "typo", "warn", "至"),
    ])
    found = matcher.find("截止至今年")
    assert [(f.text, f.start, f.end) for f in found] == [("截止至", 0, 3)]


def test_r50_a_blocking_word_inside_a_warning_word_is_not_hidden():
    matcher = LexiconMatcher([
        LexiconEntry("甲乙丙", "typo", "warn", "甲乙"),
        LexiconEntry("乙", "sensitive", "block"),
    ])
    found = matcher.find("一甲乙丙二")
    assert sorted((f.text, f.severity) for f in found) == [("乙", "block"), ("甲乙丙", "warn")]


def test_r50_partly_overlapping_words_are_both_reported():
    matcher = LexiconMatcher([
        LexiconEntry("甲乙", "typo", "warn", "甲"),
        LexiconEntry("乙丙", "typo", "warn", "丙"),
    ])
    assert [(f.text, f.start) for f in matcher.find("甲乙丙")] == [("甲乙", 0), ("乙丙", 1)]


def test_r50_duplicate_word_keeps_the_strictest_severity():
    matcher = LexiconMatcher([
        LexiconEntry("某词", "sensitive", "warn"),
        LexiconEntry("某词", "sensitive", "block"),
    ])
    assert [f.severity for f in matcher.find("某词")] == ["block"]
    assert len(matcher) == 1


def test_r50_fingerprint_changes_when_the_lexicon_changes():
    a = LexiconMatcher([LexiconEntry("甲", "sensitive", "block")])
    b = LexiconMatcher([LexiconEntry("甲", "sensitive", "block")])
    c = LexiconMatcher([LexiconEntry("甲", "sensitive", "warn")])
    assert a.fingerprint == b.fingerprint != c.fingerprint


def test_r50_empty_lexicon_finds_nothing():
    assert LexiconMatcher([]).find("任何文字") == []


# --- import / export -------------------------------------------------------------

def test_r50_import_text_accepts_chinese_and_english_labels_and_reports_bad_lines():
    text = "\n".join([
        "词语,类别,级别,建议写法",          # header, skipped
        "# comment",
        "做为,错别字,提示,作为",
        "既使，typo，warn，即使",            # Chinese commas
        "某敏感词,敏感词,阻止",
        "某禁用语\t禁用语",                  # tab, default severity
        "",
        "坏类别,形容词,阻止",                # line 8: unknown category
        "坏级别,敏感词,很严重",              # line 9: unknown severity
        "按装,错别字,提示",                  # line 10: typo without correction
        "做为,错别字,提示,作为",             # line 11: duplicate
        "太,多,列,了,啊",                    # line 12: too many columns
    ])
    result = parse_lexicon_text(text)
    assert [(e.word, e.category, e.severity, e.suggestion) for e in result.entries] == [
        ("做为", "typo", "warn", "作为"),
        ("既使", "typo", "warn", "即使"),
        ("某敏感词", "sensitive", "block", None),
        ("某禁用语", "banned", "block", None),
    ]
    lines = [n for n, _msg in result.errors]
    assert lines == [8, 9, 10, 11, 12]
    messages = dict(result.errors)
    assert messages[8].startswith("第8行") and "形容词" in messages[8]
    assert "很严重" in messages[9]
    assert "正确写法" in messages[10]
    assert "重复" in messages[11]


def test_r50_import_word_only_line_uses_default_category():
    result = parse_lexicon_text("某词\n", default_category="banned")
    assert result.ok
    assert result.entries == [LexiconEntry("某词", "banned", "block", None)]


def test_r50_import_xlsx_with_same_columns(tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.append(["词语", "类别", "级别", "建议写法"])
    ws.append(["再接再励", "错别字", "提示", "再接再厉"])
    ws.append(["某敏感词", "敏感词", "阻止", None])
    ws.append(["坏", "不知道", None, None])
    path = tmp_path / "词库.xlsx"
    wb.save(path)
    result = parse_lexicon_file(path)
    assert [(e.word, e.category, e.severity, e.suggestion) for e in result.entries] == [
        ("再接再励", "typo", "warn", "再接再厉"), ("某敏感词", "sensitive", "block", None)]
    assert [n for n, _ in result.errors] == [4]
    assert result.errors[0][1].startswith("第4行")


def test_r50_import_xlsx_that_is_not_excel_reports_instead_of_raising():
    result = parse_lexicon_xlsx(b"not an excel file")
    assert not result.entries and result.errors and "Excel" in result.errors[0][1]


def test_r50_import_non_utf8_text_file_is_reported(tmp_path):
    path = tmp_path / "gbk.txt"
    path.write_bytes("做为,错别字,提示,作为".encode("gbk"))
    result = parse_lexicon_file(path)
    assert not result.entries and "UTF-8" in result.errors[0][1]


def test_r50_export_text_and_xlsx_round_trip():
    entries = load_starter_lexicon()
    again = parse_lexicon_text(export_lexicon_text(entries))
    assert again.ok and again.entries == entries
    from_xlsx = parse_lexicon_xlsx(io.BytesIO(export_lexicon_xlsx(entries)))
    assert from_xlsx.ok and from_xlsx.entries == entries
