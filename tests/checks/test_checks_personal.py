"""R-51: personal data found with its masked form; masking applied."""
from datetime import date

from intranet.checks.personal import (
    apply_masking,
    find_personal_data,
    id18_check_digit,
    is_valid_id18,
    luhn_ok,
)
from intranet.checks.runner import check_text, plain_text

TODAY = date(2025, 6, 1)

# Valid 18-digit IDs; the check digits were computed with the GB 11643
# algorithm (11010519491231002X is the example printed in the standard).
VALID_IDS = ["11010519491231002X", "440308199901011234", "350102198506151231"]
# Luhn-valid card numbers (16 and 19 digits).
VALID_CARDS = ["4111111111111111", "6222021234567890128", "6217001234567890122"]


def find(text):
    return [(f.category, f.text, f.suggestion) for f in find_personal_data(text, today=TODAY)]


def test_r51_check_digit_matches_the_standard_example():
    assert id18_check_digit("11010519491231002") == "X"
    # independent oracle: weights 2^(17-i) mod 11, check = (12 - sum mod 11) mod 11
    for number in VALID_IDS:
        total = sum(int(c) * (2 ** (17 - i) % 11) for i, c in enumerate(number[:17]))
        expected = (12 - total % 11) % 11
        assert number[17] == ("X" if expected == 10 else str(expected))
        assert is_valid_id18(number, TODAY)


def test_r51_valid_id_numbers_are_found_and_masked_first2_last3():
    text = "申请人王某，身份证号11010519491231002X，住址略；共同申请人440308199901011234。"
    assert find(text) == [
        ("id_card", "11010519491231002X", "11*************02X"),
        ("id_card", "440308199901011234", "44*************234"),
    ]
    f = find_personal_data(text, today=TODAY)[0]
    assert text[f.start:f.end] == "11010519491231002X"
    assert f.severity == "block"
    assert "身份证号码" in f.message and "11*************02X" in f.message


def test_r51_id_number_with_lower_case_x_is_found():
    assert find("证件号：11010519491231002x。")[0][0] == "id_card"


def test_r51_id_number_with_bad_checksum_is_not_reported():
    # last digit changed: checksum fails (and it is no Luhn number either)
    assert not luhn_ok("110105194912310021")
    assert find("身份证号110105194912310021已登记。") == []


def test_r51_id_number_with_impossible_birth_date_is_not_reported():
    # Feb 30 and a birth in 2099, each with a correct check digit
    for first17 in ("11010519490230123", "11010520990101123"):
        number = first17 + id18_check_digit(first17)
        assert not is_valid_id18(number, TODAY)
        assert [c for c, _t, _s in find(f"号码{number}。")] != ["id_card"]


def test_r51_id_number_with_unknown_province_is_not_reported():
    first17 = "99010519491231002"
    number = first17 + id18_check_digit(first17)
    assert not is_valid_id18(number, TODAY)


def test_r51_old_15_digit_id_with_plausible_date_is_found():
    assert find("旧身份证110105491231002。") == [("id_card", "110105491231002", "11**********002")]
    assert find("编号110105491331002。") == []  # month 13


def test_r51_id_inside_a_longer_digit_run_or_code_is_not_reported():
    assert find("流水号911010519491231002X") == []
    assert find("哈希ab11010519491231002X") == []


def test_r51_bank_cards_passing_luhn_are_found_and_masked_first4_last4():
    text = f"请汇款至账号{VALID_CARDS[1]}，或卡号{VALID_CARDS[0]}。"
    assert find(text) == [
        ("bank_card", VALID_CARDS[1], "6222***********0128"),
        ("bank_card", VALID_CARDS[0], "4111********1111"),
    ]


def test_r51_bank_card_failing_luhn_is_not_reported():
    assert not luhn_ok("4111111111111112")
    assert find("卡号4111111111111112。") == []


def test_r51_bank_card_written_in_groups_is_found():
    assert find("卡号：6222 0212 3456 7890 128。") == [
        ("bank_card", "6222 0212 3456 7890 128", "6222 **** **** ***0 128")]


