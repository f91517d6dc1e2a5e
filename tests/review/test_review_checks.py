"""Content checks at submission and publication (R-50, R-51, R-24): block-level
findings refuse, warn-level findings must be confirmed, and the confirmation is
recorded with the person and the revision."""
from intranet.checks.models import CheckAcknowledgement
from intranet.extensions import db
from intranet.items.models import IN_REVIEW, PUBLISHED

from ..conftest import prefix, text_of
from .conftest import DEFAULT_CHAIN, as_user, create_item, item, open_step, run_chain, submit


def test_r50_block_word_refuses_submission_naming_it(demo, mailbox):
    officer = as_user(demo, "officer")
    item_id = create_item(officer, body="<p>社区为残废人提供了无障碍通道和专门服务，受到居民好评。</p>")
    resp = submit(officer, item_id)
    assert "内容检查未通过" in text_of(resp) and "残废人" in text_of(resp)
    assert item(item_id).status != IN_REVIEW


def test_r50_warning_must_be_confirmed_and_is_recorded(demo, mailbox):
    officer = as_user(demo, "officer")
    item_id = create_item(officer, body="<p>做为全市试点社区，俱乐部本周组织了暑期安全教育活动，参加青少年五十余人。</p>")
    resp = submit(officer, item_id)
    assert "需要确认" in text_of(resp) and item(item_id).status != IN_REVIEW
    page = officer.get(prefix(demo) + f"/items/{item_id}").get_data(as_text=True)
    assert 'name="checks_ack"' in page and "做为" in page
    keys = [k.split('value="')[1].split('"')[0] for k in page.split('name="checks_ack_key" ')[1:]]
    resp = officer.post(prefix(demo) + f"/review/items/{item_id}/submit",
                        data={"checks_ack": "1", "checks_ack_key": keys}, follow_redirects=True)
    assert "已提交审核" in text_of(resp)
    ack = db.session.execute(db.select(CheckAcknowledgement)).scalar_one()
    assert ack.item_id == item_id and ack.revision_no == item(item_id).revision_no and "做为" in ack.findings_json


def test_r24_marking_in_the_body_refuses_submission(demo, mailbox):
    officer = as_user(demo, "officer")
    item_id = create_item(officer, body="<p>【内部资料 注意保存】关于俱乐部经费安排的内部意见，请各单位研究。</p>")
    resp = submit(officer, item_id)
    assert "内容检查未通过" in text_of(resp)


def test_r50_publish_is_refused_while_a_new_warning_is_unconfirmed(demo, mailbox):
    """A lexicon change after submission adds a warning: the webmaster must confirm it before publishing."""
    from intranet.checks.service import save_word
    from intranet.org.models import User
    officer = as_user(demo, "officer")
    item_id = create_item(officer, body="<p>俱乐部开展暑期科普活动，青少年在科技馆体验动手实验的乐趣。</p>")
    submit(officer, item_id)
    run_chain(demo, item_id, DEFAULT_CHAIN[:-1])
    admin = db.session.execute(db.select(User).filter_by(username="admin")).scalar_one()
    save_word(None, admin, word="科技馆", category="nonstandard", severity="warn", suggestion="科学技术馆",
              enabled=True, site_id=None)
    db.session.commit()
    webmaster = as_user(demo, "webmaster")
    step = open_step(item_id)
    page = webmaster.get(prefix(demo) + f"/review/items/{item_id}").get_data(as_text=True)
    assert 'name="checks_ack"' in page
    resp = webmaster.post(prefix(demo) + f"/review/steps/{step.id}/decide",
                          data={"decision": "approve", "revision_no": step.run.revision_no}, follow_redirects=True)
    assert "需要确认" in text_of(resp) and item(item_id).status != PUBLISHED
    keys = [k.split('value="')[1].split('"')[0] for k in page.split('name="checks_ack_key" ')[1:]]
    resp = webmaster.post(prefix(demo) + f"/review/steps/{step.id}/decide",
                          data={"decision": "approve", "revision_no": step.run.revision_no, "checks_ack": "1",
                                "checks_ack_key": keys}, follow_redirects=True)
    assert item(item_id).status == PUBLISHED
    assert db.session.execute(db.select(CheckAcknowledgement).filter_by(context="publish")).scalar_one()
