"""The plugin contract test (ENGINEERING.md "Plugins"): every registered column
type goes through create column -> draft with its required fields over HTTP
-> clear messages when they are missing -> submit and review through every
step of the default chain (the review engine publishes) -> public list and
detail -> deadlines().

Each type needs a sample below; a new plugin without one fails
test_r10_every_registered_type_has_a_contract_sample."""
import importlib
from datetime import datetime

import pytest

from intranet.columntypes import ColumnTypeRegistry, Duty, bundled_plugin_names, get_type
from intranet.extensions import db
from intranet.items.models import PUBLISHED
from intranet.items.service import submission_errors
from intranet.sites import update_rules
from intranet.sites.models import STALENESS_CLASSES
from intranet.workdays.service import calendar

from ..conftest import TEST_NOW, prefix, text_of
from .helpers import (PDF_BYTES, create_column_over_http, forget_cached_user, missing_messages, new_item_over_http,
                      png_bytes, publish_through_review, upload)


def _registered_type_ids():
    registry = ColumnTypeRegistry()
    for name in bundled_plugin_names():
        importlib.import_module(f"plugins.{name}").register(registry)
    return [t.id for t in registry.all()]


TYPE_IDS = _registered_type_ids()
ITEM_TYPE_IDS = [t for t in TYPE_IDS if t != "mailbox"]

# form: the complete draft; missing: messages for a draft with only a title;
# files/images: uploads (name, bytes, caption); marker: text the public detail
# shows; duties: deadline kinds of the draft and of the published item.
SAMPLES = {
    "article": {
        "form": {"title": "合同测试：新闻动态", "body": "<p>俱乐部开展了一次很有意义的活动，青少年积极参加。</p>", "source": "市办"},
        "missing": ["请填写信息来源", "请填写正文"],
        "marker": "很有意义的活动", "duties": ([], []),
    },
    "page": {
        "form": {"title": "合同测试：单页", "body": "<p>地址：杭州市某路1号，电话0571-00000000。</p>"},
        "missing": ["请填写正文"], "marker": "杭州市某路1号", "duties": ([], []),
    },
    "notice": {
        "form": {"title": "合同测试：通知公告", "body": "<p>定于下月举办辅导员培训，请各区按时报名参加。</p>", "source": "市办",
                 "extra_valid_from": "2026-11-20", "extra_valid_until": "2026-12-31"},
        "missing": ["请填写信息来源", "请填写正文"],
        "marker": "有效期：2026-11-20 至 2026-12-31", "duties": ([], ["notice_expiry"]),
    },
    "document": {
        "form": {"title": "合同测试：规范性文件", "body": "<p>现将有关管理办法印发给你们，请认真贯彻执行。</p>", "source": "市办",
                 "extra_doc_number": "杭青俱办〔2026〕9号", "extra_issuing_unit": "市推进办",
                 "extra_issue_date": "2026-11-20", "extra_red_header_title": "市推进办文件"},
        "missing": ["请填写信息来源", "请填写文号", "请填写发文单位", "请填写印发日期", "请填写红头标题", "请填写正文"],
        "marker": "杭青俱办〔2026〕9号", "duties": (["document_publish"], []),
    },
    "download": {
        "form": {"title": "合同测试：下载", "extra_description": "报名时填写的表格"},
        "files": [("报名表.pdf", PDF_BYTES, "")],
        "missing": ["请上传附件", "请填写文件说明"], "marker": "报名表.pdf", "duties": ([], []),
    },
    "video": {
        "form": {"title": "合同测试：视频", "source": "市办", "extra_video_url": "https://video.example.cn/a.mp4",
                 "extra_video_caption": "推进会现场视频"},
        "images": [("封面.png", png_bytes(), "推进会会场")],
        "missing": ["请填写信息来源", "请填写视频地址", "请填写视频说明"], "marker": "推进会现场视频", "duties": ([], []),
    },
    "gallery": {
        "form": {"title": "合同测试：图片新闻", "source": "市办"},
        "images": [("活动.png", png_bytes(), "孩子们在做实验")],
        "missing": ["请填写信息来源", "请上传图片"], "marker": "孩子们在做实验", "duties": ([], []),
    },
    "links": {
        "form": {"title": "合同测试：友情链接", "extra_url": "https://www.example.cn/"},
        "missing": ["请填写链接地址"], "marker": "https://www.example.cn/", "duties": ([], []),
    },
    "mailbox": "see test_r10_r70_contract_mailbox_type",
}


def test_r10_every_registered_type_has_a_contract_sample():
    assert TYPE_IDS, "no column types registered"
    assert set(TYPE_IDS) == set(SAMPLES)
    for expected in ("notice", "document", "download", "video", "gallery", "links", "mailbox"):
        assert expected in TYPE_IDS


@pytest.mark.parametrize("type_id", TYPE_IDS)
def test_r11_r12_type_defaults_are_valid_rules_and_staleness_classes(app, type_id):
    ctype = get_type(type_id)
    kind, n, dates = ctype.default_rule
    assert update_rules.validate(kind, n, dates) == []
    assert ctype.default_staleness in STALENESS_CLASSES
    assert isinstance(ctype.metrics, object) and ctype.label


def test_r12_staleness_classes_of_the_new_types(app):
    assert get_type("notice").default_staleness == "notice"      # 6 months
    assert get_type("document").default_staleness == "notice"
    assert get_type("gallery").default_staleness == "news"       # 2 weeks
    assert get_type("video").default_staleness == "news"
    assert get_type("gallery").default_rule == (update_rules.PER_WEEK, 1, "")