def test_r51_valid_id_is_not_also_reported_as_bank_card():
    # an 18-digit valid ID that happens to pass Luhn too must be an ID only
    for number in VALID_IDS:
        cats = [c for c, _t, _s in find(number)]
        assert cats == ["id_card"]


def test_r51_mobile_numbers_are_found_and_masked():
    text = "联系人：李科长，手机13812345678；备用 139-1234-5678，+86 15912345678。"
    assert find(text) == [
        ("mobile", "13812345678", "138****5678"),
        ("mobile", "139-1234-5678", "139-****-5678"),
        ("mobile", "+86 15912345678", "+86 159****5678"),
    ]


def test_r51_mobile_lookalikes_are_not_reported():
    assert find("编号138123456789") == []      # 12 digits
    assert find("编号213812345678") == []      # part of a longer run
    assert find("号码12812345678") == []       # 12x is not a mobile prefix


def test_r51_landlines_with_area_code_are_found():
    text = "咨询电话：010-12345678，0571-87654321，（021）62345678。"
    assert find(text) == [
        ("landline", "010-12345678", "010-****5678"),
        ("landline", "0571-87654321", "0571-****4321"),
        ("landline", "（021）62345678", "（021）****5678"),
    ]
    assert find_personal_data(text, today=TODAY)[0].severity == "warn"


def test_r51_email_is_found_and_masked():
    assert find("来信请寄zhangsan.li@example.gov.cn，谢谢。") == [
        ("email", "zhangsan.li@example.gov.cn", "z***@example.gov.cn")]
    assert find("版权所有 @某某单位") == []


def test_r51_dates_amounts_and_document_numbers_are_not_personal_data():
    text = "2024年6月1日，杭政办〔2024〕12号文件下达资金1234.56万元，项目编号20240601001。"
    assert find(text) == []


def test_r51_apply_masking_on_plain_text():
    text = "手机13812345678，邮箱zhangsan@example.cn，身份证11010519491231002X。"
    findings = find_personal_data(text, today=TODAY)
    assert apply_masking(text, findings) == \
        "手机138****5678，邮箱z***@example.cn，身份证11*************02X。"


def test_r51_apply_masking_in_html_keeps_tags_and_attributes():
    html = ('<p class="x" title="13812345678">联系电话：<b>138</b>12345678&nbsp;'
            '邮箱<a href="mailto:zhangsan@example.cn">zhangsan@example.cn</a></p>'
            '<p>身份证&#x3a;11010519491231002X &amp; 其他</p>')
    findings = check_text(html, None, today=TODAY)
    masked = apply_masking(html, findings)
    assert masked == ('<p class="x" title="13812345678">联系电话：<b>138</b>****5678&nbsp;'
                      '邮箱<a href="mailto:zhangsan@example.cn">z***@example.cn</a></p>'
                      '<p>身份证&#x3a;11*************02X &amp; 其他</p>')
    # nothing left to mask in the text a reader sees
    assert [f for f in check_text(masked, None, today=TODAY) if f.kind == "personal_data"] == []
    assert "138****5678" in plain_text(masked)


def test_r51_apply_masking_ignores_other_findings():
    text = "做为联系人，手机13812345678"
    findings = find_personal_data(text, today=TODAY)
    assert apply_masking(text, []) == text
    assert apply_masking(text, findings) == "做为联系人，手机138****5678"


def test_r51_apply_masking_in_sloppy_html_keeps_everything_else_byte_for_byte():
    # an empty end tag (ignored by parsers), "&amp" without ";", a bare "&"
    html = "<p>电话13812345678</>&amp 张&三<br>身份证：11010519491231002X</p>"
    findings = check_text(html, None, today=TODAY)
    assert [f.text for f in findings] == ["13812345678", "11010519491231002X"]
    assert apply_masking(html, findings) == (
        "<p>电话138****5678</>&amp 张&三<br>身份证：11*************02X</p>")
