"""The public writes to the mailbox (solving the arithmetic captcha shown on
the page), gets a query code; the office hands the message to a district, the
district's officer replies, its head approves the reply, and the sender looks
it up with the code (R-70..R-72)."""
import re

from playwright.sync_api import expect

from intranet.extensions import db

from .conftest import PHONE, shot

SUBJECT = "周末能否带孩子参加俱乐部活动"
REPLY = "您好！上城区各社区青少年俱乐部周六上午九点至十一点开放，欢迎带孩子参加，无需预约。"


def solve(question):
    """'7 加 5 等于几？' -> '12'."""
    a, word, b = re.match(r"\s*(\d+)\s*(加|减|乘以)\s*(\d+)", question).groups()
    a, b = int(a), int(b)
    return str(a + b if word == "加" else a - b if word == "减" else a * b)


def unit_id(live, code):
    from intranet.org.models import Unit
    with live.app.app_context():
        return db.session.execute(db.select(Unit.id).filter_by(code=code)).scalar_one()


def test_a_message_from_the_public_answered_and_looked_up(people, live):
    # -- the public writes, on a phone, and must answer the question shown --
    public = people.anonymous(viewport=PHONE, is_mobile=True, has_touch=True)
    public.goto(live.url("/s/youth/c/consult/write"))
    form = public.locator("#write-form")
    form.locator("input[name=name]").fill("张晓华")
    form.locator("input[name=contact]").fill("13900001111")
    form.locator("input[name=subject]").fill(SUBJECT)
    form.locator("textarea[name=text]").fill("我家孩子上小学三年级，请问周末能否到上城区的社区青少年俱乐部参加活动？需要提前预约吗？")
    form.locator("#captcha_answer").fill(solve(public.inner_text("#captcha-question")))
    form.locator("#captcha_answer").scroll_into_view_if_needed()
    shot(public, "public-mailbox-write")
    form.locator("#captcha_answer").fill("999")  # a wrong answer is refused, what was typed stays
    form.locator("button[type=submit]").click()
    expect(public.locator("#captcha_answer + .invalid-feedback, .invalid-feedback").first).to_be_visible()
    expect(form.locator("input[name=subject]")).to_have_value(SUBJECT)
    form.locator("#captcha_answer").fill(solve(public.inner_text("#captcha-question")))  # a new question
    form.locator("button[type=submit]").click()
    code = public.inner_text("#query-code").strip()
    assert re.fullmatch(r"[A-Z0-9-]{8,}", code), code
    shot(public, "public-mailbox-code")

    # -- the office (the mailbox's unit) hands it to 上城区 --
    officer = people["officer"]
    officer.goto(live.intranet("/mailbox/"))
    officer.locator("#messages a", has_text=SUBJECT).click()
    officer.locator("#route-form select[name=unit_id]").select_option(str(unit_id(live, "sc-office")))
    officer.locator("#route-form input[name=note]").fill("请上城区答复")
    officer.locator("#route-form button[type=submit]").click()
    expect(officer.locator(".alert-success").first).to_contain_text("分办")

    # -- the district's officer drafts the reply; its head approves it, then 局领导 --
    sc_officer = people["sc_officer"]
    sc_officer.goto(live.intranet("/mailbox/"))
    sc_officer.locator("#messages a", has_text=SUBJECT).click()
    sc_officer.locator("#reply-form textarea[name=text]").fill(REPLY)
    shot(sc_officer, "staff-mailbox-reply")
    sc_officer.locator("#reply-form button[type=submit]").click()
    expect(sc_officer.locator(".alert-success").first).to_contain_text("答复已提交")
    message_url = sc_officer.url

    head = people["sc_head"]
    head.goto(message_url)
    expect(head.locator("#review-form")).to_be_visible()
    head.locator("#review-form select[name=decision]").select_option("approve")
    head.locator("#review-form textarea[name=comment]").fill("同意")
    head.locator("#review-form button[type=submit]").click()
    expect(head.locator(".alert-success").first).to_contain_text("局领导审核")

    # -- 局领导 (the leader in charge of the parent unit) approves it: the answer goes out (R-71) --
    leader = people["leader"]
    leader.goto(message_url)
    expect(leader.locator("#review-form")).to_be_visible()
    leader.locator("#review-form select[name=decision]").select_option("approve")
    leader.locator("#review-form textarea[name=comment]").fill("同意答复")
    leader.locator("#review-form button[type=submit]").click()
    expect(leader.locator(".alert-success").first).to_contain_text("答复已审核通过")

    # -- the sender looks it up with the code --
    public.goto(live.url("/s/youth/c/consult/query"))
    public.locator("input[name=code]").fill(code.lower())
    public.locator("main form button[type=submit]").click()
    expect(public.locator("#lookup-status")).to_be_visible()
    expect(public.locator("#lookup-reply")).to_have_text(REPLY)
    shot(public, "public-mailbox-answer")
    # and the question, with the name masked, is on the column page
    public.goto(live.url("/s/youth/c/consult/"))
    expect(public.locator("main")).to_contain_text(SUBJECT)
    expect(public.locator("main")).not_to_contain_text("张晓华")
