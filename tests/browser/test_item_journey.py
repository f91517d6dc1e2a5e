"""The journey of a news item in Chromium (issue 11): the officer drafts it in
the editor (pasted from Word, an image with its caption), sees the typo and
the personal data highlighted, masks, submits; the proof-readers and reviewers
decide in turn (one from the link in the e-mail the SMTP server received), the
head returns it with a comment, the officer fixes it and resubmits, the
webmaster publishes; it appears on the public site; the webmaster withdraws it
and it is gone (R-20, R-22, R-30..R-35, R-39, R-50, R-51, R-54)."""
import re

from playwright.sync_api import expect

from .conftest import shot, sign_in
from .helpers import (WORD_HTML, column_id, decision_links, focus_editor, highlighted, item_row, paste_html, png,
                      wait_for_mail)

TITLE = "全市社区青少年俱乐部暑期活动启动"
EDITOR = "#lanmu-editor [data-slate-editor]"


def decide_on_page(page, live, item_id, decision="approve", comment="", who=""):
    page.goto(live.intranet(f"/review/items/{item_id}"))
    form = page.locator("#decide-form")
    expect(form).to_be_visible()
    form.locator(f"#d-{decision}").check()
    if comment:
        form.locator("textarea[name=comment]").fill(comment)
    ack = form.locator("#checks-ack")
    if ack.count():
        ack.check()
    form.locator("button[type=submit]").click()
    expect(page.locator(".alert-success").first).to_contain_text("已记录审核意见")


