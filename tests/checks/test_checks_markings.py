"""R-24: classified markings in titles, text and attachment names block."""
import pytest

from intranet.checks.markings import find_markings
from intranet.checks.runner import check_filenames, check_text, check_title, plain_text


def marks(text):
    return [f.text for f in find_markings(text)]


@pytest.mark.parametrize("title, expected", [
    ("秘密★1年 关于做好防汛工作的通知", "秘密★1年"),
    ("机密★10年", "机密★10年"),
    ("绝密★长期 某某方案", "绝密★长期"),
    ("★机密 关于某事项的请示", "★机密"),
    ("【内部】2024年第二季度工作安排", "【内部】"),
    ("（内部资料）全区安全生产情况通报", "（内部资料）"),
    ("[机密]项目清单", "[机密]"),
    ("内部资料 注意保存", "内部资料 注意保存"),
    ("内部：关于干部调整的初步考虑", "内部"),
    ("机 密 关于某事项的报告", "机 密"),
    ("注意保存：会议纪要", "注意保存"),
    ("机要件 关于某事的函", "机要件"),
])
def test_r24_marking_in_a_title_blocks(title, expected):
    found = check_title(title)
    assert [f.text for f in found] == [expected]
    f = found[0]
    assert (f.kind, f.category, f.severity) == ("classified", "marking", "block")
    assert title[f.start:f.end] == expected
    assert "不得" in f.message


@pytest.mark.parametrize("title", [
    "关于加强内部控制制度建设的通知",
    "内部控制手册（2024年版）",
    "内部审计工作要点",
    "市委机要局开展保密宣传月活动",
    "机要交通工作会议召开",
    "深入学习《中华人民共和国保守国家秘密法》",
    "企业商业秘密保护指引",
    "请市民注意保存好缴费凭证",
    "密切联系群众",
])
def test_r24_ordinary_titles_about_secrecy_work_are_not_markings(title):
    assert check_title(title) == []


def test_r24_marking_in_body_text_is_found_at_the_start_of_a_paragraph():
    html = ("<h2>秘密★6个月</h2><p>各科室：</p><p>内部资料，注意保存。本次会议研究了……</p>"
            "<p>我局历来重视内部控制和保守国家秘密工作。</p>")
    found = [f for f in check_text(html, None) if f.kind == "classified"]
    text = plain_text(html)
    assert [text[f.start:f.end] for f in found] == ["秘密★6个月", "内部资料，注意保存"]


def test_r24_marking_label_and_bracket_in_the_middle_of_text():
    assert marks("本文件密级：机密，请妥善保管。") == ["密级：机密"]
    assert marks("附件为〔秘密〕材料，未经批准不得复制。") == ["〔秘密〕"]


def test_r24_standalone_marking_line_in_body():
    assert marks("关于某事项的通知\n绝密\n正文内容") == ["绝密"]
    assert marks("各单位：\n  内部\n") == ["内部"]


def test_r24_words_in_the_middle_of_a_sentence_are_not_markings():
    assert marks("全市各级机关要严格保守国家秘密和工作秘密，内部管理要规范。") == []


def test_r24_marking_in_attachment_names():
    names = ["2024年工作要点（内部）.docx", "秘密★1年-干部名单.xlsx", "【机密】预算草案.pdf",
             "内部-会议纪要.doc", "内部控制手册.pdf", "机要局简介.pdf", "公示名单.xlsx"]
    result = check_filenames(names)
    assert {name: [f.text for f in found] for name, found in result.items()} == {
        "2024年工作要点（内部）.docx": ["（内部）"],
        "秘密★1年-干部名单.xlsx": ["秘密★1年"],
        "【机密】预算草案.pdf": ["【机密】"],
        "内部-会议纪要.doc": ["内部"],
    }
    assert all(f.severity == "block" for found in result.values() for f in found)