@pytest.mark.parametrize("type_id", ITEM_TYPE_IDS)
def test_r10_r20_contract_item_type(demo, login_as, type_id):
    sample = SAMPLES[type_id]
    forget_cached_user(demo)
    client = login_as("webmaster")
    col = create_column_over_http(client, demo, type_id, f"contract-{type_id}")
    ctype = get_type(type_id)
    assert (col.type, col.rule_kind, col.staleness_class) == (type_id, ctype.default_rule[0], ctype.default_staleness)

    # A draft with only a title saves, and lists what is missing before submission.
    client = login_as("officer")
    draft = new_item_over_http(client, demo, col, {"title": sample["form"]["title"]})
    page = client.get(prefix(demo) + f"/items/{draft.id}/edit").get_data(as_text=True)
    assert sorted(missing_messages(page)) == sorted(sample["missing"])
    assert sorted(submission_errors(draft)) == sorted(sample["missing"])

    # Filled in (fields, then uploads), nothing is missing.
    resp = client.post(prefix(demo) + f"/items/{draft.id}/edit", data={"importance": "normal", "classification": "",
                                                                      **sample["form"]})
    assert resp.status_code == 302, text_of(resp)[:1500]
    for name, content, caption in sample.get("files", []) + sample.get("images", []):
        upload(client, demo, draft, name, content, caption)
    db.session.refresh(draft)
    page = client.get(prefix(demo) + f"/items/{draft.id}/edit").get_data(as_text=True)
    assert missing_messages(page) == [], missing_messages(page)
    assert submission_errors(draft) == []
    assert client.get(prefix(demo) + f"/items/{draft.id}").status_code == 200

    # deadlines() of the draft.
    duties = ctype.deadlines(draft, calendar())
    assert all(isinstance(d, Duty) for d in duties)
    assert [d.kind for d in duties] == sample["duties"][0]

    # Submitted, reviewed by every step of the default chain, published by the
    # review engine; then the public list and detail render.
    draft = publish_through_review(demo, draft.id)
    assert draft.status == PUBLISHED and draft.first_published_at == TEST_NOW
    listing = client.get(f"/s/youth/c/{col.slug}/")
    assert listing.status_code == 200
    assert sample["form"]["title"] in text_of(listing) or sample["marker"] in text_of(listing)
    detail = client.get(f"/s/youth/i/{draft.id}.html")
    assert detail.status_code == 200
    assert sample["form"]["title"] in text_of(detail) and sample["marker"] in text_of(detail)
    assert [d.kind for d in ctype.deadlines(draft, calendar())] == sample["duties"][1]
    assert isinstance(ctype.metrics(col), dict)


def test_r10_r20_document_draft_duty_is_two_working_days_after_issue(demo, login_as):
    client = login_as("webmaster")
    col = create_column_over_http(client, demo, "document", "contract-doc-duty")
    client = login_as("officer")
    item = new_item_over_http(client, demo, col, SAMPLES["document"]["form"])
    [duty] = get_type("document").deadlines(item, calendar())
    # Issued Fri 2026-11-20: Mon 11-23 (1), Tue 11-24 (2).
    assert duty.due_at == datetime(2026, 11, 24, 23, 59, 59) and duty.provisional is False


def test_r10_r70_contract_mailbox_type(demo, login_as, client):
    """The mailbox type: a column of it, a message through the public form (with
    messages when fields are missing), a reply to the public pages, deadlines()."""
    from plugins.mailbox.models import ANSWERED, Message
    from .test_mailbox import approve_chain_over_http, assign_over_http, reply_over_http, write_over_http

    staff = login_as("webmaster")
    col = create_column_over_http(staff, demo, "mailbox", "contract-mailbox", settings={"kind": "complaint"})
    assert get_type("mailbox").setting(col, "kind") == "complaint"
    staff.post(prefix(demo) + "/logout")

    resp = write_over_http(client, col, {"name": "", "contact": "", "subject": "", "text": ""})
    page = text_of(resp)
    for message in ("请填写姓名", "请填写联系电话或电子邮箱", "请填写标题", "请填写留言内容"):
        assert message in page
    resp = write_over_http(client, col, {"name": "张三", "contact": "13812345678", "subject": "合同测试留言",
                                          "text": "请问俱乐部周末是否开放？我的电话13812345678。"})
    assert "查询码" in text_of(resp)
    message = db.session.execute(db.select(Message).filter_by(subject="合同测试留言")).scalar_one()
    assert message.kind == "complaint"
    kinds = [d.kind for d in get_type("mailbox").deadlines(message, calendar())]
    assert kinds == ["message_transfer", "message_reply", "message_veto"]

    assign_over_http(login_as("officer"), demo, message, "sc-office")
    reply_over_http(login_as("sc_officer"), demo, message, "您好，俱乐部周末上午开放。")
    approve_chain_over_http(login_as, demo, message)
    db.session.refresh(message)
    assert message.status == ANSWERED and message.is_public
    assert get_type("mailbox").deadlines(message, calendar()) == []
    listing = client.get(f"/s/youth/c/{col.slug}/")
    assert "合同测试留言" in text_of(listing) and "张*" in text_of(listing)
    detail = client.get(f"/s/youth/c/{col.slug}/m/{message.id}.html")
    assert "俱乐部周末上午开放" in text_of(detail) and "13812345678" not in text_of(detail)
    assert get_type("mailbox").metrics(col)["answered"] == 1