def test_news_item_from_draft_to_public_and_back(people, live, browser):
    # -- sign-in page (the guide shows it) --
    anon = people.anonymous()
    anon.goto(live.intranet("/login"))
    shot(anon, "login")

    officer = people["officer"]
    shot(officer, "officer-dashboard")
    errors = []
    officer.on("pageerror", lambda e: errors.append(str(e)))

    # -- drafting in the editor: text pasted from Word is cleaned --
    officer.goto(live.intranet(f"/items/new?column={column_id(live, 'news')}"))
    expect(officer.locator("#lanmu-editor-box")).to_be_visible()
    expect(officer.locator("#item-form textarea[name=body]")).to_be_hidden()
    officer.fill("input[name=title]", TITLE)
    paste_html(officer, EDITOR, WORD_HTML)
    expect(officer.locator(EDITOR)).to_contain_text("再接再励")
    body_html = officer.locator("#item-form textarea[name=body]").input_value()
    for junk in ("Mso", "mso-", "o:p", "<xml", "StartFragment", "lang="):
        assert junk not in body_html, (junk, body_html)
    assert "13812345678" in body_html
    officer.locator(EDITOR).press("End")
    officer.keyboard.type("欢迎各位家长带孩子参加。")
    officer.get_by_role("button", name="保存草稿").click()
    expect(officer.locator(".alert-success").first).to_contain_text("草稿已保存")
    item_id = int(re.search(r"/items/(\d+)/edit", officer.url).group(1))
    saved = item_row(live, item_id)
    assert "欢迎各位家长" in saved["body"] and "Mso" not in saved["body"] and "mso-" not in saved["body"]

    # -- the findings, highlighted in the editor's text and listed under it --
    expect(officer.locator("#editor-findings")).to_be_visible()
    expect(officer.locator("#editor-findings")).to_contain_text("再接再励")
    expect(officer.locator("#editor-findings")).to_contain_text("13812345678")
    warn = highlighted(officer, "lanmu-check-warn") + highlighted(officer, "lanmu-check-block")
    assert "再接再励" in warn and "13812345678" in warn, warn
    expect(officer.locator("#check-findings")).to_contain_text("再接再厉")  # the suggestion, in the panel too

    # -- an image, with its caption asked for in the editor's dialog (placed at the cursor) --
    focus_editor(officer, EDITOR)
    officer.keyboard.press("Control+End")
    image_button = officer.locator("#lanmu-editor-toolbar [data-menu-key=uploadImage]")
    expect(image_button).not_to_have_class(re.compile("disabled"))
    image_button.click()
    dialog = officer.locator("#image-modal")
    expect(dialog).to_be_visible()
    dialog.locator("#image-file").set_input_files(
        files=[{"name": "活动现场.png", "mimeType": "image/png", "buffer": png()}])
    dialog.locator("#image-insert").click()
    expect(dialog.locator("#image-error")).to_contain_text("请填写图片说明")
    dialog.locator("#image-caption").fill("2026年7月1日，湖滨社区青少年俱乐部暑期活动开营仪式现场")
    shot(officer, "officer-image-caption")
    dialog.locator("#image-insert").click()
    expect(dialog).to_be_hidden()
    expect(officer.locator(f"{EDITOR} img")).to_have_count(1)
    officer.wait_for_function("() => document.querySelector('#lanmu-editor [data-slate-editor] img').complete")
    officer.get_by_role("button", name="保存草稿").click()
    expect(officer.locator(".alert-success").first).to_contain_text("已保存为新版本")
    saved = item_row(live, item_id)
    assert saved["attachments"] == [("活动现场.png", "2026年7月1日，湖滨社区青少年俱乐部暑期活动开营仪式现场", True)]
    # the body keeps the image by its public address: no back-office prefix in what will be published
    assert f"/s/youth/i/{item_id}/files/" in saved["body"] and live.prefix not in saved["body"]
    expect(officer.locator(f"{EDITOR} img")).to_have_count(1)  # and the editor shows it again
    officer.locator("#editor-findings").scroll_into_view_if_needed()
    officer.evaluate("window.scrollTo(0, document.querySelector('#lanmu-editor-box').offsetTop - 70)")
    shot(officer, "officer-editor-findings")

    # -- one-click masking of the personal data --
    officer.locator("#check-mask").scroll_into_view_if_needed()
    shot(officer, "officer-masking")
    officer.locator("#check-mask").click()
    expect(officer.locator(".alert-success").first).to_contain_text("脱敏")
    expect(officer.locator(EDITOR)).to_contain_text("138****5678")
    assert "13812345678" not in item_row(live, item_id)["body"]

    # -- submitting: the typo is still there, confirmed as checked --
    officer.goto(live.intranet(f"/items/{item_id}"))
    expect(officer.locator("#check-acknowledge")).to_contain_text("再接再励")
    officer.locator("#checks-ack").check()
    shot(officer, "officer-submit")
    officer.locator("#submit button[type=submit]").click()
    expect(officer.locator(".alert-success").first).to_contain_text("已提交审核")
    assert item_row(live, item_id)["status"] == "in_review"

    # -- first proof-read on the intranet --
    proof1 = people["proof1"]
    proof1.goto(live.intranet("/review/"))
    expect(proof1.locator("#queue")).to_contain_text(TITLE)
    shot(proof1, "reviewer-queue")
    proof1.locator("#queue a", has_text=TITLE).click()
    expect(proof1.locator(".item-body img")).to_have_count(1)
    expect(proof1.locator(".item-body .body-caption")).to_contain_text("开营仪式现场")
    shot(proof1, "reviewer-item")
    decide_on_page(proof1, live, item_id)

    # -- second proof-read from the e-mail: the link opens a page, only the button decides --
    mail = wait_for_mail(live, "proof2", "待审核")[-1]
    links = decision_links(mail)
    assert set(links) == {"approve", "return", "reject"}, mail.text
    inbox = people.anonymous()  # the mail is read where nobody is signed in
    inbox.goto(links["approve"])
    expect(inbox.locator("#link-form")).to_contain_text("确认：同意")
    inbox.wait_for_function("() => { const i = document.querySelector('.item-body img'); return i && i.complete && i.naturalWidth > 0; }")
    shot(inbox, "reviewer-email-link")
    image = inbox.evaluate("() => document.querySelector('.item-body img').src")
    inbox.locator("#link-form button[type=submit]").click()
    expect(inbox.locator("main")).to_contain_text("已记录")
    inbox.goto(links["approve"])  # a link works once, and its images with it
    expect(inbox.locator("main")).to_contain_text("已使用")
    assert inbox.goto(image).status == 404

    # -- the head returns it with a comment --
    decide_on_page(people["head"], live, item_id, "return", comment="“再接再励”应为“再接再厉”，请修改后重新提交。")
    assert item_row(live, item_id)["status"] == "returned"

    # -- the officer sees why, fixes the typo from the finding and resubmits --
    officer.goto(live.intranet(f"/items/{item_id}"))
    expect(officer.locator("main")).to_contain_text("应为“再接再厉”")
    officer.goto(live.intranet(f"/items/{item_id}/edit"))
    officer.locator(".editor-finding-fix", has_text="再接再厉").click()
    expect(officer.locator(EDITOR)).to_contain_text("再接再厉")
    expect(officer.locator(EDITOR)).not_to_contain_text("再接再励")
    officer.get_by_role("button", name="保存草稿").click()
    expect(officer.locator(".alert-success").first).to_contain_text("已保存为新版本")
    assert "再接再厉" in item_row(live, item_id)["body"]
    expect(officer.locator("#check-findings")).to_have_count(0)
    officer.goto(live.intranet(f"/items/{item_id}"))
    officer.locator("#submit button[type=submit]").click()
    expect(officer.locator(".alert-success").first).to_contain_text("已提交审核")

    # -- the chain again from the first step; the webmaster publishes --
    for who in ("proof1", "proof2", "head", "secrecy", "leader"):
        decide_on_page(people[who], live, item_id)
    webmaster = people["webmaster"]
    webmaster.goto(live.intranet(f"/review/items/{item_id}"))
    expect(webmaster.locator("#decide-form")).to_contain_text("同意发布")
    shot(webmaster, "webmaster-publish")
    decide_on_page(webmaster, live, item_id)
    assert item_row(live, item_id)["status"] == "published"

    # -- on the public site, with the image and its caption, without the back office --
    public = people.anonymous()
    public.goto(live.url("/s/youth/c/news/"))
    public.get_by_role("link", name=TITLE).click()
    expect(public.locator("h1")).to_have_text(TITLE)
    expect(public.locator(".item-body .body-caption")).to_have_text("2026年7月1日，湖滨社区青少年俱乐部暑期活动开营仪式现场")
    public.wait_for_function("() => { const i = document.querySelector('.item-body img'); return i.complete && i.naturalWidth > 0; }")
    assert live.prefix not in public.content()
    assert "138****5678" in public.inner_text(".item-body")
    public_url = public.url
    shot(public, "public-item")

    # -- the webmaster withdraws it: it leaves the site at once --
    webmaster.goto(live.intranet(f"/review/items/{item_id}"))
    webmaster.locator("#withdraw-form textarea[name=reason]").fill("活动时间调整，暂时撤回。")
    shot(webmaster, "webmaster-withdraw")
    webmaster.locator("#withdraw-form button[type=submit]").click()
    expect(webmaster.locator(".alert-success").first).to_contain_text("信息已撤回")
    assert item_row(live, item_id)["status"] == "withdrawn"
    resp = public.goto(public_url)
    assert resp.status == 404
    public.goto(live.url("/s/youth/c/news/"))
    expect(public.locator("main")).not_to_contain_text(TITLE)
    assert not errors, errors


def test_without_scripts_the_textarea_is_the_editor(browser, live):
    """Progressive enhancement: with JavaScript off the body is a plain textarea and saving works."""
    ctx = browser.new_context(java_script_enabled=False, viewport={"width": 1280, "height": 800})
    try:
        page = ctx.new_page()
        sign_in(page, live, "officer")
        page.goto(live.intranet(f"/items/new?column={column_id(live, 'news')}"))
        expect(page.locator("#lanmu-editor-box")).to_be_hidden()
        page.fill("input[name=title]", "无脚本也能保存的信息")
        page.fill("textarea[name=body]", "<p class=\"MsoNormal\">纯文本框里写的正文。</p><script>alert(1)</script>")
        page.get_by_role("button", name="保存草稿").click()
        expect(page.locator(".alert-success").first).to_contain_text("草稿已保存")
        body = item_row(live, int(re.search(r"/items/(\d+)/edit", page.url).group(1)))["body"]
        assert body == "<p>纯文本框里写的正文。</p>", body
    finally:
        ctx.close()
