"""A reviewer reads an item and decides on a phone-sized screen (390×844)."""
import re

from playwright.sync_api import expect

from .conftest import PHONE, shot, sign_in
from .helpers import Client, column_id, item_row


def submitted_item(live, title):
    """An item of the officer's, submitted for review (over HTTP, as the pages do)."""
    officer = Client(live, "officer")
    new = live.prefix + f"/items/new?column={column_id(live, 'news')}"
    resp = officer.post(new, {
        "title": title, "source": "市领导小组办公室", "importance": "normal", "classification": "",
        "body": "<p>为丰富青少年寒假生活，各社区青少年俱乐部将于1月20日至2月20日开展冬季阅读、科普实践和体育健身等活动。</p>"
                "<table><tr><th>活动</th><th>时间</th><th>地点</th></tr><tr><td>冬季阅读会</td><td>每周六上午</td>"
                "<td>各社区俱乐部活动室</td></tr><tr><td>科普实践</td><td>每周日下午</td><td>市青少年宫</td></tr></table>"})
    assert resp.status_code == 302, resp.get_data(as_text=True)[:500]
    item_id = int(re.search(r"/items/(\d+)/edit", resp.headers["Location"]).group(1))
    resp = officer.post(live.prefix + f"/review/items/{item_id}/submit", {}, token_from=live.prefix + f"/items/{item_id}")
    assert resp.status_code == 302
    assert item_row(live, item_id)["status"] == "in_review"
    return item_id


def test_a_reviewer_decides_from_a_phone(browser, live):
    item_id = submitted_item(live, "寒假社区青少年俱乐部活动安排")
    ctx = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=1, locale="zh-CN")
    try:
        page = ctx.new_page()
        sign_in(page, live, "proof1")
        shot(page, "phone-dashboard")
        page.goto(live.intranet("/review/"))
        page.locator("#queue a", has_text="寒假社区青少年俱乐部活动安排").click()
        expect(page.locator("h1")).to_have_text("寒假社区青少年俱乐部活动安排")
        # nothing wider than the screen: no sideways scrolling to read or to decide
        width = page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= PHONE["width"], width
        shot(page, "phone-review")
        page.locator("#jump-decide").tap()  # one tap from the top of the page to the decision
        form = page.locator("#decide-form")
        expect(form).to_be_in_viewport()
        box = form.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], box
        form.locator("#d-approve").tap()
        shot(page, "phone-decide")
        form.locator("button[type=submit]").tap()
        expect(page.locator(".alert-success").first).to_contain_text("已记录审核意见")
        assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
    finally:
        ctx.close()
