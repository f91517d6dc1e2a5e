"""Demo messages for the mailbox column of the demo site (R-14), one in each
state, each made through the same functions the pages use (at past times, by
moving the app clock), so their histories, deadlines and late flags are real.
Idempotent: a message whose query code exists is skipped."""
from contextlib import contextmanager
from datetime import timedelta

from flask import current_app

from intranet import clock
from intranet.extensions import db

from . import review, service
from .models import Message

# (query code, subject, text, sender, contact, private, days ago, story)
# story: received | assigned | in_review | answered | answered_late | private | transferred
MESSAGES = [
    ("DEMQRECV2345", "暑期快乐活动券什么时候可以领取？",
     "请问今年的暑期快乐活动券什么时候开始领取？需要带哪些材料？我家孩子在湖滨社区上学。", "王小明", "13912345678",
     False, 1, "received"),
    ("DEMQASGN2345", "社区青少年俱乐部活动室开放时间",
     "清波社区青少年俱乐部活动室周末是否开放？开放时间是几点到几点？", "刘芳", "liufang@example.com", False, 3, "assigned"),
    ("DEMQREVW2345", "成长大讲堂团体预约单如何提交",
     "我们学校想组织学生参加成长大讲堂，团体预约单填好后交到哪里？能否通过邮件提交？", "陈老师", "0571-87654321",
     False, 4, "in_review"),
    ("DEMQANSW2345", "如何申请建立社区青少年俱乐部",
     "我们社区想申请建立青少年俱乐部，需要满足什么条件，流程是怎样的？联系电话13800001111。", "赵建国", "13800001111",
     False, 20, "answered"),
    ("DEMQLATE2345", "假日活动输送预约单的截止时间",
     "青少年假日活动输送预约单今年的截止时间是哪天？逾期还能补报吗？", "孙丽", "13700002222", False, 30,
     "answered_late"),
    ("DEMQPRIV2345", "反映俱乐部辅导员的问题",
     "我想反映我们社区俱乐部一位辅导员的问题，涉及孩子隐私，请不要公开。我的身份证号330106198001011234。",
     "李女士", "13600003333", True, 12, "private"),
    ("DEMQTRAN2345", "西湖区翠苑社区的活动安排",
     "请问翠苑一区社区青少年俱乐部本月有哪些活动？", "周先生", "13500004444", False, 2, "transferred"),
]


@contextmanager
def _at(when):
    app = current_app._get_current_object()
    before = app.extensions.get("lanmu_clock")
    clock.set_now(app, when)
    try:
        yield
    finally:
        clock.set_now(app, before)


def load(ctx):
    """ctx: {"columns": {slug: Column}, "users": {username: User}, "units": {code: Unit}}."""
    column = ctx["columns"].get("consult")
    if column is None or column.type != "mailbox":
        return 0
    users, units = ctx["users"], ctx["units"]
    db.session.flush()
    for user in users.values():  # roles added by id in this session: reload them
        db.session.expire(user, ["memberships"])
    faq = ctx["columns"].get("faq")
    now = clock.now()
    created = 0
    for code, subject, text, name, contact, private, days_ago, story in MESSAGES:
        if db.session.execute(db.select(Message.id).filter_by(query_code=code)).scalar():
            continue
        received = (now - timedelta(days=days_ago)).replace(hour=9, minute=30, second=0)
        with _at(received):
            m = service.receive_message(column, name=name, contact=contact, subject=subject, text=text,
                                        wants_privacy=private, address="192.0.2.10", query_code=code)
        created += 1
        if story == "received":
            continue
        with _at(received + timedelta(hours=2)):
            service.route_message(m, units["sc-office"], users["officer"], "请按职责办理")
        if story == "transferred":  # 翠苑 is in 西湖区: 上城区 hands it on
            with _at(received + timedelta(days=1)):
                service.add_note(m, users["sc_officer"], "翠苑一区社区属西湖区，已电话联系西湖区办公室确认承办。")
                service.route_message(m, units["xh-office"], users["sc_officer"], "翠苑一区社区属西湖区，请西湖区答复")
            continue
        if story == "assigned":
            with _at(received + timedelta(hours=3)):
                service.add_note(m, users["sc_officer"], "已联系清波社区核实开放时间，待回复。")
            continue
        reply_at = received + timedelta(days=(9 if story == "answered_late" else 1))
        with _at(reply_at):
            reply = review.submit_reply_for_review(m, _REPLIES[story], users["sc_officer"])
        # The column's reply review chain (default: 科室负责人, then 局领导 of the parent unit).
        for hours, step in enumerate(reply.steps, start=1):
            if story == "in_review" and step.position == len(reply.steps):
                break  # waits for its last step (the 局领导)
            with _at(reply_at + timedelta(hours=2 * hours)):
                review.approve_reply(reply, _reviewer(step, users), "同意")
        if story == "in_review":
            continue
        if story == "answered" and faq is not None and m.is_public:
            with _at(reply_at + timedelta(days=1)):
                service.promote_to_faq(m, faq, users["officer"])
    db.session.flush()
    return created


def _reviewer(step, users):
    """The demo's reviewer of an open step: the first person it asks."""
    candidates = [c.user for c in step.candidates]
    if not candidates:
        raise RuntimeError(f"demo: nobody may decide “{step.label}”")
    by_name = {u.id: u for u in users.values()}
    return by_name.get(candidates[0].id, candidates[0])


_REPLIES = {
    "in_review": "您好！团体预约单填好后可送至杭州青少年活动中心服务台，也可扫描后发送至活动中心公布的邮箱。感谢您的关注。",
    "answered": "您好！申请建立社区青少年俱乐部，须有固定的活动场所和辅导员。请社区向所在区推进工作领导小组办公室提出申请，"
                "填写申请表（可在本网站“相关下载”栏目下载），经区办审核、市办备案后即可挂牌。",
    "answered_late": "您好！今年假日活动输送预约单的截止时间为7月1日，逾期可与区办联系补报。答复较晚，敬请谅解。",
    "private": "您好！您反映的情况已转交上城区办公室核实处理，处理结果将电话告知您。感谢您的监督。",
}
