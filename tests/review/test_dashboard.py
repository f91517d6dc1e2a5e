"""The dashboard panels (waiting for my decision with waiting time, returned
to me, drafts), the in-app inbox, and R-22 diffs."""
from datetime import timedelta

from intranet.clock import set_now
from intranet.extensions import db
from intranet.notify import notify
from intranet.notify.inbox import InboxMessage

from ..conftest import TEST_NOW, prefix, text_of
from .conftest import as_user, create_item, decide, edit_item, open_step, publish_new, submit, user


def _panel(html, panel_id):
    return html.split(f'id="{panel_id}"')[1].split("</ul>")[0]


def test_dashboard_shows_what_waits_for_me_and_how_long(demo):
    officer = as_user(demo, "officer")
    item_id = create_item(officer, title="等待审核的信息")
    submit(officer, item_id)
    set_now(demo, TEST_NOW + timedelta(days=2, hours=3))
    proof1 = as_user(demo, "proof1")
    html = proof1.get(prefix(demo) + "/").get_data(as_text=True)
    waiting = _panel(html, "waiting")
    assert "等待审核的信息" in waiting and "已等待 2天3小时" in waiting and "text-danger" in waiting
    # Not waiting for the leader yet.
    assert "等待审核的信息" not in _panel(as_user(demo, "leader").get(prefix(demo) + "/").get_data(as_text=True),
                                        "waiting")
    assert "等待审核的信息" in text_of(proof1.get(prefix(demo) + "/review/"))


def test_dashboard_returned_to_me_and_drafts(demo):
    officer = as_user(demo, "officer")
    draft = create_item(officer, title="我的草稿一")
    returned = create_item(officer, title="被退回的信息")
    submit(officer, returned)
    decide(as_user(demo, "proof1"), returned, "return", "请补充图片说明")
    html = officer.get(prefix(demo) + "/").get_data(as_text=True)
    assert "被退回的信息" in _panel(html, "returned") and "我的草稿一" in _panel(html, "drafts")
    assert "被退回的信息" not in _panel(html, "drafts")
    # The unread message badge in the navigation.
    assert 'id="inbox-unread">1<' in html


def test_inbox_lists_my_messages_and_marks_them_read(demo):
    notify([user("officer"), user("officer"), user("head")], "测试通知", "请及时处理", "/intranet/items/")
    db.session.commit()
    officer = as_user(demo, "officer")
    assert db.session.execute(db.select(db.func.count(InboxMessage.id))).scalar() == 2  # once per person
    page = officer.get(prefix(demo) + "/inbox/")
    assert "测试通知" in text_of(page) and "未读" in text_of(page)
    msg = db.session.execute(db.select(InboxMessage).filter_by(user_id=user("officer").id)).scalar_one()
    resp = officer.post(prefix(demo) + f"/inbox/{msg.id}/open")
    assert resp.status_code == 302 and resp.headers["Location"] == "/intranet/items/"
    db.session.expire_all()
    assert db.session.get(InboxMessage, msg.id).read_at is not None
    assert as_user(demo, "head").post(prefix(demo) + f"/inbox/{msg.id}/open").status_code == 404  # not theirs
    assert "测试通知" not in text_of(as_user(demo, "leader").get(prefix(demo) + "/inbox/"))


def test_r22_reviewer_sees_the_diff_against_the_last_published_version(demo):
    officer = as_user(demo, "officer")
    item_id = publish_new(demo, officer)
    as_user(demo, "webmaster").post(prefix(demo) + f"/review/items/{item_id}/withdraw", data={"reason": "更正"})
    officer.post(prefix(demo) + f"/review/items/{item_id}/reopen")
    edit_item(officer, item_id, title="全市青少年俱乐部暑期活动启动仪式",
              body="<p>今年暑期，全市各社区青少年俱乐部将开展丰富多彩的活动。</p>")
    submit(officer, item_id)
    # proof1 decided on the first submission: he is shown the change since then.
    page = as_user(demo, "proof1").get(prefix(demo) + f"/review/items/{item_id}")
    html = page.get_data(as_text=True)
    assert "您上次审核的第" in text_of(page)
    assert "<ins>仪式</ins>" in html and "<del>活动包括科普、体育和阅读三大类。</del>" in html
    # Someone who never saw it is shown the change against the published version.
    page = as_user(demo, "principal").get(prefix(demo) + f"/review/items/{item_id}")
    assert "上次发布的版本" in text_of(page) and "<ins>仪式</ins>" in page.get_data(as_text=True)


def test_r22_first_submission_shows_the_full_text(demo):
    officer = as_user(demo, "officer")
    item_id = create_item(officer)
    submit(officer, item_id)
    page = as_user(demo, "proof1").get(prefix(demo) + f"/review/items/{item_id}")
    assert "首次提交" in text_of(page) and "活动包括科普、体育和阅读三大类" in text_of(page)


def test_r34_deciding_a_step_already_decided_is_refused_clearly(demo):
    officer = as_user(demo, "officer")
    item_id = create_item(officer)
    submit(officer, item_id)
    step = open_step(item_id)
    decide(as_user(demo, "proof1"), item_id, "approve")
    resp = decide(as_user(demo, "proof2"), item_id, "approve", step=step)
    assert "该审核环节已处理" in text_of(resp) and "周校对" in text_of(resp)


def test_review_pages_render_for_their_users(demo):
    from .conftest import column, publish_new
    item_id = publish_new(demo)
    from intranet.review.models import Publication
    pub = db.session.execute(db.select(Publication)).scalar_one()
    webmaster = as_user(demo, "webmaster")
    news = column("news")
    for url in ("/review/", "/review/chains", f"/review/chains/{news.id}/major", "/review/ledger",
                "/review/archive", f"/review/forms/{pub.id}", f"/review/archive/{pub.id}", f"/review/items/{item_id}",
                f"/items/{item_id}", "/inbox/", "/"):
        resp = webmaster.get(prefix(demo) + url)
        assert resp.status_code == 200, url
    page = webmaster.get(prefix(demo) + f"/review/chains/{news.id}/major").get_data(as_text=True)
    assert 'value="higher_office" selected' in page
    # The author sees the approval form of their own publication, and the history on the item page.
    officer = as_user(demo, "officer")
    assert officer.get(prefix(demo) + f"/review/forms/{pub.id}").status_code == 200
    assert "审核记录" in text_of(officer.get(prefix(demo) + f"/items/{item_id}"))
